// One event loop of the load generator: epoll, edge-triggered, over non-blocking sockets. Publishers fill a
// buffer with many PUBLISHes (copies of one encoded template) and write it with one send() (over TLS: one
// SSL_write, a record per 16 KiB of it); what comes back is read in worker_receive.cpp. Nothing allocates per
// message.
#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "bench/worker_connection.hpp"

namespace culex::bench {

namespace {

constexpr std::uint64_t kWakeToken = UINT64_MAX;
constexpr unsigned kMaxConnecting = 256;        // per loop: more would overflow the broker's accept backlog
constexpr std::int64_t kStallNs = 500'000'000;  // a window stuck this long: its messages are lost; move on
constexpr std::int64_t kIdleWaitNs = 50'000'000;
constexpr std::size_t kScratch = 256 * 1024;

}  // namespace

Worker::Worker(RunState& state, unsigned index)
    : state_(state),
      index_(index),
      epoll_(epoll_create1(EPOLL_CLOEXEC)),
      wake_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      scratch_(kScratch) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeToken;
    if (!epoll_ || !wake_ || epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev) != 0)
        state_.fail(fmt::format("cannot create an event loop: {}", errno_text(errno)));
}

Worker::~Worker() = default;

void Worker::add_publisher(unsigned id) {
    Connection c;
    c.role = Role::publisher;
    c.id = id;
    const Options& o = state_.options;
    std::string topic;
    switch (o.scenario) {
        case Scenario::pub:
            topic = o.topic.empty() ? fmt::format("{}/pub/{}", state_.prefix, id) : o.topic;
            if (auto at = topic.find("%i"); at != std::string::npos) topic.replace(at, 2, std::to_string(id));
            break;
        case Scenario::fanout:
            topic = state_.prefix + "/fanout";
            break;
        default:
            topic = fmt::format("{}/{}/{}", state_.prefix, to_string(o.scenario), id);
            break;
    }
    c.message = std::make_unique<PublishTemplate>(topic, o.payload_size, o.qos, o.version);
    c.window = state_.inflight;
    if (o.rate > 0) c.pacer.emplace(o.rate, state_.topology.publishers, id);
    publishers_.push_back(connections_.size());
    connections_.push_back(std::move(c));
}

void Worker::add_subscriber(unsigned id) {
    Connection c;
    c.role = Role::subscriber;
    c.id = id;
    const Options& o = state_.options;
    unsigned streams = 0;
    switch (o.scenario) {
        case Scenario::sub:
            c.filter = o.topic.empty() ? "culex-bench/#" : o.topic;
            break;
        case Scenario::p2p:
            c.filter = fmt::format("{}/p2p/{}", state_.prefix, id);
            c.first_publisher = id;
            streams = 1;
            break;
        case Scenario::fanout:
            c.filter = state_.prefix + "/fanout";
            streams = 1;
            break;
        case Scenario::fanin:
            c.filter = state_.prefix + "/fanin/+";
            streams = state_.topology.publishers;
            break;
        case Scenario::shared:
            c.filter = fmt::format("$share/culex-bench/{}/shared/+", state_.prefix);
            streams = state_.topology.publishers;
            break;
        default:
            break;
    }
    c.streams.resize(streams);
    c.pending.resize(streams);
    connections_.push_back(std::move(c));
}

void Worker::add_idle(unsigned id) {
    Connection c;
    c.id = id;
    connections_.push_back(std::move(c));
}

void Worker::wake() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof one);
}

std::string Worker::client_id(const Connection& c) const {
    char role = c.role == Role::publisher ? 'p' : c.role == Role::subscriber ? 's' : 'c';
    return fmt::format("{}-{}{}", state_.client_id, role, c.id);
}

std::vector<StreamStats> Worker::streams() const {
    std::vector<StreamStats> out;
    for (const auto& c : connections_)
        for (std::size_t i = 0; i < c.streams.size(); ++i)
            out.push_back({static_cast<unsigned>(c.first_publisher + i), c.streams[i].unique(),
                           c.streams[i].duplicates()});
    return out;
}

const Address& Worker::address_of(const Connection& c) const {
    switch (c.role) {
        case Role::publisher:
            return state_.publisher_address;
        case Role::subscriber:
            return state_.subscriber_address;
        case Role::idle:
            break;
    }
    return state_.address;
}

