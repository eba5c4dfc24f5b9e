#include "store/row_checksum.hpp"

#include <zlib.h>

#include <bit>
#include <cstring>

namespace culex::store {

namespace {

std::optional<std::int64_t> millis(const std::optional<Deadline>& deadline) {
    if (!deadline) return std::nullopt;
    return deadline->time_since_epoch().count();
}

template <class T>
std::int64_t as_int(T value) {
    return static_cast<std::int64_t>(value);
}

}  // namespace

void RowChecksum::flush() {
    crc_ = static_cast<std::uint32_t>(::crc32_z(crc_, buffer_, static_cast<z_size_t>(used_)));
    used_ = 0;
}

void RowChecksum::feed(const void* bytes, std::size_t size) {
    if (size == 0) return;
    if (used_ + size > sizeof buffer_) flush();
    if (size > sizeof buffer_) {
        crc_ = static_cast<std::uint32_t>(
            ::crc32_z(crc_, static_cast<const Bytef*>(bytes), static_cast<z_size_t>(size)));
        return;
    }
    std::memcpy(buffer_ + used_, bytes, size);
    used_ += size;
}

std::uint32_t RowChecksum::value() {
    flush();
    return crc_;
}

RowChecksum& RowChecksum::add(std::string_view bytes) {
    const unsigned char tag = 's';
    std::uint64_t size = bytes.size();
    // Little-endian on every machine, so that a store moved to another one still checks.
    if constexpr (std::endian::native == std::endian::big) size = std::byteswap(size);
    feed(&tag, 1);
    feed(&size, sizeof size);
    feed(bytes.data(), bytes.size());
    return *this;
}

RowChecksum& RowChecksum::add(std::int64_t value) {
    if constexpr (std::endian::native == std::endian::big) value = std::byteswap(value);
    const unsigned char tag = 'i';
    feed(&tag, 1);
    feed(&value, sizeof value);
    return *this;
}

RowChecksum& RowChecksum::add(std::optional<std::int64_t> value) {
    if (value) return add(*value);
    const unsigned char tag = 'n';
    feed(&tag, 1);
    return *this;
}

std::uint32_t checksum(const RetainedRecord& r) {
    return RowChecksum()
        .add(r.topic)
        .add(r.payload.view())
        .add(as_int(r.qos))
        .add(r.properties)
        .add(millis(r.expires_at))
        .value();
}

std::uint32_t checksum(const SessionRecord& r) {
    std::optional<std::int64_t> interval;
    if (r.expiry_interval) interval = *r.expiry_interval;
    RowChecksum sum;
    sum.add(r.client_id)
        .add(as_int(r.version))
        .add(interval)
        .add(millis(r.expires_at))
        .add(as_int(r.listener));
    if (r.username)
        sum.add(*r.username);
    else
        sum.add(std::optional<std::int64_t>());
    return sum.value();
}

std::uint32_t checksum(const SubscriptionRecord& r) {
    std::optional<std::int64_t> id;
    if (r.subscription_id) id = *r.subscription_id;
    return RowChecksum()
        .add(r.client_id)
        .add(r.share_name)
        .add(r.filter)
        .add(as_int(r.qos))
        .add(as_int(r.no_local))
        .add(as_int(r.retain_as_published))
        .add(as_int(r.retain_handling))
        .add(id)
        .value();
}

std::uint32_t checksum(const QueuedMessage& r) {
    return RowChecksum()
        .add(r.client_id)
        .add(static_cast<std::int64_t>(r.sequence))
        .add(r.topic)
        .add(r.payload.view())
        .add(as_int(r.qos))
        .add(as_int(r.retain))
        .add(r.properties)
        .add(millis(r.expires_at))
        .add(r.share_name)
        .value();
}

std::uint32_t checksum(const InflightRecord& r) {
    return RowChecksum()
        .add(r.client_id)
        .add(as_int(r.direction))
        .add(as_int(r.packet_id))
        .add(as_int(r.state))
        .add(static_cast<std::int64_t>(r.sequence))
        .add(r.topic)
        .add(r.payload.view())
        .add(as_int(r.qos))
        .add(as_int(r.retain))
        .add(r.properties)
        .add(millis(r.expires_at))
        .add(r.share_name)
        .value();
}

std::uint32_t checksum(const WillRecord& r) {
    return RowChecksum()
        .add(r.client_id)
        .add(r.topic)
        .add(r.payload.view())
        .add(as_int(r.qos))
        .add(as_int(r.retain))
        .add(r.properties)
        .add(as_int(r.delay_interval))
        .add(millis(r.due_at))
        .value();
}

}  // namespace culex::store
