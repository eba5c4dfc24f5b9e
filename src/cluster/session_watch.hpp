// Every node follows the records of persistent sessions (the KV bucket culex_sessions, written by
// session_directory.*) so that it knows which QoS 1/2 messages some session could want from the stream
// (session_interest.hpp). A KV watch on libnats, read by this class's own thread: each record written or
// deleted anywhere in the cluster arrives here milliseconds later.
#pragma once

#include <chrono>
#include <condition_variable>
#include <expected>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cluster/nats_handles.hpp"
#include "cluster/session_interest.hpp"

namespace culex::cluster {

class SessionWatch {
  public:
    // Starts watching; what it reads goes to `interest` (which outlives this).
    static std::expected<std::unique_ptr<SessionWatch>, std::string> start(jsCtx* jetstream,
                                                                           SessionInterest& interest);
    ~SessionWatch();
    SessionWatch(const SessionWatch&) = delete;
    SessionWatch& operator=(const SessionWatch&) = delete;
    // Stops the thread (before `interest` goes); idempotent.
    void stop();

  private:
    SessionWatch(KeyValuePtr bucket, SessionInterest& interest)
        : bucket_(std::move(bucket)), interest_(interest) {}
    void watch_until_stopped();
    void seen(kvEntry* entry);
    bool stopping();

    KeyValuePtr bucket_;
    SessionInterest& interest_;
    kvWatcher* watcher_ = nullptr;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace culex::cluster
