// Asks every event loop (or the one named) the same question and waits, on the calling (HTTP) thread, for all
// the answers: each loop answers between its own steps, so none is blocked, and a loop that does not answer
// within the bound makes the whole answer nullopt (the API says 503) instead of holding the HTTP thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "broker/broker.hpp"
#include "broker/loop_broker.hpp"

namespace culex::ops {

inline constexpr std::chrono::milliseconds kLoopAnswerBound{2000};

template <class Answer>
std::optional<std::vector<Answer>> gather_from_loops(broker::Broker& broker,
                                                     std::function<Answer(broker::LoopBroker&)> question,
                                                     std::chrono::milliseconds bound = kLoopAnswerBound,
                                                     int only_loop = -1) {
    // Shared: a loop that answers after the wait gave up must still find it.
    struct Replies {
        std::mutex mutex;
        std::condition_variable arrived;
        std::vector<std::optional<Answer>> answers;
        std::size_t missing = 0;
    };
    auto replies = std::make_shared<Replies>();
    int first = only_loop >= 0 ? only_loop : 0;
    int loops = only_loop >= 0 ? 1 : broker.loop_count();
    replies->answers.resize(static_cast<std::size_t>(loops));
    replies->missing = static_cast<std::size_t>(loops);
    for (int i = 0; i < loops; ++i)
        broker.post(first + i, [replies, question, &loop = broker.loop(first + i), i] {
            Answer answer = question(loop);
            std::lock_guard lock(replies->mutex);
            replies->answers[static_cast<std::size_t>(i)] = std::move(answer);
            if (--replies->missing == 0) replies->arrived.notify_all();
        });
    std::unique_lock lock(replies->mutex);
    if (!replies->arrived.wait_for(lock, bound, [&] { return replies->missing == 0; })) return std::nullopt;
    std::vector<Answer> out;
    for (auto& answer : replies->answers)
        out.push_back(std::move(*answer));
    return out;
}

}  // namespace culex::ops
