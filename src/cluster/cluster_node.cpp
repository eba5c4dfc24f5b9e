#include "cluster/cluster_node.hpp"

#include <fmt/format.h>

#include <functional>
#include <random>

#include "broker/loop_broker.hpp"
#include "cluster/nats_connection.hpp"
#include "cluster/subject_map.hpp"
#include "cluster/wire_message.hpp"
#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

std::string random_incarnation() {
    std::random_device device;
    std::uint64_t value = (std::uint64_t{device()} << 32) ^ device();
    return fmt::format("{:016x}", value);
}

// How long a JetStream request (a claim's renewal, its release) waits for its answer: bounded low, as a stop
// while NATS is away waits for it.
constexpr std::int64_t kJetStreamWaitMs = 2000;

// Whether `queue` is among the space-separated queue groups of a Culex-Served header.
bool served_here(std::string_view served, std::string_view queue) {
    while (!served.empty()) {
        auto end = served.find(' ');
        if (served.substr(0, end) == queue) return true;
        if (end == std::string_view::npos) return false;
        served.remove_prefix(end + 1);
    }
    return false;
}

// $SYS is each broker's own.
bool stays_local(const broker::Message& message) {
    return message.topic.starts_with("$SYS");
}

}  // namespace

std::expected<std::unique_ptr<ClusterNode>, std::string> ClusterNode::start(
    const config::ClusterSettings& settings, broker::Broker& broker) {
    std::unique_ptr<ClusterNode> node(new ClusterNode(settings, broker));
    if (auto joined = node->join(settings); !joined) return std::unexpected(joined.error());
    broker.use_cluster(node.get());
    node->attached_ = true;
    logger().log(LogType::notice, "cluster: node {} joined the cluster on NATS at {}.", node->node_,
                 fmt::join(settings.nats_urls, ","));
    return node;
}

std::expected<void, std::string> ClusterNode::join(const config::ClusterSettings& settings) {
    auto connection = connect_to_nats(settings, reconnect_relay_);
    if (!connection) return std::unexpected(connection.error());
    connection_ = std::move(*connection);
    jsCtx* jetstream = nullptr;
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = kJetStreamWaitMs;
    if (natsStatus s = natsConnection_JetStream(&jetstream, connection_.get(), &options); s != NATS_OK)
        return std::unexpected(fmt::format("cluster: no JetStream context: {}", nats_error(s)));
    jetstream_.reset(jetstream);
    auto claim = NodeClaim::claim(jetstream, node_, incarnation_);
    if (!claim) return std::unexpected(claim.error());
    claim_ = std::move(*claim);
    auto retained =
        RetainedSync::start(jetstream, broker_, node_ + ":" + incarnation_ + ":", settings.replicas);
    if (!retained) return std::unexpected(retained.error());
    retained_ = std::move(*retained);
    auto ownership = ClientOwnership::start(
        connection_.get(), jetstream, node_ + ":" + incarnation_,
        [this](const std::string& client_id, std::int64_t connected_at_ms) {
            // Whichever loop has it: one task per loop, the loop that has it closes it.
            for (int loop = 0; loop < broker_.loop_count(); ++loop)
                broker_.post(loop, [&broker = broker_, loop, client_id, connected_at_ms] {
                    broker.loop(loop).take_over_for_cluster(client_id, connected_at_ms);
                });
        });
    if (!ownership) return std::unexpected(ownership.error());
    ownership_ = std::move(*ownership);
    auto stream = MessageStream::start(
        connection_.get(), jetstream,
        MessageStream::Bounds{settings.replicas, settings.stream_max_age, settings.stream_max_bytes});
    if (!stream) return std::unexpected(stream.error());
    stream_ = std::move(*stream);
    auto sessions = SessionDirectory::start(connection_.get(), jetstream, broker_, *stream_, *claim_, node_,
                                            incarnation_, settings.replicas);
    if (!sessions) return std::unexpected(sessions.error());
    sessions_ = std::move(*sessions);
    auto watch = SessionWatch::start(jetstream, stored_interest_);
    if (!watch) return std::unexpected(watch.error());
    session_watch_ = std::move(*watch);
    if (!stored_interest_.wait_loaded(kSessionsWait))
        logger().log(LogType::warning,
                     "Warning: cluster: the records of persistent sessions were not read within {} s: every "
                     "QoS 1/2 message is stored until they are.",
                     kSessionsWait.count() / 1000);
    auto wills =
        WillKeeper::start(jetstream, broker_, *ownership_, *claim_, node_, incarnation_, settings.replicas);
    if (!wills) return std::unexpected(wills.error());
    wills_ = std::move(*wills);
    return learn_remote_interest();
}

