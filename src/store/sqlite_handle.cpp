#include "store/sqlite_handle.hpp"

namespace culex::store::sqlite {

namespace {

Error error_of(sqlite3* db) {
    if (!db) return {SQLITE_NOMEM, "out of memory"};
    return {sqlite3_extended_errcode(db), sqlite3_errmsg(db)};
}

// A zero-length value bound from a null pointer would be NULL in SQLite: an empty payload must stay a blob.
const char* non_null(std::string_view bytes) {
    return bytes.data() ? bytes.data() : "";
}

}  // namespace

Result<Database> Database::open(const std::string& path, int flags) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Database db;
    db.db_.reset(raw);
    if (rc != SQLITE_OK) return std::unexpected(error_of(raw));
    sqlite3_extended_result_codes(raw, 1);
    return db;
}

Error Database::error() const {
    return error_of(db_.get());
}

Result<> Database::exec(const char* sql) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) return std::unexpected(error());
    return {};
}

Result<std::string> Database::query_text(const char* sql) {
    auto stmt = Statement::prepare(*this, sql);
    if (!stmt) return std::unexpected(stmt.error());
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::string();
    return std::string(stmt->column_text(0));
}

Result<std::int64_t> Database::query_int(const char* sql) {
    auto stmt = Statement::prepare(*this, sql);
    if (!stmt) return std::unexpected(stmt.error());
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    return *row ? stmt->column_int(0) : 0;
}

Result<Statement> Statement::prepare(const Database& db, std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                &raw, nullptr);
    if (rc != SQLITE_OK) return std::unexpected(db.error());
    Statement stmt;
    stmt.stmt_.reset(raw);
    stmt.db_ = db.get();
    return stmt;
}

Statement& Statement::check_bind(int rc) {
    if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    return check_bind(sqlite3_bind_int64(stmt_.get(), index, value));
}

Statement& Statement::bind_text(int index, std::string_view text) {
    return check_bind(
        sqlite3_bind_text64(stmt_.get(), index, non_null(text), text.size(), SQLITE_STATIC, SQLITE_UTF8));
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
    return check_bind(sqlite3_bind_blob64(stmt_.get(), index, non_null(bytes), bytes.size(), SQLITE_STATIC));
}

Statement& Statement::bind_null(int index) {
    return check_bind(sqlite3_bind_null(stmt_.get(), index));
}

Statement& Statement::bind_value(int index, sqlite3_value* value) {
    return check_bind(sqlite3_bind_value(stmt_.get(), index, value));
}

Result<bool> Statement::step() {
    if (bind_error_ != SQLITE_OK) return std::unexpected(Error{bind_error_, sqlite3_errstr(bind_error_)});
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return std::unexpected(error_of(db_));
}

Result<> Statement::run() {
    auto result = step();
    while (result && *result)
        result = step();
    reset();
    if (!result) return std::unexpected(result.error());
    return {};
}

void Statement::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
    bind_error_ = SQLITE_OK;
}

std::string_view Statement::column_text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
    int size = sqlite3_column_bytes(stmt_.get(), column);
    return text ? std::string_view(text, static_cast<std::size_t>(size)) : std::string_view();
}

std::string_view Statement::column_blob(int column) const {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), column));
    int size = sqlite3_column_bytes(stmt_.get(), column);
    return bytes ? std::string_view(bytes, static_cast<std::size_t>(size)) : std::string_view();
}

}  // namespace culex::store::sqlite
