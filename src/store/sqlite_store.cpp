#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "store/sqlite_rows.hpp"
#include "store/sqlite_salvage.hpp"
#include "store/sqlite_schema.hpp"
#include "store/value_limit.hpp"

namespace culex::store {

namespace fs = std::filesystem;
using sqlite::Statement;

std::optional<SyncMode> parse_sync_mode(std::string_view word) {
    if (word == "os") return SyncMode::os;
    if (word == "fsync") return SyncMode::fsync;
    return std::nullopt;
}

namespace {

StoreError unavailable(const fs::path& path, std::string cause_and_fix) {
    return {StoreError::Kind::unavailable,
            fmt::format("cannot open the store {}: {}", path.string(), std::move(cause_and_fix))};
}

// The directory must exist and be writable (SQLite puts its -wal file next to the store), and the file, when
// it exists, readable and writable: checked first, so that the error names the path and the fix rather than
// SQLite's "unable to open database file".
std::expected<void, StoreError> check_place(const fs::path& path) {
    fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    std::error_code ec;
    if (!fs::exists(dir, ec))
        return std::unexpected(
            unavailable(path, fmt::format("the directory {} does not exist; create it (mkdir -p {}) or set "
                                          "persistence_location to an existing directory",
                                          dir.string(), dir.string())));
    if (!fs::is_directory(dir, ec))
        return std::unexpected(unavailable(
            path,
            fmt::format("{} is not a directory; set persistence_location to a directory", dir.string())));
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return std::unexpected(unavailable(
            path,
            fmt::format("the directory {} is not writable by this user ({}); make it writable (chown or "
                        "chmod) or set persistence_location to a directory that is",
                        dir.string(), std::strerror(errno))));
    if (fs::exists(path, ec)) {
        if (fs::is_directory(path, ec))
            return std::unexpected(
                unavailable(path, "it is a directory; set persistence_file to a file name inside it"));
        if (::access(path.c_str(), R_OK | W_OK) != 0)
            return std::unexpected(unavailable(
                path, fmt::format("the file cannot be read and written by this user ({}); fix its owner or "
                                  "mode (chown, chmod)",
                                  std::strerror(errno))));
    }
    return {};
}

// SQLite's files begin with these 16 bytes; anything else (Mosquitto's own persistence file, say) is not
// ours to salvage or overwrite.
constexpr std::string_view kSqliteHeader{"SQLite format 3\0", 16};

std::expected<void, StoreError> check_header(const fs::path& path, Recovery& recovery) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return {};
    if (fs::file_size(path, ec) == 0) {
        recovery.note(
            fmt::format("the store file {} was empty: starting with an empty store", path.string()));
        return {};
    }
    std::ifstream in(path, std::ios::binary);
    std::string head(16, '\0');
    in.read(head.data(), 16);
    head.resize(static_cast<std::size_t>(in.gcount()));
    if (head == kSqliteHeader) return {};
    std::string what = head.find("mosquitto db") != std::string::npos
                           ? "it is a Mosquitto persistence file, which culex does not read"
                           : "it does not begin with SQLite's header, so it is not a culex store";
    return std::unexpected(StoreError{
        StoreError::Kind::not_a_store,
        fmt::format(
            "cannot open the store {}: {}; culex leaves it untouched: set persistence_file to another "
            "name, or move the file away",
            path.string(), what)});
}

}  // namespace

struct SqliteStore::Statements {
    Statement begin, commit, rollback;
    Statement put_retained, delete_retained;
    Statement put_session, delete_session, delete_session_subscriptions, delete_session_queue,
        delete_session_inflight, delete_session_will;
    Statement add_subscription, remove_subscription;
    Statement enqueue, dequeue;
    Statement put_inflight, delete_inflight;
    Statement put_will, delete_will;
    Statement read_queue;

