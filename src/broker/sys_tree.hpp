// $SYS/broker/...: Mosquitto's topic names and meanings, made from a Statistics snapshot every sys_interval.
// As Mosquitto does, the first update gives every topic and later ones only those whose text changed; the
// load topics are exponentially weighted moving averages of each interval's rate per minute, over 1, 5 and
// 15 minutes. Pure: the LoopBroker of the first loop publishes what update() returns (retained, QoS 0).
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/statistics.hpp"

namespace culex::broker {

// Topics that only the broker publishes: as Mosquitto, any topic that starts with "$SYS" ("$SYSTEM/x" too).
// A client's PUBLISH there is denied like one the ACL refuses, and a will there is dropped. Except, as in
// Mosquitto, a bridge's state, `$SYS/broker/connection/NAME/state`: a bridge sets it on its remote (its
// notification and its will), so that the remote's clients see whether the link is up.
inline bool is_sys_topic(std::string_view topic) {
    if (!topic.starts_with("$SYS")) return false;
    constexpr std::string_view kBridgeState = "$SYS/broker/connection/";
    if (!topic.starts_with(kBridgeState)) return true;
    std::string_view rest = topic.substr(kBridgeState.size());  // "NAME/state"
    auto slash = rest.find('/');
    return slash == 0 || slash == std::string_view::npos || rest.substr(slash) != "/state";
}

struct SysValue {
    std::string topic;  // the whole topic, "$SYS/broker/uptime"
    std::string value;  // "12 seconds"
};

class SysTree {
  public:
    // `version`: the text of $SYS/broker/version ("culex version 0.1.0").
    explicit SysTree(std::string version) : version_(std::move(version)) {}

    // The topics whose text changed since the last update (all of them the first time). `interval_seconds`:
    // the time since the last update (the first: ignored), which weights the load averages.
    std::vector<SysValue> update(const Statistics& statistics, double interval_seconds);

  private:
    // One load topic: the counter it follows and its three averages.
    struct Load {
        std::uint64_t last_count = 0;
        std::array<double, 3> average{};  // 1, 5, 15 minutes
    };
    void put(std::vector<SysValue>& out, const std::string& name, std::string value);
    void update_load(std::vector<SysValue>& out, const std::string& name, std::uint64_t count,
                     double interval_seconds);

    std::string version_;
    bool first_ = true;
    std::map<std::string, std::string, std::less<>> published_;  // name -> last text
    std::map<std::string, Load, std::less<>> loads_;
};

}  // namespace culex::broker
