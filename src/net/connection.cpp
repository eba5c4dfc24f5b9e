#include "net/connection.hpp"

#include <fmt/format.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <boost/asio/post.hpp>
#include <cassert>
#include <cerrno>

#include "log/logger.hpp"
#include "net/event_loop.hpp"
#include "net/transport/endpoint_text.hpp"
#include "protocol/codec.hpp"

namespace culex::net {

namespace asio = boost::asio;
using namespace culex::protocol;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// Output room kept between writes; past this, a big message's room is given back once it is out.
constexpr std::size_t kKeptOutput = 64 * 1024;
// The most pieces one gathered write takes (the kernel refuses more); what is left goes in the next.
constexpr std::size_t kMaxIovecs = IOV_MAX;

// When bytes last came in, for the keepalive, which counts in seconds: the coarse clock (CLOCK_MONOTONIC's
// epoch, as steady_clock, to a few milliseconds) costs a fraction of a full clock read, on every read.
std::chrono::steady_clock::time_point coarse_now() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return std::chrono::steady_clock::time_point(std::chrono::seconds(now.tv_sec) +
                                                 std::chrono::nanoseconds(now.tv_nsec));
}

}  // namespace

Connection::Connection(int socket, const asio::ip::tcp::endpoint& peer, EventLoop& loop)
    : loop_(loop), peer_(peer), socket_(socket) {}

Connection::Connection(int socket, UnixPeer, EventLoop& loop)
    : loop_(loop), socket_(socket), unix_peer_(true) {}

Connection::Connection(std::unique_ptr<Transport> transport, EventLoop& loop)
    : loop_(loop), transport_(std::move(transport)), peer_(transport_->remote_endpoint()) {}

Connection::~Connection() {
    // The broker may still hold the Client (a takeover in flight): it must not reach a dead link.
    if (client_) client_->link = nullptr;
    if (closed_) return;
    // Never closed: the loop is being torn down (the poller may be gone already; closing the descriptor
    // takes it out of the epoll set anyway).
    if (socket_ >= 0) ::close(socket_);
    --loop_.open_connections();
}

broker::ListenerCounters& Connection::counts() {
    return loop_.core().counters().listener(client_->listener);
}

std::string Connection::peer() const {
    if (unix_peer_)
        return (client_ ? loop_.settings().listener(client_->listener).unix_socket_path : "") + ":0";
    return endpoint_text(peer_);
}

void Connection::start(int listener, const CertificateLogin& certificate) {
    client_ = std::make_shared<broker::Client>(*this);
    client_->listener = listener;
    counts().sockets.add();
    client_->identity_from_certificate = certificate.required;
    if (certificate.username) client_->extras().certificate_username = certificate.username;
    last_received_ = std::chrono::steady_clock::now();
    // Until CONNECT arrives, the connect timeout stands in for the keepalive.
    keepalive_limit_ms_ = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(loop_.settings().connect_timeout).count());
    loop_.connections().adopt(shared_from_this());
    if (!transport_) {
        if (auto ec = loop_.poller().watch(socket_, *this)) {
            log::logger().log(log::LogType::error, "Cannot watch the socket of {}: {}.", peer(),
                              ec.message());
            closing_ = true;
            shutdown_socket();
            return;
        }
        // What came with the handshake is reported at once, but need not wait.
        loop_.step([this] { read_socket(); });
        return;
    }
    read_async();
}

void Connection::on_ready(std::uint32_t events) {
    if (lingering_) return drain_lingering();
    // The step ends with what this read's packets made every connection send going out.
    loop_.step([this, events] {
        if ((events & EPOLLOUT) && write_pending_) write_socket();
        if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && waiting_readable_) read_socket();
    });
}

