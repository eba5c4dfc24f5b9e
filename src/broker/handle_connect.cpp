// CONNECT: validation, authentication (password file, certificate, MQTT 5 enhanced authentication), then,
// once the session is found (session_handover.cpp), CONNACK and the packets that came before it.
#include <algorithm>
#include <chrono>
#include <random>

#include "broker/broker.hpp"
#include "broker/cluster_link.hpp"
#include "broker/loop_broker.hpp"
#include "broker/mount_point.hpp"
#include "log/logger.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;

namespace {

// The will as another node of a cluster publishes it if this one dies: after the delay it would wait here,
// which is at most the session's expiry (the will goes when the session ends) and none when the session ends
// with its connection.
protocol::Will will_for_cluster(const Session& session) {
    protocol::Will will = *session.will;
    auto& delay = will.properties.will_delay_interval;
    if (!session.persistent())
        delay.reset();
    else if (delay && session.expiry)
        delay = std::min<std::uint32_t>(*delay, static_cast<std::uint32_t>(session.expiry->count()));
    return will;
}

std::string random_client_id(std::string_view prefix) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string id(prefix);
    for (int i = 0; i < 32; ++i)
        id.push_back(kHex[rng() % 16]);
    return id;
}

std::string_view refusal_words(ReasonCode reason) {
    switch (reason) {
        case ReasonCode::not_authorized:
            return "not authorised";
        case ReasonCode::bad_username_or_password:
            return "bad username or password";
        case ReasonCode::client_identifier_not_valid:
            return "client identifier rejected";
        default:
            return to_string(reason);
    }
}

}  // namespace

void LoopBroker::refuse(const ClientPtr& client, ReasonCode reason, std::string_view why) {
    Client& c = *client;
    c.send(Connack{false, reason, {}});
    logger().log(LogType::notice, "Client {} from {} refused: {}.", c.log_id(), c.link ? c.link->peer() : "?",
                 why);
    // Mosquitto's own line, which log scrapers look for.
    logger().log(LogType::notice, "Client {} disconnected, {}.", c.log_id(), refusal_words(reason));
    end_connection(c, CloseReason::refused);
}

void LoopBroker::handle_connect(const ClientPtr& client, Connect&& packet) {
    Client& c = *client;
    // Kept while connecting (on the heap: most of it is needed only until CONNACK); the client id is read
    // from it until the session's anchor holds it.
    c.connect = std::make_unique<Connect>(std::move(packet));
    Connect& connect = *c.connect;
    const BrokerSettings& settings = broker_.settings();
    c.version = connect.version;
    bool v5 = connect.version == ProtocolVersion::v5;
    // Over memory_limit, a new client would only add to it (3.1.1 hears 3, Server unavailable).
    if (broker_.memory().over())
        return refuse(client, ReasonCode::server_busy,
                      fmt::format("the heap holds {} bytes, over memory_limit {}",
                                  broker_.memory().last_sample(), broker_.memory().limit()));

    std::uint16_t keep_alive = connect.keep_alive;
    // max_keepalive binds MQTT 5 clients only, which CONNACK's Server Keep Alive can tell (keep alive 0 is
    // too long too, even under the default); MQTT 3.1/3.1.1 have no way to be told, and Mosquitto 2.0 keeps
    // their own keep alive, as its mosquitto.conf(5) says ("This only applies to MQTT v5 clients").
    if (v5 && (keep_alive > settings.max_keepalive || keep_alive == 0)) keep_alive = settings.max_keepalive;
    // From here on our packets use the client's protocol version, refusals included.
    c.link->set_protocol(connect.version, keep_alive, connect.properties.maximum_packet_size.value_or(0));
    c.keep_alive = keep_alive;

    if (connect.client_id.empty()) {
        if (connect.version == ProtocolVersion::v31)
            return refuse(client, ReasonCode::client_identifier_not_valid, "MQTT 3.1 requires a client id");
        if (!connect.clean_start && !v5)
            return refuse(client, ReasonCode::client_identifier_not_valid,
                          "an empty client id needs clean session 1");
        // The listener's own (per_listener_settings), as Mosquitto.
        PolicyPtr policy = broker_.policy(c.listener);
        if (!policy->allow_zero_length_clientid)
            return refuse(client, ReasonCode::client_identifier_not_valid,
                          "empty client ids are not allowed (allow_zero_length_clientid false)");
        connect.client_id = random_client_id(policy->auto_id_prefix);
        c.id_assigned = true;
    }
    if (!settings.clientid_prefixes.empty() && !Client::is_internal(c.listener) &&
        !connect.client_id.starts_with(settings.clientid_prefixes))
        // As Mosquitto: not authorised, also for an id the broker made up itself.
        return refuse(client, ReasonCode::not_authorized,
                      fmt::format("client id '{}' does not start with clientid_prefixes '{}'",
                                  connect.client_id, settings.clientid_prefixes));
    if (connect.will && settings.message_size_limit != 0 &&
        connect.will->payload.size() > settings.message_size_limit)
        // As Mosquitto, whose 3.1.1 answer is 5 (not authorised).
        return refuse(client, v5 ? ReasonCode::packet_too_large : ReasonCode::not_authorized,
                      fmt::format("will payload of {} bytes exceeds message_size_limit {}",
                                  connect.will->payload.size(), settings.message_size_limit));
    c.state = Client::State::connecting;
    authenticate(client);
}

