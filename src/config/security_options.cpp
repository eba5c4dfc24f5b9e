// allow_anonymous, allow_zero_length_clientid and per_listener_settings: who may connect, globally or per
// listener.
#include "config/option_handlers.hpp"

namespace culex::config::parsing {

Result on_allow_anonymous(Parser& p, const Line& l) {
    std::optional<bool>* anonymous = nullptr;
    p.security_target(anonymous, l.option);
    bool value = false;
    if (auto ok = set_bool(l, value); !ok) return ok;
    *anonymous = value;
    return {};
}

Result on_allow_zero_length_clientid(Parser& p, const Line& l) {
    std::optional<bool>* anonymous = nullptr;
    return set_bool(l, p.security_target(anonymous, l.option).allow_zero_length_clientid);
}

Result on_per_listener_settings(Parser& p, const Line& l) {
    bool value = false;
    if (auto ok = set_bool(l, value); !ok) return ok;
    if (p.config.per_listener_settings) return {};  // once on, it stays on (as in Mosquitto)
    if (value && p.security_seen) {
        return std::unexpected(std::string(
            "'per_listener_settings true' must come before every allow_anonymous, password_file, acl_file, "
            "allow_zero_length_clientid and auto_id_prefix line: move it to the top of the file"));
    }
    p.config.per_listener_settings = value;
    return {};
}

}  // namespace culex::config::parsing
