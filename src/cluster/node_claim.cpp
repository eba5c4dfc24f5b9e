#include "cluster/node_claim.hpp"

#include <fmt/format.h>

#include <optional>

#include "cluster/kv_bucket.hpp"
#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

constexpr const char* kBucket = "culex_nodes";

std::expected<KeyValuePtr, std::string> open_bucket(jsCtx* jetstream) {
    return open_memory_bucket(jetstream, kBucket, NodeClaim::kTtlMs);
}

// The incarnation of the node that holds `node`, if one does.
std::optional<std::string> holder_of(kvStore* bucket, const std::string& node) {
    kvEntry* entry = nullptr;
    if (kvStore_Get(&entry, bucket, node.c_str()) != NATS_OK || !entry) return std::nullopt;
    std::string holder = kvEntry_ValueString(entry);
    kvEntry_Destroy(entry);
    return holder;
}

}  // namespace

std::expected<std::unique_ptr<NodeClaim>, std::string> NodeClaim::claim(jsCtx* jetstream,
                                                                        const std::string& node,
                                                                        const std::string& incarnation) {
    auto bucket = open_bucket(jetstream);
    if (!bucket) return std::unexpected(bucket.error());
    std::uint64_t revision = 0;
    natsStatus s = kvStore_Create(&revision, bucket->get(), node.c_str(), incarnation.data(),
                                  static_cast<int>(incarnation.size()));
    if (s != NATS_OK) {
        std::string why = nats_error(s);
        auto holder = holder_of(bucket->get(), node);
        if (!holder)
            return std::unexpected(
                fmt::format("cluster: cannot claim cluster_node {} in JetStream: {}", node, why));
        return std::unexpected(fmt::format(
            "cluster_node {} is already held by a live node (its incarnation {}): give this node another "
            "name, or stop that node (a node's claim lapses {} s after it stops without a clean exit)",
            node, *holder, kTtlMs / 1000));
    }
    return std::unique_ptr<NodeClaim>(new NodeClaim(std::move(*bucket), node, incarnation, revision));
}

NodeClaim::NodeClaim(KeyValuePtr bucket, std::string node, std::string incarnation, std::uint64_t revision)
    : bucket_(std::move(bucket)),
      node_(std::move(node)),
      incarnation_(std::move(incarnation)),
      revision_(revision),
      renewer_([this] { renew_until_stopped(); }) {}

NodeClaim::~NodeClaim() {
    stop_renewing();
}

void NodeClaim::stop_renewing() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (renewer_.joinable()) renewer_.join();
}

void NodeClaim::release() {
    stop_renewing();
    if (!lost_) kvStore_Delete(bucket_.get(), node_.c_str());
}

std::optional<std::vector<std::string>> NodeClaim::other_nodes() const {
    kvKeysList keys{};
    std::vector<std::string> names;
    if (kvStore_Keys(&keys, bucket_.get(), nullptr) != NATS_OK) return std::nullopt;
    for (int i = 0; i < keys.Count; ++i)
        if (node_ != keys.Keys[i]) names.emplace_back(keys.Keys[i]);
    kvKeysList_Destroy(&keys);
    return names;
}

bool NodeClaim::is_live(const std::string& node, std::string_view incarnation) const {
    auto holder = holder_of(bucket_.get(), node);
    return holder && *holder == incarnation;
}

void NodeClaim::on_renewal(std::function<void(const std::vector<std::string>&)> listener) {
    std::lock_guard lock(mutex_);
    renewal_listener_ = std::move(listener);
}

void NodeClaim::renew_until_stopped() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(kRenewMs), [this] { return stopping_; })) {
        lock.unlock();
        renew();
        // Not while the claim is lost or the list unreadable: an empty list would forget every node.
        auto live = lost_ ? std::nullopt : other_nodes();
        lock.lock();
        if (live && renewal_listener_) renewal_listener_(*live);
    }
}

void NodeClaim::renew() {
    std::uint64_t revision = 0;
    natsStatus s = kvStore_Update(&revision, bucket_.get(), node_.c_str(), incarnation_.data(),
                                  static_cast<int>(incarnation_.size()), revision_);
    // Lapsed while NATS was out of reach: claimed again if nobody took the name meanwhile.
    if (s != NATS_OK && lost_)
        s = kvStore_Create(&revision, bucket_.get(), node_.c_str(), incarnation_.data(),
                           static_cast<int>(incarnation_.size()));
    if (s == NATS_OK) {
        revision_ = revision;
        if (lost_)
            logger().log(LogType::notice, "cluster: the claim of cluster_node {} is renewed again.", node_);
        lost_ = false;
        return;
    }
    if (!lost_)
        logger().log(
            LogType::warning,
            "Warning: cluster: cannot renew the claim of cluster_node {} in JetStream ({}); another node "
            "may take the name once it lapses.",
            node_, nats_error(s));
    lost_ = true;
}

}  // namespace culex::cluster
