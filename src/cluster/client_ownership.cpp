#include "cluster/client_ownership.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cluster/kv_bucket.hpp"
#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

constexpr const char* kBucket = "culex_clients";
constexpr int kClaimAttempts = 10;  // compare-and-set conflicts in a row before giving up (logged)
constexpr char kHex[] = "0123456789abcdef";
constexpr int kWatchAttempts = 50;
constexpr auto kWatchRetry = std::chrono::milliseconds(100);

std::expected<KeyValuePtr, std::string> open_bucket(jsCtx* jetstream) {
    return open_memory_bucket(jetstream, kBucket, ClientOwnership::kKeyTtlMs);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

std::string ClientOwnership::key_of(std::string_view client_id) {
    std::string key = "c";  // an empty client id (MQTT 5 lets the broker assign one, never empty here) still
                            // makes a key
    for (unsigned char c : client_id) {
        key += kHex[c >> 4];
        key += kHex[c & 0xF];
    }
    return key;
}

std::string ClientOwnership::client_id_of(std::string_view key) {
    std::string id;
    if (key.empty() || key.front() != 'c' || key.size() % 2 == 0) return id;
    for (std::size_t i = 1; i + 1 < key.size(); i += 2) {
        int high = hex_value(key[i]);
        int low = hex_value(key[i + 1]);
        if (high < 0 || low < 0) return {};
        id += static_cast<char>(high * 16 + low);
    }
    return id;
}

std::expected<std::unique_ptr<ClientOwnership>, std::string> ClientOwnership::start(
    natsConnection* connection, jsCtx* jetstream, std::string owner, TakeOver take_over) {
    auto bucket = open_bucket(jetstream);
    if (!bucket) return std::unexpected(bucket.error());
    std::unique_ptr<ClientOwnership> ownership(
        new ClientOwnership(connection, std::move(*bucket), std::move(owner), std::move(take_over)));
    ClientOwnership* raw = ownership.get();
    auto watch = KvWatch::start(ownership->bucket_.get(), kBucket, true,
                                {[raw](kvEntry* entry) { raw->seen(entry); }, {}, {}});
    if (!watch) return std::unexpected(watch.error());
    ownership->watch_ = std::move(*watch);
    ownership->claimer_ = std::thread([raw] { raw->claim_until_stopped(); });
    return ownership;
}

ClientOwnership::ClientOwnership(natsConnection* connection, KeyValuePtr bucket, std::string owner,
                                 TakeOver take_over)
    : connection_(connection),
      bucket_(std::move(bucket)),
      owner_(std::move(owner)),
      take_over_(std::move(take_over)) {}

ClientOwnership::~ClientOwnership() {
    stop();
}

void ClientOwnership::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !claimer_.joinable()) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (watch_) watch_->stop();
    if (claimer_.joinable()) claimer_.join();
}

void ClientOwnership::claim(const std::string& client_id, std::int64_t connected_at_ms) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        claimed_[client_id] = Claimed{0, connected_at_ms};
        to_claim_.emplace_back(client_id, connected_at_ms);
    }
    wake_.notify_one();
}

bool ClientOwnership::stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
}

void ClientOwnership::claim_until_stopped() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || !to_claim_.empty(); });
        if (stopping_) return;
        auto [client_id, connected_at_ms] = std::move(to_claim_.front());
        to_claim_.pop_front();
        lock.unlock();
        write_claim(client_id, connected_at_ms);
        lock.lock();
    }
}

void ClientOwnership::write_claim(const std::string& client_id, std::int64_t connected_at_ms) {
    if (natsConnection_Status(connection_) != NATS_CONN_STATUS_CONNECTED) {
        if (!skipping_)
            logger().log(LogType::warning,
                         "Warning: cluster: NATS is out of reach: {} and the clients connecting after it do "
                         "not take over "
                         "their client id on other nodes until it is back.",
                         client_id);
        skipping_ = true;
        return;
    }
    skipping_ = false;
    std::string key = key_of(client_id);
    natsStatus s = NATS_OK;
    std::uint64_t revision = 0;
    for (int attempt = 0; attempt < kClaimAttempts && !stopping(); ++attempt) {
        kvEntry* entry = nullptr;
        s = kvStore_Get(&entry, bucket_.get(), key.c_str());
        if (s == NATS_OK && entry) {
            std::uint64_t last = kvEntry_Revision(entry);
            kvEntry_Destroy(entry);
            s = kvStore_Update(&revision, bucket_.get(), key.c_str(), owner_.data(),
                               static_cast<int>(owner_.size()), last);
        } else if (s == NATS_NOT_FOUND) {
            s = kvStore_Create(&revision, bucket_.get(), key.c_str(), owner_.data(),
                               static_cast<int>(owner_.size()));
        }
        // NATS_ERR is JetStream refusing the write: another node claimed the id between our read and our
        // write, so read again (the last claim wins). Anything else (NATS away, a timeout) is not retried.
        if (s != NATS_ERR) break;
    }
    if (s != NATS_OK) {
        logger().log(
            LogType::warning,
            "Warning: cluster: cannot claim client id {} in JetStream ({}): a connection with this id "
            "on another node is not taken over.",
            client_id, nats_error(s));
        return;
    }
    // Said, so that a test can wait for it: claims are written in the background, and the last written wins.
    logger().log(LogType::debug, "Cluster: client id {} claimed for this node (revision {}).", client_id,
                 revision);
    {
        std::lock_guard lock(mutex_);
        auto found = claimed_.find(client_id);
        if (found == claimed_.end() || found->second.connected_at_ms != connected_at_ms) return;
        found->second.revision = revision;
        if (found->second.superseded <= revision) return;
        claimed_.erase(found);  // another node's claim came after ours while ours was being written
    }
    take_over_(client_id, connected_at_ms);
}

std::optional<std::string> ClientOwnership::holder_of(const std::string& client_id) {
    kvEntry* entry = nullptr;
    std::string key = key_of(client_id);
    if (kvStore_Get(&entry, bucket_.get(), key.c_str()) != NATS_OK || !entry) return std::nullopt;
    std::string holder(static_cast<const char*>(kvEntry_Value(entry)),
                       static_cast<std::size_t>(kvEntry_ValueLen(entry)));
    kvEntry_Destroy(entry);
    return holder;
}

void ClientOwnership::release(const std::string& client_id, std::int64_t connected_at_ms) {
    std::lock_guard lock(mutex_);
    auto found = claimed_.find(client_id);
    if (found != claimed_.end() && found->second.connected_at_ms == connected_at_ms) claimed_.erase(found);
}

void ClientOwnership::seen(kvEntry* entry) {
    if (kvEntry_Operation(entry) != kvOp_Put) return;
    std::string_view holder(static_cast<const char*>(kvEntry_Value(entry)),
                            static_cast<std::size_t>(kvEntry_ValueLen(entry)));
    if (holder == owner_) return;
    std::string client_id = client_id_of(kvEntry_Key(entry));
    std::int64_t connected_at_ms = 0;
    {
        std::lock_guard lock(mutex_);
        auto found = claimed_.find(client_id);
        if (found == claimed_.end()) return;
        std::uint64_t revision = kvEntry_Revision(entry);
        if (found->second.revision == 0) {  // ours is being written: whichever is later wins (write_claim)
            found->second.superseded = std::max(found->second.superseded, revision);
            return;
        }
        if (found->second.revision >= revision) return;  // an older claim than ours
        connected_at_ms = found->second.connected_at_ms;
        claimed_.erase(found);
    }
    take_over_(client_id, connected_at_ms);
}

}  // namespace culex::cluster
