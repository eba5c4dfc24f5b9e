// Close and reopen, or a process killed without closing: everything committed comes back.
#include <sys/wait.h>
#include <unistd.h>

#include "store_test_support.hpp"

namespace culex::store::testing {
namespace {

std::unique_ptr<SqliteStore> open_store(const std::filesystem::path& path, SyncMode sync = SyncMode::os) {
    auto opened = SqliteStore::open({path, sync});
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
}

Batch everything(const std::string& id) {
    Batch b;
    b.put_session(session(id))
        .add_subscription(subscription(id, "a/#"))
        .add_subscription(subscription(id, "b", "g"))
        .put_inflight(inflight(id, Direction::outgoing, 3))
        .put_inflight(inflight(id, Direction::incoming, 4))
        .put_will(will(id))
        .put_retained(retained("retained/" + id));
    for (std::uint64_t s = 1; s <= 20; ++s)
        b.enqueue(queued(id, s));
    return b;
}

void expect_everything(Store& store, const std::vector<std::string>& ids) {
    auto state = store.load();
    ASSERT_TRUE(state) << state.error().message;
    EXPECT_TRUE(state->recovery.clean()) << state->recovery.summary();
    ASSERT_EQ(state->sessions.size(), ids.size());
    ASSERT_EQ(state->queues.size(), ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto& id = ids[i];
        EXPECT_EQ(state->sessions[i], session(id));
        EXPECT_EQ(state->queues[i].count, 20u);
        auto page = store.read_queue({id, 0, 100, 1 << 20});
        ASSERT_TRUE(page);
        ASSERT_EQ(page->messages.size(), 20u);
        for (std::uint64_t s = 1; s <= 20; ++s)
            EXPECT_EQ(page->messages[s - 1], queued(id, s));
    }
    EXPECT_EQ(state->subscriptions.size(), 2 * ids.size());
    EXPECT_EQ(state->inflight.size(), 2 * ids.size());
    EXPECT_EQ(state->wills.size(), ids.size());
    EXPECT_EQ(state->retained.size(), ids.size());
    if (!ids.empty()) {
        EXPECT_EQ(state->inflight[0], inflight(ids[0], Direction::outgoing, 3));
        EXPECT_EQ(state->inflight[1], inflight(ids[0], Direction::incoming, 4));
        EXPECT_EQ(state->wills[0], will(ids[0]));
    }
}

TEST(Restart, CloseAndReopenRestoresEverything) {
    TempDir dir;
    for (SyncMode sync : {SyncMode::os, SyncMode::fsync}) {
        auto path = dir / (sync == SyncMode::os ? "os.db" : "fsync.db");
        {
            auto store = open_store(path, sync);
            ASSERT_TRUE(store);
            ASSERT_TRUE(store->commit(everything("c1")));
            ASSERT_TRUE(store->commit(everything("c2")));
        }
        auto store = open_store(path, sync);
        ASSERT_TRUE(store);
        expect_everything(*store, {"c1", "c2"});
    }
}

TEST(Restart, AProcessKilledAfterACommitLosesNothingOfIt) {
    TempDir dir;
    auto path = dir / "culex.db";
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // No destructor runs: the WAL is left as a killed broker leaves it.
        auto opened = SqliteStore::open({path, SyncMode::os});
        bool ok = opened && (*opened)->commit(everything("c1")) && (*opened)->commit(everything("c2"));
        ::_exit(ok ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    EXPECT_TRUE(std::filesystem::exists(path.string() + "-wal"));

    auto store = open_store(path);
    ASSERT_TRUE(store);
    expect_everything(*store, {"c1", "c2"});
}

// Killed while writing a commit: the WAL ends in the middle of its last frame. That commit never returned (no
// completion ran, nothing of it was acknowledged); SQLite discards it, and every commit before it is there.
TEST(Restart, AWalCutMidWriteLosesOnlyTheCommitBeingWritten) {
    TempDir dir;
    auto path = dir / "culex.db";
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto opened = SqliteStore::open({path, SyncMode::os});
        bool ok = opened && (*opened)->commit(everything("c1")) && (*opened)->commit(everything("c2"));
        ::_exit(ok ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    auto wal = path.string() + "-wal";
    auto size = std::filesystem::file_size(wal);
    ASSERT_GT(size, 1000u);
    std::filesystem::resize_file(wal, size - 100);

    auto store = open_store(path);
    ASSERT_TRUE(store);
    expect_everything(*store, {"c1"});
}

TEST(Restart, DeletionsAreRestoredToo) {
    TempDir dir;
    auto path = dir / "culex.db";
    {
        auto store = open_store(path);
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->commit(everything("c1")));
        ASSERT_TRUE(store->commit(everything("gone")));
        ASSERT_TRUE(store->commit(Batch().delete_session("gone").delete_retained("retained/gone")));
    }
    auto store = open_store(path);
    ASSERT_TRUE(store);
    expect_everything(*store, {"c1"});
}

TEST(Restart, ASecondBrokerOnTheSameStoreIsRefused) {
    TempDir dir;
    auto path = dir / "culex.db";
    auto first = open_store(path);
    ASSERT_TRUE(first);
    auto second = SqliteStore::open({path, SyncMode::os});
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().kind, StoreError::Kind::busy);
    EXPECT_NE(second.error().message.find(path.string()), std::string::npos) << second.error().message;
    EXPECT_NE(second.error().message.find("persistence_file"), std::string::npos) << second.error().message;
}

}  // namespace
}  // namespace culex::store::testing
