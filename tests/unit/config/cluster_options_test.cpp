// cluster_nats, cluster_node, the NATS connection's TLS and credentials options, and the bounds of what the
// cluster keeps in JetStream.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "parse_text.hpp"

namespace culex::config {
namespace {

using text_parsing::parse_error;
using text_parsing::parse_ok;

TEST(ClusterOptions, OffByDefault) {
    const Config c = parse_ok("listener 1883\n");
    EXPECT_FALSE(c.cluster.enabled());
}

TEST(ClusterOptions, EveryOptionIsRead) {
    const Config c = parse_ok(
        "listener 1883\n"
        "cluster_nats nats://10.0.0.1:4222,tls://10.0.0.2:4222\n"
        "cluster_node node-a_1\n"
        "cluster_nats_cafile /etc/culex/nats-ca.pem\n"
        "cluster_nats_certfile /etc/culex/node.pem\n"
        "cluster_nats_keyfile /etc/culex/node.key\n"
        "cluster_nats_creds /etc/culex/node.creds\n");
    ASSERT_TRUE(c.cluster.enabled());
    EXPECT_EQ(c.cluster.nats_urls, (std::vector<std::string>{"nats://10.0.0.1:4222", "tls://10.0.0.2:4222"}));
    EXPECT_EQ(c.cluster.node, "node-a_1");
    EXPECT_EQ(c.cluster.cafile, "/etc/culex/nats-ca.pem");
    EXPECT_EQ(c.cluster.certfile, "/etc/culex/node.pem");
    EXPECT_EQ(c.cluster.keyfile, "/etc/culex/node.key");
    EXPECT_EQ(c.cluster.creds, "/etc/culex/node.creds");
}

TEST(ClusterOptions, NodeNameRequiredWithNats) {
    EXPECT_EQ(
        parse_error("listener 1883\n\ncluster_nats nats://127.0.0.1:4222\n"),
        "culex.conf:3: cluster_nats is set but cluster_node is not: give this node a name unique in the "
        "cluster ('cluster_node NAME')");
}

TEST(ClusterOptions, NodeWithoutNatsIsRefused) {
    EXPECT_EQ(parse_error("listener 1883\ncluster_node a\n"),
              "culex.conf:2: cluster_node or another cluster_* option is set but cluster_nats is not: add "
              "'cluster_nats URL' to run as a cluster node, or remove them");
}

TEST(ClusterOptions, JetStreamBoundsHaveDefaultsAndAreRead) {
    const Config defaults = parse_ok("cluster_nats nats://a:4222\ncluster_node a\n");
    EXPECT_EQ(defaults.cluster.replicas, 0);        // 3 or 1, as the NATS cluster allows
    EXPECT_FALSE(defaults.cluster.stream_max_age);  // 24 h and 1 GiB for a new stream; an existing one kept
    EXPECT_FALSE(defaults.cluster.stream_max_bytes);
    const Config c = parse_ok(
        "cluster_nats nats://a:4222\ncluster_node a\ncluster_replicas 1\ncluster_stream_max_age 7d\n"
        "cluster_stream_max_bytes 10737418240\n");
    EXPECT_EQ(c.cluster.replicas, 1);
    EXPECT_EQ(c.cluster.stream_max_age, std::chrono::hours(24 * 7));
    EXPECT_EQ(c.cluster.stream_max_bytes, std::int64_t{10} << 30);
}

TEST(ClusterOptions, JetStreamBoundsWithoutNatsAreRefused) {
    EXPECT_EQ(parse_error("listener 1883\ncluster_stream_max_age 2d\n"),
              "culex.conf:2: cluster_node or another cluster_* option is set but cluster_nats is not: add "
              "'cluster_nats URL' to run as a cluster node, or remove them");
}

TEST(ClusterOptions, JetStreamBoundsOutOfRangeAreRefused) {
    const std::string head = "cluster_nats nats://a:4222\ncluster_node a\n";
    EXPECT_EQ(parse_error(head + "cluster_replicas 6\n"),
              "culex.conf:3: 'cluster_replicas' needs a number between 1 and 5, got '6'");
    EXPECT_EQ(
        parse_error(head + "cluster_stream_max_bytes 1000\n"),
        "culex.conf:3: 'cluster_stream_max_bytes' needs a number between 1048576 and 9223372036854775807, "
        "got '1000'");
    EXPECT_NE(parse_error(head + "cluster_stream_max_age 30s\n")
                  .find("'cluster_stream_max_age' needs a whole number"),
              std::string::npos);
}

TEST(ClusterOptions, BadValuesNameTheLine) {
    EXPECT_EQ(parse_error("cluster_nats nats://a:4222,,nats://b:4222\ncluster_node a\n"),
              "culex.conf:1: 'cluster_nats' needs NATS server URLs separated by commas (e.g. "
              "nats://10.0.0.1:4222,nats://10.0.0.2:4222), got ''");
    EXPECT_EQ(parse_error("cluster_nats nats://a:4222\ncluster_node a.b\n"),
              "culex.conf:2: 'cluster_node' needs a name of 1 to 64 letters, digits, '-' or '_', got 'a.b'");
    EXPECT_EQ(parse_error("cluster_nats nats://a:4222\ncluster_node a\ncluster_nats_certfile c.pem\n"),
              "culex.conf:1: cluster_nats_certfile and cluster_nats_keyfile go together: set both (this "
              "node's certificate and its key) or neither");
}

}  // namespace
}  // namespace culex::config
