#include "net/connection.hpp"

#include <fmt/format.h>
#include <time.h>
#include <boost/asio/post.hpp>

#include "protocol/codec.hpp"

namespace culex::net {

namespace asio = boost::asio;
using namespace culex::protocol;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

// When bytes last came in, for the keepalive, which counts in seconds: the coarse clock (CLOCK_MONOTONIC's
// epoch, as steady_clock, to a few milliseconds) costs a fraction of a full clock read, on every read.
std::chrono::steady_clock::time_point coarse_now() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return std::chrono::steady_clock::time_point(std::chrono::seconds(now.tv_sec) +
                                                 std::chrono::nanoseconds(now.tv_nsec));
}

// The peer's address as people write it: an IPv4 client on a dual-stack socket shows as IPv4.
std::string address_text(const asio::ip::tcp::endpoint& endpoint) {
    auto address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    return address.to_string();
}

}  // namespace

Connection::Connection(std::unique_ptr<Transport> transport, broker::Worker& worker,
                       const broker::BrokerSettings& settings, std::atomic<int>& open_connections,
                       KeepaliveSweep& sweep)
    : transport_(std::move(transport)),
      worker_(worker),
      settings_(settings),
      open_connections_(open_connections),
      sweep_(sweep) {
    const auto& endpoint = transport_->remote_endpoint();
    address_ = address_text(endpoint);
    peer_ = fmt::format("{}:{}", address_, endpoint.port());
}

Connection::~Connection() {
    // The broker may still hold the Client (a takeover in flight): it must not reach a dead link.
    if (client_) client_->link = nullptr;
    --open_connections_;
}

void Connection::start(int listener, const CertificateLogin& certificate) {
    client_ = std::make_shared<broker::Client>(*this);
    client_->listener = listener;
    client_->address = address_;
    client_->identity_from_certificate = certificate.required;
    if (certificate.username) client_->extras().certificate_username = certificate.username;
    last_received_ = std::chrono::steady_clock::now();
    // Until CONNECT arrives, the connect timeout stands in for the keepalive.
    keepalive_limit_ = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.connect_timeout);
    sweep_.watch(weak_from_this());
    read();
}

void Connection::read() {
    if (closing_) return;
    if (!transport_->reads_when_ready()) return read_async();
    // Plain TCP: read what is there now, into a buffer the loop lends while no packet is half here; so an
    // idle connection holds no read buffer at all (memory per idle connection is what limits a fleet).
    thread_local std::string lent(kReadChunk * 4, '\0');
    bool into_lent = input_used_ == 0;
    if (!into_lent && input_.size() - input_used_ < kReadChunk) input_.resize(input_used_ + kReadChunk);
    auto room = into_lent ? asio::buffer(lent.data(), lent.size())
                          : asio::buffer(input_.data() + input_used_, input_.size() - input_used_);
    boost::system::error_code ec;
    std::size_t bytes = transport_->read_now(room, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return wait_readable();
    if (ec) {
        if (!closing_) lost(broker::CloseReason::peer_closed);
        return;
    }
    bool drained = bytes < room.size();  // a short read emptied the socket's queue
    last_received_ = coarse_now();
    if (into_lent) {
        std::string_view got(lent.data(), bytes);
        std::size_t consumed = process(got);
        if (!closing_ && consumed < bytes) {
            input_.assign(got.substr(consumed));  // the start of a packet: kept until the rest comes
            input_used_ = input_.size();
        }
    } else {
        input_used_ += bytes;
        process_input();
        if (input_used_ == 0 && input_.capacity() > kReadChunk)
            input_ = std::string();  // a big packet is done
    }
    if (closing_) return;
    // Data that arrives after a short read raises a new edge: wait for it. After a full read more is waiting,
    // which an edge-triggered wait would not report: read again in a later turn (one busy client must not
    // hold the loop).
    if (drained) return wait_readable();
    asio::post(transport_->executor(), [self = shared_from_this()] { self->read(); });
}

void Connection::wait_readable() {
    // Single-threaded loop: readiness that comes before the wait is queued is still reported by the next
    // epoll wait, which this same thread runs after this handler.
    transport_->async_wait_readable(
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (ec) {
                if (!self->closing_) self->lost(broker::CloseReason::peer_closed);
                return;
            }
            self->read();
        });
}

