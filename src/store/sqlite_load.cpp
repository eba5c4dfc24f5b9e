// SqliteStore::load(): every table read once, in key order, each row's checksum verified.
#include <type_traits>
#include <unordered_set>

#include <fmt/format.h>

#include "store/sqlite_rows.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_store.hpp"

namespace culex::store {

namespace {

using sqlite::Statement;

constexpr const char* kChecksumMismatch = "checksum mismatch: the row was changed on disk";
constexpr const char* kSessionDamaged = "its session record was damaged";

struct Loader {
    const sqlite::Database& db;
    Recovery& recovery;
    std::unordered_set<std::string> damaged_sessions;

    // Reads a whole table; a read error ends the table (reported: the rows after it are not loaded).
    template <class Record, class Read, class Keep>
    std::expected<void, sqlite::Error> scan(RecordKind kind, Read read, Keep keep) {
        const auto& t = sqlite::table(kind);
        auto select = Statement::prepare(db, fmt::format("SELECT {} FROM {}", t.columns, t.name));
        if (!select) return std::unexpected(select.error());
        while (true) {
            auto row = select->step();
            if (!row) {
                if (!row.error().damaged()) return std::unexpected(row.error());
                recovery.unreadable(kind, fmt::format("(table {}: the rows after the last one read)", t.name),
                                    "unreadable: " + row.error().message);
                return {};
            }
            if (!*row) return {};
            std::optional<Record> record = read(*select, 0);
            if (!record) {
                std::string key = sqlite::row_key(*select);
                if (kind == RecordKind::session) damaged_sessions.insert(key);
                recovery.drop(kind, std::move(key), kChecksumMismatch);
                continue;
            }
            if constexpr (!std::is_same_v<Record, SessionRecord> && !std::is_same_v<Record, RetainedRecord>) {
                if (damaged_sessions.contains(record->client_id)) {
                    recovery.drop(kind, record->client_id, kSessionDamaged);
                    continue;
                }
            }
            recovery.count_intact(kind);
            keep(std::move(*record));
        }
    }

    std::expected<void, sqlite::Error> queues(std::vector<QueueSummary>& out) {
        auto select = Statement::prepare(
            db,
            "SELECT client_id, count(*), sum(length(CAST(topic AS BLOB)) + length(payload) + "
            "length(properties)), min(sequence), "
            "max(sequence) FROM queued GROUP BY client_id ORDER BY client_id");
        if (!select) return std::unexpected(select.error());
        while (true) {
            auto row = select->step();
            if (!row) {
                if (!row.error().damaged()) return std::unexpected(row.error());
                recovery.unreadable(RecordKind::queued, "(table queued)",
                                    "unreadable: " + row.error().message);
                return {};
            }
            if (!*row) return {};
            QueueSummary q{std::string(select->column_text(0)),
                           static_cast<std::uint64_t>(select->column_int(1)),
                           static_cast<std::uint64_t>(select->column_int(2)),
                           static_cast<std::uint64_t>(select->column_int(3)),
                           static_cast<std::uint64_t>(select->column_int(4))};
            if (damaged_sessions.contains(q.client_id)) {
                recovery.drop(RecordKind::queued, q.client_id, kSessionDamaged, q.count);
                continue;
            }
            recovery.count_intact(RecordKind::queued, q.count);
            out.push_back(std::move(q));
        }
    }
};

}  // namespace

std::expected<LoadedState, StoreError> SqliteStore::load() {
    LoadedState state;
    state.recovery = opened_;
    Loader loader{db_, state.recovery, {}};
    auto into = [](auto& vector) {
        return [&vector](auto&& record) { vector.push_back(std::move(record)); };
    };

    // Sessions first: the rest of a session whose record is damaged is dropped with it (no session to hold
    // it).
    std::expected<void, sqlite::Error> done =
        loader.scan<SessionRecord>(RecordKind::session, sqlite::read_session, into(state.sessions));
    if (done)
        done = loader.scan<RetainedRecord>(RecordKind::retained, sqlite::read_retained, into(state.retained));
    if (done)
        done = loader.scan<SubscriptionRecord>(RecordKind::subscription, sqlite::read_subscription,
                                               into(state.subscriptions));
    if (done)
        done = loader.scan<InflightRecord>(RecordKind::inflight, sqlite::read_inflight, into(state.inflight));
    if (done) done = loader.scan<WillRecord>(RecordKind::will, sqlite::read_will, into(state.wills));
    if (done) done = loader.queues(state.queues);
    if (!done) return std::unexpected(io_error(done.error(), "be loaded"));
    return state;
}

}  // namespace culex::store
