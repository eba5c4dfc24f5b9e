#include "store/sqlite_salvage.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "store/sqlite_handle.hpp"
#include "store/sqlite_schema.hpp"

namespace culex::store::sqlite {

namespace fs = std::filesystem;

namespace {

StoreError salvage_failed(const fs::path& path, std::string_view doing, const std::string& cause) {
    return {StoreError::Kind::unavailable,
            fmt::format("the store {} is damaged and could not be salvaged ({}: {}); move it away to start "
                        "with an empty store",
                        path.string(), doing, cause)};
}

// "a, b" -> "a DESC, b DESC"
std::string descending(std::string_view key) {
    std::string out;
    while (!key.empty()) {
        auto comma = key.find(", ");
        out += fmt::format("{}{} DESC", out.empty() ? "" : ", ", key.substr(0, comma));
        key = comma == std::string_view::npos ? std::string_view() : key.substr(comma + 2);
    }
    return out;
}

struct TableCopy {
    std::size_t rows = 0;
    std::string stopped;  // the error that ended the forward scan; empty when the table read to its end
};

// Copies rows in one direction until the end or the first error, which it returns. INSERT OR IGNORE: the
// backward scan (reaching past a damaged page from the other end) meets rows the forward one copied.
std::string copy_scan(Database& from, Database& to, Statement& insert, const TableInfo& t, bool backward,
                      std::size_t& rows) {
    std::string sql = fmt::format("SELECT {} FROM {}", t.columns, t.name);
    if (backward) sql += " ORDER BY " + descending(t.key);
    auto select = Statement::prepare(from, sql);
    if (!select) return select.error().message;
    while (true) {
        auto row = select->step();
        if (!row) return row.error().message;
        if (!*row) return {};
        for (int i = 0; i < t.column_count; ++i)
            insert.bind_value(i + 1, select->column_value(i));
        if (auto done = insert.run(); !done) return done.error().message;
        rows += static_cast<std::size_t>(sqlite3_changes(to.get()));
    }
}

TableCopy copy_table(Database& from, Database& to, const TableInfo& t) {
    TableCopy copy;
    std::string marks = "?";
    for (int i = 1; i < t.column_count; ++i)
        marks += ", ?";
    auto insert = Statement::prepare(
        to, fmt::format("INSERT OR IGNORE INTO {}({}) VALUES({})", t.name, t.columns, marks));
    if (!insert) {
        copy.stopped = insert.error().message;
        return copy;
    }
    copy.stopped = copy_scan(from, to, *insert, t, false, copy.rows);
    if (!copy.stopped.empty()) (void)copy_scan(from, to, *insert, t, true, copy.rows);
    return copy;
}

// PATH.damaged-20261204T031500Z, or with -2, -3... when that exists already.
fs::path aside_name(const fs::path& path) {
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    std::string base = fmt::format("{}.damaged-{:%Y%m%dT%H%M%SZ}", path.string(), now);
    fs::path candidate = base;
    for (int n = 2; fs::exists(candidate); ++n)
        candidate = fmt::format("{}-{}", base, n);
    return candidate;
}

void sync_directory(const fs::path& path) {
    fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

void remove_with_companions(const fs::path& path) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        fs::remove(path.string() + suffix, ec);
}

}  // namespace

std::expected<void, StoreError> salvage(const fs::path& path, Recovery& recovery) {
    const fs::path fresh_path = path.string() + ".salvage";
    remove_with_companions(fresh_path);
    {
        auto from = Database::open(path.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
        if (!from) return std::unexpected(salvage_failed(path, "opening it", from.error().message));
        // writable_schema lets SQLite read a file shorter than its header says (cut mid-write) up to its end,
        // instead of refusing it whole.
        (void)from->exec("PRAGMA locking_mode = EXCLUSIVE");
        (void)from->exec("PRAGMA writable_schema = ON");
        (void)from->exec("PRAGMA cell_size_check = ON");

        auto to = Database::open(fresh_path.string(),
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
        if (!to)
            return std::unexpected(
                salvage_failed(path, "creating " + fresh_path.string(), to.error().message));
        // A rollback journal, so that closing leaves one self-contained file to rename.
        auto ready = to->exec("PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; BEGIN");
        if (ready) ready = create_schema(*to);
        if (!ready)
            return std::unexpected(salvage_failed(path, "creating the fresh store", ready.error().message));

        for (const auto& t : tables()) {
            TableCopy copy = copy_table(*from, *to, t);
            recovery.note(
                fmt::format("salvage: {} rows of table {} copied{}", copy.rows, t.name,
                            copy.stopped.empty() ? "" : ", the rest unreadable (" + copy.stopped + ")"));
            if (!copy.stopped.empty())
                recovery.unreadable(t.kind, fmt::format("(table {}: an unknown number of rows)", t.name),
                                    "unreadable in the damaged file: " + copy.stopped);
        }
        if (auto done = to->exec("COMMIT"); !done)
            return std::unexpected(salvage_failed(path, "writing the fresh store", done.error().message));
    }

    // The damaged file (and its WAL, if any) goes aside under a name that says what it is; the copy takes its
    // place. Renames within one directory: the store is never missing.
    fs::path aside = aside_name(path);
    std::error_code ec;
    fs::rename(path, aside, ec);
    if (ec) return std::unexpected(salvage_failed(path, "moving it to " + aside.string(), ec.message()));
    for (const char* suffix : {"-wal", "-journal"})
        if (fs::exists(path.string() + suffix))
            fs::rename(path.string() + suffix, aside.string() + suffix, ec);
    fs::rename(fresh_path, path, ec);
    if (ec) return std::unexpected(salvage_failed(path, "putting the salvaged copy in place", ec.message()));
    sync_directory(path);
    recovery.damaged_file = aside;
    return {};
}

}  // namespace culex::store::sqlite