void Worker::start_connects(std::int64_t now) {
    if (next_start_ >= connections_.size()) return;
    if (connect_start_ns_ == 0) connect_start_ns_ = now;
    double rate = state_.options.connect_rate / state_.options.threads;
    while (next_start_ < connections_.size() && connecting_ < kMaxConnecting) {
        if (rate > 0) {
            double due = static_cast<double>(now - connect_start_ns_) / 1e9 * rate + 1;
            if (static_cast<double>(next_start_) >= due) return;
        }
        Connection& c = connections_[next_start_];
        int fd = start_connect(address_of(c),
                               static_cast<unsigned>(next_start_) * state_.options.threads + index_);
        if (fd < 0) {
            std::string why = fmt::format("cannot connect to {}: {}", address_of(c).text, errno_text(-fd));
            if (-fd == EMFILE || -fd == ENFILE) why += " (the open file limit: see ulimit -n)";
            c.state = ConnState::closed;
            ++next_start_;
            state_.failed.fetch_add(1);
            if (state_.options.scenario != Scenario::conn) return state_.fail(why);
            continue;
        }
        c.fd = Fd(fd);
        c.state = ConnState::connecting;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        ev.data.u64 = next_start_;
        epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
        ++next_start_;
        ++connecting_;
    }
}

void Worker::lost(Connection& c, const std::string& why) {
    if (c.state == ConnState::closed) return;
    bool was_up = c.state == ConnState::ready;
    if (c.state != ConnState::ready) --connecting_;
    c.state = ConnState::closed;
    c.close();
    if (state_.phase.load() == Phase::stop) return;
    state_.failed.fetch_add(1);
    std::string message =
        was_up ? fmt::format("the broker closed connection {} during the run ({}): see the broker's log",
                             client_id(c), why)
               : fmt::format("connection {} to {} failed before it was up: {}", client_id(c),
                             address_of(c).text, why);
    // Holding many idle connections, a few refusals are a result (the broker's limit), not a failure.
    if (state_.options.scenario == Scenario::conn) return;
    state_.fail(message);
}

void Worker::on_connected(Connection& c, std::int64_t now) {
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return lost(c, errno_text(error));
    if (!state_.tls) return send_connect(c, now);
    std::uint16_t port = c.role == Role::publisher    ? publisher_port(state_.options)
                         : c.role == Role::subscriber ? subscriber_port(state_.options)
                                                      : state_.options.port;
    auto link = TlsLink::start(state_.tls, c.fd.get(), state_.options.host, port);
    if (!link) return lost(c, link.error().message);
    c.tls = std::make_unique<TlsLink>(std::move(*link));
    c.state = ConnState::handshake;
    continue_handshake(c, now);
}

void Worker::continue_handshake(Connection& c, std::int64_t now) {
    switch (c.tls->handshake()) {
        case TlsLink::Step::want_read:
        case TlsLink::Step::want_write:
            return;  // edge-triggered on both: the next event of either kind goes on
        case TlsLink::Step::failed:
            return lost(c, c.tls->failure());
        case TlsLink::Step::done:
            break;
    }
    send_connect(c, now);
    // The handshake's last read may have taken more than the handshake (read-ahead), which no new edge would
    // report.
    if (c.state != ConnState::closed) read_all(c, now);
}

void Worker::send_connect(Connection& c, std::int64_t now) {
    protocol::Connect connect;
    connect.version = state_.options.version;
    bool persistent = c.role == Role::subscriber && state_.options.persistent_subscribers;
    connect.clean_start = !persistent;
    // An MQTT 5 session with expiry 0 ends with its connection, clean start or not: nothing to store.
    if (persistent && state_.options.version == protocol::ProtocolVersion::v5)
        connect.properties.session_expiry_interval = kSessionExpiry;
    connect.keep_alive = state_.options.keepalive;
    connect.client_id = client_id(c);
    connect.username = state_.options.username;
    connect.password = state_.options.password;
    protocol::encode(protocol::Packet{std::move(connect)}, state_.options.version, c.out);
    c.state = ConnState::connack;
    if (c.role == Role::publisher) c.out.reserve(state_.options.batch_bytes + c.message->size());
    flush(c, now);
}

void Worker::mark_ready(Connection& c) {
    c.state = ConnState::ready;
    --connecting_;
    state_.ready.fetch_add(1);
}

void Worker::flush(Connection& c, std::int64_t now) {
    if (c.out_offset < c.out.size()) {
        const char* data = c.out.data() + c.out_offset;
        std::size_t size = c.out.size() - c.out_offset;
        WriteOutcome w = c.tls ? c.tls->write(data, size) : write_socket(c.fd.get(), data, size);
        c.out_offset += w.bytes;
        if (w.failed) return lost(c, c.tls ? c.tls->failure() : errno_text(w.error));
        if (w.blocked) {
            c.write_blocked = true;
            return;
        }
    }
    c.out.clear();
    c.out_offset = 0;
    c.last_write_ns = now;
}

