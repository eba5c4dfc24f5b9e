// One event loop: an Asio io_context run by one thread, which owns every connection and session placed on it.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "broker/loop_executor.hpp"
#include "broker/settings.hpp"
#include "net/connection_set.hpp"
#include "net/output_batch.hpp"
#include "net/readiness_poller.hpp"

namespace culex::broker {
class Worker;
}

namespace culex::net {

class EventLoop final : public broker::LoopExecutor {
  public:
    explicit EventLoop(int index) : index_(index), work_(boost::asio::make_work_guard(context_)) {}
    ~EventLoop() override { join(); }

    int index() const { return index_; }
    boost::asio::io_context& context() { return context_; }
    ReadinessPoller& poller() { return poller_; }
    // What the loop's connections work with, set once the broker exists.
    void serve(broker::Worker& worker, const broker::BrokerSettings& settings,
               std::atomic<int>& open_connections) {
        worker_ = &worker;
        settings_ = &settings;
        open_connections_ = &open_connections;
    }
    broker::Worker& worker() { return *worker_; }
    const broker::BrokerSettings& settings() const { return *settings_; }
    // Every loop's connections, from accept to close: max_connections counts them.
    std::atomic<int>& open_connections() { return *open_connections_; }
    ConnectionSet& connections() { return connections_; }
    OutputBatch& output() { return output_; }

    void post(std::move_only_function<void()> task) override { boost::asio::post(context_, std::move(task)); }

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
    int index_;
    broker::Worker* worker_ = nullptr;
    const broker::BrokerSettings* settings_ = nullptr;
    std::atomic<int>* open_connections_ = nullptr;
    boost::asio::io_context context_{1};  // one thread runs it: Asio may skip locking
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    // After context_, and the connections after the poller: each is destroyed before what it uses.
    ReadinessPoller poller_{context_};
    ConnectionSet connections_{context_};
    OutputBatch output_{context_};  // holds connections: destroyed first
    std::promise<void> finished_;
    std::future<void> done_ = finished_.get_future();
    std::thread thread_;
};

}  // namespace culex::net
