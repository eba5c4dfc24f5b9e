// Every node follows the records of persistent sessions (the KV bucket culex_sessions, written by
// session_directory.*) so that it knows which QoS 1/2 messages some session could want from the stream
// (session_interest.hpp). A KV watch (kv_watch.hpp): each record written or deleted anywhere in the cluster
// arrives here milliseconds later.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "cluster/kv_watch.hpp"
#include "cluster/nats_handles.hpp"
#include "cluster/session_interest.hpp"

namespace culex::cluster {

class SessionWatch {
  public:
    // Starts watching; what it reads goes to `interest` (which outlives this).
    static std::expected<std::unique_ptr<SessionWatch>, std::string> start(jsCtx* jetstream,
                                                                           SessionInterest& interest);
    SessionWatch(const SessionWatch&) = delete;
    SessionWatch& operator=(const SessionWatch&) = delete;
    // Stops the watch (before `interest` goes); idempotent.
    void stop();

  private:
    SessionWatch(KeyValuePtr bucket, SessionInterest& interest)
        : bucket_(std::move(bucket)), interest_(interest) {}
    void seen(kvEntry* entry);

    KeyValuePtr bucket_;
    SessionInterest& interest_;
    std::unique_ptr<KvWatch> watch_;  // after bucket_: goes first
};

}  // namespace culex::cluster
