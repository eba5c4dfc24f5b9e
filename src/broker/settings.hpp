// The broker's tunables, as plain values: the CLI fills them from mosquitto.conf (src/config), tests set them
// directly. Names and defaults follow mosquitto.conf(5).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/login_throttle.hpp"
#include "broker/authenticator.hpp"
#include "protocol/types.hpp"

namespace culex::broker {

// Levels a topic or filter may have, as Mosquitto (its TOPIC_HIERARCHY_LIMIT): deeper ones end the
// connection, so that a client cannot make the subscription tree hold one node per '/' of a 65,535-byte
// filter.
constexpr std::size_t kMaxTopicLevels = 200;

// What a listener changes about its clients' MQTT (mosquitto.conf's listener options), by listener index.
struct ListenerRules {
    std::uint8_t max_qos = 2;            // higher PUBLISHes end the connection; SUBSCRIBEs are granted this
    std::uint16_t max_topic_alias = 10;  // Mosquitto's default; 0: topic aliases refused
    bool use_username_as_clientid = false;
    // Prepended to every topic and filter a client of this listener names, and taken off every topic it is
    // sent: a listener of its own topic tree (mosquitto.conf's mount_point). Empty: none.
    std::string mount_point;
    // A Unix socket listener's path (`listener 0 PATH`): its clients' address in log lines is "PATH:0", as
    // in Mosquitto's. Empty: a TCP listener.
    std::string unix_socket_path;
};

struct BrokerSettings {
    std::uint16_t max_inflight_messages = 20;  // per client, outgoing QoS 1/2; 0 = no limit
    std::uint64_t max_inflight_bytes = 0;      // the same in payload bytes (see Session::Flows); 0 = no limit
    std::size_t max_queued_messages = 1000;    // per client, beyond the in-flight window; 0 = no limit
    std::uint64_t max_queued_bytes = 0;        // the same in bytes of topic and payload; 0 = no limit
    bool queue_qos0_messages = false;  // QoS 0 queued for an offline persistent session too (Mosquitto's)
    // A connection's output that its socket has not taken yet: past this, QoS 0 deliveries to it are dropped
    // (QoS 1/2 wait in the in-flight window and the queue, both bounded) and its own input is not read until
    // the output drains (culex's own option, output_buffer_limit).
    std::size_t output_buffer_limit = 4u << 20;
    // Deliveries handed from one event loop to another that the target has not delivered yet: past this (in
    // bytes, per target loop), QoS 0 for it is dropped at the source, so that a loop that falls behind (a
    // flood fanned out to it) does not queue without bound. 0: no limit.
    std::uint64_t max_arriving_bytes = 8u << 20;
    // Subscriptions one session may hold; a SUBSCRIBE past it is refused for that filter (culex's own option,
    // max_subscriptions_per_client). 0 = no limit.
    std::size_t max_subscriptions_per_client = 10'000;
    // Heap bytes the broker may hold (mosquitto.conf's memory_limit, approximated: see memory_guard.hpp).
    // 0 = no limit.
    std::size_t memory_limit = 0;
    std::uint32_t message_size_limit = 0;         // PUBLISH payload bytes; 0 = no limit
    std::uint32_t max_packet_size = 268'435'460;  // any packet, fixed header included
    std::uint16_t max_keepalive = 65535;
    std::optional<std::chrono::seconds>
        persistent_client_expiration;  // none: persistent sessions never expire
    bool retain_available = true;
    // Deliver at the subscription's QoS even when the message was published at a lower one (Mosquitto's
    // upgrade_outgoing_qos), instead of the lower of the two.
    bool upgrade_outgoing_qos = false;
    // Before a retained message goes to a new subscriber, the ACL is asked whether its publisher may still
    // publish on its topic (Mosquitto's check_retain_source, on by default).
    bool check_retain_source = true;
    std::chrono::seconds connect_timeout{10};  // a new connection must send CONNECT within this
    // The request line and headers of a WebSocket upgrade, at most (mosquitto.conf's websockets_headers_size;
    // Beast's 8 KiB by default, where Mosquitto's libwebsockets takes 1 KiB, so that cookies fit).
    std::size_t websockets_headers_size = 8192;
    // Before login a client is nobody: its CONNECT may announce at most this many bytes (a will may be
    // large, but not hundreds of megabytes from a stranger), and every connection that has not logged in
    // holds, together, at most preauth_memory_budget of buffered input (culex's own options).
    std::uint32_t max_connect_size = 1u << 20;
    std::size_t preauth_memory_budget = 64u << 20;
    // After a refusing CONNACK or a DISCONNECT, input is read and discarded for up to this long before the
    // socket closes, so that the client reads the reason instead of a reset (lingering close).
    std::chrono::milliseconds linger_time{2000};
    auth::ThrottleSettings login_throttle;  // failed logins slow an address down
    Authenticators authenticators;          // MQTT 5 enhanced authentication methods offered
    std::string clientid_prefixes;          // non-empty: other client ids are refused (not authorised)
    std::vector<ListenerRules> listeners;   // by listener index; a listener not in it has the defaults
    // $SYS/broker/... is published every sys_interval (0: never); $SYS/broker/version says `version`.
    std::chrono::seconds sys_interval{0};
    std::string version = "culex";

    // The QoS a message published at `published` goes out with to a subscription granted `granted`.
    protocol::QoS delivery_qos(protocol::QoS published, protocol::QoS granted) const {
        return upgrade_outgoing_qos ? granted : std::min(published, granted);
    }

    const ListenerRules& listener(int index) const {
        static const ListenerRules kDefaults;
        return index >= 0 && static_cast<std::size_t>(index) < listeners.size() ? listeners[index]
                                                                                : kDefaults;
    }
};

}  // namespace culex::broker
