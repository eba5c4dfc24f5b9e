#include "cluster/will_keeper.hpp"

#include <fmt/format.h>

#include <charconv>

#include "broker/loop_broker.hpp"
#include "cluster/client_ownership.hpp"
#include "cluster/kv_bucket.hpp"
#include "cluster/node_claim.hpp"
#include "cluster/session_record.hpp"
#include "log/logger.hpp"
#include "protocol/codec.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

constexpr const char* kWills = "culex_wills";
constexpr const char* kClaims = "culex_will_claims";
constexpr std::int64_t kReadWaitMs = 5000;  // for each will of a dead node, at most

}  // namespace

// "NODE:INCARNATION DELAY\n" then the will as an MQTT 5 PUBLISH (its properties kept; the delay, a will's
// own property, apart).
std::string encode_kept_will(const std::string& home, const protocol::Will& will) {
    protocol::Properties properties = will.properties;
    std::uint32_t delay = properties.will_delay_interval.value_or(0);
    properties.will_delay_interval.reset();
    protocol::Publish publish{will.topic,
                              will.payload,
                              will.qos,
                              will.retain,
                              false,
                              static_cast<std::uint16_t>(will.qos == protocol::QoS::at_most_once ? 0 : 1),
                              std::move(properties)};
    std::string value = fmt::format("{} {}\n", home, delay);
    protocol::encode(publish, protocol::ProtocolVersion::v5, value);
    return value;
}

std::optional<KeptWill> decode_kept_will(std::string_view value) {
    auto end = value.find('\n');
    auto space = value.find(' ');
    if (end == std::string_view::npos || space == std::string_view::npos || space > end) return std::nullopt;
    KeptWill kept;
    kept.home = value.substr(0, space);
    std::string_view delay = value.substr(space + 1, end - space - 1);
    if (std::from_chars(delay.data(), delay.data() + delay.size(), kept.delay_seconds).ec != std::errc())
        return std::nullopt;
    std::string_view packet = value.substr(end + 1);
    auto frame = protocol::next_frame(packet);
    if (!frame || !*frame || (*frame)->size != packet.size()) return std::nullopt;
    auto decoded = protocol::decode(**frame, protocol::ProtocolVersion::v5);
    if (!decoded || !std::holds_alternative<protocol::Publish>(*decoded)) return std::nullopt;
    kept.message = std::get<protocol::Publish>(std::move(*decoded));
    return kept;
}

std::expected<std::unique_ptr<WillKeeper>, std::string> WillKeeper::start(
    jsCtx* jetstream, broker::Broker& broker, ClientOwnership& ownership, const NodeClaim& nodes,
    std::string node, std::string incarnation, int replicas) {
    auto wills = open_file_bucket(jetstream, kWills, replicas);
    if (!wills) return std::unexpected(wills.error());
    auto claims = open_memory_bucket(jetstream, kClaims, kClaimTtlMs);
    if (!claims) return std::unexpected(claims.error());
    auto sweep = SessionSweep::open(jetstream);
    if (!sweep) return std::unexpected(sweep.error());
    std::unique_ptr<WillKeeper> keeper(new WillKeeper(std::move(*wills), std::move(*claims),
                                                      std::move(*sweep), broker, ownership, nodes,
                                                      std::move(node), std::move(incarnation)));
    keeper->thread_ = std::thread([raw = keeper.get()] { raw->run(); });
    return keeper;
}

WillKeeper::WillKeeper(KeyValuePtr wills, KeyValuePtr claims, std::unique_ptr<SessionSweep> sweep,
                       broker::Broker& broker, ClientOwnership& ownership, const NodeClaim& nodes,
                       std::string node, std::string incarnation)
    : wills_(std::move(wills)),
      claims_(std::move(claims)),
      sweep_(std::move(sweep)),
      next_sweep_(std::chrono::steady_clock::now() + std::chrono::milliseconds(SessionSweep::kSweepEveryMs)),
      broker_(broker),
      ownership_(ownership),
      nodes_(nodes),
      node_(std::move(node)),
      home_(node_ + ":" + incarnation) {}

WillKeeper::~WillKeeper() {
    stop();
}

void WillKeeper::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void WillKeeper::keep(const std::string& client_id, const protocol::Will& will) {
    push(Keep{client_id, encode_kept_will(home_, will)});
}

void WillKeeper::forget(const std::string& client_id) {
    push(Forget{client_id});
}

void WillKeeper::waiting(const std::string& client_id) {
    push(Waiting{client_id});
}

void WillKeeper::live_nodes(const std::vector<std::string>& live) {
    push(Live{live});
}

void WillKeeper::push(Task task) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
}

