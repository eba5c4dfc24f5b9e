// MQTT 5 Topic Aliases from the broker to one client (spec 3.3.2.3.4): the first topics sent on a connection
// get an alias each, up to the client's Topic Alias Maximum; later PUBLISHes on those topics carry the alias
// and an empty topic. Aliases are never reassigned, so the client's table and ours cannot disagree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/string_map.hpp"

namespace culex::broker {

class OutgoingTopicAliases {
  public:
    struct Use {
        std::uint16_t alias = 0;  // 0: send the topic without an alias
        bool known = false;       // the client has it already: the topic may be left out
    };

    void set_maximum(std::uint16_t maximum) { maximum_ = maximum; }

    // The alias to send `topic` with. A new alias counts as known only after confirm(): a PUBLISH that was
    // not sent (too large for the client) must not leave the client's table and ours out of step.
    Use use(std::string_view topic) {
        if (maximum_ == 0) return {};
        if (auto it = aliases_.find(topic); it != aliases_.end()) return {it->second, true};
        if (aliases_.size() >= maximum_) return {};
        return {static_cast<std::uint16_t>(aliases_.size() + 1), false};
    }
    void confirm(std::string_view topic, Use use) {
        if (use.alias != 0 && !use.known) aliases_.emplace(std::string(topic), use.alias);
    }

  private:
    std::uint16_t maximum_ = 0;
    auth::StringMap<std::uint16_t> aliases_;  // looked up by string_view: no std::string built per message
};

}  // namespace culex::broker
