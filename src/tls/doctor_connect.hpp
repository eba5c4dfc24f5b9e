// `culex doctor connect`: one connection to a broker, step by step (TCP, TLS version and cipher, the server's
// chain and whether it verifies, the host name, the client certificate requested and accepted, MQTT CONNACK),
// each step's result on a line, so that a failure is pinned to the step that failed. Unlike the clients, the
// handshake goes on when the chain or host name fails, so that every later step is still reported.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tls/client_context.hpp"

namespace culex::tls {

struct ConnectOptions {
    std::string host = "localhost";
    std::uint16_t port = 8883;
    ClientSettings tls;  // cafile, certfile/keyfile, insecure, version...; TLS is tried even with none given
    std::string client_id = "culex-doctor";
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::chrono::milliseconds timeout{5000};  // per step
};

struct ConnectStep {
    std::string name;  // "TCP", "TLS", "server chain", "host name", "client certificate", "MQTT"
    bool ok = false;
    std::string detail;  // what was seen
    std::string fix;     // when it failed: what to do
};

struct ConnectReport {
    std::vector<ConnectStep> steps;
    bool ok() const;
};

ConnectReport doctor_connect(const ConnectOptions& options);
std::string render_connect_report(const ConnectReport& report);

}  // namespace culex::tls
