// persistent_client_expiration, autosave_interval, autosave_on_changes and persistence_sync: how long what a
// client leaves behind is kept, and how it is saved.
#include "config/option_handlers.hpp"

namespace culex::config::parsing {

Result on_persistent_client_expiration(Parser& p, const Line& l) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    auto value = parse_duration(l.option, *word);
    if (!value) return std::unexpected(value.error());
    p.config.persistent_client_expiration = *value;
    return {};
}

Result on_autosave_interval(Parser& p, const Line& l) {
    std::int64_t seconds = 0;
    if (auto ok = set_integer(l, seconds, 0, kIntMax); !ok) return ok;
    p.config.persistence.autosave_interval = std::chrono::seconds{seconds};
    // Said once, so that nobody tunes it expecting an effect: culex commits every change as it happens.
    p.warn(
        "autosave_interval has no effect: culex commits every change to the store as it happens "
        "(grouped, see persistence_sync)");
    return {};
}

Result on_autosave_on_changes(Parser& p, const Line& l) {
    std::int64_t changes = 0;
    if (auto ok = set_integer(l, changes, 0, kIntMax); !ok) return ok;
    p.warn(
        "autosave_on_changes has no effect: culex commits every change to the store as it happens "
        "(grouped, see persistence_sync)");
    return {};
}

Result on_persistence_sync(Parser& p, const Line& l) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    if (*word != "os" && *word != "fsync")
        return std::unexpected(fmt::format("'persistence_sync' needs os or fsync, got '{}'", *word));
    p.config.persistence.fsync = *word == "fsync";
    return {};
}

}  // namespace culex::config::parsing
