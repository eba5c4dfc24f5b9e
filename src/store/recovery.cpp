#include "store/recovery.hpp"

#include <fmt/format.h>

namespace culex::store {

const char* to_string(RecordKind kind) {
    switch (kind) {
        case RecordKind::retained:
            return "retained message";
        case RecordKind::session:
            return "session";
        case RecordKind::subscription:
            return "subscription";
        case RecordKind::queued:
            return "queued message";
        case RecordKind::inflight:
            return "in-flight message";
        case RecordKind::will:
            return "will";
    }
    return "record";
}

void Recovery::drop(RecordKind kind, std::string key, std::string why, std::size_t count) {
    dropped_count[static_cast<int>(kind)] += count;
    if (count > 1) why += fmt::format(" ({} records)", count);
    if (dropped.size() < kMaxListed) dropped.push_back({kind, std::move(key), std::move(why)});
}

void Recovery::unreadable(RecordKind kind, std::string where, std::string why) {
    unknown_count[static_cast<int>(kind)] = true;
    drop(kind, std::move(where), std::move(why));
}

std::size_t Recovery::total_dropped() const {
    std::size_t total = 0;
    for (auto n : dropped_count)
        total += n;
    return total;
}

std::string Recovery::summary() const {
    std::string out = "store loaded:";
    for (std::size_t k = 0; k < kRecordKinds; ++k)
        out += fmt::format(" {} {}{},", intact[k], to_string(static_cast<RecordKind>(k)),
                           intact[k] == 1 ? "" : "s");
    out.pop_back();
    if (!damage.empty()) out += fmt::format("\nstore file was damaged: {}", damage);
    if (damaged_file)
        out += fmt::format("\nthe damaged file was moved to {}; a new store holds what was intact",
                           damaged_file->string());
    if (auto total = total_dropped(); total > 0) {
        out += "\nrecords dropped:";
        for (std::size_t k = 0; k < kRecordKinds; ++k)
            if (dropped_count[k])
                out += fmt::format(" {}{} {}{},", unknown_count[k] ? "at least " : "", dropped_count[k],
                                   to_string(RecordKind(k)), dropped_count[k] == 1 ? "" : "s");
        out.pop_back();
        for (const auto& d : dropped)
            out += fmt::format("\n\tdropped {} '{}': {}", to_string(d.kind), d.key, d.why);
        if (total > dropped.size()) out += fmt::format("\n\t... and {} more", total - dropped.size());
    }
    for (const auto& line : notes)
        out += "\n" + line;
    return out;
}

}  // namespace culex::store
