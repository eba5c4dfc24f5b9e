// How the broker reaches an event loop without knowing about Asio: net implements it, tests fake it.
#pragma once

#include <functional>

namespace culex::broker {

class LoopExecutor {
  public:
    virtual ~LoopExecutor() = default;
    // Runs `task` on the loop's thread, after what is already queued there, as a step of its own: the loop's
    // LoopCore::end_step follows it. Callable from any thread.
    virtual void post(std::move_only_function<void()> task) = 0;
};

}  // namespace culex::broker
