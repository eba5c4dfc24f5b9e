// libFuzzer target for the broker core (src/broker), through the public Broker/LoopCore interface the unit
// tests use: fake connections (a ClientLink that records what it is sent) on one or two fake event loops
// (their posted tasks run when the script says so, which interleaves hand-overs between loops). The input
// is a script: a setup byte, then operations, each an opcode byte (its high nibble picks one of four client
// slots) and its operands: new connection, raw bytes decoded as the connection would, or compact CONNECT,
// SUBSCRIBE, PUBLISH, acknowledgement, UNSUBSCRIBE, DISCONNECT, PINGREQ, close, timeout, tick, run loops.
// Invariants beyond "no crash": nothing is sent on a closed connection; the first packet a connection is
// sent is its only CONNACK; every PUBLISH sent has a topic (or an alias) and a packet id exactly when its
// QoS needs one, and no new one reuses an id still in flight; everything sent survives an encode/decode
// round trip in the connection's version.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/broker.hpp"
#include "broker/client.hpp"
#include "broker/loop_core.hpp"
#include "invariant.hpp"
#include "log/logger.hpp"
#include "protocol/codec.hpp"
#include "protocol/topic.hpp"

namespace {

using culex::fuzz::check;
using namespace culex::broker;
using namespace culex::protocol;

constexpr const char* kTarget = "broker_fuzz";

// Each task runs as a step of its loop, as net runs them: the core's end_step follows it.
class ScriptExecutor : public LoopExecutor {
  public:
    void post(std::move_only_function<void()> task) override { tasks.push_back(std::move(task)); }
    void run_all() {
        for (int i = 0; i < 10000 && !tasks.empty(); ++i) {
            auto task = std::move(tasks.front());
            tasks.pop_front();
            task();
            if (core) core->end_step();
        }
    }
    std::deque<std::move_only_function<void()>> tasks;
    LoopCore* core = nullptr;
};

// Re-encoding what was decoded from an encoding must give the same bytes: what the broker sends, a client
// of that version can read.
void check_encodes(const Packet& packet, ProtocolVersion version) {
    std::string first;
    encode(packet, version, first);
    auto frame = next_frame(first);
    check(frame && *frame, kTarget, "a packet the broker sends does not frame");
    auto decoded = decode(**frame, version);
    check(decoded.has_value(), kTarget, "a packet the broker sends does not decode");
    std::string second;
    encode(*decoded, version, second);
    check(first == second, kTarget, "a packet the broker sends does not survive a round trip");
}

class CheckingLink : public ClientLink {
  public:
    void send(const Packet& packet) override {
        check(!closed, kTarget, "a packet sent on a closed connection");
        bool connack = std::holds_alternative<Connack>(packet);
        bool auth = std::holds_alternative<Auth>(packet);
        if (sent == 0) check(connack || auth, kTarget, "the first packet sent is not CONNACK (or AUTH)");
        if (connack) {
            check(!connack_sent, kTarget, "a second CONNACK");
            connack_sent = true;
            connack_accepted = !is_error(std::get<Connack>(packet).reason);
        }
        if (auth) check(version == ProtocolVersion::v5, kTarget, "AUTH sent to a client before MQTT 5");
        // MQTT-3.14.0-1: no DISCONNECT before a CONNACK that accepted the connection.
        if (std::holds_alternative<Disconnect>(packet)) {
            check(connack_accepted, kTarget, "DISCONNECT sent before a successful CONNACK");
        }
        if (const auto* publish = std::get_if<Publish>(&packet)) {
            check_publish(*publish);
            track_publish(*publish);
        }
        check_encodes(packet, version);
        ++sent;
    }
    bool send_publish(const Publish& message, const DeliveryFields& fields) override {
        check(!closed, kTarget, "a PUBLISH sent on a closed connection");
        check(connack_sent, kTarget, "a PUBLISH sent before CONNACK");
        std::string bytes;
        std::size_t size = encode_delivery(message, fields, version, bytes);
        check(size == bytes.size(), kTarget, "encode_delivery's size is not what it appended");
        if (max_packet_size != 0 && size > max_packet_size) return false;
        auto frame = next_frame(bytes);
        check(frame && *frame, kTarget, "a delivery does not frame");
        auto decoded = decode(**frame, version);
        check(decoded.has_value(), kTarget, "a delivery does not decode");
        const auto& publish = std::get<Publish>(*decoded);
        check_publish(publish);
        track_publish(publish);
        ++sent;
        return true;
    }
    void close() override { closed = true; }
    std::string peer() const override { return "127.0.0.1:" + std::to_string(40000 + slot); }
    std::size_t unsent_bytes() const override { return 0; }
    void set_protocol(ProtocolVersion v, std::uint16_t, std::uint32_t max) override {
        version = v;
        max_packet_size = max;
    }