void Connection::read_socket() {
    waiting_readable_ = false;
    if (closing_) return;
    // Read into a buffer the loop lends while no packet is half here; so an idle connection holds no read
    // buffer at all.
    thread_local std::string lent(kReadChunk * 4, '\0');
    bool into_lent = input_used_ == 0;
    if (!into_lent && input().size() - input_used_ < kReadChunk) input_->resize(input_used_ + kReadChunk);
    char* room = into_lent ? lent.data() : input_->data() + input_used_;
    std::size_t room_size = into_lent ? lent.size() : input_->size() - input_used_;
    ssize_t got = ::recv(socket_, room, room_size, 0);
    if (got < 0 && errno == EINTR) return read_socket();
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        waiting_readable_ = true;
        return;
    }
    if (got <= 0) {  // 0: the peer closed
        // The connection lives on until its set's next sweep: the buffer grown for this read goes now (a
        // storm of clients that hang up mid-packet would otherwise hold a read chunk each meanwhile).
        input_.reset();
        input_used_ = 0;
        return lost();
    }
    auto bytes = static_cast<std::size_t>(got);
    counts().bytes_received.add(bytes);
    bool drained = bytes < room_size;  // a short read emptied the socket's queue
    last_received_ = coarse_now();
    if (into_lent) {
        std::string_view received(lent.data(), bytes);
        std::size_t consumed = process(received);
        if (!closing_ && consumed < bytes) {
            input().assign(received.substr(consumed));  // the start of a packet: kept until the rest comes
            input_used_ = static_cast<std::uint32_t>(input_->size());
        }
    } else {
        input_used_ += static_cast<std::uint32_t>(bytes);
        process_input();
        if (input_used_ == 0) input_.reset();  // the packet is done: an idle connection keeps nothing
    }
    if (closing_) return;
    if (!account_preauth_input()) return;
    if (pause_input_if_unread()) return;
    // Data that arrives after a short read raises a new edge, which the poller reports. After a full read
    // more is waiting, which no new edge would report: read again in a later turn (one busy client must not
    // hold the loop).
    if (drained) {
        waiting_readable_ = true;
        return;
    }
    loop_.post([self = shared_from_this()] { self->read_socket(); });
}

void Connection::read_async() {
    if (input().size() - input_used_ < kReadChunk) input_->resize(input_used_ + kReadChunk);
    transport_->async_read_some(
        asio::buffer(input_->data() + input_used_, input_->size() - input_used_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
            self->loop_.step([&] {
                if (!ec)
                    self->on_read(bytes);
                else if (!self->closing_)
                    self->lost();
            });
        });
}

void Connection::on_read(std::size_t bytes) {
    if (closing_) return;
    counts().bytes_received.add(bytes);
    input_used_ += static_cast<std::uint32_t>(bytes);
    last_received_ = coarse_now();
    process_input();
    if (!closing_ && account_preauth_input() && !pause_input_if_unread()) read_async();
}

bool Connection::pause_input_if_unread() {
    if (unsent_bytes() < loop_.settings().output_buffer_limit) return false;
    input_paused_ = true;
    return true;
}

void Connection::resume_input() {
    if (!input_paused_ || closing_) return;
    input_paused_ = false;
    // Posted: this runs while the loop writes its batch of output, which reading now would add to.
    if (transport_)
        loop_.post([self = shared_from_this()] {
            if (!self->closing_) self->read_async();
        });
    else
        loop_.post([self = shared_from_this()] { self->read_socket(); });
}

void Connection::process_input() {
    std::size_t consumed = process(std::string_view(input_->data(), input_used_));
    // Keep the unread tail at the front of the buffer.
    if (consumed > 0) {
        std::memmove(input_->data(), input_->data() + consumed, input_used_ - consumed);
        input_used_ -= static_cast<std::uint32_t>(consumed);
    }
}

std::size_t Connection::process(std::string_view pending) {
    const broker::BrokerSettings& settings = loop_.settings();
    std::size_t consumed = 0;
    while (!closing_) {
        std::string_view rest = pending.substr(consumed);
        // Before login the connection is a stranger's: anything but CONNECT ends it at its first byte, and
        // a CONNECT may not announce more than max_connect_size, so nothing is buffered for either.
        bool before_connect = client_->state == broker::Client::State::awaiting_connect;
        if (before_connect && !rest.empty() && (static_cast<unsigned char>(rest[0]) >> 4) != 1) {
            loop_.core().handle_bad_packet(
                client_, DecodeError{ReasonCode::protocol_error,
                                     fmt::format("the first packet is not CONNECT (packet type {})",
                                                 static_cast<unsigned char>(rest[0]) >> 4)});
            break;
        }
        std::uint32_t limit = before_connect ? std::min(settings.max_packet_size, settings.max_connect_size)
                                             : settings.max_packet_size;
        auto frame = next_frame(rest, limit);
        if (!frame) {
            DecodeError error = frame.error();
            if (before_connect && error.code == ReasonCode::packet_too_large)
                error.message +=
                    fmt::format(" (before login a CONNECT may hold at most {} bytes: max_connect_size)",
                                settings.max_connect_size);
            loop_.core().handle_bad_packet(client_, error);
            break;
        }
        if (!frame->has_value()) break;
        consumed += (*frame)->size;
        // Borrowing: a PUBLISH's bytes stay where they were read until the broker copies them into its
        // Message, in the one allocation a received PUBLISH costs (broker/message.hpp).
        auto packet = decode_borrowing(**frame, version_);
        if (!packet) {
            loop_.core().handle_bad_packet(client_, packet.error());
            break;
        }
        counts().packets_received.add();
        loop_.core().handle_packet(client_, std::move(*packet));
    }
    return consumed;
}

