// run() against brokers that are not there or do not answer: bounded, and the error says why.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/runner.hpp"
#include "bench/socket.hpp"

namespace culex::bench {
namespace {

// A listening socket on 127.0.0.1 that accepts (in the kernel's backlog) but never answers.
struct SilentListener {
    Fd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    std::uint16_t port = 0;
    SilentListener() {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(fd.get(), 64), 0);
        socklen_t length = sizeof addr;
        getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &length);
        port = ntohs(addr.sin_port);
    }
};

TEST(BenchRun, RefusedConnectionIsAnError) {
    std::uint16_t port;
    {
        SilentListener closed;  // bound then closed: nobody listens on the port any more
        port = closed.port;
    }
    Options o;
    o.port = port;
    o.count = 1;
    o.clients = 1;
    auto result = run(o);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("Connection refused"), std::string::npos) << result.error().message;
}

TEST(BenchRun, SilentBrokerTimesOut) {
    SilentListener silent;
    Options o;
    o.port = silent.port;
    o.count = 1;
    o.clients = 2;
    o.connect_timeout = 0.3;
    auto result = run(o);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("only 0 of 4 connections"), std::string::npos)
        << result.error().message;
}

TEST(BenchRun, OptionErrorsComeFirst) {
    Options o;
    o.payload_size = 8;
    auto result = run(o);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("too small"), std::string::npos);
}

}  // namespace
}  // namespace culex::bench
