#include "store/sqlite_schema.hpp"

#include <fmt/format.h>

namespace culex::store::sqlite {

namespace {

// WITHOUT ROWID: each table is one b-tree ordered by its key (a session's queue in sequence order, without
// a second index); rows are small, MQTT messages mostly are too.
constexpr const char* kSchema = R"sql(
CREATE TABLE retained(
    topic TEXT NOT NULL, payload BLOB, qos INTEGER, properties BLOB, expires_at INTEGER, crc INTEGER,
    PRIMARY KEY(topic)) WITHOUT ROWID;
CREATE TABLE sessions(
    client_id TEXT NOT NULL, version INTEGER, expiry_interval INTEGER, expires_at INTEGER, listener INTEGER,
    username TEXT, crc INTEGER,
    PRIMARY KEY(client_id)) WITHOUT ROWID;
CREATE TABLE subscriptions(
    client_id TEXT NOT NULL, share_name TEXT NOT NULL, filter TEXT NOT NULL, qos INTEGER, no_local INTEGER,
    retain_as_published INTEGER, retain_handling INTEGER, subscription_id INTEGER, crc INTEGER,
    PRIMARY KEY(client_id, share_name, filter)) WITHOUT ROWID;
CREATE TABLE queued(
    client_id TEXT NOT NULL, sequence INTEGER NOT NULL, topic TEXT, payload BLOB, qos INTEGER, retain INTEGER,
    properties BLOB, expires_at INTEGER, share_name TEXT, crc INTEGER,
    PRIMARY KEY(client_id, sequence)) WITHOUT ROWID;
CREATE TABLE inflight(
    client_id TEXT NOT NULL, direction INTEGER NOT NULL, packet_id INTEGER NOT NULL, state INTEGER,
    sequence INTEGER, topic TEXT, payload BLOB, qos INTEGER, retain INTEGER, properties BLOB,
    expires_at INTEGER, share_name TEXT, crc INTEGER,
    PRIMARY KEY(client_id, direction, packet_id)) WITHOUT ROWID;
CREATE TABLE wills(
    client_id TEXT NOT NULL, topic TEXT, payload BLOB, qos INTEGER, retain INTEGER, properties BLOB,
    delay_interval INTEGER, due_at INTEGER, crc INTEGER,
    PRIMARY KEY(client_id)) WITHOUT ROWID;
)sql";

const std::array<TableInfo, kRecordKinds> kTables{{
    {"retained", RecordKind::retained, "topic, payload, qos, properties, expires_at, crc", "topic", 6},
    {"sessions", RecordKind::session,
     "client_id, version, expiry_interval, expires_at, listener, username, crc", "client_id", 7},
    {"subscriptions", RecordKind::subscription,
     "client_id, share_name, filter, qos, no_local, retain_as_published, retain_handling, subscription_id, "
     "crc",
     "client_id, share_name, filter", 9},
    {"queued", RecordKind::queued,
     "client_id, sequence, topic, payload, qos, retain, properties, expires_at, share_name, crc",
     "client_id, sequence", 10},
    {"inflight", RecordKind::inflight,
     "client_id, direction, packet_id, state, sequence, topic, payload, qos, retain, properties, expires_at, "
     "share_name, crc",
     "client_id, direction, packet_id", 13},
    {"wills", RecordKind::will,
     "client_id, topic, payload, qos, retain, properties, delay_interval, due_at, crc", "client_id", 9},
}};

}  // namespace

const std::array<TableInfo, kRecordKinds>& tables() {
    return kTables;
}

const TableInfo& table(RecordKind kind) {
    for (const auto& t : kTables)
        if (t.kind == kind) return t;
    return kTables[0];
}

Result<> create_schema(Database& db) {
    if (auto done = db.exec(kSchema); !done) return done;
    return db.exec(fmt::format("PRAGMA user_version = {}", kFormatVersion).c_str());
}

Result<> migrate(Database& db, std::int64_t from_version, Recovery& recovery) {
    // Version 1 is the first: nothing older exists yet. A change of format adds a step here, from N to N + 1,
    // for example: if (from_version == 1) { ALTER TABLE ...; from_version = 2; }
    if (from_version < kFormatVersion)
        recovery.note(
            fmt::format("store format migrated from version {} to {}", from_version, kFormatVersion));
    return db.exec(fmt::format("PRAGMA user_version = {}", kFormatVersion).c_str());
}

}  // namespace culex::store::sqlite
