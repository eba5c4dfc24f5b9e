// Retained messages, one per topic, found by topic filter when a client subscribes. Shared by all loops.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "broker/message.hpp"

namespace culex::broker {

class RetainedStore {
  public:
    RetainedStore();
    ~RetainedStore();

    // Stores the message as the topic's retained one; an empty payload deletes it.
    void store(const MessagePtr& message);
    // Appends every retained message whose topic matches `filter` (a valid, non-shared filter).
    void find(std::string_view filter, std::vector<MessagePtr>& out) const;
    // The admin API: up to `limit` retained messages in topic order, after skipping `offset`. Holds the lock
    // for offset + limit messages at most.
    void page(std::size_t offset, std::size_t limit, std::vector<MessagePtr>& out) const;
    std::size_t size() const;
    // Payload bytes of the retained messages ($SYS's store/messages/bytes).
    std::size_t payload_bytes() const;

  private:
    struct Node;
    mutable std::mutex mutex_;
    std::unique_ptr<Node> root_;
    std::size_t count_ = 0;
    std::size_t bytes_ = 0;
};

}  // namespace culex::broker
