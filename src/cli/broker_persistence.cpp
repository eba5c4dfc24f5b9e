#include "cli/broker_persistence.hpp"

#include <sys/stat.h>

#include <cstdlib>

#include "broker/broker.hpp"
#include "broker/restore.hpp"
#include "log/logger.hpp"
#include "store/sqlite_store.hpp"
#include "store/writer.hpp"

namespace culex::cli {

namespace fs = std::filesystem;
using culex::log::logger;
using culex::log::LogType;

std::optional<BrokerPersistence::Place> BrokerPersistence::place(const config::Config& config,
                                                                 bool is_default) {
    if (!config.persistence.enabled) return std::nullopt;
    return Place{config.persistence.path(), config.persistence.fsync, is_default};
}

std::optional<fs::path> BrokerPersistence::default_directory(std::string& why_not) {
    fs::path base;
    if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) {
        base = data;
    } else if (const char* home = std::getenv("HOME"); home && *home) {
        base = fs::path(home) / ".local" / "share";
    } else {
        why_not = "neither XDG_DATA_HOME nor HOME is set";
        return std::nullopt;
    }
    fs::path directory = base / "culex";
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec) {
        why_not = fmt::format("cannot create {}: {}", directory.string(), ec.message());
        return std::nullopt;
    }
    ::chmod(directory.c_str(), 0700);  // its store holds every retained message and queued payload
    return directory;
}

BrokerPersistence::BrokerPersistence(Place place) : place_(std::move(place)) {}

BrokerPersistence::~BrokerPersistence() {
    stop();
}

std::expected<void, std::string> BrokerPersistence::prepare(broker::Broker& broker) {
    store::SqliteStore::Options options;
    options.path = place_.path;
    options.sync = place_.fsync ? store::SyncMode::fsync : store::SyncMode::os;
    auto opened = store::SqliteStore::open(options);
    if (!opened) {
        if (place_.is_default && opened.error().kind == store::StoreError::Kind::busy) {
            // Two brokers started without a config file: the second runs, but says it keeps nothing.
            logger().log(LogType::warning, "Warning: {}; this broker runs without persistence.",
                         opened.error().message);
            return {};
        }
        return std::unexpected(opened.error().message +
                               (place_.is_default ? "" : " (persistence_location, persistence_file)"));
    }
    store_ = std::move(*opened);
    auto loaded = store_->load();
    if (!loaded) return std::unexpected(loaded.error().message);
    logger().log(LogType::notice, "Persistence: {}; every change is committed as it happens.",
                 store_->describe());
    // What the store found, in its own words: a damaged file or dropped records are a warning.
    std::string summary = loaded->recovery.summary();
    LogType level = loaded->recovery.clean() ? LogType::information : LogType::warning;
    std::size_t start = 0;
    while (start <= summary.size()) {
        std::size_t end = summary.find('\n', start);
        if (end == std::string::npos) end = summary.size();
        logger().log(level, "{}", summary.substr(start, end - start));
        start = end + 1;
    }
    auto restored = broker::restore(broker, *store_, *loaded);
    if (!restored) return std::unexpected(restored.error().message);
    logger().log(LogType::notice, "{}", restored->summary());
    writer_ = std::make_unique<store::Writer>(*store_, store::Writer::Options{});
    broker.use_store(writer_.get());
    return {};
}

void BrokerPersistence::stop() {
    if (!writer_ || stopped_) return;
    writer_->stop();
    stopped_ = true;
    // What group commit did over the run: for an operator tuning persistence_sync, and for benchmarks.
    auto c = writer_->counters();
    logger().log(
        LogType::information,
        "Persistence: {} commits of {} operations ({} cancelled out within a commit); {} queue pages "
        "read.",
        c.commits, c.operations, c.cancelled, c.pages_read);
    if (c.failed_commits > 0)
        logger().log(LogType::error, "Error: {} commits to the store failed (logged as they happened).",
                     c.failed_commits);
}

}  // namespace culex::cli
