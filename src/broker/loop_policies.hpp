// One loop's copy of the access policies (one per listener), so that the ACL checks on the hot path touch no
// atomic shared with the other loops; refreshed when a reload (SIGHUP) replaces them.
#pragma once

#include <string_view>
#include <vector>

#include "auth/acl.hpp"
#include "broker/access_policy.hpp"
#include "broker/client.hpp"
#include "broker/message.hpp"
#include "broker/session.hpp"

namespace culex::broker {

class Broker;

class LoopPolicies {
  public:
    explicit LoopPolicies(const Broker& broker) : broker_(broker) { refresh(); }

    // Takes the broker's current policies.
    void refresh();
    // The policy of `listener` (the first one for an index out of range).
    const AccessPolicy& of(int listener) const;
    // The ACL of the client's (or the session's) listener allows this access.
    bool allowed(const Client& client, auth::Access access, std::string_view topic) const {
        return of(client.listener).allows(client.client_id(), client.username.get(), access, topic);
    }
    bool allowed(const Session& session, auth::Access access, std::string_view topic) const {
        return of(session.listener).allows(session.client_id(), session.username.get(), access, topic);
    }

    bool allowed(const MessageSource& source, auth::Access access, std::string_view topic) const {
        return of(source.listener).allows(source.client_id, source.username.get(), access, topic);
    }

  private:
    const Broker& broker_;
    std::vector<PolicyPtr> policies_;
};

}  // namespace culex::broker
