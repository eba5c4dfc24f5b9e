// "culex-test-challenge": see authenticator.hpp.
#include <random>

#include "broker/authenticator.hpp"

namespace culex::broker {

namespace {

constexpr std::string_view kUserPrefix = "user:";
constexpr std::string_view kResponsePrefix = "response:";

std::string random_challenge() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string challenge;
    for (int i = 0; i < 16; ++i)
        challenge.push_back(kHex[rng() % 16]);
    return challenge;
}

class ChallengeExchange final : public AuthExchange {
  public:
    AuthStep step(std::string_view client_data) override {
        if (!challenge_) {
            if (!client_data.starts_with(kUserPrefix))
                return {AuthStep::Outcome::failure, {}, {}, "the first data must be \"user:NAME\""};
            username_ = std::string(client_data.substr(kUserPrefix.size()));
            challenge_ = random_challenge();
            return {AuthStep::Outcome::more, *challenge_, {}, {}};
        }
        if (client_data != std::string(kResponsePrefix) + *challenge_)
            return {AuthStep::Outcome::failure, {}, {}, "wrong answer to the challenge"};
        return {AuthStep::Outcome::success, {}, username_, {}};
    }

  private:
    std::optional<std::string> challenge_;
    std::string username_;
};

class ChallengeAuthenticator final : public Authenticator {
  public:
    std::string_view method() const override { return "culex-test-challenge"; }
    std::unique_ptr<AuthExchange> start(std::string_view) const override {
        return std::make_unique<ChallengeExchange>();
    }
};

}  // namespace

AuthenticatorPtr make_test_challenge_authenticator() {
    return std::make_shared<ChallengeAuthenticator>();
}

}  // namespace culex::broker
