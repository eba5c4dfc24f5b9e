// The state of one parse of mosquitto.conf, shared by the option handlers (one file per option family) and
// by the whole-file resolution that runs once every line is read (resolve.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "config/config.hpp"
#include "config/line.hpp"
#include "config/unimplemented.hpp"

namespace culex::config::parsing {

struct ListenerDraft {
    Listener listener;
    std::optional<bool> allow_anonymous;  // unset: decided once the whole file is read
};

class Parser;
using Handler = Result (*)(Parser&, const Line&);

struct OptionSpec {
    std::string_view name;
    std::string_view usage;
    Handler handle;
};

const std::unordered_map<std::string_view, OptionSpec>& option_table();

class Parser {
  public:
    std::expected<void, ConfigError> parse(std::string_view text, const std::string& file, int depth);
    std::expected<Config, ConfigError> finish(const std::string& main_file);

    // --- state the handlers work on ---
    Config config;
    std::vector<ListenerDraft> listeners;  // from `listener` lines, in order
    // Mosquitto's default listener: what `port`, `bind_address` and listener options before the first
    // `listener` line configure. It exists only if one of them appeared.
    ListenerDraft default_listener;
    bool default_used = false;
    bool default_explicit = false;  // `port` or `bind_address`, not just a listener option
    bool port_seen = false;
    ConfigError default_implicit_at;                // the first listener option that made it implicitly
    std::optional<ConfigError> orphan_security_at;  // per-listener security before any listener
    std::optional<bool> global_anonymous;
    bool security_seen = false;
    bool log_dest_set = false;
    bool log_file_seen = false;
    bool log_type_set = false;
    log::LogType log_types = log::LogType::none;
    bool in_bridge = false;

    // Where the line being handled is.
    std::string file;
    int line = 0;
    int depth = 0;

    void warn(std::string message) { config.warnings.push_back({file, line, std::move(message)}); }

    ListenerDraft& listener_target() {
        if (!listeners.empty()) return listeners.back();
        if (!default_used) {
            default_used = true;
            default_listener.listener.source_file = file;
            default_listener.listener.source_line = line;
            default_implicit_at = {file, line, {}};
        }
        return default_listener;
    }

    // Security options go to the global settings, or with per_listener_settings to the current listener.
    SecuritySettings& security_target(std::optional<bool>*& anonymous, std::string_view option) {
        security_seen = true;
        if (!config.per_listener_settings) {
            anonymous = &global_anonymous;
            return config.security;
        }
        if (listeners.empty() && !default_used && !orphan_security_at) {
            orphan_security_at = ConfigError{
                file, line,
                fmt::format("'{}' comes before any 'listener' line, but per_listener_settings is true, so it "
                            "belongs to no listener: move it below the 'listener' line it is meant for",
                            option)};
        }
        auto& target = listeners.empty() ? default_listener : listeners.back();
        anonymous = &target.allow_anonymous;
        return target.listener.security;
    }

  private:
    Result handle_unimplemented(const Line& l, const UnimplementedOption& entry);
    Result include_dir(const Line& l, std::vector<ConfigError>& nested_error);
    Result handle_line(const Line& l, std::vector<ConfigError>& nested_error);
    std::expected<void, ConfigError> validate() const;
    void warn_tls_without_certificate();
};

}  // namespace culex::config::parsing
