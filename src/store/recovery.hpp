// What a store found when it opened and loaded: what was intact, what was dropped and why. Never silent: the
// broker logs summary() at start, and every dropped item is named (up to a limit, then counted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace culex::store {

// The kinds of record, as a store counts and reports them.
enum class RecordKind { retained, session, subscription, queued, inflight, will };
constexpr std::size_t kRecordKinds = 6;
const char* to_string(RecordKind kind);

struct Recovery {
    struct Dropped {
        RecordKind kind;
        std::string key;             // the client id, topic or filter, as far as it could be read
        std::string why;             // "checksum mismatch", "its session record was damaged", an SQLite error
        std::uint64_t sequence = 0;  // a queued message's (read_queue), so that the broker can remove it
    };
    static constexpr std::size_t kMaxListed = 100;

    // Records loaded intact, by kind (queued messages: counted from their summaries; their bodies are
    // verified when paged in).
    std::size_t intact[kRecordKinds] = {};
    std::size_t dropped_count[kRecordKinds] = {};
    bool unknown_count[kRecordKinds] = {};  // some rows of that kind could not be read at all
    std::vector<Dropped> dropped;           // the first kMaxListed, in the order found

    // Set when the file itself was damaged: where the damaged file was moved, and what SQLite said.
    std::optional<std::filesystem::path> damaged_file;
    std::string damage;
    // Other things worth one log line each (a migration done, a table that could not be read to its end).
    std::vector<std::string> notes;

    void count_intact(RecordKind kind, std::size_t n = 1) { intact[static_cast<int>(kind)] += n; }
    // `count` records under one name (a damaged session's whole queue, say).
    void drop(RecordKind kind, std::string key, std::string why, std::size_t count = 1);
    // Rows of a kind past a damaged page: how many is unknown, so at least one is counted.
    void unreadable(RecordKind kind, std::string where, std::string why);
    void note(std::string line) { notes.push_back(std::move(line)); }

    std::size_t total_dropped() const;
    // True when nothing was dropped and the file was sound.
    bool clean() const { return total_dropped() == 0 && !damaged_file && damage.empty(); }
    // A few lines for the log: counts, the damage and where the damaged file went, each dropped item.
    std::string summary() const;
};

}  // namespace culex::store