void LoopBroker::authenticate(const ClientPtr& client) {
    Client& c = *client;
    const Connect& connect = *c.connect;
    // The broker's own in-process client (a bridge's local side) was configured, not met.
    if (Client::is_internal(c.listener)) {
        c.username = make_user_name(connect.username);
        return accept_login(client);
    }
    PolicyPtr policy = broker_.policy(c.listener);
    if (const auto& method = connect.properties.authentication_method) {
        for (const auto& authenticator : broker_.settings().authenticators)
            if (authenticator->method() == *method) return start_enhanced_auth(client, *authenticator);
        return refuse(client, ReasonCode::bad_authentication_method,
                      fmt::format("authentication method '{}' is not offered by this broker", *method));
    }
    if (c.identity_from_certificate) {
        // As Mosquitto: the certificate is the credential; CONNECT's user name and password are not used.
        const ClientExtras* extras = c.extras_if();
        if (!extras || !extras->certificate_username)
            return refuse(client, ReasonCode::bad_username_or_password,
                          "the listener takes the user name from the client certificate "
                          "(use_identity_as_username/use_subject_as_username), and the client sent none, or "
                          "one without a CN");
        c.username = make_user_name(extras->certificate_username);
        return accept_login(client);
    }
    if (!connect.username) {
        if (policy->allow_anonymous) return accept_login(client);
        return refuse(client, ReasonCode::not_authorized,
                      "anonymous clients are not allowed on this listener (set allow_anonymous true, or give "
                      "the client a user name and password)");
    }
    if (!policy->passwords) {
        // As Mosquitto: without a password file a user name is taken as given, where anonymous is allowed.
        if (policy->allow_anonymous) {
            c.username = make_user_name(connect.username);
            return accept_login(client);
        }
        return refuse(client, ReasonCode::not_authorized,
                      "no password_file is configured to check user names (add password_file, or set "
                      "allow_anonymous true)");
    }
    std::string password = connect.password.value_or(std::string());
    broker_.login_checker().check(c.address(), policy->passwords, *connect.username, std::move(password),
                                  [&broker = broker_, loop = loop_, client](bool accepted) {
                                      broker.post(loop, [&broker, loop, client, accepted] {
                                          broker.loop(loop).finish_login(client, accepted);
                                      });
                                  });
}

void LoopBroker::start_enhanced_auth(const ClientPtr& client, const Authenticator& authenticator) {
    Client& c = *client;
    ClientExtras& extras = c.extras();
    extras.auth_method = std::string(authenticator.method());
    extras.auth = authenticator.start(c.client_id());
    const auto& data = c.state == Client::State::connecting ? c.connect->properties.authentication_data
                                                            : std::optional<std::string>();
    step_auth(client, data.value_or(std::string()));
}

