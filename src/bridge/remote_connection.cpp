#include "bridge/remote_connection.hpp"

#include <boost/asio/post.hpp>
#include <cstring>

namespace culex::bridge {

namespace asio = boost::asio;
using namespace culex::protocol;

namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
}

RemoteConnection::RemoteConnection(net::EventLoop& loop, std::unique_ptr<net::Transport> transport,
                                   Owner& owner, ProtocolVersion version, std::uint16_t keepalive)
    : loop_(loop),
      transport_(std::move(transport)),
      owner_(&owner),
      version_(version),
      keepalive_(keepalive),
      keepalive_timer_(loop.context()) {}

void RemoteConnection::start() {
    last_received_ = std::chrono::steady_clock::now();
    read();
    arm_keepalive();
}

void RemoteConnection::read() {
    if (input_.size() - input_used_ < kReadChunk) input_.resize(input_used_ + kReadChunk);
    transport_->async_read_some(
        asio::buffer(input_.data() + input_used_, input_.size() - input_used_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
            if (self->shut_) return;
            self->loop_.step([&] {
                if (ec)
                    self->lose(ec == asio::error::eof ? "the remote closed the connection" : ec.message());
                else
                    self->on_read(bytes);
            });
        });
}

void RemoteConnection::on_read(std::size_t bytes) {
    input_used_ += bytes;
    last_received_ = std::chrono::steady_clock::now();
    std::size_t consumed = 0;
    while (owner_) {
        std::string_view rest(input_.data() + consumed, input_used_ - consumed);
        auto frame = next_frame(rest);
        if (!frame) return lose("the remote sent a malformed packet: " + frame.error().message);
        if (!frame->has_value()) break;
        consumed += (*frame)->size;
        auto packet = decode(**frame, version_);
        if (!packet) return lose("the remote sent a bad packet: " + packet.error().message);
        owner_->on_remote_packet(std::move(*packet));
    }
    if (!owner_) return;
    std::memmove(input_.data(), input_.data() + consumed, input_used_ - consumed);
    input_used_ -= consumed;
    read();
}

void RemoteConnection::send(const Packet& packet) {
    if (closing_ || shut_) return;
    encode(packet, version_, output_);
    schedule_write();
}

void RemoteConnection::send_delivery(const Publish& message, const DeliveryFields& fields) {
    if (closing_ || shut_) return;
    encode_delivery(message, fields, version_, output_);
    schedule_write();
}

void RemoteConnection::schedule_write() {
    if (write_scheduled_ || writing_now_) return;
    // Written once the current step's other output is gathered: one write per turn, not one per packet.
    write_scheduled_ = true;
    asio::post(loop_.context(), [self = shared_from_this()] {
        self->write_scheduled_ = false;
        self->write();
    });
}

void RemoteConnection::write() {
    if (shut_ || writing_now_) return;
    if (output_.empty()) {
        if (closing_) shut();
        return;
    }
    writing_.swap(output_);
    output_.clear();
    writing_now_ = true;
    transport_->async_write(asio::buffer(writing_),
                            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                                self->writing_now_ = false;
                                self->writing_.clear();
                                if (self->shut_) return;
                                if (ec) {
                                    self->loop_.step([&] { self->lose(ec.message()); });
                                    return;
                                }
                                self->write();
                            });
}

void RemoteConnection::arm_keepalive() {
    if (keepalive_.count() == 0) return;
    keepalive_timer_.expires_after(keepalive_);
    keepalive_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->shut_ || self->closing_) return;
        auto silent = std::chrono::steady_clock::now() - self->last_received_;
        if (silent > self->keepalive_ * 3 / 2) {
            self->loop_.step([&] { self->lose("the remote did not answer within the keepalive"); });
            return;
        }
        self->send(Pingreq{});
        self->arm_keepalive();
    });
}

void RemoteConnection::lose(std::string why) {
    Owner* owner = owner_;
    owner_ = nullptr;
    shut();
    if (owner) owner->on_remote_lost(std::move(why));
}

void RemoteConnection::close() {
    owner_ = nullptr;
    if (closing_ || shut_) return;
    closing_ = true;
    keepalive_timer_.cancel();
    if (!writing_now_ && !write_scheduled_) write();
}

void RemoteConnection::shut() {
    if (shut_) return;
    shut_ = true;
    keepalive_timer_.cancel();
    transport_->close();
}

}  // namespace culex::bridge