    void check_publish(const Publish& p) const {
        bool alias = p.properties->topic_alias.has_value();
        check(is_valid_topic_name(p.topic) || (p.topic.empty() && alias), kTarget,
              "a PUBLISH sent with no valid topic and no alias");
        check((p.qos == QoS::at_most_once) == (p.packet_id == 0), kTarget,
              "a PUBLISH whose packet id does not fit its QoS");
    }

    // A packet id stays taken from the PUBLISH until the client's PUBACK or PUBCOMP (spec 2.2.1): a new
    // PUBLISH (not a DUP resend) must not reuse one still taken.
    void track_publish(const Publish& p) {
        if (p.qos == QoS::at_most_once) return;
        last_packet_id = p.packet_id;
        bool fresh = outstanding.insert(p.packet_id).second;
        if (!p.dup) check(fresh, kTarget, "a new PUBLISH reuses a packet id still in flight");
    }
    // What the client sends back, before the broker sees it.
    void client_sent(const Packet& packet) {
        if (const auto* ack = std::get_if<Puback>(&packet)) outstanding.erase(ack->packet_id);
        if (const auto* comp = std::get_if<Pubcomp>(&packet)) outstanding.erase(comp->packet_id);
        // MQTT 5: a PUBREC with an error code ends the flow there (spec 4.3.3).
        if (const auto* rec = std::get_if<Pubrec>(&packet); rec && is_error(rec->reason)) {
            outstanding.erase(rec->packet_id);
        }
    }

