#include "broker/stored_records.hpp"

#include "protocol/properties_codec.hpp"
#include "protocol/topic.hpp"

namespace culex::broker::stored {

using namespace culex::protocol;
namespace chrono = std::chrono;

store::Deadline to_deadline(Message::Clock::time_point when) {
    auto left = chrono::duration_cast<chrono::milliseconds>(when - Message::Clock::now());
    return chrono::time_point_cast<chrono::milliseconds>(chrono::system_clock::now()) + left;
}

Message::Clock::time_point to_steady(store::Deadline when) {
    auto left = when - chrono::time_point_cast<chrono::milliseconds>(chrono::system_clock::now());
    return Message::Clock::now() + left;
}

store::Deadline deadline_in(chrono::seconds seconds) {
    return chrono::time_point_cast<chrono::milliseconds>(chrono::system_clock::now()) + seconds;
}

std::string encode_properties(const Properties& properties) {
    static const Properties kNone;  // compared with, not built per record: most messages carry none
    if (properties == kNone) return {};
    std::string out;
    wire::write_properties(properties, out);
    return out;
}

std::string encode_properties(const PropertiesBox& properties) {
    return properties.empty() ? std::string() : encode_properties(*properties);
}

Properties decode_properties(std::string_view bytes, bool will) {
    Properties properties;
    if (bytes.empty()) return properties;
    try {
        wire::Reader reader(bytes);
        wire::read_properties(reader, {will ? PacketType::connect : PacketType::publish, will}, properties);
    } catch (const wire::WireError&) {
        return {};  // checksummed rows make this unreachable short of a culex bug
    }
    return properties;
}

namespace {

std::optional<store::Deadline> expiry_of(const Message& message) {
    if (!message.expires_at) return std::nullopt;
    return to_deadline(*message.expires_at);
}

std::string share_name(const ShareKey& share) {
    return share ? *share : std::string();
}

}  // namespace

store::RetainedRecord retained(const Message& message) {
    return {message.topic.str(), message.payload, message.qos, encode_properties(message.properties),
            expiry_of(message)};
}

store::QueuedMessage queued(const std::string& client_id, std::uint64_t sequence, const Message& message,
                            QoS qos, bool retain, const ShareKey& share) {
    return {client_id,
            sequence,
            message.topic.str(),
            message.payload,
            qos,
            retain,
            encode_properties(message.properties),
            expiry_of(message),
            share_name(share)};
}

store::InflightRecord outgoing(const std::string& client_id, std::uint16_t packet_id, std::uint64_t sequence,
                               const Message* message, QoS qos, bool retain, const ShareKey& share) {
    store::InflightRecord record;
    record.client_id = client_id;
    record.direction = store::Direction::outgoing;
    record.packet_id = packet_id;
    record.sequence = sequence;
    record.qos = qos;
    record.retain = retain;
    record.share_name = share_name(share);
    if (!message) {
        record.state = store::InflightState::pubrec_received;
        return record;
    }
    record.state = store::InflightState::publish_sent;
    record.topic = message->topic;
    record.payload = message->payload;
    record.properties = encode_properties(message->properties);
    record.expires_at = expiry_of(*message);
    return record;
}

store::InflightRecord incoming(const std::string& client_id, std::uint16_t packet_id,
                               const Message& message) {
    store::InflightRecord record;
    record.client_id = client_id;
    record.direction = store::Direction::incoming;
    record.packet_id = packet_id;
    record.state = store::InflightState::received_not_released;
    record.topic = message.topic;
    record.payload = message.payload;
    record.qos = message.qos;
    record.retain = message.retain;
    record.properties = encode_properties(message.properties);
    record.expires_at = expiry_of(message);
    return record;
}

store::WillRecord will(const std::string& client_id, const Will& will,
                       std::optional<store::Deadline> due_at) {
    return {client_id,
            will.topic,
            will.payload,
            will.qos,
            will.retain,
            encode_properties(will.properties),
            will.properties.will_delay_interval.value_or(0),
            due_at};
}

store::SubscriptionRecord subscription(const std::string& client_id, std::string_view full_filter,
                                       const SubscriptionOptions& options, RetainHandling handling) {
    store::SubscriptionRecord record;
    record.client_id = client_id;
    if (auto shared = parse_shared_filter(full_filter)) {
        record.share_name = std::string(shared->group);
        record.filter = std::string(shared->filter);
    } else {
        record.filter = std::string(full_filter);
    }
    record.qos = options.max_qos;
    record.no_local = options.no_local;
    record.retain_as_published = options.retain_as_published;
    record.retain_handling = static_cast<std::uint8_t>(handling);
    if (options.subscription_id != 0) record.subscription_id = options.subscription_id;
    return record;
}

MessagePtr message(std::string topic, Payload payload, QoS qos, bool retain, std::string_view properties,
                   std::optional<store::Deadline> expires_at) {
    auto message = std::make_shared<Message>(
        Publish{std::move(topic), std::move(payload), qos, retain, false, 0, decode_properties(properties)});
    message->expires_at = expires_at ? std::optional(to_steady(*expires_at)) : std::nullopt;
    return message;
}

Will will(const store::WillRecord& record) {
    return {record.topic, record.payload, record.qos, record.retain,
            decode_properties(record.properties, true)};
}

std::string full_filter(const store::SubscriptionRecord& record) {
    if (record.share_name.empty()) return record.filter;
    return "$share/" + record.share_name + "/" + record.filter;
}

ShareKey share_key(const std::string& share_name) {
    if (share_name.empty()) return nullptr;
    return std::make_shared<const std::string>(share_name);
}

}  // namespace culex::broker::stored
