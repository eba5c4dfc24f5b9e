#include "cluster/interest.hpp"

#include "cluster/subject_map.hpp"
#include "log/logger.hpp"
#include "protocol/topic.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

// The subjects and queue group of a filter: a shared subscription's group becomes a NATS queue group, so
// that among the nodes with members only one receives each message.
template <typename Each>
void for_each_subject(std::string_view filter, Each each) {
    std::string queue;
    if (auto shared = protocol::parse_shared_filter(filter)) {
        queue = queue_group(shared->group);
        filter = shared->filter;
    }
    for (const auto& subject : subjects_from_filter(kMessagePrefix, filter))
        each(subject, queue);
}

}  // namespace

Interest::Interest(natsConnection* connection, natsMsgHandler handler, void* closure, InterestGossip& gossip)
    : connection_(connection), handler_(handler), closure_(closure), gossip_(gossip) {}

Interest::~Interest() {
    clear();
}

void Interest::add(std::string_view filter) {
    std::lock_guard lock(mutex_);
    for_each_subject(
        filter, [&](const std::string& subject, const std::string& queue) { add_subject(subject, queue); });
}

void Interest::remove(std::string_view filter) {
    std::lock_guard lock(mutex_);
    for_each_subject(filter, [&](const std::string& subject, const std::string& queue) {
        remove_subject(subject, queue);
    });
}

void Interest::add_subject(const std::string& subject, const std::string& queue) {
    Entry& entry = entries_[{subject, queue}];
    if (entry.references++ > 0) return;
    // Announced even if the subscription below fails: the others then send more than needed, not less.
    gossip_.send_delta(++sequence_, '+', subject);
    natsSubscription* raw = nullptr;
    natsStatus s = queue.empty()
                       ? natsConnection_Subscribe(&raw, connection_, subject.c_str(), handler_, closure_)
                       : natsConnection_QueueSubscribe(&raw, connection_, subject.c_str(), queue.c_str(),
                                                       handler_, closure_);
    if (s != NATS_OK) {
        // Counted anyway: its removal must balance. Messages from other nodes on it do not arrive.
        logger().log(LogType::error, "Error: cluster: cannot subscribe to NATS subject {}: {}.", subject,
                     nats_error(s));
        return;
    }
    entry.subscription.reset(raw);
    queue_by_sid_[natsSubscription_GetID(raw)] = queue;
}

std::optional<std::string> Interest::queue_of(std::int64_t sid) const {
    std::lock_guard lock(mutex_);
    auto found = queue_by_sid_.find(sid);
    if (found == queue_by_sid_.end()) return std::nullopt;
    return found->second;
}

void Interest::remove_subject(const std::string& subject, const std::string& queue) {
    auto found = entries_.find({subject, queue});
    if (found == entries_.end() || --found->second.references > 0) return;
    if (auto* subscription = found->second.subscription.get()) {
        queue_by_sid_.erase(natsSubscription_GetID(subscription));
        natsSubscription_Unsubscribe(subscription);
    }
    entries_.erase(found);
    gossip_.send_delta(++sequence_, '-', subject);
}

void Interest::send_snapshot(const std::string& reply) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> subjects;
    subjects.reserve(entries_.size());
    for (const auto& [key, entry] : entries_)
        subjects.push_back(key.first);
    gossip_.send_snapshot(reply, sequence_, subjects);
}

void Interest::clear() {
    std::lock_guard lock(mutex_);
    for (auto& [key, entry] : entries_)
        if (entry.subscription) natsSubscription_Unsubscribe(entry.subscription.get());
    entries_.clear();
    queue_by_sid_.clear();
}

std::size_t Interest::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace culex::cluster
