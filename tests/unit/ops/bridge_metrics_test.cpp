// /metrics text of the bridges: one sample per bridge (by its `connection` name), states as 0/1, both
// directions of forwarding.
#include "ops/bridge_metrics.hpp"

#include <gtest/gtest.h>

namespace culex::ops {
namespace {

TEST(BridgeMetrics, NamesValuesAndLabels) {
    std::vector<BridgeFigures> bridges{{"to-centre", "connected", 3, 500, 7, 2},
                                       {"backup", "connecting", 0, 0, 0, 0}};
    std::string text = render_bridge_metrics(bridges);
    for (const char* line : {
             "# TYPE culex_bridge_up gauge\n",
             "culex_bridge_up{bridge=\"to-centre\"} 1\n",
             "culex_bridge_up{bridge=\"backup\"} 0\n",
             "culex_bridge_state{bridge=\"to-centre\",state=\"connected\"} 1\n",
             "culex_bridge_state{bridge=\"to-centre\",state=\"disconnected\"} 0\n",
             "culex_bridge_state{bridge=\"backup\",state=\"connecting\"} 1\n",
             "culex_bridge_queued_messages{bridge=\"to-centre\"} 3\n",
             "# TYPE culex_bridge_forwarded_total counter\n",
             "culex_bridge_forwarded_total{bridge=\"to-centre\",direction=\"out\"} 500\n",
             "culex_bridge_forwarded_total{bridge=\"to-centre\",direction=\"in\"} 7\n",
             "culex_bridge_reconnects_total{bridge=\"to-centre\"} 2\n",
         })
        EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
}

TEST(BridgeMetrics, NoBridgesNoFamilies) {
    EXPECT_EQ(render_bridge_metrics({}), "");
}

}  // namespace
}  // namespace culex::ops
