// MQTT 5 enhanced authentication (spec 4.12) behind an interface: an Authenticator names its method and
// starts one AuthExchange per attempt; the broker carries the exchange's data back and forth in AUTH packets
// and ends it with CONNACK (or, when a client re-authenticates, AUTH or DISCONNECT). A method nobody offers
// is refused with 0x8C Bad authentication method.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace culex::broker {

struct AuthStep {
    enum class Outcome { success, more, failure };
    Outcome outcome = Outcome::failure;
    std::string data;                     // Authentication Data for the client (may be empty)
    std::optional<std::string> username;  // on success: who the client proved to be, for the ACL
    std::string why;                      // on failure: for the log
};

// One attempt, fed the client's Authentication Data in turn. Used on one loop only.
class AuthExchange {
  public:
    virtual ~AuthExchange() = default;
    virtual AuthStep step(std::string_view client_data) = 0;
};

class Authenticator {
  public:
    virtual ~Authenticator() = default;
    virtual std::string_view method() const = 0;
    virtual std::unique_ptr<AuthExchange> start(std::string_view client_id) const = 0;
};

using AuthenticatorPtr = std::shared_ptr<const Authenticator>;
using Authenticators = std::vector<AuthenticatorPtr>;

// The method of `enhanced_auth_test true` ("culex-test-challenge"): the broker sends a random challenge and
// the client must answer "response:" + challenge; CONNECT's data names the user ("user:NAME"). It proves the
// AUTH plumbing end to end and offers no security: never enable it on a broker that matters.
AuthenticatorPtr make_test_challenge_authenticator();

}  // namespace culex::broker
