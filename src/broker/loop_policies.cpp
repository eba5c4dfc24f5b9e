#include "broker/loop_policies.hpp"

#include "broker/broker.hpp"

namespace culex::broker {

void LoopPolicies::refresh() {
    policies_.clear();
    for (int i = 0; i < broker_.policy_count(); ++i)
        policies_.push_back(broker_.policy(i));
}

const AccessPolicy& LoopPolicies::of(int listener) const {
    // The broker's own clients (Client::kInternal) are trusted: everything is allowed. A bridge with a
    // local_username (Client::kBridgeLocal) is held to the first listener's rules.
    static const AccessPolicy kTrusted{.allow_anonymous = true};
    if (listener == Client::kBridgeLocal) return *policies_[0];
    if (listener < 0) return kTrusted;
    auto i = static_cast<std::size_t>(listener);
    return *policies_[i < policies_.size() ? i : 0];
}

}  // namespace culex::broker
