#include "client/client.hpp"

#include <boost/asio/post.hpp>

#include "client/reason_text.hpp"

namespace culex::client {

namespace asio = boost::asio;

std::string connack_text(int return_code) {
    switch (return_code) {
        case 0:
            return "Connection Accepted.";
        case 1:
            return "Connection Refused: unacceptable protocol version.";
        case 2:
            return "Connection Refused: identifier rejected.";
        case 3:
            return "Connection Refused: broker unavailable.";
        case 4:
            return "Connection Refused: bad user name or password.";
        case 5:
            return "Connection Refused: not authorised.";
        default:
            return "Connection Refused: unknown reason.";
    }
}

Client::Client(asio::io_context& io, ClientOptions options, std::unique_ptr<net::Connector> connector,
               ClientCallbacks callbacks)
    : io_(io),
      options_(std::move(options)),
      connector_(std::move(connector)),
      callbacks_(std::move(callbacks)),
      session_(options_.session),
      timer_(io),
      reconnect_timer_(io) {
    if (callbacks_.on_debug) session_.set_debug_sink(callbacks_.on_debug);
}

Client::~Client() {
    connector_->cancel();
    close_transport();
}

void Client::connect() {
    if (finished_ || connecting_transport_ || stream_) return;
    connecting_transport_ = true;
    connector_->async_connect(options_.endpoint, options_.session.connect_timeout,
                              [this](auto result) { on_transport(std::move(result)); });
}

void Client::on_transport(std::expected<std::unique_ptr<net::Transport>, net::ConnectError> result) {
    connecting_transport_ = false;
    if (!result) {
        using Kind = net::ConnectError::Kind;
        Kind kind = result.error().kind;
        ErrorKind error_kind = kind == Kind::lookup    ? ErrorKind::lookup
                               : kind == Kind::timeout ? ErrorKind::timeout
                                                       : ErrorKind::connect;
        fail(Error{error_kind, std::move(result.error().message)});
        return;
    }
    stream_ = std::move(*result);
    ++generation_;
    session_.connection_opened(Clock::now());
    start_read();
    after_session_activity();
}

void Client::start_read() {
    auto generation = generation_;
    stream_->async_read_some(
        asio::buffer(read_buffer_), [this, generation](const boost::system::error_code& ec, std::size_t n) {
            if (generation != generation_ || !stream_) return;
            if (ec) {
                if (session_.state() == SessionState::disconnecting) {
                    close_transport();
                    finish(std::nullopt);
                } else {
                    fail(Error{ErrorKind::connection_lost, "The connection was lost."});
                }
                return;
            }
            auto received = session_.receive(std::string_view(read_buffer_.data(), n), Clock::now());
            if (!received) {
                dispatch_events();
                fail(std::move(received.error()));
                return;
            }
            if (stream_ && generation == generation_) start_read();
            after_session_activity();
        });
}

void Client::after_session_activity() {
    dispatch_events();
    if (finished_) return;
    flush();
    rearm_timer();
}

void Client::dispatch_events() {
    for (auto& event : session_.take_events()) {
        std::visit(
            [this](auto& e) {
                using T = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<T, events::Connected>) {
                    ever_connected_ = true;
                    if (callbacks_.on_connected) callbacks_.on_connected(e);
                } else if constexpr (std::is_same_v<T, events::Refused>) {
                    if (callbacks_.on_refused) callbacks_.on_refused(e);
                    close_transport();
                    finish(Error{ErrorKind::refused, options_.session.version == protocol::ProtocolVersion::v5
                                                         ? std::string(reason_text(e.code))
                                                         : connack_text(e.code)});
                } else if constexpr (std::is_same_v<T, events::Message>) {
                    if (callbacks_.on_message) callbacks_.on_message(e.publish);
                } else if constexpr (std::is_same_v<T, events::Published>) {
                    if (callbacks_.on_published) callbacks_.on_published(e);
                } else if constexpr (std::is_same_v<T, events::Subscribed>) {
                    if (callbacks_.on_subscribed) callbacks_.on_subscribed(e);
                } else if constexpr (std::is_same_v<T, events::Unsubscribed>) {
                    if (callbacks_.on_unsubscribed) callbacks_.on_unsubscribed(e);
                }
            },
            event);
        if (finished_) return;
    }
}