void Connection::read_async() {
    if (input_.size() - input_used_ < kReadChunk) input_.resize(input_used_ + kReadChunk);
    transport_->async_read_some(
        asio::buffer(input_.data() + input_used_, input_.size() - input_used_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
            if (ec) {
                if (!self->closing_) self->lost(broker::CloseReason::peer_closed);
                return;
            }
            self->on_read(bytes);
        });
}

void Connection::on_read(std::size_t bytes) {
    if (closing_) return;
    input_used_ += bytes;
    last_received_ = coarse_now();
    process_input();
    if (!closing_) read_async();
}

void Connection::process_input() {
    std::size_t consumed = process(std::string_view(input_.data(), input_used_));
    // Keep the unread tail at the front of the buffer.
    if (consumed > 0) {
        std::memmove(input_.data(), input_.data() + consumed, input_used_ - consumed);
        input_used_ -= consumed;
    }
}

std::size_t Connection::process(std::string_view pending) {
    std::size_t consumed = 0;
    while (!closing_) {
        auto frame = next_frame(pending.substr(consumed), settings_.max_packet_size);
        if (!frame) {
            worker_.handle_bad_packet(client_, frame.error());
            break;
        }
        if (!frame->has_value()) break;
        consumed += (*frame)->size;
        auto packet = decode(**frame, version_);
        if (!packet) {
            worker_.handle_bad_packet(client_, packet.error());
            break;
        }
        worker_.handle_packet(client_, std::move(*packet));
    }
    return consumed;
}

void Connection::send(const Packet& packet) {
    if (closing_) return;
    encode(packet, version_, output_);
    schedule_flush();
}

bool Connection::send_publish(const Publish& message, const DeliveryFields& fields) {
    if (closing_) return true;
    std::size_t before = output_.size();
    std::size_t size = encode_delivery(message, fields, version_, output_);
    if (max_outgoing_packet_size_ != 0 && size > max_outgoing_packet_size_) {
        output_.resize(before);  // too large for this client: it is not sent (spec 3.1.2.11.4)
        return false;
    }
    schedule_flush();
    return true;
}

void Connection::schedule_flush() {
    if (flush_posted_ || writing_now_) return;
    // Written after this loop turn, so that everything sent during the turn goes out in one write.
    flush_posted_ = true;
    asio::post(transport_->executor(), [self = shared_from_this()] {
        self->flush_posted_ = false;
        self->flush();
    });
}

void Connection::flush() {
    if (writing_now_ || closed_) return;
    if (output_.empty()) {
        if (closing_) shutdown_socket();
        return;
    }
    writing_now_ = true;
    std::swap(output_, writing_);
    output_.clear();
    transport_->async_write(asio::buffer(writing_),
                            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                                self->writing_now_ = false;
                                self->writing_.clear();
                                if (ec) {
                                    if (!self->closing_) self->lost(broker::CloseReason::peer_closed);
                                    self->shutdown_socket();
                                    return;
                                }
                                self->flush();
                            });
}

void Connection::close() {
    if (closing_) return;
    closing_ = true;
    if (!writing_now_ && !flush_posted_) flush();
}

void Connection::lost(broker::CloseReason reason) {
    if (closing_) return;
    closing_ = true;
    worker_.handle_closed(client_, reason);
    shutdown_socket();
}

void Connection::shutdown_socket() {
    if (closed_) return;
    closed_ = true;
    transport_->close();
}

void Connection::set_protocol(ProtocolVersion version, std::uint16_t keep_alive,
                              std::uint32_t max_packet_size) {
    version_ = version;
    max_outgoing_packet_size_ = max_packet_size;
    // The spec's one and a half keepalive periods (3.1.2.10); 0 turns the check off.
    keepalive_limit_ = std::chrono::milliseconds(keep_alive * 1500);
}

bool Connection::check_keepalive(std::chrono::steady_clock::time_point now) {
    if (closing_) return false;
    if (keepalive_limit_.count() == 0 || now < last_received_ + keepalive_limit_) return true;
    // The broker says goodbye (MQTT 5: DISCONNECT 0x8D) and closes through close().
    worker_.handle_timeout(client_);
    return !closing_;
}

}  // namespace culex::net