std::string WillKeeper::key_of(const std::string& client_id) const {
    return "w." + ClientOwnership::key_of(node_) + "." + ClientOwnership::key_of(client_id);
}

void WillKeeper::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        auto ready = [this] { return stopping_ || !tasks_.empty(); };
        if (due_.empty())
            wake_.wait(lock, ready);
        else
            wake_.wait_until(lock, due_.begin()->first, ready);
        if (stopping_) break;
        if (tasks_.empty()) {  // a delayed will is due
            lock.unlock();
            publish_due();
            lock.lock();
            continue;
        }
        Task task = std::move(tasks_.front());
        tasks_.pop_front();
        lock.unlock();
        if (auto* keep = std::get_if<Keep>(&task)) {
            std::string key = key_of(keep->client_id);
            std::uint64_t revision = 0;
            if (kvStore_Put(&revision, wills_.get(), key.c_str(), keep->value.data(),
                            static_cast<int>(keep->value.size())) == NATS_OK) {
                kept_.insert(keep->client_id);
                logger().log(LogType::debug, "Cluster: will of client {} kept in JetStream.",
                             keep->client_id);
            } else {
                logger().log(LogType::warning,
                             "Warning: cluster: the will of client {} is not kept in JetStream: if this node "
                             "dies, it is not published.",
                             keep->client_id);
            }
        }
        if (auto* forget = std::get_if<Forget>(&task); forget && kept_.erase(forget->client_id))
            kvStore_Delete(wills_.get(), key_of(forget->client_id).c_str());
        if (auto* waiting = std::get_if<Waiting>(&task); waiting && kept_.contains(waiting->client_id))
            logger().log(LogType::debug,
                         "Cluster: will of client {} stays in JetStream while it waits out its delay here.",
                         waiting->client_id);
        if (auto* live = std::get_if<Live>(&task)) on_live(live->nodes);
        lock.lock();
    }
    lock.unlock();
    // A clean stop: this node's clients' wills were its own to publish or drop, nobody else's.
    for (const auto& client_id : kept_)
        if (kvStore_Delete(wills_.get(), key_of(client_id).c_str()) != NATS_OK) break;  // NATS is away
    kept_.clear();
}

void WillKeeper::on_live(const std::vector<std::string>& live) {
    std::set<std::string> now(live.begin(), live.end());
    auto before = std::exchange(seen_live_, now);
    for (const auto& node : now)
        if (!before ||
            !before->contains(node))  // said, so that a test knows this node would notice its death
            logger().log(LogType::debug, "Cluster: node {} seen live.", node);
    if (!before) return;
    bool swept = false;
    for (const auto& node : *before) {
        if (now.contains(node)) continue;
        // Gone: killed (its claim lapsed), or stopped cleanly (it deleted its wills). One survivor takes it.
        if (!claim_wills_of(node)) continue;  // another survivor did
        publish_wills_of(node);
        if (!swept) sweep_sessions(now);
        swept = true;
    }
    if (auto time = std::chrono::steady_clock::now(); time >= next_sweep_) {
        next_sweep_ = time + std::chrono::milliseconds(SessionSweep::kSweepEveryMs);
        // One node per period in the whole cluster: the claim's TTL is the period.
        std::uint64_t revision = 0;
        if (!swept && kvStore_Create(&revision, claims_.get(), "sweep", home_.data(),
                                     static_cast<int>(home_.size())) == NATS_OK) {
            sweep_sessions(now);
            adopt_orphaned_wills(now);
        }
    }
}

bool WillKeeper::claim_wills_of(const std::string& dead) {
    std::string claim = "d." + ClientOwnership::key_of(dead);
    std::uint64_t revision = 0;
    return kvStore_Create(&revision, claims_.get(), claim.c_str(), home_.data(),
                          static_cast<int>(home_.size())) == NATS_OK;
}

void WillKeeper::adopt_orphaned_wills(const std::set<std::string>& live) {
    kvKeysList list{};
    if (kvStore_Keys(&list, wills_.get(), nullptr) != NATS_OK) return;  // none, or NATS away: next period
    std::vector<std::string> keys(list.Keys, list.Keys + list.Count);
    kvKeysList_Destroy(&list);
    for (const auto& node : orphaned_will_nodes(keys, live, node_)) {
        if (!claim_wills_of(node)) continue;
        logger().log(
            LogType::notice,
            "Cluster: wills of node {} found with the node gone unseen (killed within seconds of its "
            "start): published here.",
            node);
        publish_wills_of(node);
    }
}

