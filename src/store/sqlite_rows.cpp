#include "store/sqlite_rows.hpp"

#include "store/row_checksum.hpp"

namespace culex::store::sqlite {

namespace {

std::optional<std::int64_t> millis(const std::optional<Deadline>& deadline) {
    if (!deadline) return std::nullopt;
    return deadline->time_since_epoch().count();
}

std::optional<Deadline> deadline(std::optional<std::int64_t> ms) {
    if (!ms) return std::nullopt;
    return Deadline(std::chrono::milliseconds(*ms));
}

// Reads the columns of one row in order, so that each read_* lists its fields once, as bind_row does.
class Columns {
  public:
    Columns(const Statement& row, int first) : row_(row), next_(first) {}
    std::string text() { return std::string(row_.column_text(next_++)); }
    protocol::Payload payload() { return protocol::Payload(row_.column_blob(next_++)); }
    std::string blob() { return std::string(row_.column_blob(next_++)); }
    std::int64_t integer() { return row_.column_int(next_++); }
    std::optional<std::int64_t> optional() { return row_.column_optional(next_++); }
    template <class Enum>
    Enum as() {
        return static_cast<Enum>(integer());
    }
    bool flag() { return integer() != 0; }
    // The stored checksum, compared with the one of what was read.
    template <class Record>
    std::optional<Record> verified(Record record) {
        auto stored = integer();
        if (static_cast<std::uint32_t>(stored) != checksum(record) || stored < 0 || stored > 0xFFFFFFFFll)
            return std::nullopt;
        return record;
    }

