// For the store's tests: a temporary directory, records with every field set, and the two stores behind one
// fixture so that each behaviour is checked on both.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/memory_store.hpp"
#include "store/sqlite_store.hpp"

namespace culex::store::testing {

class TempDir {
  public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "culex-store-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

inline Deadline at_ms(std::int64_t ms) {
    return Deadline(std::chrono::milliseconds(ms));
}

// Encoded MQTT 5 properties are opaque to the store: any bytes do, zeros and high bytes included.
inline std::string properties_bytes() {
    return std::string("\x02\x00\x00\x00\x3c\x08\xff", 7);
}

inline RetainedRecord retained(std::string topic, std::string payload = "temperature 21.5") {
    return {std::move(topic), protocol::Payload(std::move(payload)), protocol::QoS::at_least_once,
            properties_bytes(), at_ms(1'900'000'000'123)};
}

inline SessionRecord session(std::string client_id) {
    return {std::move(client_id), protocol::ProtocolVersion::v5, 3600, at_ms(1'900'000'100'000), 2, "alice"};
}

inline SubscriptionRecord subscription(std::string client_id, std::string filter, std::string share = "") {
    return {std::move(client_id),
            std::move(filter),
            std::move(share),
            protocol::QoS::exactly_once,
            true,
            true,
            2,
            77};
}

inline QueuedMessage queued(std::string client_id, std::uint64_t sequence, std::string payload = "") {
    if (payload.empty()) payload = "message " + std::to_string(sequence);
    return {std::move(client_id),
            sequence,
            "sensors/" + std::to_string(sequence),
            protocol::Payload(std::move(payload)),
            protocol::QoS::at_least_once,
            false,
            properties_bytes(),
            at_ms(1'900'000'000'000 + static_cast<std::int64_t>(sequence)),
            ""};
}

inline InflightRecord inflight(std::string client_id, Direction direction, std::uint16_t packet_id) {
    return {
        std::move(client_id),
        direction,
        packet_id,
        direction == Direction::incoming ? InflightState::received_not_released : InflightState::publish_sent,
        packet_id,
        "orders/" + std::to_string(packet_id),
        protocol::Payload(std::string("order\0body", 10)),
        protocol::QoS::exactly_once,
        true,
        properties_bytes(),
        std::nullopt,
        "workers"};
}

inline WillRecord will(std::string client_id) {
    std::string topic = "status/" + client_id;
    return {std::move(client_id),
            std::move(topic),
            protocol::Payload(std::string("offline")),
            protocol::QoS::at_least_once,
            true,
            properties_bytes(),
            30,
            at_ms(1'900'000'000'500)};
}

enum class StoreKind { memory, sqlite };

inline std::string store_name(const ::testing::TestParamInfo<StoreKind>& info) {
    return info.param == StoreKind::memory ? "memory" : "sqlite";
}

// A store of either kind, with commit and load that fail the test on an error.
class StoreTest : public ::testing::TestWithParam<StoreKind> {
  protected:
    void SetUp() override { open(); }

    void open(std::size_t max_value_bytes = MemoryStore::kDefaultMaxValueBytes) {
        store_.reset();
        if (GetParam() == StoreKind::memory) {
            store_ = std::make_unique<MemoryStore>(max_value_bytes);
            return;
        }
        auto opened = SqliteStore::open({dir_ / "culex.db", SyncMode::os, max_value_bytes});
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
    }

    void commit(const Batch& batch) {
        auto done = store_->commit(batch);
        ASSERT_TRUE(done) << done.error().message;
    }

    LoadedState load() {
        auto state = store_->load();
        EXPECT_TRUE(state) << state.error().message;
        return state ? std::move(*state) : LoadedState{};
    }

    TempDir dir_;
    std::unique_ptr<Store> store_;
};

}  // namespace culex::store::testing