std::vector<std::string> orphaned_will_nodes(const std::vector<std::string>& keys,
                                             const std::set<std::string>& live, std::string_view self) {
    std::set<std::string> nodes;
    for (std::string_view key : keys) {
        if (!key.starts_with("w.")) continue;
        key.remove_prefix(2);
        std::string node = ClientOwnership::client_id_of(key.substr(0, key.find('.')));
        if (!node.empty() && node != self && !live.contains(node)) nodes.insert(std::move(node));
    }
    return {nodes.begin(), nodes.end()};
}

void WillKeeper::sweep_sessions(const std::set<std::string>& live) {
    sweep_->sweep([this, &live](const std::string& home) {
        std::string_view node = node_of_home(home);
        // This node's own records are live only for this run; another node's, while its name is held.
        return node == node_ ? home == home_ : live.contains(std::string(node));
    });
}

void WillKeeper::publish_wills_of(const std::string& dead) {
    std::string keys = "w." + ClientOwnership::key_of(dead) + ".*";
    kvWatchOptions options;
    kvWatchOptions_Init(&options);
    options.IgnoreDeletes = true;
    kvWatcher* watcher = nullptr;
    if (natsStatus s = kvStore_Watch(&watcher, wills_.get(), keys.c_str(), &options); s != NATS_OK) {
        logger().log(LogType::warning, "Warning: cluster: the wills of dead node {} could not be read: {}.",
                     dead, nats_error(s));
        return;
    }
    std::vector<std::pair<std::string, KeptWill>> found;
    while (true) {
        kvEntry* entry = nullptr;
        if (kvWatcher_Next(&entry, watcher, kReadWaitMs) != NATS_OK || entry == nullptr) break;  // all read
        auto kept = decode_kept_will(std::string_view(static_cast<const char*>(kvEntry_Value(entry)),
                                                      static_cast<std::size_t>(kvEntry_ValueLen(entry))));
        std::string key = kvEntry_Key(entry);
        kvEntry_Destroy(entry);
        if (kept) found.emplace_back(std::move(key), std::move(*kept));
    }
    kvWatcher_Destroy(watcher);
    // The node died about a claim's lifetime ago (its lapse is how it was noticed): a will's delay counts
    // from then.
    constexpr auto kSinceDeath = std::chrono::milliseconds(NodeClaim::kTtlMs);
    auto now = std::chrono::steady_clock::now();
    for (auto& [key, kept] : found) {
        DueWill will{std::move(key), {}, dead, std::move(kept)};
        will.client_id = ClientOwnership::client_id_of(will.key.substr(will.key.rfind('.') + 1));
        auto rest = std::chrono::seconds(will.kept.delay_seconds) - kSinceDeath;
        if (rest <= std::chrono::seconds(0)) {
            publish_will(will);
            continue;
        }
        logger().log(LogType::notice,
                     "Cluster: will of client {} of dead node {} due here in {} s (its Will Delay Interval).",
                     will.client_id, dead, std::chrono::ceil<std::chrono::seconds>(rest).count());
        due_.emplace(now + rest, std::move(will));
    }
}

void WillKeeper::publish_due() {
    auto now = std::chrono::steady_clock::now();
    while (!due_.empty() && due_.begin()->first <= now) {
        auto will = std::move(due_.begin()->second);
        due_.erase(due_.begin());
        publish_will(will);
    }
}

void WillKeeper::publish_will(DueWill& will) {
    // Its node holds its claim again (the same run: a renewal that NATS delayed past the lapse): not dead.
    if (nodes_.is_live(std::string(node_of_home(will.kept.home)), incarnation_of_home(will.kept.home))) {
        logger().log(LogType::notice, "Cluster: will of client {} not published: its node {} is live.",
                     will.client_id, will.dead);
        return;
    }
    // A client that connected again (anywhere) since its node died: its will is not published, as a
    // reconnection within the delay cancels it, and a status it published since ("online", retained) must
    // not be overwritten by a will that comes this late.
    if (auto holder = ownership_.holder_of(will.client_id); holder && *holder != will.kept.home) {
        logger().log(LogType::notice,
                     "Cluster: will of client {} of dead node {} not published: the client connected again "
                     "(to node {}).",
                     will.client_id, will.dead, node_of_home(*holder));
    } else {
        logger().log(LogType::notice, "Cluster: will of client {} of dead node {} published here (to '{}').",
                     will.client_id, will.dead, will.kept.message.topic);
        auto message = std::make_shared<broker::Message>(std::move(will.kept.message));
        broker_.post(0, [&broker = broker_, message = broker::MessagePtr(std::move(message))] {
            broker.loop(0).router().route(message, nullptr);
        });
    }
    kvStore_Delete(wills_.get(), will.key.c_str());
}

}  // namespace culex::cluster
