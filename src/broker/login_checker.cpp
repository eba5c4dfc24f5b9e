#include "broker/login_checker.hpp"

#include <algorithm>

namespace culex::broker {

LoginChecker::LoginChecker(int threads, auth::ThrottleSettings throttle) : throttle_(throttle) {
    for (int i = 0; i < std::max(1, threads); ++i)
        threads_.emplace_back([this] { run(); });
}

LoginChecker::~LoginChecker() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_)
        thread.join();
}

void LoginChecker::check(std::string address, std::shared_ptr<const auth::PasswordFile> passwords,
                         std::string username, std::string password, Done done) {
    auto delay = throttle_.admit(address);
    auto job = std::make_unique<Job>(Job{std::chrono::steady_clock::now() + delay, 0, std::move(address),
                                         std::move(passwords), std::move(username), std::move(password),
                                         std::move(done)});
    {
        std::lock_guard lock(mutex_);
        job->order = next_order_++;
        jobs_.push(std::move(job));
    }
    wake_.notify_one();
}

void LoginChecker::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        if (stopping_) return;
        if (jobs_.empty()) {
            wake_.wait(lock);
            continue;
        }
        auto due = jobs_.top()->due;
        if (std::chrono::steady_clock::now() < due) {
            wake_.wait_until(lock, due);
            continue;
        }
        // priority_queue::top() is const: move the job out through a const_cast of the owning pointer,
        // then pop the emptied slot.
        std::unique_ptr<Job> job = std::move(const_cast<std::unique_ptr<Job>&>(jobs_.top()));
        jobs_.pop();
        lock.unlock();
        bool accepted = job->passwords && job->passwords->verify(job->username, job->password);
        if (!accepted) throttle_.record_failure(job->address);
        job->done(accepted);
        lock.lock();
    }
}

}  // namespace culex::broker