// Announces this node's interest from now on, and learns the other nodes' before serving anyone: a message
// a client publishes once the node is up reaches the subscribers other nodes had then.
std::expected<void, std::string> ClusterNode::learn_remote_interest() {
    gossip_ = std::make_unique<InterestGossip>(connection_.get(), node_, incarnation_, remote_interest_);
    interest_ = std::make_unique<Interest>(connection_.get(), on_message, this, *gossip_);
    auto started = gossip_->start([this](const std::string& reply) { interest_->send_snapshot(reply); });
    if (!started) return started;
    // Deltas missed while away from NATS: everyone's snapshot again.
    reconnect_relay_.listen([this] { gossip_->request_sync({}); });
    // Every few seconds, with the claim's renewal: the interest of nodes whose claim lapsed (killed) goes,
    // and live nodes whose interest is unknown (silent at start, or back after a lapse) are asked for it.
    claim_->on_renewal([this](const std::vector<std::string>& live) {
        for (const auto& node : remote_interest_.keep_only(live))
            gossip_->request_sync(node);
        wills_->live_nodes(live);  // a node gone since: one survivor publishes its clients' wills
    });
    auto silent =
        remote_interest_.wait_for(claim_->other_nodes().value_or(std::vector<std::string>()), kInterestWait);
    if (!silent.empty())
        logger().log(LogType::warning,
                     "Warning: cluster: nodes {} did not say what they are interested in within {} s; their "
                     "subscribers get messages from this node once they do.",
                     fmt::join(silent, ", "), kInterestWait.count() / 1000);
    return {};
}

ClusterNode::ClusterNode(const config::ClusterSettings& settings, broker::Broker& broker)
    : broker_(broker),
      node_(settings.node),
      incarnation_(random_incarnation()),
      outlets_(static_cast<std::size_t>(broker.loop_count())) {
    for (std::size_t loop = 0; loop < outlets_.size(); ++loop) {
        outlets_[loop].origin = fmt::format("{}:{}:{}", node_, incarnation_, loop);
        outlets_[loop].stored_origin = {outlets_[loop].origin, 0};
        inboxes_.push_back(std::make_shared<LoopInbox>());
    }
}

ClusterNode::~ClusterNode() {
    stop();
}

void ClusterNode::stop() {
    {
        std::lock_guard lock(receive_mutex_);
        if (stopped_) return;
        stopped_ = true;
    }
    if (attached_) broker_.use_cluster(nullptr);
    reconnect_relay_.listen(nullptr);
    bool connected = connection_ && natsConnection_Status(connection_.get()) == NATS_CONN_STATUS_CONNECTED;
    // NATS out of reach: closed first, so that what the parts do as they stop (a KV watcher deletes its
    // consumer, a claim's renewal) fails at once rather than waiting out a JetStream timeout each.
    if (connection_ && !connected) natsConnection_Close(connection_.get());
    if (claim_) claim_->on_renewal(nullptr);
    if (ownership_) ownership_->stop();
    if (sessions_) sessions_->stop();
    if (session_watch_) session_watch_->stop();
    if (wills_) wills_->stop();  // before the claim goes: nobody is to publish this node's clients' wills
    if (stream_) stream_->stop();
    if (gossip_) gossip_->stop();
    if (interest_) interest_->clear();
    if (retained_) retained_->stop();
    if (claim_ && connected) claim_->release();  // the name is free at once
    if (gossip_ && connected) gossip_->send_gone();
    claim_.reset();
    if (connected)
        natsConnection_FlushTimeout(connection_.get(), 1000);  // what the last loop turns published
    if (connection_) natsConnection_Close(connection_.get());
    retained_.reset();
    ownership_.reset();
    sessions_.reset();
    session_watch_.reset();
    wills_.reset();
    stream_.reset();
    interest_.reset();
    gossip_.reset();
    jetstream_.reset();
    connection_.reset();
    // libnats's own threads and memory: the process ends soon, but sanitizers look at it before.
    nats_CloseAndWait(2000);
}