    static sqlite::Result<std::unique_ptr<Statements>> prepare(const sqlite::Database& db) {
        auto s = std::make_unique<Statements>();
        sqlite::Result<> status;
        auto one = [&](Statement& into, const std::string& sql) {
            if (!status) return;
            auto stmt = Statement::prepare(db, sql);
            if (stmt)
                into = std::move(*stmt);
            else
                status = std::unexpected(stmt.error());
        };
        auto insert = [&](Statement& into, RecordKind kind) {
            const auto& t = sqlite::table(kind);
            std::string marks = "?";
            for (int i = 1; i < t.column_count; ++i)
                marks += ", ?";
            one(into, fmt::format("INSERT OR REPLACE INTO {}({}) VALUES({})", t.name, t.columns, marks));
        };
        one(s->begin, "BEGIN IMMEDIATE");
        one(s->commit, "COMMIT");
        one(s->rollback, "ROLLBACK");
        insert(s->put_retained, RecordKind::retained);
        one(s->delete_retained, "DELETE FROM retained WHERE topic = ?");
        insert(s->put_session, RecordKind::session);
        one(s->delete_session, "DELETE FROM sessions WHERE client_id = ?");
        one(s->delete_session_subscriptions, "DELETE FROM subscriptions WHERE client_id = ?");
        one(s->delete_session_queue, "DELETE FROM queued WHERE client_id = ?");
        one(s->delete_session_inflight, "DELETE FROM inflight WHERE client_id = ?");
        one(s->delete_session_will, "DELETE FROM wills WHERE client_id = ?");
        insert(s->add_subscription, RecordKind::subscription);
        one(s->remove_subscription,
            "DELETE FROM subscriptions WHERE client_id = ? AND share_name = ? AND filter = ?");
        insert(s->enqueue, RecordKind::queued);
        one(s->dequeue, "DELETE FROM queued WHERE client_id = ? AND sequence BETWEEN ? AND ?");
        insert(s->put_inflight, RecordKind::inflight);
        one(s->delete_inflight,
            "DELETE FROM inflight WHERE client_id = ? AND direction = ? AND packet_id = ?");
        insert(s->put_will, RecordKind::will);
        one(s->delete_will, "DELETE FROM wills WHERE client_id = ?");
        one(s->read_queue, fmt::format("SELECT {} FROM queued WHERE client_id = ? AND sequence > ? ORDER BY "
                                       "sequence LIMIT ?",
                                       sqlite::table(RecordKind::queued).columns));
        if (!status) return std::unexpected(status.error());
        return s;
    }
};

// One operation of a batch, on the prepared statements; the bytes are bound from the batch, not copied.
struct SqliteStore::Apply {
    Statements& s;

    template <class Record>
    static sqlite::Result<> put(Statement& stmt, const Record& record) {
        sqlite::bind_row(stmt, record);
        return stmt.run();
    }
    static sqlite::Result<> by_id(Statement& stmt, std::string_view client_id) {
        stmt.bind_text(1, client_id);
        return stmt.run();
    }

    sqlite::Result<> operator()(const op::PutRetained& o) const { return put(s.put_retained, o.record); }
    sqlite::Result<> operator()(const op::DeleteRetained& o) const {
        return by_id(s.delete_retained, o.topic);
    }
    sqlite::Result<> operator()(const op::PutSession& o) const { return put(s.put_session, o.record); }
    sqlite::Result<> operator()(const op::DeleteSession& o) const {
        for (Statement* stmt : {&s.delete_session, &s.delete_session_subscriptions, &s.delete_session_queue,
                                &s.delete_session_inflight, &s.delete_session_will})
            if (auto done = by_id(*stmt, o.client_id); !done) return done;
        return {};
    }
    sqlite::Result<> operator()(const op::AddSubscription& o) const {
        return put(s.add_subscription, o.record);
    }
    sqlite::Result<> operator()(const op::RemoveSubscription& o) const {
        s.remove_subscription.bind_text(1, o.client_id).bind_text(2, o.share_name).bind_text(3, o.filter);
        return s.remove_subscription.run();
    }
    sqlite::Result<> operator()(const op::Enqueue& o) const { return put(s.enqueue, o.message); }
    sqlite::Result<> operator()(const op::Dequeue& o) const {
        s.dequeue.bind_text(1, o.client_id)
            .bind(2, static_cast<std::int64_t>(o.first))
            .bind(3, static_cast<std::int64_t>(o.last));
        return s.dequeue.run();
    }
    sqlite::Result<> operator()(const op::PutInflight& o) const { return put(s.put_inflight, o.record); }
    sqlite::Result<> operator()(const op::DeleteInflight& o) const {
        s.delete_inflight.bind_text(1, o.client_id)
            .bind(2, static_cast<std::int64_t>(o.direction))
            .bind(3, static_cast<std::int64_t>(o.packet_id));
        return s.delete_inflight.run();
    }
    sqlite::Result<> operator()(const op::PutWill& o) const { return put(s.put_will, o.record); }
    sqlite::Result<> operator()(const op::DeleteWill& o) const { return by_id(s.delete_will, o.client_id); }
};

