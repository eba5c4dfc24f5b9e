// One HTTP connection of an HttpServer: reads a request head (Beast's parser, bounded), asks the handler,
// writes the answer; again while the client keeps the connection alive, up to the limit of requests. A
// request must be read and answered within the request timeout, counted from the end of the previous answer
// (a silent or slow client is cut off). Runs on the HTTP thread only.
#pragma once

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/http_server.hpp"
#include "net/transport/transport.hpp"

namespace culex::net {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    // `on_closed`: once, when the connection ends (the server counts its connections).
    HttpSession(std::unique_ptr<Transport> transport, const HttpHandler& handler, const HttpLimits& limits,
                int listener, std::function<void()> on_closed);
    ~HttpSession();
    void start();
    void close();

  private:
    void next_request();
    void read();
    // Parses what `pending_` holds: answers a whole request, reads on for a partial one, refuses a bad one.
    void parse();
    void answer(const HttpResponse& response, bool keep_alive);
    void refuse(int status, std::string_view why);

    std::unique_ptr<Transport> transport_;
    const HttpHandler& handler_;
    const HttpLimits& limits_;
    const int listener_;
    std::function<void()> on_closed_;
    boost::asio::steady_timer deadline_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> parser_;
    std::array<char, 4096> chunk_{};
    std::string pending_;  // read and not parsed yet
    std::string out_;      // the answer being written
    unsigned requests_ = 0;
    bool closed_ = false;
};

}  // namespace culex::net
