// Internal to SqliteStore: each record to and from its table's row, in the column order of
// sqlite_schema.cpp's TableInfo::columns, the checksum last. Reading verifies the checksum: a row that does
// not match gives nullopt, and the caller reports it.
#pragma once

#include <optional>
#include <string>

#include "store/records.hpp"
#include "store/sqlite_handle.hpp"

namespace culex::store::sqlite {

void bind_row(Statement& insert, const RetainedRecord& record);
void bind_row(Statement& insert, const SessionRecord& record);
void bind_row(Statement& insert, const SubscriptionRecord& record);
void bind_row(Statement& insert, const QueuedMessage& record);
void bind_row(Statement& insert, const InflightRecord& record);
void bind_row(Statement& insert, const WillRecord& record);

// Reads columns first_column.. of the current row.
std::optional<RetainedRecord> read_retained(const Statement& row, int first_column = 0);
std::optional<SessionRecord> read_session(const Statement& row, int first_column = 0);
std::optional<SubscriptionRecord> read_subscription(const Statement& row, int first_column = 0);
std::optional<QueuedMessage> read_queued(const Statement& row, int first_column = 0);
std::optional<InflightRecord> read_inflight(const Statement& row, int first_column = 0);
std::optional<WillRecord> read_will(const Statement& row, int first_column = 0);

// What a damaged row is called in the report: its first column (client id or topic) as far as it reads.
std::string row_key(const Statement& row);

}  // namespace culex::store::sqlite
