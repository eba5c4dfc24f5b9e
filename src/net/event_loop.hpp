// One event loop: an Asio io_context run by one thread, which owns every connection and session placed on it.
//
// Everything the loop runs for the broker is a step (a read handled, a timer, a task posted to it): when a
// step ends, every connection that gathered output during it writes it, once. Steps nest (the reads of one
// epoll batch are steps within the batch's step); when the outermost one ends, the broker core hands what it
// routed to other loops over in one batch per loop. No task is posted per message or per connection.
#pragma once

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "broker/loop_core.hpp"
#include "broker/loop_executor.hpp"
#include "broker/settings.hpp"
#include "net/connection_set.hpp"
#include "net/delivery_encoder.hpp"
#include "net/output_batch.hpp"
#include "net/readiness_poller.hpp"

namespace culex::net {

class EventLoop final : public broker::LoopExecutor, private ReadinessPoller::BatchListener {
  public:
    explicit EventLoop(int index) : index_(index), work_(boost::asio::make_work_guard(context_)) {}
    ~EventLoop() override { join(); }

    int index() const { return index_; }
    boost::asio::io_context& context() { return context_; }
    ReadinessPoller& poller() { return poller_; }
    // What the loop's connections work with, set once the broker exists.
    // `loops`: how many share preauth_memory_budget, which each loop enforces for its own connections.
    void serve(broker::LoopCore& core, const broker::BrokerSettings& settings,
               std::atomic<int>& open_connections, int loops = 1) {
        core_ = &core;
        settings_ = &settings;
        open_connections_ = &open_connections;
        preauth_budget_ = settings.preauth_memory_budget / static_cast<std::size_t>(std::max(1, loops));
    }
    broker::LoopCore& core() { return *core_; }
    const broker::BrokerSettings& settings() const { return *settings_; }
    // Every loop's connections, from accept to close: max_connections counts them.
    std::atomic<int>& open_connections() { return *open_connections_; }
    ConnectionSet& connections() { return connections_; }
    // Input buffered by this loop's connections that have not logged in, and the most it may be.
    std::size_t& preauth_bytes() { return preauth_bytes_; }
    std::size_t preauth_budget() const { return preauth_budget_; }
    OutputBatch& output() { return output_; }
    // Shared by the loop's connections, so that a message going to many of them is encoded once.
    DeliveryEncoder& deliveries() { return deliveries_; }

    // Runs `work` as one step (see the top of this file).
    template <class Work>
    void step(Work&& work) {
        ++step_depth_;
        work();
        output_.write_all();
        if (--step_depth_ == 0) end_outermost_step();
    }
    bool in_step() const { return step_depth_ > 0; }

    // broker::LoopExecutor: the task runs as a step of its own.
    void post(std::move_only_function<void()> task) override {
        boost::asio::post(context_, [this, task = std::move(task)]() mutable { step(task); });
    }

    void start() {
        thread_ = std::thread([this] {
            context_.run();
            finished_.set_value();
        });
    }
    void stop() {
        work_.reset();
        context_.stop();
    }
    // Lets the loop run out of work (the last writes of closing connections), then stops it if it has not
    // finished within `grace` (a connection still in its handshake, say, keeps a read pending).
    void drain(std::chrono::milliseconds grace) {
        work_.reset();
        if (thread_.joinable() && done_.wait_for(grace) != std::future_status::ready) context_.stop();
    }
    void join() {
        if (thread_.joinable()) thread_.join();
    }

  private:
    void batch_begins() override { ++step_depth_; }
    void batch_ended() override {
        if (--step_depth_ == 0) end_outermost_step();
    }
    void end_outermost_step() {
        ++step_depth_;  // what the hand-over causes joins this step
        if (core_) core_->end_step();
        output_.write_all();
        // A write that failed ended its connection, whose will may have gone to other loops' sessions.
        if (core_) core_->end_step();
        --step_depth_;
        deliveries_.forget();
    }

    int index_;
    int step_depth_ = 0;
    std::size_t preauth_bytes_ = 0;
    std::size_t preauth_budget_ = 0;
    broker::LoopCore* core_ = nullptr;
    const broker::BrokerSettings* settings_ = nullptr;
    std::atomic<int>* open_connections_ = nullptr;
    boost::asio::io_context context_{1};  // one thread runs it: Asio may skip locking
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    // After context_, and the connections after the poller: each is destroyed before what it uses.
    ReadinessPoller poller_{context_, this};
    ConnectionSet connections_{context_};
    DeliveryEncoder deliveries_;
    OutputBatch output_;  // holds connections: destroyed first
    std::promise<void> finished_;
    std::future<void> done_ = finished_.get_future();
    std::thread thread_;
};

}  // namespace culex::net
