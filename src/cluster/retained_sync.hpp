// Retained messages shared by the cluster: a JetStream stream, CULEX_RETAINED, on culex.retained.> with one
// message per subject (the last; an empty payload is the clearing of its topic). Each node publishes its
// clients' retained messages there, and follows the stream with an ordered consumer that starts with the
// last message of every subject, so that at start it loads them all and afterwards learns every change
// another node makes. What it learns goes to the broker's retained store on loop 0.
#pragma once

#include <condition_variable>
#include <expected>
#include <memory>
#include <mutex>
#include <string>

#include "broker/broker.hpp"
#include "cluster/nats_handles.hpp"

namespace culex::cluster {

class RetainedSync {
  public:
    // Makes sure the stream exists, loads it into `broker`'s retained store (waiting at most a few seconds
    // for the load to finish) and follows it. Messages whose origin starts with `own_origin` (this run's) are
    // skipped: the broker stored them already. `replicas`: cluster_replicas (0: 3 or 1, as the NATS cluster
    // allows).
    static std::expected<std::unique_ptr<RetainedSync>, std::string> start(jsCtx* jetstream,
                                                                           broker::Broker& broker,
                                                                           std::string own_origin,
                                                                           int replicas);
    ~RetainedSync();
    RetainedSync(const RetainedSync&) = delete;
    RetainedSync& operator=(const RetainedSync&) = delete;

    // Stops following (before the broker goes).
    void stop();

  private:
    RetainedSync(broker::Broker& broker, std::string own_origin);
    static void on_message(natsConnection*, natsSubscription*, natsMsg* message, void* closure);
    void apply(natsMsg* message);
    bool wait_loaded(std::uint64_t expected_messages);

    broker::Broker& broker_;
    const std::string own_origin_;
    SubscriptionPtr subscription_;
    std::mutex mutex_;
    std::condition_variable loaded_;
    bool caught_up_ = false;
    bool stopped_ = false;
    std::uint64_t applied_ = 0;
};

}  // namespace culex::cluster
