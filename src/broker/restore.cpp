#include "broker/restore.hpp"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "broker/broker.hpp"
#include "broker/loop_broker.hpp"
#include "broker/stored_records.hpp"
#include "log/logger.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;
namespace chrono = std::chrono;

std::string RestoreReport::summary() const {
    std::string line = fmt::format(
        "Restored {} sessions, {} subscriptions, {} queued and {} in-flight messages, {} wills, {} retained "
        "messages.",
        sessions, subscriptions, queued, inflight, wills, retained);
    if (expired_sessions > 0)
        line += fmt::format(" {} sessions expired while the broker was down.", expired_sessions);
    if (expired_messages > 0)
        line += fmt::format(" {} messages expired while it was down.", expired_messages);
    return line;
}

namespace {

bool passed(const std::optional<store::Deadline>& deadline, store::Deadline now) {
    return deadline && *deadline <= now;
}

class Restorer {
  public:
    Restorer(Broker& broker, store::Store& store) : broker_(broker), store_(store) {}

    std::expected<RestoreReport, store::StoreError> run(const store::LoadedState& state) {
        now_ = chrono::time_point_cast<chrono::milliseconds>(chrono::system_clock::now());
        restore_retained(state);
        restore_sessions(state);
        restore_subscriptions(state);
        restore_inflight(state);
        restore_queues(state);
        restore_wills(state);
        // The restored sessions store through their loop from now on (not before: restoring is no change).
        for (auto& [id, session] : sessions_) {
            session->use_store(&broker_.loop(session->anchor()->loop.load()).store_step());
            session->anchor()->stores.store(session->stores(), std::memory_order_relaxed);
        }
        broker_.sequences_after(last_sequence_);
        if (!cleanup_.empty())
            if (auto done = store_.commit(cleanup_); !done) return std::unexpected(done.error());
        return report_;
    }

  private:
    void restore_retained(const store::LoadedState& state) {
        for (const auto& r : state.retained) {
            if (passed(r.expires_at, now_)) {
                ++report_.expired_messages;
                cleanup_.delete_retained(r.topic);
                continue;
            }
            broker_.retained().store(
                stored::message(r.topic, r.payload, r.qos, true, r.properties, r.expires_at));
            ++report_.retained;
        }
    }

    void restore_sessions(const store::LoadedState& state) {
        auto steady_now = chrono::steady_clock::now();
        for (const auto& r : state.sessions) {
            if (passed(r.expires_at, now_)) {
                ++report_.expired_sessions;
                cleanup_.delete_session(r.client_id);
                logger().log(LogType::notice, "Expiring client {} due to timeout.", r.client_id);
                continue;
            }
            int loop = static_cast<int>(std::hash<std::string>{}(r.client_id) %
                                        static_cast<std::size_t>(broker_.loop_count()));
            bool created = false;
            AnchorPtr anchor = broker_.sessions().find_or_create(r.client_id, loop, created);
            if (!created) continue;  // one record per client id: never expected
            Session& s = broker_.loop(loop).restore_session(anchor);
            s.expiry = r.expiry_interval ? std::optional(chrono::duration<std::uint32_t>(*r.expiry_interval))
                                         : std::nullopt;
            // Offline since its connection was lost (before the restart) or, if it was connected when the
            // broker stopped, since now.
            s.offline_since = steady_now;
            if (r.expires_at && s.expiry)
                s.offline_since = steady_now - (chrono::seconds(s.expiry->count()) - (*r.expires_at - now_));
            s.listener = r.listener;
            s.username = make_user_name(r.username);
            s.version = r.version;
            sessions_.emplace(r.client_id, &s);
            ++report_.sessions;
        }
    }

    Session* session(const std::string& client_id) {
        auto it = sessions_.find(client_id);
        return it == sessions_.end() ? nullptr : it->second;
    }

    void restore_subscriptions(const store::LoadedState& state) {
        for (const auto& r : state.subscriptions) {
            Session* s = session(r.client_id);
            if (!s) continue;  // its session expired meanwhile, and its rows go with it
            std::string filter = stored::full_filter(r);
            SubscriptionOptions options{r.qos, r.no_local, r.retain_as_published,
                                        r.subscription_id.value_or(0)};
            broker_.subscriptions().subscribe(filter, s->anchor(), options);
            s->filters()[filter] = options;
            ++report_.subscriptions;
        }
    }

    void restore_inflight(const store::LoadedState& state) {
        std::vector<const store::InflightRecord*> records;
        for (const auto& r : state.inflight)
            records.push_back(&r);
        // Resent in the order they were first sent.
        std::sort(records.begin(), records.end(), [](auto* a, auto* b) {
            return std::tie(a->client_id, a->sequence) < std::tie(b->client_id, b->sequence);
        });
        for (const auto* r : records) {
            Session* s = session(r->client_id);
            if (!s) continue;
            ++report_.inflight;
            last_sequence_ = std::max(last_sequence_, r->sequence);
            if (r->direction == store::Direction::incoming) {
                s->hold_incoming(r->packet_id, stored::message(r->topic, r->payload, r->qos, r->retain,
                                                               r->properties, r->expires_at));
                continue;
            }
            bool released = r->state == store::InflightState::pubrec_received;
            MessagePtr message = released ? nullptr
                                          : stored::message(r->topic, r->payload, r->qos, r->retain,
                                                            r->properties, r->expires_at);
            // The delivery QoS is the record's; the message's own QoS only matters for its copy's flags.
            s->restore_outgoing(r->packet_id, r->sequence, std::move(message), r->qos, r->retain,
                                stored::share_key(r->share_name), released);
        }
    }

    // Counts only: queued messages stay in the store until their client takes them.
    void restore_queues(const store::LoadedState& state) {
        for (const auto& summary : state.queues) {
            last_sequence_ = std::max(last_sequence_, summary.last_sequence);
            Session* s = session(summary.client_id);
            if (!s) {
                // Its session expired while the broker was down, or was ended as this was routed to it.
                cleanup_.dequeue(summary.client_id, summary.first_sequence, summary.last_sequence);
                continue;
            }
            // Its messages stay in the store until its client takes them (session_stored_queue.cpp).
            s->restore_stored_queue(summary.count, summary.bytes);
            report_.queued += summary.count;
        }
    }

    void restore_wills(const store::LoadedState& state) {
        auto steady_now = chrono::steady_clock::now();
        for (const auto& r : state.wills) {
            Session* s = session(r.client_id);
            if (!s) continue;
            s->will = std::make_unique<Session::DelayedWill>(stored::will(r));
            // Due when its delay runs out; a will whose connection was up when the broker stopped lost that
            // connection with the broker: its delay starts now.
            s->will->due =
                r.due_at ? stored::to_steady(*r.due_at) : steady_now + chrono::seconds(r.delay_interval);
            ++report_.wills;
        }
    }

    Broker& broker_;
    store::Store& store_;
    store::Deadline now_;
    std::unordered_map<std::string, Session*> sessions_;
    store::Batch cleanup_;             // what expired while the broker was down
    std::uint64_t last_sequence_ = 0;  // the highest of the queued and in-flight records, kept or not
    RestoreReport report_;
};

}  // namespace

std::expected<RestoreReport, store::StoreError> restore(Broker& broker, store::Store& store,
                                                        const store::LoadedState& state) {
    return Restorer(broker, store).run(state);
}

}  // namespace culex::broker
