// Internal to SqliteStore: the file's tables, its format version (PRAGMA user_version) and the migrations
// from older versions.
#pragma once

#include <array>

#include "store/recovery.hpp"
#include "store/sqlite_handle.hpp"

namespace culex::store::sqlite {

// Raised whenever a table changes; a migration from the version before goes into migrate().
constexpr std::int64_t kFormatVersion = 1;

struct TableInfo {
    const char* name;
    RecordKind kind;
    const char* columns;  // as the INSERT and SELECT statements list them, the checksum last
    const char* key;      // the primary key's columns
    int column_count;
};
const std::array<TableInfo, kRecordKinds>& tables();
const TableInfo& table(RecordKind kind);

// Creates every table and sets the format version, in the caller's transaction.
Result<> create_schema(Database& db);

// Brings a store of an older format version up to kFormatVersion, in the caller's transaction; notes what
// it did.
Result<> migrate(Database& db, std::int64_t from_version, Recovery& recovery);

}  // namespace culex::store::sqlite