    std::set<std::uint16_t> outstanding;
    int slot = 0;
    bool closed = false;
    bool connack_sent = false;
    bool connack_accepted = false;
    std::size_t sent = 0;
    std::uint16_t last_packet_id = 0;  // of the last QoS 1/2 PUBLISH sent, for the script's acknowledgements
    ProtocolVersion version = ProtocolVersion::v311;
    std::uint32_t max_packet_size = 0;
};

struct Connection {
    std::unique_ptr<CheckingLink> link;
    ClientPtr client;
    int loop = 0;
    std::uint16_t next_id = 1;
    bool closed = false;  // the broker was told, or closed it itself
};

constexpr std::string_view kTopics[] = {"a", "a/b", "$SYS/x", "b/c/d", "c", "a/b/c", "will/x", "d"};
constexpr std::string_view kFilters[] = {"#",   "a/+",        "+/b",    "$share/g/a/#",
                                         "a/b", "$share/h/#", "$SYS/#", "will/#"};
constexpr std::string_view kIds[] = {"a", "b", "c", ""};

// Reads the script's bytes; past the end, zeros.
struct Script {
    std::string_view bytes;
    bool done() const { return bytes.empty(); }
    std::uint8_t next() {
        if (bytes.empty()) return 0;
        auto b = static_cast<std::uint8_t>(bytes[0]);
        bytes.remove_prefix(1);
        return b;
    }
    std::string_view take(std::size_t n) {
        auto part = bytes.substr(0, n);
        bytes.remove_prefix(part.size());
        return part;
    }
};

Connect make_connect(std::uint8_t b) {
    Connect c;
    c.version = b & 1 ? ProtocolVersion::v5 : (b & 2 ? ProtocolVersion::v31 : ProtocolVersion::v311);
    c.clean_start = b & 4;
    c.client_id = std::string(kIds[(b >> 3) & 3]);
    if (c.version == ProtocolVersion::v31 && c.client_id.empty()) c.client_id = "v31";
    c.keep_alive = b & 0x20 ? 0 : 30;
    if (b & 0x40) {
        c.will = Will{"will/" + c.client_id,
                      Payload(std::string("gone")),
                      static_cast<QoS>((b >> 3) % 3),
                      static_cast<bool>(b & 0x80),
                      {}};
        if (c.version == ProtocolVersion::v5 && (b & 0x10)) c.will->properties.will_delay_interval = 5;
    }
    if (c.version == ProtocolVersion::v5 && (b & 0x80)) {
        c.properties.session_expiry_interval = 60;
        c.properties.receive_maximum = 1;
        c.properties.topic_alias_maximum = 2;
    }
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static bool quiet = [] {
        auto settings = culex::log::LogSettings::none();
        settings.types = culex::log::LogType::all;  // formatted (and dropped): the log code runs too
        (void)culex::log::logger().configure(settings);
        return true;
    }();
    (void)quiet;

    Script script{{reinterpret_cast<const char*>(data), size}};
    std::uint8_t setup = script.next();
    BrokerSettings settings;
    constexpr std::uint16_t kInflight[] = {20, 1, 2, 0};
    settings.max_inflight_messages = kInflight[(setup >> 1) & 3];
    if (setup & 0x08) settings.max_queued_messages = 2;
    settings.retain_available = !(setup & 0x10);
    if (setup & 0x40) settings.persistent_client_expiration = std::chrono::seconds(100);
    int loops = setup & 1 ? 2 : 1;

    std::vector<std::unique_ptr<ScriptExecutor>> executors;
    std::vector<LoopExecutor*> loop_pointers;
    for (int i = 0; i < loops; ++i) {
        executors.push_back(std::make_unique<ScriptExecutor>());
        loop_pointers.push_back(executors.back().get());
    }
    std::vector<Connection> connections;  // every connection made; slots point at the latest of each
    int slot_connection[4] = {-1, -1, -1, -1};
    AccessPolicy policy;
    policy.allow_anonymous = true;
    policy.allow_zero_length_clientid = !(setup & 0x20);
    auto broker = std::make_unique<Broker>(settings, loop_pointers, std::vector<AccessPolicy>{policy});
    for (int i = 0; i < loops; ++i)
        executors[static_cast<std::size_t>(i)]->core = &broker->core(i);
    auto now = std::chrono::steady_clock::now();

    auto run_loops = [&] {
        for (int round = 0; round < 8; ++round) {
            bool any = false;
            for (auto& e : executors) {
                any = any || !e->tasks.empty();
                e->run_all();
            }
            if (!any) break;
        }
    };

    for (int step = 0; step < 200 && !script.done(); ++step) {
        std::uint8_t op = script.next();
        int slot = (op >> 4) & 3;
        if ((op & 0x0F) == 0 || slot_connection[slot] < 0) {
            Connection c;
            c.link = std::make_unique<CheckingLink>();
            c.link->slot = slot;
            c.client = std::make_shared<Client>(*c.link);
            c.loop = (slot + (op >> 6)) % loops;
            slot_connection[slot] = static_cast<int>(connections.size());
            connections.push_back(std::move(c));
            if ((op & 0x0F) == 0) continue;
        }
        Connection& c = connections[static_cast<std::size_t>(slot_connection[slot])];
        LoopCore& worker = broker->core(c.loop);
        // What the script builds goes through the codec first, as net's input does: the broker only ever
        // sees packets that decode (a PUBREL with packet id 0, say, never reaches it).
        auto deliver = [&](const Packet& packet) {
            if (c.closed || c.link->closed) return;
            std::string wire;
            encode(packet, c.link->version, wire);
            auto frame = next_frame(wire);
            if (!frame || !*frame) return;
            auto decoded = decode(**frame, c.link->version);
            if (!decoded) return;
            c.link->client_sent(*decoded);
            worker.handle_packet(c.client, std::move(*decoded));
        };
        std::uint8_t arg = script.next();
        switch (op & 0x0F) {
            case 1: {  // raw bytes, as the connection would decode them
                auto bytes = script.take(arg);
                while (!bytes.empty() && !c.closed && !c.link->closed) {
                    auto frame = next_frame(bytes);
                    if (!frame) {
                        worker.handle_bad_packet(c.client, frame.error());
                        c.closed = true;
                        break;
                    }
                    if (!*frame) break;
                    auto packet = decode(**frame, c.link->version);
                    bytes.remove_prefix((*frame)->size);
                    if (!packet) {
                        worker.handle_bad_packet(c.client, packet.error());
                        c.closed = true;
                        break;
                    }
                    c.link->client_sent(*packet);
                    worker.handle_packet(c.client, std::move(*packet));
                }
                break;
            }
            case 2:
                deliver(make_connect(arg));
                break;
            case 3: {
                Subscription sub{std::string(kFilters[arg & 7]), static_cast<QoS>((arg >> 3) % 3)};
                if (c.link->version == ProtocolVersion::v5) {
                    sub.no_local = (arg & 0x20) && !sub.filter.starts_with("$share/");
                    sub.retain_handling = static_cast<RetainHandling>((arg >> 6) % 3);
                }
                deliver(Subscribe{c.next_id++, {sub}, {}});
                break;
            }
            case 4: {
                Publish p{std::string(kTopics[arg & 7]),
                          Payload(std::string(arg % 5, 'p')),
                          static_cast<QoS>((arg >> 3) % 3),
                          static_cast<bool>(arg & 0x20),
                          false,
                          0,
                          {}};
                if (p.qos != QoS::at_most_once) p.packet_id = c.next_id++;
                if (arg & 0x40) p.payload = Payload(std::string());  // an empty retained one clears
                deliver(std::move(p));
                break;
            }
            case 5: {  // acknowledge the last QoS 1/2 PUBLISH this connection was sent
                std::uint16_t id = arg & 0x80 ? static_cast<std::uint16_t>(arg) : c.link->last_packet_id;
                switch (arg & 3) {
                    case 0:
                        deliver(Puback{id});
                        break;
                    case 1:
                        deliver(Pubrec{id});
                        break;
                    case 2:
                        deliver(Pubrel{static_cast<std::uint16_t>(c.next_id - 1)});
                        break;
                    default:
                        deliver(Pubcomp{id});
                        break;
                }
                break;
            }
            case 6:
                deliver(Unsubscribe{c.next_id++, {std::string(kFilters[arg & 7])}, {}});
                break;
            case 7: {
                Disconnect d;
                if (c.link->version == ProtocolVersion::v5 && (arg & 1))
                    d.reason = ReasonCode::disconnect_with_will;
                if (c.link->version == ProtocolVersion::v5 && (arg & 2))
                    d.properties.session_expiry_interval = 0;
                deliver(std::move(d));
                break;
            }
            case 8:
                deliver(Pingreq{});
                break;
            case 9:
                if (!c.closed && !c.link->closed) worker.handle_closed(c.client);
                c.closed = true;
                break;
            case 10:
                if (!c.closed && !c.link->closed) worker.handle_timeout(c.client);
                c.closed = true;
                break;
            case 11:
                now += std::chrono::seconds(arg);
                for (int i = 0; i < loops; ++i) {
                    broker->core(i).tick(now);
                    broker->core(i).end_step();
                }
                break;
            default:
                run_loops();
                break;
        }
        worker.end_step();  // the step of this input ends, as net ends each read's
    }
    run_loops();
    for (int i = 0; i < loops; ++i) {
        broker->core(i).shut_down();
        broker->core(i).end_step();
    }
    run_loops();
    for (const auto& c : connections) {
        if (c.link->sent > 0)
            check(c.link->connack_sent, kTarget, "a connection was sent packets but no CONNACK");
    }
    broker.reset();  // before the connections and loops it refers to
    return 0;
}