bool Connection::account_preauth_input() {
    bool logged_in = client_->state == broker::Client::State::connected;
    std::size_t held = !logged_in && input_ ? input_->capacity() : 0;
    if (held == preauth_held_) return true;
    std::size_t& total = loop_.preauth_bytes();
    total = total - preauth_held_ + held;
    preauth_held_ = held;
    if (held == 0 || total <= loop_.preauth_budget()) return true;
    loop_.core().handle_bad_packet(
        client_,
        DecodeError{ReasonCode::quota_exceeded,
                    fmt::format("connections that have not logged in hold {} bytes of input on this loop, "
                                "over its share of preauth_memory_budget ({} bytes)",
                                total, loop_.preauth_budget())});
    release_preauth_input();
    return false;
}

void Connection::release_preauth_input() {
    loop_.preauth_bytes() -= preauth_held_;
    preauth_held_ = 0;
}

void Connection::send(const Packet& packet) {
    if (closing_) return;
    encode(packet, version_, output_.own());
    broker::ListenerCounters& out = counts();
    out.packets_sent.add();
    if (const auto* publish = std::get_if<Publish>(&packet)) {
        out.publish_sent[static_cast<std::size_t>(publish->qos) % 3].add();
        out.publish_bytes_sent.add(publish->payload.size());
    }
    schedule_flush();
}

bool Connection::send_publish(const Publish& message, const DeliveryFields& fields) {
    if (closing_) return true;
    if (!loop_.deliveries().encode(message, fields, version_, max_outgoing_packet_size_, output_))
        return false;  // too large for this client: it is not sent (spec 3.1.2.11.4)
    broker::ListenerCounters& out = counts();
    out.packets_sent.add();
    out.publish_sent[static_cast<std::size_t>(fields.qos) % 3].add();
    out.publish_bytes_sent.add(message.payload.size());
    schedule_flush();
    return true;
}

std::size_t Connection::unsent_bytes() const {
    return output_.unsent() + (transport_ ? transport_->writing.size() : 0);
}

void Connection::schedule_flush() {
    if (in_output_batch_ || write_pending_) return;
    assert(loop_.in_step() && "output is written when the step ends: every entry into the loop is a step");
    // Written when this step of the loop ends, so that everything sent meanwhile goes out in one write.
    in_output_batch_ = true;
    loop_.output().add(shared_from_this());
}

void Connection::flush_batched() {
    in_output_batch_ = false;
    flush();
}

void Connection::flush() {
    if (write_pending_ || closed_) return;
    if (transport_)
        write_async();
    else
        write_socket();
}

void Connection::write_socket() {
    while (!output_.empty()) {
        std::array<iovec, kMaxIovecs> iov;
        msghdr message{};
        message.msg_iov = iov.data();
        message.msg_iovlen = output_.gather(iov);
        // Nothing shared (small messages, control packets): one buffer, which send() takes more cheaply.
        ssize_t sent = message.msg_iovlen == 1
                           ? ::send(socket_, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL)
                           : ::sendmsg(socket_, &message, MSG_NOSIGNAL);
        if (sent >= 0) {
            counts().bytes_sent.add(static_cast<std::size_t>(sent));
            output_.consume(static_cast<std::size_t>(sent));
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            write_pending_ = true;  // the poller reports room; more output gathers behind meanwhile
            // A client that reads as fast as it is sent to may never let the output empty: drop what the
            // socket took once it is half the buffer, so that the buffer holds only what is unsent.
            output_.compact(kKeptOutput);
            return;
        }
        write_pending_ = false;
        output_.clear();
        if (!closing_) lost();
        shutdown_socket();
        return;
    }
    write_pending_ = false;
    output_.shrink(kKeptOutput);  // a big message is out
    if (closing_) return linger();
    resume_input();
}

