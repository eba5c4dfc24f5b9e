// cluster_nats, cluster_node and the NATS connection's TLS and credentials options.
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
              "culex.conf:2: cluster_node or a cluster_nats_* option is set but cluster_nats is not: add "
              "'cluster_nats URL' to run as a cluster node, or remove them");
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
