#include "net/http_session.hpp"

#include <fmt/format.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "log/logger.hpp"
#include "net/transport/endpoint_text.hpp"

namespace culex::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using culex::log::logger;
using culex::log::LogType;

HttpSession::HttpSession(std::unique_ptr<Transport> transport, const HttpHandler& handler,
                         const HttpLimits& limits, int listener, std::function<void()> on_closed)
    : transport_(std::move(transport)),
      handler_(handler),
      limits_(limits),
      listener_(listener),
      on_closed_(std::move(on_closed)),
      deadline_(transport_->executor()) {}

HttpSession::~HttpSession() {
    // Only at the server's teardown is a session destroyed unclosed: nobody is left to count it.
    if (!closed_) transport_->close();
}

void HttpSession::start() {
    next_request();
}

void HttpSession::close() {
    if (closed_) return;
    closed_ = true;
    deadline_.cancel();
    transport_->close();
    if (on_closed_) std::exchange(on_closed_, nullptr)();
}

void HttpSession::next_request() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_head_bytes));
    parser_->body_limit(0);
    parser_->eager(true);
    deadline_.expires_after(limits_.request_timeout);
    deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        logger().log(LogType::notice, "HTTP client {} took too long with its request: closing.",
                     endpoint_text(self->transport_->remote_endpoint()));
        self->close();
    });
    if (pending_.empty())
        read();
    else
        parse();  // pipelined: the next request came with the previous one
}

void HttpSession::read() {
    transport_->async_read_some(
        asio::buffer(chunk_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            if (self->closed_) return;
            if (ec) return self->close();
            self->pending_.append(self->chunk_.data(), n);
            self->parse();
        });
}

void HttpSession::parse() {
    boost::system::error_code ec;
    std::size_t used = parser_->put(asio::buffer(pending_), ec);
    pending_.erase(0, used);
    if (ec == http::error::need_more || (!ec && !parser_->is_done())) {
        if (pending_.size() > limits_.max_head_bytes) return refuse(431, "request head too large");
        return read();
    }
    if (ec == http::error::header_limit) return refuse(431, "request head too large");
    if (ec == http::error::body_limit || ec == http::error::unexpected_body)
        return refuse(413, "a request with a body");
    if (ec) return refuse(400, ec.message());
    const auto& message = parser_->get();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.authorization = std::string(message[http::field::authorization]);
    request.listener = listener_;
    request.from_loopback = transport_->remote_endpoint().address().is_loopback();
    ++requests_;
    bool keep_alive = message.keep_alive() && requests_ < limits_.max_requests_per_connection;
    answer(handler_(request), keep_alive);
}

void HttpSession::refuse(int status, std::string_view why) {
    logger().log(LogType::notice, "HTTP client {} refused ({}): {}.",
                 endpoint_text(transport_->remote_endpoint()), status, why);
    pending_.clear();
    answer({status, "text/plain; charset=utf-8", fmt::format("{}\n", why)}, false);
}

void HttpSession::answer(const HttpResponse& response, bool keep_alive) {
    out_ = render_http_response(response, keep_alive);
    transport_->async_write(asio::buffer(out_), [self = shared_from_this(), keep_alive](
                                                    const boost::system::error_code& ec, std::size_t) {
        if (self->closed_) return;
        if (ec || !keep_alive) return self->close();
        self->next_request();
    });
}

}  // namespace culex::net