SqliteStore::SqliteStore(const Options& options) : options_(options) {}
SqliteStore::~SqliteStore() {
    // Statements go before the connection they belong to.
    statements_.reset();
}

std::string SqliteStore::describe() const {
    return fmt::format("sqlite {} (persistence_sync {})", options_.path.string(),
                       options_.sync == SyncMode::fsync ? "fsync" : "os");
}

StoreError SqliteStore::io_error(const sqlite::Error& error, std::string_view doing) const {
    std::string fix;
    switch (error.code & 0xff) {
        case SQLITE_FULL:
            fix = "; free space on that file system";
            break;
        case SQLITE_READONLY:
            fix = "; make the file and its directory writable";
            break;
        case SQLITE_IOERR:
            fix = "; check the disk (dmesg)";
            break;
        default:
            break;
    }
    auto kind = (error.code & 0xff) == SQLITE_TOOBIG ? StoreError::Kind::too_large : StoreError::Kind::io;
    return {kind, fmt::format("the store {} could not {}: {}{}", options_.path.string(), doing, error.message,
                              fix)};
}

std::expected<std::unique_ptr<SqliteStore>, StoreError> SqliteStore::open(const Options& options) {
    if (auto ok = check_place(options.path); !ok) return std::unexpected(ok.error());
    std::unique_ptr<SqliteStore> store(new SqliteStore(options));
    if (auto ok = check_header(options.path, store->opened_); !ok) return std::unexpected(ok.error());
    // A new store is private to the broker's user (it holds every retained message and queued payload);
    // SQLite gives its -wal file the same mode.
    if (int fd = ::open(options.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0)
        ::close(fd);

    bool damaged = false;
    auto started = store->start(damaged);
    if (started || !damaged) {
        if (!started) return std::unexpected(started.error());
        return store;
    }
    // The file is damaged: copy what reads into a fresh file, move the damaged one aside, start on the copy.
    store->statements_.reset();
    store->db_ = sqlite::Database();
    store->opened_.damage = started.error().message;
    if (auto saved = sqlite::salvage(options.path, store->opened_); !saved)
        return std::unexpected(saved.error());
    if (auto again = store->start(damaged); !again) return std::unexpected(again.error());
    return store;
}

std::expected<void, StoreError> SqliteStore::start(bool& damaged) {
    const std::string path = options_.path.string();
    damaged = false;
    auto fail = [&](const sqlite::Error& error, std::string_view doing) -> std::unexpected<StoreError> {
        damaged = error.damaged();
        if (error.busy())
            return std::unexpected(StoreError{
                StoreError::Kind::busy,
                fmt::format("cannot open the store {}: another process (another culex broker?) has it open; "
                            "stop it, or give this broker its own persistence_file",
                            path)});
        if (damaged) return std::unexpected(StoreError{StoreError::Kind::io, error.message});
        return std::unexpected(unavailable(options_.path, fmt::format("{}: {}", doing, error.message)));
    };

    auto db = sqlite::Database::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
    if (!db) return fail(db.error(), "opening");
    db_ = std::move(*db);
    sqlite3_limit(db_.get(), SQLITE_LIMIT_LENGTH,
                  static_cast<int>(std::min<std::size_t>(options_.max_value_bytes, 1'000'000'000)));
    // Exclusive: one broker per store, and no -shm file (the WAL index lives in the broker's memory).
    if (auto ok = db_.exec("PRAGMA locking_mode = EXCLUSIVE"); !ok) return fail(ok.error(), "locking");
    auto mode = db_.query_text("PRAGMA journal_mode = WAL");
    if (!mode) return fail(mode.error(), "switching to WAL");
    const char* sync =
        options_.sync == SyncMode::fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
    if (auto ok = db_.exec(sync); !ok) return fail(ok.error(), "setting persistence_sync");

    // The write lock is taken now and held: a second broker on the same file fails here, not later.
    if (auto ok = db_.exec("BEGIN IMMEDIATE"); !ok) return fail(ok.error(), "locking");
    auto rollback = [&] { (void)db_.exec("ROLLBACK"); };
    auto version = db_.query_int("PRAGMA user_version");
    auto table_count = db_.query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
    if (!version || !table_count) {
        rollback();
        return fail(version ? table_count.error() : version.error(), "reading its format");
    }
    if (*version > sqlite::kFormatVersion) {
        rollback();
        return std::unexpected(StoreError{
            StoreError::Kind::too_new,
            fmt::format(
                "cannot open the store {}: its format version is {}, newer than this culex knows ({}); "
                "run the newer culex that wrote it, or move the file away to start empty",
                path, *version, sqlite::kFormatVersion)});
    }
    sqlite::Result<> schema;
    if (*version == 0 && *table_count > 0) {
        rollback();
        return std::unexpected(StoreError{
            StoreError::Kind::not_a_store,
            fmt::format("cannot open the store {}: it is an SQLite database but not a culex store (no format "
                        "version, tables of its own); culex leaves it untouched: set persistence_file to "
                        "another name",
                        path)});
    }
    if (*version == 0) schema = sqlite::create_schema(db_);
    if (*version > 0 && *version < sqlite::kFormatVersion) schema = sqlite::migrate(db_, *version, opened_);
    if (schema) schema = db_.exec("COMMIT");
    if (!schema) {
        rollback();
        return fail(schema.error(), "creating its tables");
    }

    auto check = db_.query_text("PRAGMA quick_check");
    if (!check) return fail(check.error(), "checking it");
    if (*check != "ok") {
        damaged = true;
        return std::unexpected(StoreError{StoreError::Kind::io, "quick_check: " + *check});
    }
    auto statements = Statements::prepare(db_);
    if (!statements) return fail(statements.error(), "preparing its statements");
    statements_ = std::move(*statements);
    return {};
}

std::expected<void, StoreError> SqliteStore::commit(std::span<const Batch* const> batches) {
    auto& s = *statements_;
    if (auto ok = s.begin.run(); !ok) return std::unexpected(io_error(ok.error(), "begin a transaction"));
    for (const Batch* batch : batches) {
        for (const Operation& operation : batch->operations()) {
            auto done = std::visit(Apply{s}, operation);
            if (done) continue;
            (void)s.rollback.run();
            if ((done.error().code & 0xff) == SQLITE_TOOBIG)
                return std::unexpected(value_too_large(largest_value(operation), options_.max_value_bytes));
            return std::unexpected(
                io_error(done.error(), "store a batch (nothing of this commit was stored)"));
        }
    }
    if (auto ok = s.commit.run(); !ok) {
        (void)s.rollback.run();
        return std::unexpected(io_error(ok.error(), "commit (nothing of this commit was stored)"));
    }
    return {};
}

std::expected<QueuePage, StoreError> SqliteStore::read_queue(const QueueRequest& request) {
    QueuePage page;
    page.last_sequence = request.after_sequence;
    auto& stmt = statements_->read_queue;
    stmt.bind_text(1, request.client_id)
        .bind(2, static_cast<std::int64_t>(request.after_sequence))
        .bind(3, static_cast<std::int64_t>(request.max_count) + 1);
    std::size_t bytes = 0;
    std::size_t looked_at = 0;
    while (true) {
        auto row = stmt.step();
        if (!row) {
            auto error = row.error();
            stmt.reset();
            return std::unexpected(io_error(error, "read a queue"));
        }
        if (!*row) break;
        if (looked_at == request.max_count) {
            page.more = true;
            break;
        }
        auto message = sqlite::read_queued(stmt);
        if (!message) {
            ++looked_at;
            page.last_sequence = static_cast<std::uint64_t>(stmt.column_int(1));
            page.dropped.push_back({RecordKind::queued,
                                    fmt::format("{} #{}", sqlite::row_key(stmt), page.last_sequence),
                                    "checksum mismatch: the row was changed on disk", page.last_sequence});
            continue;
        }
        std::size_t size = message->topic.size() + message->payload.size() + message->properties.size();
        if (!page.messages.empty() && bytes + size > request.max_bytes) {
            page.more = true;
            break;
        }
        ++looked_at;
        bytes += size;
        page.last_sequence = message->sequence;
        page.messages.push_back(std::move(*message));
    }
    stmt.reset();
    return page;
}

}  // namespace culex::store