bool Worker::pump(Connection& c) {
    if (c.state != ConnState::ready || c.write_blocked) return false;
    const Options& o = state_.options;
    PublisherSlot& slot = *state_.publishers[c.id];
    // The stamp is the time of this write, not of the loop's wake-up: the loop may have pumped other
    // publishers (each a send()) since.
    std::int64_t now = now_ns();
    std::uint64_t allowed = UINT64_MAX;
    if (o.count != 0) allowed = o.count > c.sequence ? o.count - c.sequence : 0;
    if (c.pacer) {
        if (!c.pacer->started()) c.pacer->start(state_.start_ns.load(std::memory_order_relaxed));
        std::uint64_t skipped = c.pacer->skipped();
        allowed = std::min(allowed, c.pacer->due(now));
        if (c.pacer->skipped() != skipped) {
            skipped_ += c.pacer->skipped() - skipped;
            counters.skipped.store(skipped_, std::memory_order_relaxed);
        }
        if (allowed == 0) next_due_ns_ = std::min(next_due_ns_, c.pacer->next_ns());
    }
    if (allowed == 0) return false;
    if (c.window != 0) {
        auto window_room = [&]() -> std::uint64_t {
            std::uint64_t outstanding = c.unacked;
            if (unsigned per = state_.topology.deliveries_per_message; per != 0) {
                // Messages not yet received by our own subscribers: counted in whole messages.
                std::uint64_t arrived = slot.delivered.load() / per;
                std::uint64_t in_flight = c.sequence - c.written_off;
                outstanding = std::max(outstanding, in_flight > arrived ? in_flight - arrived : 0);
            }
            return c.window > outstanding ? c.window - outstanding : 0;
        };
        std::uint64_t room = window_room();
        if (room == 0) {
            // Ask the subscribers' loops for a wake-up, then look again: a delivery may have landed between.
            slot.waiting.store(true);
            room = window_room();
        }
        if (room == 0) {
            if (c.blocked_since == 0) c.blocked_since = now;
            if (now - c.blocked_since > kStallNs && state_.topology.deliveries_per_message != 0) {
                // The broker dropped what the window waits for: write it off (it shows as lost) and go on.
                std::uint64_t arrived = slot.delivered.load() / state_.topology.deliveries_per_message;
                c.written_off = c.sequence > arrived ? c.sequence - arrived : c.written_off;
                c.blocked_since = 0;
            }
            return false;
        }
        slot.waiting.store(false, std::memory_order_relaxed);
        c.blocked_since = 0;
        allowed = std::min(allowed, room);
    }
    std::size_t wire = c.message->size();
    std::size_t fit = o.batch_bytes > c.out.size() ? (o.batch_bytes - c.out.size()) / wire : 0;
    std::uint64_t n = std::min<std::uint64_t>(allowed, std::max<std::size_t>(fit, 1));
    bool acknowledged = o.qos != protocol::QoS::at_most_once;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint16_t id = 0;
        if (acknowledged) {
            id = c.next_packet_id;
            c.next_packet_id = c.next_packet_id == 65535 ? 1 : c.next_packet_id + 1;
        }
        c.message->append(c.out, id, Stamp{c.id, c.sequence++, now});
    }
    if (c.pacer) c.pacer->consume(n);
    if (acknowledged) {
        c.unacked += n;
        unacked_ += n;
        counters.unacked.store(unacked_, std::memory_order_relaxed);
    }
    sent_ += n;
    counters.sent.store(sent_, std::memory_order_relaxed);
    slot.sent.store(c.sequence, std::memory_order_relaxed);
    flush(c, now);
    if (c.pacer) {
        next_due_ns_ = std::min(next_due_ns_, c.pacer->next_ns());
        return false;  // the next slot is in the future: the loop sleeps until then
    }
    return c.state == ConnState::ready && !c.write_blocked;  // blocked: epoll says when to go on
}

