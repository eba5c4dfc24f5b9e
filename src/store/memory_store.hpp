// The store in memory: what unit tests of the broker use, and the reference the SQLite store is tested
// against (both must load the same state from the same batches, in the same order).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "store/store.hpp"

namespace culex::store {

class MemoryStore final : public Store {
  public:
    // max_value_bytes: the largest topic, payload or properties value accepted (as SqliteStore's option).
    explicit MemoryStore(std::size_t max_value_bytes = kDefaultMaxValueBytes)
        : max_value_bytes_(max_value_bytes) {}

    static constexpr std::size_t kDefaultMaxValueBytes = 512u << 20;

    using Store::commit;
    std::expected<void, StoreError> commit(std::span<const Batch* const> batches) override;
    std::expected<LoadedState, StoreError> load() override;
    std::expected<QueuePage, StoreError> read_queue(const QueueRequest& request) override;
    std::string describe() const override { return "memory"; }

  private:
    struct Apply;

    using SubscriptionKey = std::tuple<std::string, std::string, std::string>;  // client, share, filter
    using InflightKey = std::tuple<std::string, Direction, std::uint16_t>;

    std::size_t max_value_bytes_;
    std::map<std::string, RetainedRecord, std::less<>> retained_;
    std::map<std::string, SessionRecord, std::less<>> sessions_;
    std::map<SubscriptionKey, SubscriptionRecord> subscriptions_;
    std::map<std::string, std::map<std::uint64_t, QueuedMessage>, std::less<>> queues_;
    std::map<InflightKey, InflightRecord> inflight_;
    std::map<std::string, WillRecord, std::less<>> wills_;
};

}  // namespace culex::store
