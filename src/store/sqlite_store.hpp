// The embedded store: one SQLite file in WAL mode, one b-tree per kind of record, a checksum per row.
// Opening checks the file (PRAGMA quick_check) and, when it is damaged, salvages what reads, moves the
// damaged file aside and carries on with a fresh file holding what was intact (see docs/persistence.md).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "store/sqlite_handle.hpp"
#include "store/store.hpp"

namespace culex::store {

// persistence_sync: what a commit survives once it returned.
enum class SyncMode {
    os,     // written to the OS (WAL, synchronous=NORMAL): survives the broker being killed, not power loss
    fsync,  // the WAL fsynced at each commit (synchronous=FULL): survives power loss; group commit pays it
};
std::optional<SyncMode> parse_sync_mode(std::string_view word);  // "os" or "fsync"

class SqliteStore final : public Store {
  public:
    struct Options {
        std::filesystem::path path;
        SyncMode sync = SyncMode::os;
        std::size_t max_value_bytes = 512u << 20;  // see MemoryStore
    };

    // Opens or creates the store; salvages a damaged file (reported in load()'s recovery). Errors name the
    // path, the cause and the fix.
    static std::expected<std::unique_ptr<SqliteStore>, StoreError> open(const Options& options);
    ~SqliteStore() override;

    using Store::commit;
    std::expected<void, StoreError> commit(std::span<const Batch* const> batches) override;
    std::expected<LoadedState, StoreError> load() override;
    std::expected<QueuePage, StoreError> read_queue(const QueueRequest& request) override;
    std::string describe() const override;

    const Recovery& open_report() const { return opened_; }

  private:
    struct Statements;
    struct Apply;

    explicit SqliteStore(const Options& options);
    std::expected<void, StoreError> start(bool& damaged);
    StoreError io_error(const sqlite::Error& error, std::string_view doing) const;

    Options options_;
    sqlite::Database db_;
    std::unique_ptr<Statements> statements_;
    Recovery opened_;  // what opening found; load() starts its report from it
};

}  // namespace culex::store
