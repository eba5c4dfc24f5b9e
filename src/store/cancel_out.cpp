#include "store/cancel_out.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace culex::store {

namespace {

struct Position {
    std::size_t batch;
    std::size_t operation;
};

struct Puts {
    std::vector<Position> positions;
    bool starts_exchange = false;  // the first of them
};

// The first state of an exchange: the broker issues it only for a packet id whose earlier record is deleted.
bool starts_exchange(InflightState state) {
    return state == InflightState::publish_sent || state == InflightState::received_not_released;
}

std::string queued_key(const std::string& client_id, std::uint64_t sequence) {
    std::string key = client_id;
    key.push_back('\0');
    key.append(reinterpret_cast<const char*>(&sequence), sizeof sequence);
    return key;
}

std::string inflight_key(const std::string& client_id, Direction direction, std::uint16_t packet_id) {
    std::string key = client_id;
    key.push_back('\0');
    key.push_back(direction == Direction::outgoing ? 'o' : 'i');
    key.append(reinterpret_cast<const char*>(&packet_id), sizeof packet_id);
    return key;
}

// The client id a key starts with.
bool belongs_to(const std::string& key, const std::string& client_id) {
    return key.size() > client_id.size() && key.compare(0, client_id.size(), client_id) == 0 &&
           key[client_id.size()] == '\0';
}

template <typename Map>
void forget_client(Map& map, const std::string& client_id) {
    std::erase_if(map, [&](const auto& entry) { return belongs_to(entry.first, client_id); });
}

}  // namespace

std::size_t cancel_out(std::span<Batch* const> round) {
    std::unordered_map<std::string, Position> enqueued;
    std::unordered_map<std::string, Puts> put;
    std::vector<std::vector<bool>> keep(round.size());
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
