#include "bench/run_state.hpp"

#include "bench/worker.hpp"

namespace culex::bench {

void RunState::fail(std::string message) {
    {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::move(message);
    }
    phase.store(Phase::stop);
    wake_all();
}

std::optional<std::string> RunState::error() const {
    std::lock_guard lock(mutex_);
    return error_;
}

void RunState::wake_all() {
    for (auto& w : workers)
        w->wake();
}

}  // namespace culex::bench