void ClusterNode::publish(const broker::Message& message, int loop, std::string_view served_groups) {
    LoopOutlet& outlet = outlets_[static_cast<std::size_t>(loop)];
    bool stored_at_publish = std::exchange(outlet.held_stored, false);
    if (stays_local(message) || !connection_) return;
    if (wanted_elsewhere(outlet, message.topic)) {
        // Subject and frame in the loop's own buffers, published as bytes: no natsMsg, no headers.
        outlet.served.clear();
        if (!served_groups.empty()) append_served_queues(served_groups, outlet.served);
        outlet.frame.clear();
        write_frame(message, outlet.origin, ++outlet.sequence, outlet.served, outlet.frame);
        send(outlet);
    }
    // After the routed copy, on the same connection: once JetStream acknowledged this one, NATS has the
    // routed one too.
    if (message.qos != protocol::QoS::at_most_once && !stored_at_publish) store_copy(message, loop, outlet);
    if (!message.retain) return;
    // The cluster's copy of the retained message (an empty payload clears it): the stream keeps the last.
    subject_from_topic(kRetainedPrefix, message.topic, outlet.subject);
    outlet.frame.clear();
    write_frame(message, outlet.origin, 0, {}, outlet.frame);
    send(outlet);
}

void ClusterNode::store_copy(const broker::Message& message, int loop, LoopOutlet& outlet) {
    if (!stream_) return;
    // Only what a persistent session could want: a message only clean sessions get is not stored, and its
    // publisher's acknowledgement does not wait for JetStream (the QoS 1 cost of cluster mode).
    if (!wanted_stored(outlet, message.topic)) return;
    // The publisher's acknowledgement (PUBACK, PUBREC) waits for JetStream's (the loop's fence).
    stream_->store(message, outlet.subject, outlet.stored_origin,
                   broker_.loop(loop).store_step().hold_open());
}

void ClusterNode::store_held(const broker::Message& message, int loop) {
    if (stays_local(message) || !connection_) return;
    store_copy(message, loop, outlets_[static_cast<std::size_t>(loop)]);
}

void ClusterNode::releasing_held(int loop) {
    outlets_[static_cast<std::size_t>(loop)].held_stored = true;
}

bool ClusterNode::wanted_elsewhere(LoopOutlet& outlet, std::string_view topic) {
    // One atomic read per message, of a word written only when interest changes.
    if (outlet.interest_version != remote_interest_.version())
        outlet.remote_interest = remote_interest_.trie(outlet.interest_version);
    if (outlet.remote_interest->empty()) return false;  // no subject built: node-local traffic's cost
    subject_from_topic(kMessagePrefix, topic, outlet.subject);
    return outlet.remote_interest->matches(outlet.subject);
}

bool ClusterNode::wanted_stored(LoopOutlet& outlet, std::string_view topic) {
    if (outlet.stored_interest_version != stored_interest_.version())
        outlet.stored_interest = stored_interest_.trie(outlet.stored_interest_version);
    if (outlet.stored_interest->empty()) return false;
    subject_from_topic(MessageStream::kPrefix, topic, outlet.subject);
    return outlet.stored_interest->matches(outlet.subject);
}

