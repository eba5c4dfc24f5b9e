// /metrics text: the figures of a Statistics snapshot, labelled by listener, QoS and drop cause.
#include "ops/metrics.hpp"

#include <gtest/gtest.h>

#include "net/http_server.hpp"

namespace culex::ops {
namespace {

broker::Statistics example() {
    broker::Statistics s;
    s.uptime = std::chrono::seconds(42);
    s.by_listener.resize(2);
    s.by_listener[0].connected = 3;
    s.by_listener[0].publish_received = {5, 6, 7};
    s.by_listener[0].bytes_sent = 1000;
    s.by_listener[1].connected = 9;  // the HTTP listener's slot: never shown
    for (const auto& l : s.by_listener)
        s.total += l;
    s.drops[static_cast<std::size_t>(broker::DropCause::queue_full)] = 4;
    s.retained = 2;
    s.subscriptions = 8;
    return s;
}

TEST(Metrics, NamesValuesAndLabels) {
    std::string text = render_metrics(example(), {"1883", ""});
    EXPECT_NE(text.find("# TYPE culex_uptime_seconds gauge\nculex_uptime_seconds 42\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("culex_clients_connected{listener=\"1883\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("culex_publish_received_total{listener=\"1883\",qos=\"2\"} 7\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE culex_bytes_sent_total counter\n"), std::string::npos) << text;
    EXPECT_NE(text.find("culex_publish_dropped_total{cause=\"queue_full\"} 4\n"), std::string::npos) << text;
    EXPECT_NE(text.find("culex_retained_messages 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("culex_subscriptions 8\n"), std::string::npos) << text;
    EXPECT_EQ(text.find(" 9\n"), std::string::npos) << "the unnamed listener's figures were shown:\n" << text;
}

TEST(HttpResponse, RenderedForTheWire) {
    net::HttpResponse unauthorised{401, "text/plain", "no\n", true};
    EXPECT_EQ(net::render_http_response(unauthorised, false),
              "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
              "WWW-Authenticate: Basic realm=\"culex\", charset=\"UTF-8\"\r\nConnection: close\r\n\r\nno\n");
    net::HttpResponse ok{200, "text/plain", "", false};
    EXPECT_EQ(
        net::render_http_response(ok, true),
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
}

}  // namespace
}  // namespace culex::ops
