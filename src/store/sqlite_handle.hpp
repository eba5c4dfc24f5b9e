// RAII for SQLite's two handles, written once: a Database owns a sqlite3*, a Statement a sqlite3_stmt*.
// Errors are values: the SQLite result code and its message, for the store to turn into one clear sentence.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace culex::store::sqlite {

struct Error {
    int code = SQLITE_ERROR;  // the extended result code
    std::string message;

    // The file is damaged (rather than absent, locked or unwritable): worth salvaging.
    bool damaged() const { return (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB; }
    bool busy() const { return (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED; }
};

template <class T = void>
using Result = std::expected<T, Error>;

class Database {
  public:
    static Result<Database> open(const std::string& path, int flags);

    sqlite3* get() const { return db_.get(); }
    Error error() const;
    // Runs statements that return no rows worth reading (PRAGMA settings, DDL, BEGIN/COMMIT).
    Result<> exec(const char* sql);
    // The first column of the first row of a one-value query (a PRAGMA), as text.
    Result<std::string> query_text(const char* sql);
    Result<std::int64_t> query_int(const char* sql);

  private:
    struct Close {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    std::unique_ptr<sqlite3, Close> db_;
};

class Statement {
  public:
    Statement() = default;
    static Result<Statement> prepare(const Database& db, std::string_view sql);

    // Bindings are 1-based, as SQLite counts them; the bytes must live until the statement is reset (the
    // store binds from the batch it is committing, without copying).
    Statement& bind(int index, std::int64_t value);
    Statement& bind_text(int index, std::string_view text);
    Statement& bind_blob(int index, std::string_view bytes);
    Statement& bind_null(int index);
    Statement& bind(int index, std::optional<std::int64_t> value) {
        return value ? bind(index, *value) : bind_null(index);
    }
    Statement& bind_value(int index, sqlite3_value* value);

    // SQLITE_ROW (true) or SQLITE_DONE (false); any other code, or a failed binding, is an error.
    Result<bool> step();
    // Steps a statement that returns no rows to its end, then resets it.
    Result<> run();
    void reset();

    std::int64_t column_int(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
    bool column_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
    std::optional<std::int64_t> column_optional(int column) const {
        if (column_null(column)) return std::nullopt;
        return column_int(column);
    }
    std::string_view column_text(int column) const;
    std::string_view column_blob(int column) const;
    sqlite3_value* column_value(int column) const { return sqlite3_column_value(stmt_.get(), column); }
    int column_count() const { return sqlite3_column_count(stmt_.get()); }

  private:
    struct Finalize {
        void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
    };
    Statement& check_bind(int rc);

    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
    sqlite3* db_ = nullptr;
    // The first binding that failed (a value over SQLite's length limit, say): step() reports it instead of
    // running with that parameter unset.
    int bind_error_ = SQLITE_OK;
};

}  // namespace culex::store::sqlite
