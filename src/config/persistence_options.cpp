// persistent_client_expiration and autosave_interval: how long what a client leaves behind is kept, and how
// often it is saved.
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
    return {};
}

}  // namespace culex::config::parsing
