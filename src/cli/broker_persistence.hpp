// `culex broker`'s persistence: the store that persistence_location / persistence_file name (or, without a
// config file, one in the user's data directory), opened once the process is what it stays (after -d: a
// fork keeps neither the store's lock nor the writer thread), restored into the broker before anything
// listens, and its writer stopped after the loops, so that everything they submitted is committed.
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace culex::broker {
class Broker;
}
namespace culex::store {
class SqliteStore;
class Writer;
}  // namespace culex::store

namespace culex::cli {

class BrokerPersistence {
  public:
    struct Place {
        std::filesystem::path path;
        bool fsync = false;
        // Chosen by culex (no config file), not asked for: a store that cannot be used is a warning then.
        bool is_default = false;
    };

    // Where the store is; nullopt when persistence is off.
    static std::optional<Place> place(const config::Config& config, bool is_default);
    // The default place: $XDG_DATA_HOME/culex, else ~/.local/share/culex (created 0700); nullopt when
    // there is no home to put it in.
    static std::optional<std::filesystem::path> default_directory(std::string& why_not);

    explicit BrokerPersistence(Place place);
    BrokerPersistence(const BrokerPersistence&) = delete;
    BrokerPersistence& operator=(const BrokerPersistence&) = delete;
    ~BrokerPersistence();

    // Opens and loads the store, logs what it found, restores it into `broker` and starts the writer.
    std::expected<void, std::string> prepare(broker::Broker& broker);
    // Commits what the loops submitted and ends the writer thread. After the loops stopped.
    void stop();

  private:
    Place place_;
    std::unique_ptr<store::SqliteStore> store_;
    std::unique_ptr<store::Writer> writer_;
    bool stopped_ = false;
};

}  // namespace culex::cli
