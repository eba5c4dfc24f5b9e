#include "cluster/wire_frame.hpp"

#include <fmt/format.h>

#include "protocol/codec.hpp"

namespace culex::cluster {

using namespace culex::protocol;

namespace {

constexpr unsigned kQosMask = 0x03;
constexpr unsigned kRetain = 0x04;
constexpr unsigned kHasOrigin = 0x08;
constexpr unsigned kHasServed = 0x10;
constexpr unsigned kHasProperties = 0x20;
constexpr unsigned kKnownFlags = kQosMask | kRetain | kHasOrigin | kHasServed | kHasProperties;

void put_varint(std::uint64_t value, std::string& out) {
    while (value >= 0x80) {
        out += static_cast<char>((value & 0x7F) | 0x80);
        value >>= 7;
    }
    out += static_cast<char>(value);
}

void put_field(std::string_view field, std::string& out) {
    put_varint(field.size(), out);
    out += field;
}

// Reads from the front of `bytes`; false when they end first or the value passes 64 bits.
bool take_varint(std::string_view& bytes, std::uint64_t& value) {
    value = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (bytes.empty()) return false;
        auto byte = static_cast<unsigned char>(bytes.front());
        bytes.remove_prefix(1);
        if (shift == 63 && byte > 1) return false;
        value |= std::uint64_t{byte & 0x7Fu} << shift;
        if (!(byte & 0x80)) return true;
    }
    return false;
}

bool take_field(std::string_view& bytes, std::string_view& field) {
    std::uint64_t size = 0;
    if (!take_varint(bytes, size) || size > bytes.size()) return false;
    field = bytes.substr(0, size);
    bytes.remove_prefix(size);
    return true;
}

void put_properties(const Publish& message, std::string& out) {
    Publish carrier;
    carrier.topic = "p";
    carrier.properties = message.properties;
    std::string packet;
    encode(carrier, ProtocolVersion::v5, packet);
    put_field(packet, out);
}

std::expected<PropertiesBox, std::string> properties_of(std::string_view packet) {
    auto frame = next_frame(packet);
    if (!frame) return std::unexpected("properties: " + frame.error().message);
    if (!*frame || (*frame)->size != packet.size())
        return std::unexpected(std::string("properties: not one whole packet"));
    auto decoded = decode(**frame, ProtocolVersion::v5);
    if (!decoded) return std::unexpected("properties: " + decoded.error().message);
    auto* publish = std::get_if<Publish>(&*decoded);
    if (!publish) return std::unexpected(std::string("properties: not a PUBLISH"));
    return std::move(publish->properties);
}

}  // namespace

void write_frame(const Publish& message, std::string_view origin, std::uint64_t sequence,
                 std::string_view served_queues, std::string& out) {
    unsigned flags = static_cast<unsigned>(message.qos) & kQosMask;
    if (message.retain) flags |= kRetain;
    if (!origin.empty()) flags |= kHasOrigin;
    if (!served_queues.empty()) flags |= kHasServed;
    if (!message.properties.empty()) flags |= kHasProperties;
    out += static_cast<char>(kFrameVersion);
    out += static_cast<char>(flags);
    if (!origin.empty()) {
        put_field(origin, out);
        put_varint(sequence, out);
    }
    if (!served_queues.empty()) put_field(served_queues, out);
    if (!message.properties.empty()) put_properties(message, out);
    out += message.payload.view();
}

std::expected<FrameView, std::string> read_frame(std::string_view bytes) {
    if (bytes.size() < 2)
        return std::unexpected(fmt::format("{} bytes: shorter than a frame's header", bytes.size()));
    if (static_cast<unsigned char>(bytes[0]) != kFrameVersion)
        return std::unexpected(
            fmt::format("version byte 0x{:02x}, expected 0x{:02x} (a node of another culex "
                        "version, or not culex)",
                        static_cast<unsigned char>(bytes[0]), kFrameVersion));
    auto flags = static_cast<unsigned char>(bytes[1]);
    if ((flags & ~kKnownFlags) != 0 || (flags & kQosMask) == 3)
        return std::unexpected(fmt::format("flags 0x{:02x} not understood", flags));
    bytes.remove_prefix(2);
    FrameView frame;
    frame.qos = static_cast<QoS>(flags & kQosMask);
    frame.retain = (flags & kRetain) != 0;
    if ((flags & kHasOrigin) && (!take_field(bytes, frame.origin) || !take_varint(bytes, frame.sequence)))
        return std::unexpected(std::string("origin cut short"));
    if ((flags & kHasServed) && !take_field(bytes, frame.served))
        return std::unexpected(std::string("served groups cut short"));
    if ((flags & kHasProperties) && (!take_field(bytes, frame.properties) || frame.properties.empty()))
        return std::unexpected(std::string("properties cut short"));
    frame.payload = bytes;
    return frame;
}

std::expected<Publish, std::string> publish_from_frame(const FrameView& frame, std::string topic) {
    Publish publish;
    if (!frame.properties.empty()) {
        auto properties = properties_of(frame.properties);
        if (!properties) return std::unexpected(properties.error());
        publish.properties = std::move(*properties);
    }
    publish.topic = std::move(topic);
    publish.payload = Payload(frame.payload);
    publish.qos = frame.qos;
    publish.retain = frame.retain;
    return publish;
}

}  // namespace culex::cluster
