// A published application message as the broker keeps it: decoded once, immutable, shared by every queue and
// every subscriber it goes to.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "protocol/packets.hpp"

namespace culex::broker {

// Who published a retained message, so that check_retain_source can ask the ACL again whether they may still
// publish there before it goes to a new subscriber (an access revoked since then withholds it).
struct MessageSource {
    std::string client_id;
    std::shared_ptr<const std::string> username;  // null: anonymous
    int listener = 0;                             // selects the access policy
};

// topic, payload, QoS, retain and properties of the PUBLISH as received (packet_id and dup are meaningless
// here), plus when it expires (MQTT 5 Message Expiry Interval, counted from its arrival).
struct Message : protocol::Publish, protocol::PayloadOwner {
    using Clock = std::chrono::steady_clock;

    // A message received from a client, in one allocation: the reference count, the Message, and its topic
    // and payload bytes after it (the PUBLISH may borrow them from the bytes read: decode_borrowing). Every
    // copy of its payload shares that block.
    static std::shared_ptr<Message> received(protocol::Publish&& publish);

    // The clock is read only for a message that expires: most do not, and this is per message.
    explicit Message(protocol::Publish&& publish) : protocol::Publish(std::move(publish)) {
        if (properties->message_expiry_interval)
            expires_at = Clock::now() + std::chrono::seconds(*properties->message_expiry_interval);
    }
    Message(protocol::Publish&& publish, Clock::time_point now) : protocol::Publish(std::move(publish)) {
        if (properties->message_expiry_interval)
            expires_at = now + std::chrono::seconds(*properties->message_expiry_interval);
    }

    std::optional<Clock::time_point> expires_at;
    // Set for retained messages while check_retain_source is on; null for the rest (and for retained messages
    // restored from the store, which keeps no source).
    std::shared_ptr<const MessageSource> source;

    // received()'s, and only its (the constructor writes past the Message): the block has room for `tail`
    // bytes right after the Message.
    class InOneBlock {
        friend struct Message;
        explicit InOneBlock(std::size_t bytes) : tail(bytes) {}

      public:
        std::size_t tail;
    };
    Message(InOneBlock, protocol::Publish&& publish);

    bool expired_now() const { return expires_at && Clock::now() >= *expires_at; }
    // What is left of the expiry interval, in whole seconds, for the copy sent on (spec 3.3.2.3.3).
    std::optional<std::uint32_t> remaining_expiry(Clock::time_point now) const {
        if (!expires_at) return std::nullopt;
        auto left = std::chrono::ceil<std::chrono::seconds>(*expires_at - now).count();
        return static_cast<std::uint32_t>(left > 0 ? left : 0);
    }
};

using MessagePtr = std::shared_ptr<const Message>;

}  // namespace culex::broker