void LoopBroker::handle_auth(const ClientPtr& client, Auth&& auth) {
    Client& c = *client;
    ClientExtras& x = c.extras();
    const auto& method = auth.properties.authentication_method;
    if (x.auth_method.empty() || !method || *method != x.auth_method) {
        // Spec 4.12: AUTH only within the method CONNECT chose, and it must name it.
        if (c.state == Client::State::connecting)
            return refuse(client, ReasonCode::protocol_error, "AUTH without the method of its CONNECT");
        return protocol_violation(c, "AUTH without the authentication method of its CONNECT");
    }
    std::string data = auth.properties.authentication_data.value_or(std::string());
    if (auth.reason == ReasonCode::reauthenticate && c.state == Client::State::connected && !x.auth) {
        for (const auto& authenticator : broker_.settings().authenticators)
            if (authenticator->method() == x.auth_method) {
                x.auth = authenticator->start(c.client_id());
                return step_auth(client, data);
            }
        return protocol_violation(c, "re-authentication with a method no longer offered",
                                  ReasonCode::bad_authentication_method);
    }
    if (auth.reason != ReasonCode::continue_authentication || !x.auth) {
        if (c.state == Client::State::connecting)
            return refuse(client, ReasonCode::protocol_error, "AUTH with an unexpected reason code");
        return protocol_violation(c, "AUTH with an unexpected reason code");
    }
    step_auth(client, data);
}

void LoopBroker::step_auth(const ClientPtr& client, std::string_view client_data) {
    Client& c = *client;
    ClientExtras& x = c.extras();
    AuthStep step = x.auth->step(client_data);
    bool connecting = c.state == Client::State::connecting;
    switch (step.outcome) {
        case AuthStep::Outcome::more: {
            Properties p;
            p.authentication_method = x.auth_method;
            if (!step.data.empty()) p.authentication_data = std::move(step.data);
            c.send(Auth{ReasonCode::continue_authentication, std::move(p)});
            return;
        }
        case AuthStep::Outcome::failure:
            x.auth.reset();
            if (connecting)
                return refuse(client, ReasonCode::not_authorized,
                              fmt::format("authentication method '{}' failed: {}", x.auth_method, step.why));
            logger().log(LogType::notice, "Client {} disconnected: re-authentication ({}) failed: {}.",
                         c.log_id(), x.auth_method, step.why);
            c.send(Disconnect{ReasonCode::not_authorized, {}});
            return end_connection(c, CloseReason::refused);
        case AuthStep::Outcome::success:
            x.auth.reset();
            if (step.username) c.username = make_user_name(step.username);
            if (connecting) {
                x.auth_result_data = std::move(step.data);
                return accept_login(client);
            }
            Properties p;
            p.authentication_method = x.auth_method;
            if (!step.data.empty()) p.authentication_data = std::move(step.data);
            c.send(Auth{ReasonCode::success, std::move(p)});
            return;
    }
}

void LoopBroker::finish_login(const ClientPtr& client, bool accepted) {
    Client& c = *client;
    if (c.state != Client::State::connecting || !c.link) return;  // it went away meanwhile
    const std::string& username = *c.connect->username;
    if (!accepted) {
        logger().log(LogType::warning,
                     "Failed login from {} as user '{}' (client {}): {} failed logins so far.", c.address(),
                     username, c.log_id(), broker_.login_checker().throttle().total_failures());
        return refuse(client, ReasonCode::not_authorized,
                      fmt::format("bad user name or password for user '{}'", username));
    }
    c.username = std::make_shared<const std::string>(username);
    c.password_checked = true;
    accept_login(client);
}

void LoopBroker::accept_login(const ClientPtr& client) {
    Client& c = *client;
    if (broker_.settings().listener(c.listener).use_username_as_clientid) {
        // The session is the user's: one user, one session, whatever id the device sends (Mosquitto's).
        if (!c.username)
            return refuse(client, ReasonCode::not_authorized,
                          "the listener names sessions by user name (use_username_as_clientid true), and the "
                          "client sent none");
        c.connect->client_id = *c.username;
        c.id_assigned = false;
    }
    start_session(client);
}

std::uint16_t LoopBroker::receive_maximum() const {
    auto limit = broker_.settings().max_inflight_messages;
    return limit == 0 ? 65535 : limit;
}