  private:
    const Statement& row_;
    int next_;
};

}  // namespace

void bind_row(Statement& s, const RetainedRecord& r) {
    s.bind_text(1, r.topic).bind_blob(2, r.payload.view()).bind(3, std::int64_t(r.qos));
    s.bind_blob(4, r.properties).bind(5, millis(r.expires_at)).bind(6, std::int64_t(checksum(r)));
}

void bind_row(Statement& s, const SessionRecord& r) {
    s.bind_text(1, r.client_id).bind(2, std::int64_t(r.version));
    s.bind(3, r.expiry_interval ? std::optional<std::int64_t>(*r.expiry_interval) : std::nullopt);
    s.bind(4, millis(r.expires_at)).bind(5, std::int64_t(r.listener));
    if (r.username)
        s.bind_text(6, *r.username);
    else
        s.bind_null(6);
    s.bind(7, std::int64_t(checksum(r)));
}

void bind_row(Statement& s, const SubscriptionRecord& r) {
    s.bind_text(1, r.client_id)
        .bind_text(2, r.share_name)
        .bind_text(3, r.filter)
        .bind(4, std::int64_t(r.qos));
    s.bind(5, std::int64_t(r.no_local)).bind(6, std::int64_t(r.retain_as_published));
    s.bind(7, std::int64_t(r.retain_handling));
    s.bind(8, r.subscription_id ? std::optional<std::int64_t>(*r.subscription_id) : std::nullopt);
    s.bind(9, std::int64_t(checksum(r)));
}

void bind_row(Statement& s, const QueuedMessage& r) {
    s.bind_text(1, r.client_id).bind(2, static_cast<std::int64_t>(r.sequence)).bind_text(3, r.topic);
    s.bind_blob(4, r.payload.view()).bind(5, std::int64_t(r.qos)).bind(6, std::int64_t(r.retain));
    s.bind_blob(7, r.properties).bind(8, millis(r.expires_at)).bind_text(9, r.share_name);
    s.bind(10, std::int64_t(checksum(r)));
}

void bind_row(Statement& s, const InflightRecord& r) {
    s.bind_text(1, r.client_id).bind(2, std::int64_t(r.direction)).bind(3, std::int64_t(r.packet_id));
    s.bind(4, std::int64_t(r.state)).bind(5, static_cast<std::int64_t>(r.sequence)).bind_text(6, r.topic);
    s.bind_blob(7, r.payload.view()).bind(8, std::int64_t(r.qos)).bind(9, std::int64_t(r.retain));
    s.bind_blob(10, r.properties).bind(11, millis(r.expires_at)).bind_text(12, r.share_name);
    s.bind(13, std::int64_t(checksum(r)));
}

void bind_row(Statement& s, const WillRecord& r) {
    s.bind_text(1, r.client_id).bind_text(2, r.topic).bind_blob(3, r.payload.view());
    s.bind(4, std::int64_t(r.qos)).bind(5, std::int64_t(r.retain)).bind_blob(6, r.properties);
    s.bind(7, std::int64_t(r.delay_interval)).bind(8, millis(r.due_at)).bind(9, std::int64_t(checksum(r)));
}

std::optional<RetainedRecord> read_retained(const Statement& row, int first) {
    Columns c(row, first);
    RetainedRecord r;
    r.topic = c.text();
    r.payload = c.payload();
    r.qos = c.as<protocol::QoS>();
    r.properties = c.blob();
    r.expires_at = deadline(c.optional());
    return c.verified(std::move(r));
}

std::optional<SessionRecord> read_session(const Statement& row, int first) {
    Columns c(row, first);
    SessionRecord r;
    r.client_id = c.text();
    r.version = c.as<protocol::ProtocolVersion>();
    if (auto interval = c.optional()) r.expiry_interval = static_cast<std::uint32_t>(*interval);
    r.expires_at = deadline(c.optional());
    r.listener = static_cast<int>(c.integer());
    if (!row.column_null(first + 5))
        r.username = c.text();
    else
        c.optional();
    return c.verified(std::move(r));
}

std::optional<SubscriptionRecord> read_subscription(const Statement& row, int first) {
    Columns c(row, first);
    SubscriptionRecord r;
    r.client_id = c.text();
    r.share_name = c.text();
    r.filter = c.text();
    r.qos = c.as<protocol::QoS>();
    r.no_local = c.flag();
    r.retain_as_published = c.flag();
    r.retain_handling = c.as<std::uint8_t>();
    if (auto id = c.optional()) r.subscription_id = static_cast<std::uint32_t>(*id);
    return c.verified(std::move(r));
}

std::optional<QueuedMessage> read_queued(const Statement& row, int first) {
    Columns c(row, first);
    QueuedMessage r;
    r.client_id = c.text();
    r.sequence = static_cast<std::uint64_t>(c.integer());
    r.topic = c.text();
    r.payload = c.payload();
    r.qos = c.as<protocol::QoS>();
    r.retain = c.flag();
    r.properties = c.blob();
    r.expires_at = deadline(c.optional());
    r.share_name = c.text();
    return c.verified(std::move(r));
}

std::optional<InflightRecord> read_inflight(const Statement& row, int first) {
    Columns c(row, first);
    InflightRecord r;
    r.client_id = c.text();
    r.direction = c.as<Direction>();
    r.packet_id = c.as<std::uint16_t>();
    r.state = c.as<InflightState>();
    r.sequence = static_cast<std::uint64_t>(c.integer());
    r.topic = c.text();
    r.payload = c.payload();
    r.qos = c.as<protocol::QoS>();
    r.retain = c.flag();
    r.properties = c.blob();
    r.expires_at = deadline(c.optional());
    r.share_name = c.text();
    return c.verified(std::move(r));
}

std::optional<WillRecord> read_will(const Statement& row, int first) {
    Columns c(row, first);
    WillRecord r;
    r.client_id = c.text();
    r.topic = c.text();
    r.payload = c.payload();
    r.qos = c.as<protocol::QoS>();
    r.retain = c.flag();
    r.properties = c.blob();
    r.delay_interval = static_cast<std::uint32_t>(c.integer());
    r.due_at = deadline(c.optional());
    return c.verified(std::move(r));
}

std::string row_key(const Statement& row) {
    std::string key(row.column_text(0).substr(0, 200));
    // A damaged key may hold anything: keep the log line printable.
    for (char& ch : key)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    return key;
}

}  // namespace culex::store::sqlite
