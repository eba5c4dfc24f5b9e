// A request to the HTTP listener and its answer, as the handler sees them (net/http_server.hpp serves them).
// No Asio here: the CLI, which names the handler, stays cheap to compile.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace culex::net {

struct HttpRequest {
    std::string method;
    std::string target;         // "/metrics"
    std::string authorization;  // the Authorization header; empty: none
    int listener = 0;           // its index in the configuration
    bool from_loopback = false;
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    bool ask_credentials = false;  // 401: WWW-Authenticate: Basic
    // More header fields (Cache-Control, Content-Security-Policy, Allow for a 405 other than GET's).
    std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

}  // namespace culex::net
