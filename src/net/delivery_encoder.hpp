// The deliveries of one loop, encoded once per distinct outgoing form: a PUBLISH of kShareFrom bytes or more
// going to many subscribers is encoded once for each protocol family (MQTT 5 or not), QoS, retain and dup
// flag it goes out with, and each subscriber's output gets a copy of those few header bytes (its own packet
// id patched in) and a reference to the one shared payload, never a copy. Deliveries that carry something of
// their receiver's (MQTT 5 subscription identifiers, a topic alias, the expiry left, the message's own
// properties) are encoded for that receiver alone, and still share the payload. Smaller payloads are encoded
// for each receiver and copied, which is cheaper for them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "net/output_queue.hpp"
#include "protocol/codec.hpp"
#include "protocol/packets.hpp"

namespace culex::net {

class DeliveryEncoder {
  public:
    // Payloads smaller than this are copied into each subscriber's own bytes, their header encoded for it:
    // for a message that goes to one subscriber (p2p, 64 B), the form kept and the hold on the
    // payload cost more than they save (2.5 M deliveries per broker CPU-second fell to 1.8 M when every
    // payload was shared), while from a few hundred bytes up, in a 1 -> 1,000 fan-out, the copies (and the
    // subscribers' output buffers they fill, out of the cache) cost far more (at 500 B: 0.74-1.0 M copied,
    // 1.6 M shared).
    static constexpr std::size_t kShareFrom = 256;

    // Appends the delivery to `out`. False, appending nothing, when the PUBLISH would be larger than
    // `max_packet_size` (the client's Maximum Packet Size; 0: none).
    bool encode(const protocol::Publish& message, const protocol::DeliveryFields& fields,
                protocol::ProtocolVersion version, std::uint32_t max_packet_size, OutputQueue& out);

    // The step is over: the forms kept let their payloads go (a later delivery of the same message encodes
    // its header again, which is all a miss costs).
    void forget();

  private:
    // One outgoing form of one message: what makes its header, and the header. The payload is held, so that
    // its address, which identifies the message here, cannot be reused by another while the form is kept.
    struct Form {
        LoopShared payload;
        std::string topic;
        std::uint16_t topic_skip = 0;
        bool v5 = false;
        protocol::QoS qos = protocol::QoS::at_most_once;
        bool retain = false;
        bool dup = false;
        std::string header;
        protocol::DeliveryHeader layout;
    };

    const Form& form_of(const protocol::Publish& message, const protocol::DeliveryFields& fields,
                        protocol::ProtocolVersion version);
    // The loop's hold on the payload, made once per message.
    const LoopShared& shared(const protocol::Payload& payload);
    void append_payload(const protocol::Payload& payload, OutputQueue& out);

    // A message reaches the subscribers of a loop one after the other: a few forms at a time suffice.
    std::array<Form, 4> forms_;
    std::size_t next_ = 0;  // the form to replace next
    // Payloads of deliveries encoded for their receiver alone (no form): their hold, made once.
    std::array<LoopShared, 4> others_;
    std::size_t next_other_ = 0;
};

}  // namespace culex::net