void Client::flush() {
    if (!stream_ || writing_) return;
    if (!session_.has_output()) {
        if (session_.state() == SessionState::disconnecting) {
            close_transport();
            finish(std::nullopt);
        }
        return;
    }
    write_buffer_ = session_.take_output();
    writing_ = true;
    auto generation = generation_;
    stream_->async_write(asio::buffer(write_buffer_),
                         [this, generation](const boost::system::error_code& ec, std::size_t) {
                             if (generation != generation_) return;
                             writing_ = false;
                             if (!stream_) return;
                             if (ec) {
                                 fail(Error{ErrorKind::connection_lost, "The connection was lost."});
                                 return;
                             }
                             flush();
                         });
}

void Client::rearm_timer() {
    auto deadline = session_.deadline();
    if (!deadline || !stream_) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(*deadline);
    auto generation = generation_;
    timer_.async_wait([this, generation](const boost::system::error_code& ec) {
        if (ec || generation != generation_ || !stream_) return;
        auto result = session_.on_timer(Clock::now());
        if (!result) {
            fail(std::move(result.error()));
            return;
        }
        after_session_activity();
    });
}

std::expected<std::uint16_t, Error> Client::publish(protocol::Publish message) {
    auto mid = session_.publish(std::move(message));
    if (mid) asio::post(io_, [this] { after_session_activity(); });
    return mid;
}

std::expected<std::uint16_t, Error> Client::subscribe(std::vector<protocol::Subscription> subscriptions,
                                                      protocol::Properties properties) {
    auto mid = session_.subscribe(std::move(subscriptions), std::move(properties));
    if (mid) asio::post(io_, [this] { after_session_activity(); });
    return mid;
}

std::expected<std::uint16_t, Error> Client::unsubscribe(std::vector<std::string> filters,
                                                        protocol::Properties properties) {
    auto mid = session_.unsubscribe(std::move(filters), std::move(properties));
    if (mid) asio::post(io_, [this] { after_session_activity(); });
    return mid;
}

void Client::disconnect() {
    stopping_ = true;
    reconnect_timer_.cancel();
    auto state = session_.state();
    if (stream_ && (state == SessionState::connected || state == SessionState::connecting)) {
        session_.disconnect();
        asio::post(io_, [this] { after_session_activity(); });
        return;
    }
    if (stream_ && state == SessionState::disconnecting) return;
    connector_->cancel();
    connecting_transport_ = false;
    asio::post(io_, [this] {
        close_transport();
        finish(std::nullopt);
    });
}

void Client::fail(Error error) {
    close_transport();
    bool lost_after_connack =
        ever_connected_ && (error.kind == ErrorKind::connection_lost || error.kind == ErrorKind::keepalive ||
                            error.kind == ErrorKind::protocol || error.kind == ErrorKind::server_disconnect);
    bool retrying = ever_connected_ && (error.kind == ErrorKind::connect ||
                                        error.kind == ErrorKind::timeout || error.kind == ErrorKind::lookup);
    if (options_.reconnect_delay && !stopping_ && !finished_ && (lost_after_connack || retrying)) {
        reconnect_timer_.expires_after(*options_.reconnect_delay);
        reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec && !stopping_ && !finished_) connect();
        });
        return;
    }
    finish(std::move(error));
}

void Client::close_transport() {
    timer_.cancel();
    if (stream_) {
        stream_->close();
        stream_.reset();
        ++generation_;
        writing_ = false;
        session_.connection_closed();
    }
}

void Client::finish(std::optional<Error> error) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    reconnect_timer_.cancel();
    if (callbacks_.on_closed) callbacks_.on_closed(error);
}

}  // namespace culex::client