void LoopBroker::describe_server(const Client& client, const Connect& connect, Properties& p) const {
    const BrokerSettings& settings = broker_.settings();
    if (receive_maximum() != 65535) p.receive_maximum = receive_maximum();
    // Asked for (spec 3.1.2.11.6): a topic prefix of the client's own for the responses it awaits.
    if (connect.properties.request_response_information == 1)
        p.response_information = "response/" + client.client_id();
    if (const ClientExtras* x = client.extras_if(); x && !x->auth_method.empty()) {
        p.authentication_method = x->auth_method;
        if (!x->auth_result_data.empty()) p.authentication_data = x->auth_result_data;
    }
    if (client.id_assigned) p.assigned_client_identifier = client.client_id();
    if (!settings.retain_available) p.retain_available = 0;
    if (settings.max_packet_size < kMaxRemainingLength + 5) p.maximum_packet_size = settings.max_packet_size;
    const ListenerRules& rules = settings.listener(client.listener);
    if (rules.max_topic_alias > 0) p.topic_alias_maximum = rules.max_topic_alias;
    if (rules.max_qos < 2) p.maximum_qos = rules.max_qos;
    if (connect.keep_alive > settings.max_keepalive || connect.keep_alive == 0)
        p.server_keep_alive = settings.max_keepalive;
}

void LoopBroker::finish_connect(const ClientPtr& client, Session& session, bool session_present) {
    Client& c = *client;
    Connect connect = std::move(*c.connect);
    c.connect.reset();
    bool v5 = c.version == ProtocolVersion::v5;
    if (v5) {
        session.expiry = session_expiry(connect.properties.session_expiry_interval.value_or(0));
        session.receive_maximum = connect.properties.receive_maximum.value_or(65535);
        if (auto maximum = connect.properties.topic_alias_maximum.value_or(0); maximum > 0)
            c.extras().outgoing_aliases.set_maximum(maximum);
    } else {
        session.expiry = connect.clean_start ? std::optional(std::chrono::seconds(0))
                                             : broker_.settings().persistent_client_expiration;
        session.receive_maximum = 65535;
    }
    // A will still waiting out its delay is cancelled by the reconnection (spec 3.1.3.2.2).
    settle_waiting_will(session);
    session.will = connect.will ? std::make_unique<Session::DelayedWill>(std::move(*connect.will)) : nullptr;
    if (const std::string& mount = broker_.settings().listener(c.listener).mount_point;
        session.will && !mount.empty())
        session.will->topic = mounted_topic(mount, session.will->topic);
    session.username = c.username;
    session.listener = c.listener;
    c.session = &session;
    c.state = Client::State::connected;
    c.connected_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (ClusterLink* cluster = broker_.cluster())
        cluster->client_connected(c.client_id(), c.connected_at_ms, loop_, connect.clean_start,
                                  session_present);
    counters().listener(c.listener).connects.add();
    session.attach(c);
    record_connected(c, session);
    tell_cluster_online(session);
    if (ClusterLink* cluster = broker_.cluster(); cluster && session.will)
        cluster->client_will(c.client_id(), will_for_cluster(session));

    // The name it logged in as: from CONNECT, or from its certificate.
    std::string user = c.username ? fmt::format(", u'{}'", *c.username) : std::string();
    c.bridge = connect.bridge;
    if (c.bridge)  // Mosquitto's words for a client that set the bridge bit
        logger().log_connection(LogType::notice, "New bridge connected from {} as {} (p{}, c{}, k{}{}).",
                                c.link->peer(), c.client_id(), log_protocol_number(connect.version),
                                connect.clean_start ? 1 : 0, connect.keep_alive, user);
    else
        logger().log_connection(LogType::notice, "New client connected from {} as {} (p{}, c{}, k{}{}).",
                                c.link->peer(), c.client_id(), log_protocol_number(connect.version),
                                connect.clean_start ? 1 : 0, connect.keep_alive, user);
    if (session.will) {
        logger().log_connection(LogType::debug, "Will message specified ({} bytes) (r{}, q{}).",
                                session.will->payload.size(), session.will->retain ? 1 : 0,
                                static_cast<int>(session.will->qos));
        logger().log(LogType::debug, "\t{}", session.will->topic);
    } else {
        logger().log_connection(LogType::debug, "No will message specified.");
    }
    Connack connack{session_present, ReasonCode::success, {}};
    if (v5) describe_server(c, connect, connack.properties);
    c.send(connack);
    session.resume();
    // What the client sent while waiting for CONNACK, in order.
    std::vector<Packet> early;
    if (ClientExtras* x = c.extras_if()) {
        early = std::move(x->early_packets);
        x->early_packets.clear();
    }
    for (auto& packet : early) {
        if (c.state != Client::State::connected) break;
        handle_packet(client, std::move(packet));
    }
}

}  // namespace culex::broker