void Connection::linger() {
    if (closed_ || lingering_) return;
    // Closing with unread input makes the kernel answer with a reset, which can reach the client before the
    // CONNACK or DISCONNECT we just wrote, and the client never reads why. So: our side is done writing,
    // what the client still sends is read and dropped, and the socket closes when it closes its side, or
    // after linger_time (ConnectionSet's sweep).
    if (!say_goodbye_ || loop_.connections().stopped() || loop_.settings().linger_time.count() <= 0)
        return shutdown_socket();
    if (transport_) {
        // Under TLS or WebSockets the last words went out as records or frames; what comes back is dropped
        // unread, so it is read from the TCP socket beneath.
        boost::system::error_code ec;
        transport_->lowest_socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
        if (ec) return shutdown_socket();
    } else if (::shutdown(socket_, SHUT_WR) != 0) {
        return shutdown_socket();
    }
    lingering_ = true;
    release_preauth_input();
    input_.reset();
    input_used_ = 0;
    last_received_ = std::chrono::steady_clock::now() + loop_.settings().linger_time;
    drain_lingering();
}

void Connection::drain_lingering() {
    thread_local char discard[16 * 1024];
    int fd = transport_ ? transport_->lowest_socket().native_handle() : socket_;
    for (;;) {
        ssize_t got = ::recv(fd, discard, sizeof discard, MSG_DONTWAIT);
        if (got > 0) continue;
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;  // more later, or the deadline
        return shutdown_socket();                                         // the client closed too (or failed)
    }
    // Plain TCP: the poller reports the socket readable again. Otherwise Asio waits for it; closing the
    // transport (the deadline, shutdown) cancels the wait.
    if (transport_)
        transport_->lowest_socket().async_wait(
            asio::ip::tcp::socket::wait_read,
            [self = shared_from_this()](const boost::system::error_code& ec) {
                if (!ec && self->lingering_) self->drain_lingering();
            });
}

void Connection::write_async() {
    if (output_.empty()) {
        if (closing_) return linger();
        resume_input();
        return;
    }
    write_pending_ = true;
    // One buffer, so one TLS write (records of up to 16 KB) for the whole batch, not one per message.
    output_.move_to(transport_->writing);
    transport_->async_write(asio::buffer(transport_->writing),
                            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                                self->loop_.step([&] { self->after_async_write(ec); });
                            });
}

void Connection::after_async_write(const boost::system::error_code& ec) {
    write_pending_ = false;
    if (!ec) counts().bytes_sent.add(transport_->writing.size());
    transport_->writing.clear();
    if (ec) {
        if (!closing_) lost();
        shutdown_socket();
        return;
    }
    write_async();
}

void Connection::close() {
    if (closing_) return;
    closing_ = true;
    // Lingering is for a client that must read our last words (a CONNACK refusal, a DISCONNECT); one we
    // close without a word (garbage, a first packet that is not CONNECT) is cut off at once.
    say_goodbye_ = !output_.empty() || write_pending_;
    if (!write_pending_ && !in_output_batch_) flush();
}

void Connection::close_now() {
    if (lingering_) return shutdown_socket();
    close();  // ConnectionSet::stopped() keeps it from lingering once its last write is out
}

void Connection::lost() {
    if (closing_) return;
    closing_ = true;
    loop_.core().handle_closed(client_);
    shutdown_socket();
}

void Connection::shutdown_socket() {
    if (closed_) return;
    closed_ = true;
    lingering_ = false;
    release_preauth_input();
    if (transport_) {
        transport_->close();
    } else {
        loop_.poller().forget(socket_, *this);
        ::shutdown(socket_, SHUT_RDWR);
        ::close(socket_);
        socket_ = -1;
    }
    // The place is free from now, though this object lives until the ConnectionSet's next sweep.
    --loop_.open_connections();
}

void Connection::set_protocol(ProtocolVersion version, std::uint16_t keep_alive,
                              std::uint32_t max_packet_size) {
    version_ = version;
    max_outgoing_packet_size_ = max_packet_size;
    // The spec's one and a half keepalive periods (3.1.2.10); 0 turns the check off.
    keepalive_limit_ms_ = keep_alive * 1500u;
}

bool Connection::check_keepalive(std::chrono::steady_clock::time_point now) {
    if (closed_) return false;
    if (lingering_) {
        if (now >= last_received_) shutdown_socket();
        return !closed_;
    }
    if (closing_) return true;  // its last writes are going out
    // Its keepalive packets wait unread behind the output it does not take: not its silence but ours.
    if (input_paused_) return true;
    if (keepalive_limit_ms_ == 0 || now < last_received_ + std::chrono::milliseconds(keepalive_limit_ms_))
        return true;
    // The broker says goodbye (MQTT 5: DISCONNECT 0x8D) and closes through close().
    loop_.step([this] { loop_.core().handle_timeout(client_); });
    return !closed_;
}

}  // namespace culex::net
