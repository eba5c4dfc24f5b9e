// Fixtures for the tls unit tests: a temporary directory with a culex pki CA (server "localhost", client
// "alice"), a second, unrelated CA, the openssl command for the lab's hand-made faults, and real handshakes
// between two contexts over a connected pair of local sockets (no network, no sleeps, bounded by a timer).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "pki/authority.hpp"
#include "tls/client_context.hpp"
#include "tls/explain.hpp"
#include "tls/server_context.hpp"

namespace culex::tls::testing {

namespace asio = boost::asio;
using LocalSocket = asio::local::stream_protocol::socket;
using SslStream = asio::ssl::stream<LocalSocket>;

inline std::chrono::sys_seconds now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

class TlsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::random_device random;
        root_ = std::filesystem::temp_directory_path() /
                ("culex-tls-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
        std::filesystem::create_directories(root_);
        ca_ = std::make_unique<pki::Authority>(root_ / "pki");
        other_ = std::make_unique<pki::Authority>(root_ / "other");
        ASSERT_TRUE(ca_->init({}, "Lab CA"));
        ASSERT_TRUE(other_->init({}, "Other CA"));
        ASSERT_TRUE(ca_->issue(pki::Profile::server, "localhost", {}));
        pki::IssueOptions alice;
        alice.organization = "Lab";
        ASSERT_TRUE(ca_->issue(pki::Profile::client, "alice", alice));
        ASSERT_TRUE(other_->issue(pki::Profile::client, "mallory", {}));
    }
    void TearDown() override { std::filesystem::remove_all(root_); }

    std::string path(const std::string& name) const { return (root_ / name).string(); }
    std::string pki(const std::string& name) const { return (root_ / "pki" / name).string(); }
    std::string other(const std::string& name) const { return (root_ / "other" / name).string(); }

    config::TlsSettings server_settings(bool require_certificate = true) const {
        config::TlsSettings s;
        s.cafile = pki("ca.crt");
        s.certfile = pki("localhost.crt");
        s.keyfile = pki("localhost.key");
        s.require_certificate = require_certificate;
        return s;
    }
    ClientSettings client_settings(bool with_certificate = true) const {
        ClientSettings c;
        c.cafile = pki("ca.crt");
        if (with_certificate) {
            c.certfile = pki("alice.crt");
            c.keyfile = pki("alice.key");
        }
        return c;
    }

    ServerContextPtr server(const config::TlsSettings& s) {
        auto context = make_server_context(s, "listener 8883");
        EXPECT_TRUE(context) << context.error().message;
        return context ? *context : nullptr;
    }
    ClientContextPtr client(const ClientSettings& c) {
        auto context = make_client_context(c);
        EXPECT_TRUE(context) << context.error().message;
        return context ? *context : nullptr;
    }

    static bool have_openssl() { return std::system("openssl version >/dev/null 2>&1") == 0; }
    bool shell(const std::string& command) const {
        std::string line = "cd '" + root_.string() + "' && (" + command + ") >/dev/null 2>&1";
        return std::system(line.c_str()) == 0;
    }

    std::filesystem::path root_;
    std::unique_ptr<pki::Authority> ca_;
    std::unique_ptr<pki::Authority> other_;
};

// Both ends of one handshake. The client also reads once after a successful handshake, because a TLS 1.3
// server refuses a client certificate only after the client has finished.
struct Handshake {
    std::unique_ptr<asio::io_context> io = std::make_unique<asio::io_context>();
    std::unique_ptr<SslStream> server;
    std::unique_ptr<SslStream> client;
    boost::system::error_code server_error;
    boost::system::error_code client_error;       // of the handshake
    boost::system::error_code client_read_error;  // of the read after it
    bool server_done = false;
    bool client_done = false;
};

inline std::unique_ptr<Handshake> run_handshake(asio::ssl::context& server_ctx,
                                                asio::ssl::context& client_ctx,
                                                const ClientContext* client_context = nullptr,
                                                const std::string& host = "localhost") {
    auto h = std::make_unique<Handshake>();
    LocalSocket a(*h->io), b(*h->io);
    asio::local::connect_pair(a, b);
    h->server = std::make_unique<SslStream>(std::move(a), server_ctx);
    h->client = std::make_unique<SslStream>(std::move(b), client_ctx);
    if (client_context) {
        auto ok = prepare_client_connection(h->client->native_handle(), *client_context, host);
        EXPECT_TRUE(ok);
    }
    asio::steady_timer guard(*h->io, std::chrono::seconds(20));
    auto* raw = h.get();
    auto finish_if_done = [raw, &guard] {
        if (raw->server_done && raw->client_done) guard.cancel();
    };
    guard.async_wait([raw](const boost::system::error_code& ec) {
        if (ec) return;
        ADD_FAILURE() << "handshake did not finish within 20 s";
        boost::system::error_code ignored;
        raw->server->lowest_layer().close(ignored);
        raw->client->lowest_layer().close(ignored);
    });
    static char buffer[64];
    h->server->async_handshake(
        asio::ssl::stream_base::server, [raw, finish_if_done](const boost::system::error_code& ec) {
            raw->server_error = ec;
            raw->server_done = true;
            boost::system::error_code ignored;
            // Either way the server is done: closing lets the client's pending read end.
            if (ec) {
                raw->server->lowest_layer().shutdown(LocalSocket::shutdown_send, ignored);
            } else {
                raw->server->lowest_layer().close(ignored);
            }
            finish_if_done();
        });
    h->client->async_handshake(asio::ssl::stream_base::client, [raw, finish_if_done](
                                                                   const boost::system::error_code& ec) {
        raw->client_error = ec;
        if (ec) {
            boost::system::error_code ignored;
            raw->client->lowest_layer().close(ignored);
            raw->client_done = true;
            finish_if_done();
            return;
        }
        raw->client->async_read_some(asio::buffer(buffer),
                                     [raw, finish_if_done](const boost::system::error_code& ec, std::size_t) {
                                         raw->client_read_error = ec;
                                         raw->client_done = true;
                                         finish_if_done();
                                     });
    });
    h->io->run();
    return h;
}

inline std::unique_ptr<Handshake> run_handshake(const ServerContext& server, const ClientContext& client,
                                                const std::string& host = "localhost") {
    return run_handshake(server.asio_context(), client.asio_context(), &client, host);
}

}  // namespace culex::tls::testing
