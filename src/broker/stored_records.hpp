// The broker's state as the store keeps it (store/records.hpp) and back: messages, wills, sessions and
// subscriptions. Times cross over between the broker's steady clock and the store's wall-clock deadlines,
// and MQTT 5 properties travel as their encoded bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "broker/message.hpp"
#include "broker/subscription_tree.hpp"
#include "protocol/packets.hpp"
#include "store/records.hpp"

namespace culex::broker::stored {

store::Deadline to_deadline(Message::Clock::time_point when);
Message::Clock::time_point to_steady(store::Deadline when);
// The wall-clock time `seconds` from now.
store::Deadline deadline_in(std::chrono::seconds seconds);

std::string encode_properties(const protocol::Properties& properties);
std::string encode_properties(const protocol::PropertiesBox& properties);  // none held: no work
// `will`: the bytes are a will's properties (CONNECT), else a PUBLISH's. Bytes that do not decode (never
// written by culex) give no properties.
protocol::Properties decode_properties(std::string_view bytes, bool will = false);

store::RetainedRecord retained(const Message& message);
store::QueuedMessage queued(const std::string& client_id, std::uint64_t sequence, const Message& message,
                            protocol::QoS qos, bool retain, const ShareKey& share);
// An outgoing exchange: the PUBLISH sent (message set) or, once PUBREC came, only its id (message null).
store::InflightRecord outgoing(const std::string& client_id, std::uint16_t packet_id, std::uint64_t sequence,
                               const Message* message, protocol::QoS qos, bool retain, const ShareKey& share);
store::InflightRecord incoming(const std::string& client_id, std::uint16_t packet_id, const Message& message);
store::WillRecord will(const std::string& client_id, const protocol::Will& will,
                       std::optional<store::Deadline> due_at);
store::SubscriptionRecord subscription(const std::string& client_id, std::string_view full_filter,
                                       const SubscriptionOptions& options, protocol::RetainHandling handling);

// A message back from the store; its expiry is the stored deadline.
MessagePtr message(std::string topic, protocol::Payload payload, protocol::QoS qos, bool retain,
                   std::string_view properties, std::optional<store::Deadline> expires_at);
protocol::Will will(const store::WillRecord& record);
// "$share/NAME/FILTER", or FILTER alone.
std::string full_filter(const store::SubscriptionRecord& record);
ShareKey share_key(const std::string& share_name);

}  // namespace culex::broker::stored
