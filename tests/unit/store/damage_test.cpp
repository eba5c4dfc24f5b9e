// A store damaged on disk: a byte flipped inside a row, a page whose structure is broken, a file cut short.
// Each is reported, the damaged file is kept aside, and what is intact loads.
#include <fstream>

#include "store/sqlite_handle.hpp"
#include "store_test_support.hpp"

namespace culex::store::testing {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

void write_all(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string marker_payload(int i) {
    return "MARK-" + std::to_string(10000 + i) + std::string(180, 'p');
}

// Writes a store with 1 session (with a subscription) and `count` retained messages, and closes it: the WAL
// is checkpointed into the file, which is what the tests then damage.
void write_store(const fs::path& path, int count) {
    auto store = SqliteStore::open({path});
    ASSERT_TRUE(store) << store.error().message;
    Batch b;
    b.put_session(session("keeper")).add_subscription(subscription("keeper", "k/#"));
    for (int i = 0; i < count; ++i)
        b.put_retained(retained("r/" + std::to_string(10000 + i), marker_payload(i)));
    ASSERT_TRUE((*store)->commit(b));
}

LoadedState reopen(const fs::path& path) {
    auto store = SqliteStore::open({path});
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return {};
    auto state = (*store)->load();
    EXPECT_TRUE(state) << state.error().message;
    return state ? std::move(*state) : LoadedState{};
}

std::int64_t root_page(const fs::path& path, const char* table) {
    auto db = sqlite::Database::open(path.string(), SQLITE_OPEN_READONLY);
    if (!db) return -1;
    auto page = db->query_int(
        (std::string("SELECT rootpage FROM sqlite_schema WHERE name = '") + table + "'").c_str());
    return page ? *page : -1;
}

// Every retained message that loaded is exactly what was written.
void expect_intact(const LoadedState& state) {
    for (const auto& r : state.retained) {
        int i = std::stoi(r.topic.substr(2)) - 10000;
        EXPECT_EQ(r, retained(r.topic, marker_payload(i)));
    }
}

TEST(Damage, AFlippedByteInsideARowDropsThatRowAndReportsIt) {
    TempDir dir;
    auto path = dir / "culex.db";
    write_store(path, 50);
    std::string bytes = read_all(path);
    auto at = bytes.find(marker_payload(7));
    ASSERT_NE(at, std::string::npos);
    bytes[at + 20] ^= 0x01;  // inside the payload blob: SQLite itself cannot see it
    write_all(path, bytes);

    auto state = reopen(path);
    EXPECT_EQ(state.retained.size(), 49u);
    expect_intact(state);
    EXPECT_EQ(state.sessions.size(), 1u);
    EXPECT_EQ(state.subscriptions.size(), 1u);
    const auto& recovery = state.recovery;
    EXPECT_FALSE(recovery.clean());
    EXPECT_FALSE(recovery.damaged_file);  // the file's structure is sound: nothing to salvage
    ASSERT_EQ(recovery.dropped.size(), 1u);
    EXPECT_EQ(recovery.dropped[0].kind, RecordKind::retained);
    EXPECT_EQ(recovery.dropped[0].key, "r/10007");
    EXPECT_NE(recovery.dropped[0].why.find("checksum"), std::string::npos);
    EXPECT_NE(recovery.summary().find("dropped retained message 'r/10007'"), std::string::npos)
        << recovery.summary();
    EXPECT_EQ(recovery.intact[static_cast<int>(RecordKind::retained)], 49u);
}

TEST(Damage, ADamagedSessionRecordTakesItsSubscriptionsWithItAndSaysSo) {
    TempDir dir;
    auto path = dir / "culex.db";
    {
        auto store = SqliteStore::open({path});
        ASSERT_TRUE(store);
        auto victim = session("victim");
        victim.username = "USERNAME-TO-FLIP";
        Batch b;
        b.put_session(victim).add_subscription(subscription("victim", "v/#")).enqueue(queued("victim", 1));
        b.put_session(session("fine")).add_subscription(subscription("fine", "f/#"));
        ASSERT_TRUE((*store)->commit(b));
    }
    std::string bytes = read_all(path);
    auto at = bytes.find("USERNAME-TO-FLIP");
    ASSERT_NE(at, std::string::npos);
    bytes[at] ^= 0x20;
    write_all(path, bytes);

    auto state = reopen(path);
    ASSERT_EQ(state.sessions.size(), 1u);
    EXPECT_EQ(state.sessions[0].client_id, "fine");
    ASSERT_EQ(state.subscriptions.size(), 1u);
    EXPECT_EQ(state.subscriptions[0].client_id, "fine");
    EXPECT_TRUE(state.queues.empty());
    const auto& r = state.recovery;
    EXPECT_EQ(r.dropped_count[static_cast<int>(RecordKind::session)], 1u);
    EXPECT_EQ(r.dropped_count[static_cast<int>(RecordKind::subscription)], 1u);
    EXPECT_EQ(r.dropped_count[static_cast<int>(RecordKind::queued)], 1u);
    EXPECT_NE(r.summary().find("its session record was damaged"), std::string::npos) << r.summary();
}

TEST(Damage, ABrokenPageIsSalvagedTheFileKeptAsideAndTheRestLoads) {
    TempDir dir;
    auto path = dir / "culex.db";
    write_store(path, 3);  // few rows: the retained table is a single page, its root
    auto page = root_page(path, "retained");
    ASSERT_GT(page, 1);
    std::string bytes = read_all(path);
    bytes[static_cast<std::size_t>((page - 1) * 4096)] = '\x55';  // not a b-tree page type
    write_all(path, bytes);

    auto state = reopen(path);
    const auto& r = state.recovery;
    EXPECT_TRUE(state.retained.empty());
    ASSERT_EQ(state.sessions.size(), 1u);
    EXPECT_EQ(state.sessions[0], session("keeper"));
    EXPECT_EQ(state.subscriptions.size(), 1u);
    ASSERT_TRUE(r.damaged_file);
    EXPECT_TRUE(fs::exists(*r.damaged_file));
    EXPECT_NE(r.damaged_file->filename().string().find("culex.db.damaged-"), std::string::npos);
    EXPECT_EQ(read_all(*r.damaged_file), bytes);  // kept as it was found
    EXPECT_FALSE(r.damage.empty());
    EXPECT_GE(r.dropped_count[static_cast<int>(RecordKind::retained)], 1u);
    EXPECT_NE(r.summary().find("moved to " + r.damaged_file->string()), std::string::npos) << r.summary();

    // The fresh file is sound: the next start is clean and keeps what was salvaged.
    auto again = reopen(path);
    EXPECT_TRUE(again.recovery.clean()) << again.recovery.summary();
    EXPECT_EQ(again.sessions.size(), 1u);
}

TEST(Damage, ABrokenSchemaPageLosesEverythingButSaysSoAndStartsEmpty) {
    TempDir dir;
    auto path = dir / "culex.db";
    write_store(path, 3);
    std::string bytes = read_all(path);
    bytes[100] = '\x55';  // the b-tree header of page 1, where SQLite lists the tables
    write_all(path, bytes);

    auto state = reopen(path);
    const auto& r = state.recovery;
    EXPECT_TRUE(state.retained.empty());
    EXPECT_TRUE(state.sessions.empty());
    ASSERT_TRUE(r.damaged_file) << r.summary();
    EXPECT_EQ(read_all(*r.damaged_file), bytes);
    EXPECT_TRUE(r.unknown_count[static_cast<int>(RecordKind::retained)]);
    EXPECT_TRUE(r.unknown_count[static_cast<int>(RecordKind::session)]);
    EXPECT_NE(r.summary().find("at least 1 session"), std::string::npos) << r.summary();
    auto again = reopen(path);
    EXPECT_TRUE(again.recovery.clean()) << again.recovery.summary();
}

TEST(Damage, AFileCutMidWriteIsReportedAndWhatReadsLoads) {
    TempDir dir;
    auto path = dir / "culex.db";
    write_store(path, 2000);  // ~100 pages of retained messages
    auto size = fs::file_size(path);
    ASSERT_GT(size, 200'000u);
    fs::resize_file(path, size * 6 / 10 + 1234);  // not even on a page boundary

    auto state = reopen(path);
    const auto& r = state.recovery;
    EXPECT_FALSE(r.clean());
    ASSERT_TRUE(r.damaged_file) << r.summary();
    EXPECT_TRUE(fs::exists(*r.damaged_file));
    EXPECT_FALSE(r.damage.empty());
    EXPECT_GT(state.retained.size(), 0u) << r.summary();
    EXPECT_LT(state.retained.size(), 2000u);
    expect_intact(state);
    EXPECT_GE(r.total_dropped(), 1u);

    // The broker goes on with the salvaged store: it takes writes, and the next start is clean.
    {
        auto store = SqliteStore::open({path});
        ASSERT_TRUE(store) << store.error().message;
        ASSERT_TRUE((*store)->commit(Batch().put_retained(retained("after"))));
    }
    auto again = reopen(path);
    EXPECT_TRUE(again.recovery.clean()) << again.recovery.summary();
    EXPECT_EQ(again.retained.size(), state.retained.size() + 1);
}

TEST(Damage, AFlippedQueuedMessageIsSkippedWhenPagedInAndNamed) {
    TempDir dir;
    auto path = dir / "culex.db";
    {
        auto store = SqliteStore::open({path});
        ASSERT_TRUE(store);
        Batch b;
        b.put_session(session("c"));
        for (std::uint64_t s = 1; s <= 5; ++s)
            b.enqueue(queued("c", s, "QUEUED-" + std::to_string(s)));
        ASSERT_TRUE((*store)->commit(b));
    }
    std::string bytes = read_all(path);
    auto at = bytes.find("QUEUED-3");
    ASSERT_NE(at, std::string::npos);
    bytes[at] ^= 0x01;
    write_all(path, bytes);

    auto store = SqliteStore::open({path});
    ASSERT_TRUE(store);
    auto page = (*store)->read_queue({"c", 0, 10, 1 << 20});
    ASSERT_TRUE(page);
    std::vector<std::uint64_t> got;
    for (const auto& m : page->messages)
        got.push_back(m.sequence);
    EXPECT_EQ(got, (std::vector<std::uint64_t>{1, 2, 4, 5}));
    ASSERT_EQ(page->dropped.size(), 1u);
    EXPECT_EQ(page->dropped[0].key, "c #3");
    EXPECT_EQ(page->last_sequence, 5u);
}

}  // namespace
}  // namespace culex::store::testing