void ClusterNode::send(LoopOutlet& outlet) {
    natsStatus s = natsConnection_Publish(connection_.get(), outlet.subject.c_str(), outlet.frame.data(),
                                          static_cast<int>(outlet.frame.size()));
    if (s == NATS_OK) {
        outlet.failing = false;
        // Only this loop writes it: a plain load and store, no locked read-modify-write.
        outlet.sent.store(outlet.sent.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return;
    }
    if (!outlet.failing)
        logger().log(LogType::warning,
                     "Warning: cluster: messages to other nodes are being dropped ({}): NATS is out of reach "
                     "and its buffer is full.",
                     nats_error(s));
    outlet.failing = true;
}

void ClusterNode::interest_added(std::string_view filter) {
    if (interest_) interest_->add(filter);
}

void ClusterNode::interest_removed(std::string_view filter) {
    if (interest_) interest_->remove(filter);
}

void ClusterNode::client_connected(const std::string& client_id, std::int64_t connected_at_ms, int loop,
                                   bool clean_start, bool session_present) {
    if (ownership_) ownership_->claim(client_id, connected_at_ms);
    if (sessions_) sessions_->connected(client_id, loop, clean_start, session_present);
}

void ClusterNode::session_offline(const broker::ClusterSession& session) {
    if (sessions_) sessions_->offline(session);
}

void ClusterNode::session_online(const broker::ClusterSession& session) {
    if (sessions_) sessions_->online(session);
}

void ClusterNode::session_expired(const std::string& client_id) {
    if (sessions_) sessions_->expired(client_id);
}

void ClusterNode::client_will(const std::string& client_id, const protocol::Will& will) {
    if (wills_) wills_->keep(client_id, will);
}

void ClusterNode::client_disconnected(const std::string& client_id, std::int64_t connected_at_ms,
                                      bool will_waits) {
    if (ownership_) ownership_->release(client_id, connected_at_ms);
    // A will that waits out its delay here stays in the bucket until will_settled: published by another node
    // if this one dies first.
    if (wills_ && !will_waits) wills_->forget(client_id);
    if (wills_ && will_waits) wills_->waiting(client_id);
}

void ClusterNode::will_settled(const std::string& client_id) {
    if (wills_) wills_->forget(client_id);
}

broker::ClusterFigures ClusterNode::figures() {
    broker::ClusterFigures f;
    for (const auto& outlet : outlets_)
        f.sent += outlet.sent.load(std::memory_order_relaxed);
    f.connected = connection_ && natsConnection_Status(connection_.get()) == NATS_CONN_STATUS_CONNECTED;
    f.received = received_.load(std::memory_order_relaxed);
    f.interest_local = interest_ ? interest_->size() : 0;
    f.interest_remote = remote_interest_.subject_count();
    f.interest_nodes = remote_interest_.node_count();
    if (stream_) {
        f.stored = stream_->stored();
        f.store_failures = stream_->failures();
    }
    if (sessions_) {
        f.sessions_recorded = sessions_->recorded();
        f.sessions_resumed = sessions_->resumed();
    }
    return f;
}

void ClusterNode::sys_figures(std::vector<broker::SysValue>& changed) {
    broker::ClusterFigures f = figures();
    std::pair<const char*, std::string> values[] = {
        {"nats/connected", f.connected ? "1" : "0"},
        {"messages/sent", std::to_string(f.sent)},
        {"messages/received", std::to_string(f.received)},
        {"interest/local", std::to_string(f.interest_local)},
        {"interest/remote", std::to_string(f.interest_remote)},
        {"interest/nodes", std::to_string(f.interest_nodes)},
    };
    for (auto& [name, value] : values) {
        std::string topic = std::string("$SYS/broker/cluster/") + name;
        std::string& last = sys_last_[topic];
        if (last == value) continue;
        last = value;
        changed.push_back({std::move(topic), std::move(value)});
    }
}

void ClusterNode::on_message(natsConnection*, natsSubscription* subscription, natsMsg* message,
                             void* closure) {
    MessagePtr owned(message);
    static_cast<ClusterNode*>(closure)->receive(subscription, message);
}

void ClusterNode::receive(natsSubscription* subscription, natsMsg* message) {
    std::string_view subject = natsMsg_GetSubject(message);
    auto frame = read_frame(
        std::string_view(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message))));
    if (!frame) {
        logger().log(LogType::warning, "Warning: cluster: message from NATS on '{}' skipped: {}.", subject,
                     frame.error());
        return;
    }
    std::lock_guard lock(receive_mutex_);  // held while posting: the destructor waits for it
    if (stopped_ || !interest_) return;
    // A plain subscription's copy is for this node's plain subscribers; a queue group's copy (NATS picked
    // this node among the group's) for one member of that shared group, unless the publishing node gave it
    // to a member of its own.
    auto queue = interest_->queue_of(natsSubscription_GetID(subscription));
    if (!queue || seen_before(frame->origin, frame->sequence, *queue)) return;
    std::string group;
    if (!queue->empty()) {
        if (served_here(frame->served, *queue)) return;
        group = share_group_of(*queue).value_or(std::string());
    }
    // One sending loop, one receiving loop: what a publisher sent (its connection lives on one loop of its
    // node) is delivered in the order it was sent, whatever the topics.
    std::string_view key = frame->origin.empty() ? subject : frame->origin;
    int loop =
        static_cast<int>(std::hash<std::string_view>{}(key) % static_cast<std::size_t>(broker_.loop_count()));
    if (hand_to_loop(loop, subject, group,
                     std::string_view(natsMsg_GetData(message),
                                      static_cast<std::size_t>(natsMsg_GetDataLength(message)))))
        received_.store(received_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

// The frames wait in the loop's inbox, as bytes: the loop decodes them, so that what a message allocates is
// allocated and freed on one thread. The first frame in an empty inbox posts the task that takes them all:
// one cross-loop post (one wake-up of the loop) per batch, however many arrived meanwhile.
bool ClusterNode::hand_to_loop(int loop, std::string_view subject, std::string_view group,
                               std::string_view frame) {
    const auto& inbox = inboxes_[static_cast<std::size_t>(loop)];
    switch (inbox->put(subject, group, frame)) {
        case LoopInbox::Put::full:
            if (!std::exchange(inbox_overflowing_, true))
                logger().log(
                    LogType::warning,
                    "Warning: cluster: messages from other nodes are being dropped: loop {} has {} MiB of "
                    "them waiting (it cannot keep up with what the other nodes send).",
                    loop, LoopInbox::kLimit >> 20);
            return false;
        case LoopInbox::Put::queued_first:
            broker_.post(loop, [&broker = broker_, loop, inbox] { drain(broker, loop, *inbox); });
            break;
        case LoopInbox::Put::queued:
            break;
    }
    inbox_overflowing_ = false;
    return true;
}

void ClusterNode::drain(broker::Broker& broker, int loop, LoopInbox& inbox) {
    auto& router = broker.loop(loop).router();
    inbox.take([&](const LoopInbox::Entry& entry) {
        auto frame = read_frame(entry.frame);  // read once already on the delivery thread: it reads again
        if (!frame) return;
        auto message = message_from_frame(*frame, entry.subject, kMessagePrefix);
        if (!message) {
            logger().log(LogType::warning, "Warning: cluster: message from NATS skipped: {}.",
                         message.error());
            return;
        }
        router.route_from_cluster(*message, entry.group);
    });
}

bool ClusterNode::seen_before(std::string_view origin, std::uint64_t sequence, const std::string& queue) {
    if (origin.empty() || sequence == 0) return false;
    std::string_view key = origin;
    if (!queue.empty()) {
        dedupe_key_.assign(origin);
        dedupe_key_ += ' ';
        dedupe_key_ += queue;
        key = dedupe_key_;
    }
    auto found = last_sequence_.find(key);
    if (found == last_sequence_.end()) found = last_sequence_.emplace(std::string(key), 0).first;
    if (sequence <= found->second) return true;
    found->second = sequence;
    return false;
}

}  // namespace culex::cluster
