#include "store/cancel_out.hpp"

#include <boost/container/small_vector.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace culex::store {

namespace {

struct Position {
    std::size_t batch;
    std::size_t operation;
};

struct Puts {
    boost::container::small_vector<Position, 2> positions;  // most exchanges: one or two puts in a round
    bool starts_exchange = false;                           // the first of them
};

// The first state of an exchange: the broker issues it only for a packet id whose earlier record is deleted.
bool starts_exchange(InflightState state) {
    return state == InflightState::publish_sent || state == InflightState::received_not_released;
}

// A record's key, viewing the client id inside the round's operations (they outlive the cancelling): no
// string is built per operation. `number` is a queued message's sequence or an exchange's packet id; `kind`
// tells queued from outgoing and incoming exchanges.
struct Key {
    std::string_view client_id;
    std::uint64_t number;
    char kind;
    bool operator==(const Key&) const = default;
};

struct KeyHash {
    std::size_t operator()(const Key& key) const {
        std::size_t h = std::hash<std::string_view>{}(key.client_id);
        return h ^ (std::hash<std::uint64_t>{}(key.number * 4 + static_cast<unsigned char>(key.kind)) +
                    0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    }
};

Key queued_key(const std::string& client_id, std::uint64_t sequence) {
    return {client_id, sequence, 'q'};
}

Key inflight_key(const std::string& client_id, Direction direction, std::uint16_t packet_id) {
    return {client_id, packet_id, direction == Direction::outgoing ? 'o' : 'i'};
}

template <typename Map>
void forget_client(Map& map, const std::string& client_id) {
    std::erase_if(map, [&](const auto& entry) { return entry.first.client_id == client_id; });
}

}  // namespace

std::size_t cancel_out(std::span<Batch* const> round) {
    std::unordered_map<Key, Position, KeyHash> enqueued;
    std::unordered_map<Key, Puts, KeyHash> put;
    std::vector<std::vector<bool>> keep(round.size());
    std::size_t operation_count = 0;
    for (const Batch* batch : round)
        operation_count += batch->size();
    enqueued.reserve(operation_count / 4);  // about a quarter of a busy round's operations each (no rehash)
    put.reserve(operation_count / 4);
    std::size_t removed = 0;
    auto drop = [&](Position p) {
        if (keep[p.batch][p.operation]) ++removed;
        keep[p.batch][p.operation] = false;
    };

    for (std::size_t b = 0; b < round.size(); ++b) {
        const auto& operations = round[b]->operations();
        keep[b].assign(operations.size(), true);
        for (std::size_t i = 0; i < operations.size(); ++i) {
            const Operation& operation = operations[i];
            if (const auto* o = std::get_if<op::Enqueue>(&operation)) {
                enqueued[queued_key(o->message.client_id, o->message.sequence)] = {b, i};
            } else if (const auto* o = std::get_if<op::Dequeue>(&operation)) {
                if (o->first != o->last) continue;
                auto it = enqueued.find(queued_key(o->client_id, o->first));
                if (it == enqueued.end()) continue;
                drop(it->second);
                drop({b, i});
                enqueued.erase(it);
            } else if (const auto* o = std::get_if<op::PutInflight>(&operation)) {
                const auto& r = o->record;
                auto& puts = put[inflight_key(r.client_id, r.direction, r.packet_id)];
                if (puts.positions.empty()) puts.starts_exchange = starts_exchange(r.state);
                puts.positions.push_back({b, i});
            } else if (const auto* o = std::get_if<op::DeleteInflight>(&operation)) {
                auto it = put.find(inflight_key(o->client_id, o->direction, o->packet_id));
                if (it == put.end()) continue;
                for (auto p : it->second.positions)
                    drop(p);
                if (it->second.starts_exchange) drop({b, i});  // no row of this key before the round
                put.erase(it);
            } else if (const auto* o = std::get_if<op::DeleteSession>(&operation)) {
                forget_client(enqueued, o->client_id);
                forget_client(put, o->client_id);
            }
        }
    }
    if (removed == 0) return 0;
    for (std::size_t b = 0; b < round.size(); ++b)
        round[b]->keep_only(keep[b]);
    return removed;
}

}  // namespace culex::store
