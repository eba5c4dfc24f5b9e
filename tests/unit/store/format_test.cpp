// The file's format version, and the files culex refuses to touch: each refusal names the path, the cause
// and the fix.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "store/sqlite_handle.hpp"
#include "store_test_support.hpp"

namespace culex::store::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

void set_user_version(const std::filesystem::path& path, int version) {
    auto db = sqlite::Database::open(path.string(), SQLITE_OPEN_READWRITE);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec(("PRAGMA user_version = " + std::to_string(version)).c_str()));
}

std::int64_t user_version(const std::filesystem::path& path) {
    auto db = sqlite::Database::open(path.string(), SQLITE_OPEN_READONLY);
    if (!db) return -1;
    auto v = db->query_int("PRAGMA user_version");
    return v ? *v : -1;
}

TEST(Format, ANewStoreRecordsItsFormatVersion) {
    TempDir dir;
    auto path = dir / "culex.db";
    { ASSERT_TRUE(SqliteStore::open({path})); }
    EXPECT_EQ(user_version(path), 1);
}

TEST(Format, AStoreWrittenByANewerCulexIsRefusedAndLeftAlone) {
    TempDir dir;
    auto path = dir / "culex.db";
    {
        auto store = SqliteStore::open({path});
        ASSERT_TRUE(store);
        ASSERT_TRUE((*store)->commit(Batch().put_retained(retained("t"))));
    }
    set_user_version(path, 99);
    auto opened = SqliteStore::open({path});
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().kind, StoreError::Kind::too_new);
    const auto& message = opened.error().message;
    EXPECT_TRUE(contains(message, path.string())) << message;
    EXPECT_TRUE(contains(message, "version is 99")) << message;
    EXPECT_TRUE(contains(message, "newer")) << message;
    EXPECT_EQ(user_version(path), 99);
}

TEST(Format, AMosquittoPersistenceFileIsRefusedAndLeftAlone) {
    TempDir dir;
    auto path = dir / "mosquitto.db";
    const std::string content = std::string("\x00\xb5\x00mosquitto db", 15) + std::string(100, '\x01');
    { std::ofstream(path, std::ios::binary) << content; }
    auto opened = SqliteStore::open({path});
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().kind, StoreError::Kind::not_a_store);
    EXPECT_TRUE(contains(opened.error().message, "Mosquitto persistence file")) << opened.error().message;
    EXPECT_TRUE(contains(opened.error().message, "persistence_file")) << opened.error().message;
    std::ifstream in(path, std::ios::binary);
    std::string after((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(after, content);
}

TEST(Format, AnotherProgramsSqliteDatabaseIsRefused) {
    TempDir dir;
    auto path = dir / "other.db";
    {
        auto db = sqlite::Database::open(path.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("CREATE TABLE accounts(id INTEGER)"));
    }
    auto opened = SqliteStore::open({path});
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().kind, StoreError::Kind::not_a_store);
    EXPECT_TRUE(contains(opened.error().message, "not a culex store")) << opened.error().message;
}

TEST(Format, AMissingDirectoryIsNamedWithTheFix) {
    TempDir dir;
    auto path = dir / "no" / "such" / "culex.db";
    auto opened = SqliteStore::open({path});
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().kind, StoreError::Kind::unavailable);
    const auto& message = opened.error().message;
    EXPECT_TRUE(contains(message, (dir / "no" / "such").string() + " does not exist")) << message;
    EXPECT_TRUE(contains(message, "mkdir -p")) << message;
    EXPECT_TRUE(contains(message, "persistence_location")) << message;
}

TEST(Format, AnUnwritableDirectoryIsNamedWithTheFix) {
    if (::geteuid() == 0) GTEST_SKIP() << "root writes anywhere: run as another user to check this";
    TempDir dir;
    auto locked = dir / "locked";
    std::filesystem::create_directory(locked);
    ::chmod(locked.c_str(), 0555);
    auto opened = SqliteStore::open({locked / "culex.db"});
    ::chmod(locked.c_str(), 0755);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().kind, StoreError::Kind::unavailable);
    EXPECT_TRUE(contains(opened.error().message, locked.string() + " is not writable"))
        << opened.error().message;
    EXPECT_TRUE(contains(opened.error().message, "chmod")) << opened.error().message;
}

TEST(Format, AStorePathThatIsADirectoryIsNamed) {
    TempDir dir;
    std::filesystem::create_directory(dir / "culex.db");
    auto opened = SqliteStore::open({dir / "culex.db"});
    ASSERT_FALSE(opened);
    EXPECT_TRUE(contains(opened.error().message, "it is a directory")) << opened.error().message;
}

TEST(Format, SyncModeWords) {
    EXPECT_EQ(parse_sync_mode("os"), SyncMode::os);
    EXPECT_EQ(parse_sync_mode("fsync"), SyncMode::fsync);
    EXPECT_FALSE(parse_sync_mode("full"));
}

}  // namespace
}  // namespace culex::store::testing
