#include "cluster/wire_message.hpp"

#include <fmt/format.h>

#include <charconv>

#include "cluster/subject_map.hpp"
#include "protocol/codec.hpp"

namespace culex::cluster {

using namespace culex::protocol;

namespace {

constexpr char kHex[] = "0123456789abcdef";

// NATS headers are text: the properties, encoded as MQTT 5 writes them, go as hex.
std::string encode_properties(const Publish& publish) {
    Publish carrier;
    carrier.topic = "p";
    carrier.properties = publish.properties;
    std::string packet;
    encode(carrier, ProtocolVersion::v5, packet);
    std::string hex;
    hex.reserve(packet.size() * 2);
    for (unsigned char c : packet) {
        hex += kHex[c >> 4];
        hex += kHex[c & 0xF];
    }
    return hex;
}

std::expected<PropertiesBox, std::string> decode_properties(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::unexpected("odd length");
    std::string packet(hex.size() / 2, '\0');
    for (std::size_t i = 0; i < packet.size(); ++i) {
        unsigned value = 0;
        auto [end, error] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, value, 16);
        if (error != std::errc() || end != hex.data() + 2 * i + 2) return std::unexpected("not hex");
        packet[i] = static_cast<char>(value);
    }
    auto frame = next_frame(packet);
    if (!frame || !*frame) return std::unexpected("not a whole packet");
    auto decoded = decode(**frame, ProtocolVersion::v5);
    if (!decoded || !std::holds_alternative<Publish>(*decoded)) return std::unexpected("not a PUBLISH");
    return std::move(std::get<Publish>(*decoded).properties);
}

std::string_view header(natsMsg* message, const char* key) {
    const char* value = nullptr;
    if (natsMsgHeader_Get(message, key, &value) != NATS_OK || !value) return {};
    return value;
}

// "G1\nG2\n" (as the router lists them) -> "culex.G1 culex.G2" (queue groups: no spaces).
std::string served_queues(std::string_view served_groups) {
    std::string queues;
    while (!served_groups.empty()) {
        auto end = served_groups.find('\n');
        if (!queues.empty()) queues += ' ';
        queues += queue_group(served_groups.substr(0, end));
        if (end == std::string_view::npos) break;
        served_groups.remove_prefix(end + 1);
    }
    return queues;
}

}  // namespace

std::expected<MessagePtr, std::string> to_nats(const broker::Message& message, const std::string& subject,
                                               const Origin& origin, std::string_view served_groups) {
    natsMsg* raw = nullptr;
    auto data = message.payload.view();
    if (natsStatus s =
            natsMsg_Create(&raw, subject.c_str(), nullptr, data.data(), static_cast<int>(data.size()));
        s != NATS_OK)
        return std::unexpected(nats_error(s));
    MessagePtr nats(raw);
    char qos[2] = {static_cast<char>('0' + static_cast<int>(message.qos)), '\0'};
    natsStatus s = natsMsgHeader_Set(raw, kQosHeader, qos);
    if (s == NATS_OK && message.retain) s = natsMsgHeader_Set(raw, kRetainHeader, "1");
    if (s == NATS_OK && !origin.name.empty()) {
        s = natsMsgHeader_Set(raw, kOriginHeader, origin.name.c_str());
        if (s == NATS_OK && origin.sequence != 0)
            s = natsMsgHeader_Set(raw, kSequenceHeader, fmt::format("{}", origin.sequence).c_str());
    }
    if (s == NATS_OK && !message.properties.empty())
        s = natsMsgHeader_Set(raw, kPropertiesHeader, encode_properties(message).c_str());
    if (s == NATS_OK && !served_groups.empty())
        s = natsMsgHeader_Set(raw, kServedHeader, served_queues(served_groups).c_str());
    if (s != NATS_OK) return std::unexpected(nats_error(s));
    return nats;
}

std::expected<Received, std::string> from_nats(natsMsg* nats, std::string_view prefix) {
    std::string_view subject = natsMsg_GetSubject(nats);
    auto topic = topic_from_subject(prefix, subject);
    if (!topic) return std::unexpected(fmt::format("subject '{}' names no MQTT topic", subject));
    Publish publish;
    publish.topic = std::move(*topic);
    publish.payload = Payload(
        std::string_view(natsMsg_GetData(nats), static_cast<std::size_t>(natsMsg_GetDataLength(nats))));
    std::string_view qos = header(nats, kQosHeader);
    if (qos.size() == 1 && qos[0] >= '0' && qos[0] <= '2') publish.qos = static_cast<QoS>(qos[0] - '0');
    publish.retain = header(nats, kRetainHeader) == "1";
    if (auto hex = header(nats, kPropertiesHeader); !hex.empty()) {
        auto properties = decode_properties(hex);
        if (!properties)
            return std::unexpected(fmt::format("message on '{}': bad {} header ({})", publish.topic,
                                               kPropertiesHeader, properties.error()));
        publish.properties = std::move(*properties);
    }
    Received received;
    received.origin.name = std::string(header(nats, kOriginHeader));
    if (auto seq = header(nats, kSequenceHeader); !seq.empty())
        std::from_chars(seq.data(), seq.data() + seq.size(), received.origin.sequence);
    received.served = std::string(header(nats, kServedHeader));
    received.message = std::make_shared<const broker::Message>(std::move(publish));
    return received;
}

}  // namespace culex::cluster
