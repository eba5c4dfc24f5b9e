// The broker's side of one network connection: where it is in the CONNECT handshake and which session it
// drives. Created by net for each accepted connection, used only on that connection's loop.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/authenticator.hpp"
#include "broker/client_link.hpp"
#include "broker/outgoing_topic_aliases.hpp"
#include "broker/session_anchor.hpp"
#include "protocol/packets.hpp"

namespace culex::broker {

class Session;

// Topic aliases an MQTT 5 client may set towards us (announced in CONNACK).

// What few connections need: kept behind one pointer, so that an idle MQTT 3.1.1 connection does not carry it
// (memory per idle connection is what limits a fleet).
struct ClientExtras {
    // Packets that arrived while the CONNECT was being checked (a client may send without waiting for
    // CONNACK); handled in order once connected.
    std::vector<protocol::Packet> early_packets;
    // MQTT 5 topic aliases the client set on this connection; index = alias - 1.
    std::vector<std::string> topic_aliases;
    // MQTT 5 topic aliases we set towards the client, up to the Topic Alias Maximum in its CONNECT.
    OutgoingTopicAliases outgoing_aliases;
    // TLS listeners with use_identity_as_username / use_subject_as_username: the user name in the client's
    // certificate (its CN, or its whole subject); nullopt: no certificate, or no CN in it.
    std::optional<std::string> certificate_username;
    // MQTT 5 enhanced authentication: the method of CONNECT (re-authentication must use the same), the
    // exchange under way, and the data of its successful end (sent in CONNACK).
    std::string auth_method;
    std::unique_ptr<AuthExchange> auth;
    std::string auth_result_data;
};

// The name a client authenticated as, shared by the client and its session; null: anonymous.
using UserName = std::shared_ptr<const std::string>;

// A UserName from an optional one.
inline UserName make_user_name(const std::optional<std::string>& name) {
    return name ? std::make_shared<const std::string>(*name) : nullptr;
}

struct Client {
    explicit Client(ClientLink& l) : link(&l) {}

    enum class State : std::uint8_t {
        awaiting_connect,  // nothing received yet
        connecting,        // CONNECT accepted, waiting for its session (another loop may be handing it over)
        connected,
        closed,
    };

    // Pointers first, then the small fields together: every connected client carries one of these, and the
    // order leaves no padding (88 bytes).
    ClientLink* link;  // null once closed
    Session* session = nullptr;
    // The session's identity, once it has one (see client_id()).
    AnchorPtr anchor;
    // Kept while connecting. On the heap: a CONNECT with its properties and will is over 1 KB, which every
    // idle connection would otherwise carry for nothing.
    std::unique_ptr<protocol::Connect> connect;
    // The name it authenticated as; nullopt: anonymous. `password_checked` (below): through the password
    // file, so that a reload that removes the user disconnects it.
    UserName username;
    // For the admin API (ops): when the login was accepted (Unix milliseconds), and (below) the keepalive in
    // force.
    std::int64_t connected_at_ms = 0;

    int listener = 0;  // index of the listener it came in through: selects its AccessPolicy
    // The listener index of the broker's own in-process clients (a bridge's local side): trusted, so neither
    // a password nor the ACL applies to them.
    static constexpr int kInternal = -1;
    // A bridge's local side with local_username: configured, not met (its password is checked at start, it
    // may publish its notifications under $SYS), but the ACL of the first listener's policy (the global one
    // without per_listener_settings) applies to it, as user local_username.
    static constexpr int kBridgeLocal = -2;
    static bool is_internal(int listener) { return listener < 0; }
    State state = State::awaiting_connect;
    bool id_assigned = false;  // the CONNECT had no client id: the broker chose it
    // A Mosquitto-style bridge (CONNECT with the bridge bit, try_private): what it publishes is not sent back
    // to it, and its subscriptions keep the retain flag as published.
    bool bridge = false;
    protocol::ProtocolVersion version = protocol::ProtocolVersion::v311;
    bool password_checked = false;
    // TLS listeners with use_identity_as_username / use_subject_as_username: the user name is the one in the
    // client's certificate (extras: certificate_username), and no password is checked.
    bool identity_from_certificate = false;
    std::uint16_t keep_alive = 0;

    // The one way the broker sends a packet other than a delivery (Session::send_publish): logged (debug),
    // then queued on the link; nothing once the link is gone.
    void send(const protocol::Packet& packet);

    // Created on first use.
    ClientExtras& extras() {
        if (!extras_) extras_ = std::make_unique<ClientExtras>();
        return *extras_;
    }
    ClientExtras* extras_if() const { return extras_.get(); }

    // The peer's IP address, without the port (login throttling). Only while `link` is set.
    std::string address() const {
        std::string peer = link->peer();
        return peer.substr(0, peer.rfind(':'));
    }

    // Known from CONNECT on. Kept in one place: the CONNECT's while connecting, the session anchor's after.
    const std::string& client_id() const {
        static const std::string kNone;
        return anchor ? anchor->client_id : connect ? connect->client_id : kNone;
    }
    // Logs say "<unknown>" before CONNECT.
    const std::string& log_id() const {
        static const std::string kUnknown = "<unknown>";
        const std::string& id = client_id();
        return id.empty() ? kUnknown : id;
    }

  private:
    std::unique_ptr<ClientExtras> extras_;
};

using ClientPtr = std::shared_ptr<Client>;

}  // namespace culex::broker