void Worker::on_event(Connection& c, std::uint32_t events, std::int64_t now) {
    if (c.state == ConnState::closed) return;
    if (c.state == ConnState::connecting) {
        if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
        on_connected(c, now);
        if (c.state == ConnState::closed || c.state == ConnState::handshake) return;
    } else if (c.state == ConnState::handshake) {
        continue_handshake(c, now);
        return;  // done: it read what had come
    }
    // A TLS write may wait for a read (a post-handshake message): any event retries it.
    if ((events & EPOLLOUT) || (c.tls && c.write_blocked)) {
        c.write_blocked = false;
        flush(c, now);
        if (c.state == ConnState::closed) return;
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_all(c, now);
}

void Worker::keepalive(std::int64_t now) {
    if (state_.options.keepalive == 0 || now < next_keepalive_ns_) return;
    next_keepalive_ns_ = now + 1'000'000'000;
    std::int64_t idle = std::int64_t{state_.options.keepalive} * 500'000'000;  // half the keepalive
    for (auto& c : connections_) {
        if (c.state != ConnState::ready || now - c.last_write_ns < idle || !c.out.empty()) continue;
        c.out.push_back(static_cast<char>(0xC0));  // PINGREQ
        c.out.push_back(0);
        flush(c, now);
    }
}

void Worker::say_goodbye() {
    // DISCONNECT, then wait (bounded) for the broker to close first: the side that closes first keeps the
    // port in TIME_WAIT for a minute, and a run of 19,000 connections cannot leave 19,000 of the 28,000
    // ephemeral ports taken for the next run.
    static constexpr char kDisconnect[2] = {static_cast<char>(0xE0), 0};
    unsigned open = 0;
    for (auto& c : connections_) {
        if (c.state != ConnState::ready) {
            c.close();
            continue;
        }
        // Over TLS, a write still waiting makes this one fail (it would not be the retry OpenSSL wants).
        WriteOutcome w = c.tls ? c.tls->write(kDisconnect, 2) : write_socket(c.fd.get(), kDisconnect, 2);
        if (w.bytes != 2) {
            c.close();
            continue;
        }
        c.state = ConnState::closed;  // from here on, only EOF matters
        ++open;
    }
    std::array<epoll_event, 256> events{};
    std::int64_t deadline = now_ns() + 2'000'000'000;
    while (open != 0 && now_ns() < deadline) {
        timespec timeout{0, 50'000'000};
        int n = epoll_pwait2(epoll_.get(), events.data(), static_cast<int>(events.size()), &timeout, nullptr);
        for (int i = 0; i < n; ++i) {
            if (events[i].data.u64 == kWakeToken) continue;
            Connection& c = connections_[events[i].data.u64];
            if (!c.fd) continue;
            ssize_t got = 0;
            while ((got = ::recv(c.fd.get(), scratch_.data(), scratch_.size(), MSG_DONTWAIT)) > 0) {
            }
            if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                c.close();
                --open;
            }
        }
    }
    // Brokers that keep the connection after DISCONNECT: reset it, which leaves no TIME_WAIT behind.
    for (auto& c : connections_) {
        if (!c.fd) continue;
        linger abort{1, 0};
        setsockopt(c.fd.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        c.close();
    }
}

void Worker::run() {
    // Sleep until the next slot to the microsecond: the default timer slack (50 us) would bunch the sends.
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    std::array<epoll_event, 256> events{};
    Phase last = Phase::connect;
    while (true) {
        Phase phase = state_.phase.load();
        if (phase != last) counters.seen_phase.store(phase);
        last = phase;
        if (phase == Phase::stop) break;
        std::int64_t now = now_ns();
        start_connects(now);
        bool busy = false;
        next_due_ns_ = INT64_MAX;
        if (phase == Phase::run)
            for (std::size_t i : publishers_)
                busy |= pump(connections_[i]);
        now = now_ns();
        keepalive(now);

        std::int64_t wait = kIdleWaitNs;
        if (busy) {
            wait = 0;
        } else if (phase == Phase::run && next_due_ns_ != INT64_MAX) {
            wait = std::clamp<std::int64_t>(next_due_ns_ - now, 0, kIdleWaitNs);  // until the next slot
        } else if (next_start_ < connections_.size() && state_.options.connect_rate > 0) {
            wait = std::min<std::int64_t>(
                wait, static_cast<std::int64_t>(1e9 * state_.options.threads / state_.options.connect_rate));
        }
        timespec timeout{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
        int n = epoll_pwait2(epoll_.get(), events.data(), static_cast<int>(events.size()), &timeout, nullptr);
        if (n < 0 && errno != EINTR) {
            state_.fail(fmt::format("epoll_pwait2 failed: {}", errno_text(errno)));
            break;
        }
        now = now_ns();
        for (int i = 0; i < n; ++i) {
            if (events[i].data.u64 == kWakeToken) {
                std::uint64_t value = 0;
                [[maybe_unused]] auto r = ::read(wake_.get(), &value, sizeof value);
                continue;
            }
            on_event(connections_[events[i].data.u64], events[i].events, now);
        }
    }
    counters.seen_phase.store(Phase::stop);
    say_goodbye();
}

}  // namespace culex::bench
