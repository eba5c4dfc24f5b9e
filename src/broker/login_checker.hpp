// Password checks off the event loops. A PBKDF2 check costs tens of milliseconds by design, and a login
// from an address that keeps failing is held back for a growing delay (auth::LoginThrottle): neither may
// stall a loop that serves thousands of other clients. The checker runs the checks on its own threads,
// each at its due time, and calls back on a checker thread; the caller posts the verdict to its loop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "auth/login_throttle.hpp"
#include "auth/password_file.hpp"

namespace culex::broker {

class LoginChecker {
  public:
    using Done = std::move_only_function<void(bool accepted)>;

    explicit LoginChecker(int threads, auth::ThrottleSettings throttle = {});
    ~LoginChecker();  // abandons checks not yet started; their callbacks are not called

    // Checks `password` for `username` against `passwords` after the delay the address has earned, then
    // calls `done` (on a checker thread). A failure counts against the address (IP, without the port).
    void check(std::string address, std::shared_ptr<const auth::PasswordFile> passwords, std::string username,
               std::string password, Done done);

    const auth::LoginThrottle& throttle() const { return throttle_; }

  private:
    struct Job {
        std::chrono::steady_clock::time_point due;
        std::uint64_t order;  // first come, first served among jobs due at the same time
        std::string address;
        std::shared_ptr<const auth::PasswordFile> passwords;
        std::string username;
        std::string password;
        Done done;
    };
    struct Later {
        bool operator()(const std::unique_ptr<Job>& a, const std::unique_ptr<Job>& b) const {
            return a->due != b->due ? a->due > b->due : a->order > b->order;
        }
    };

    void run();

    auth::LoginThrottle throttle_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::priority_queue<std::unique_ptr<Job>, std::vector<std::unique_ptr<Job>>, Later> jobs_;
    std::uint64_t next_order_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace culex::broker
