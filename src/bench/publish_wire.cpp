#include "bench/publish_wire.hpp"

#include <cstring>
#include <stdexcept>

namespace culex::bench {

PublishTemplate::PublishTemplate(std::string_view topic, std::size_t payload_size, protocol::QoS qos,
                                 protocol::ProtocolVersion version) {
    protocol::Publish publish;
    publish.topic = std::string(topic);
    publish.payload = protocol::Payload(std::string(payload_size, '\0'));
    publish.qos = qos;
    publish.packet_id = qos == protocol::QoS::at_most_once ? 0 : 1;
    protocol::encode(publish, version, wire_);
    auto frame = protocol::next_frame(wire_);
    if (!frame || !*frame || (*frame)->size != wire_.size())
        throw std::logic_error("PublishTemplate: the codec's PUBLISH is not one frame");
    std::size_t header = wire_.size() - (*frame)->body.size();
    if (qos != protocol::QoS::at_most_once) packet_id_offset_ = header + 2 + topic.size();
    payload_offset_ = wire_.size() - payload_size;
}

void PublishTemplate::append(std::string& out, std::uint16_t packet_id, const Stamp& stamp) const {
    std::size_t at = out.size();
    out.append(wire_);
    char* p = out.data() + at;
    if (packet_id_offset_ != 0) {
        p[packet_id_offset_] = static_cast<char>(packet_id >> 8);
        p[packet_id_offset_ + 1] = static_cast<char>(packet_id & 0xFF);
    }
    write_stamp(p + payload_offset_, stamp);
}

std::optional<PublishView> peek_publish(const protocol::Frame& frame, protocol::ProtocolVersion version) {
    const auto* p = reinterpret_cast<const unsigned char*>(frame.body.data());
    std::size_t size = frame.body.size();
    PublishView view;
    unsigned qos = (frame.flags() >> 1) & 3u;
    if (qos == 3) return std::nullopt;
    view.qos = static_cast<protocol::QoS>(qos);
    view.dup = (frame.flags() & 0x08) != 0;
    if (size < 2) return std::nullopt;
    std::size_t topic_length = (std::size_t{p[0]} << 8) | p[1];
    std::size_t at = 2 + topic_length;
    if (at > size) return std::nullopt;
    view.topic = frame.body.substr(2, topic_length);
    if (qos != 0) {
        if (at + 2 > size) return std::nullopt;
        view.packet_id = static_cast<std::uint16_t>((p[at] << 8) | p[at + 1]);
        at += 2;
    }
    if (version == protocol::ProtocolVersion::v5) {
        std::uint32_t length = 0;
        for (int shift = 0;; shift += 7) {
            if (at >= size || shift > 21) return std::nullopt;
            unsigned char b = p[at++];
            length |= std::uint32_t{b & 0x7Fu} << shift;
            if ((b & 0x80) == 0) break;
        }
        if (at + length > size) return std::nullopt;
        at += length;
    }
    view.payload = frame.body.substr(at);
    return view;
}

void append_ack(std::string& out, protocol::PacketType type, std::uint16_t packet_id) {
    // PUBREL's fixed header flags are 0b0010 (spec 3.6.1); the other three have none.
    auto header = static_cast<std::uint8_t>(static_cast<unsigned>(type) << 4);
    if (type == protocol::PacketType::pubrel) header |= 0x02;
    char bytes[4] = {static_cast<char>(header), 2, static_cast<char>(packet_id >> 8),
                     static_cast<char>(packet_id & 0xFF)};
    out.append(bytes, 4);
}

}  // namespace culex::bench
