// mosquitto.conf -> Config: splits lines, dispatches each option to its handler, then resolves what depends
// on the whole file (the default listener, local-only mode, per-listener security, log settings) and checks
// the result as a whole.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

#include "config/config.hpp"
#include "config/include_dir.hpp"
#include "config/suggest.hpp"
#include "config/unimplemented.hpp"
#include "config/values.hpp"

namespace culex::config {

namespace {

namespace fs = std::filesystem;
using Result = std::expected<void, std::string>;

constexpr std::int64_t kIntMax = std::numeric_limits<std::int32_t>::max();

struct Line {
    std::string_view option;
    std::string_view usage;               // how the option is written, for messages
    std::string_view rest;                // after the option, trimmed: string values keep spaces and '#'
    std::vector<std::string_view> words;  // `rest` split on blanks, up to an inline "# comment"
};

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back()))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split_words(std::string_view rest) {
    std::vector<std::string_view> words;
    while (true) {
        while (!rest.empty() && is_blank(rest.front()))
            rest.remove_prefix(1);
        if (rest.empty() || rest.front() == '#') break;
        std::size_t end = 0;
        while (end < rest.size() && !is_blank(rest[end]))
            ++end;
        words.push_back(rest.substr(0, end));
        rest.remove_prefix(end);
    }
    return words;
}

std::expected<std::string, std::string> read_text(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return std::unexpected(std::string("it is a directory, not a file"));
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected(std::string(std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::unexpected(std::string(std::strerror(errno)));
    return text.str();
}

// Value helpers shared by the handlers. Each returns a message naming the option, the need and the fix.
Result count_words(const Line& l, std::size_t min, std::size_t max) {
    if (l.words.size() < min)
        return std::unexpected(fmt::format("'{}' needs a value; write it as '{}'", l.option, l.usage));
    if (l.words.size() > max) {
        return std::unexpected(fmt::format("'{}' has too many values ('{}'); write it as '{}'", l.option,
                                           fmt::join(l.words, " "), l.usage));
    }
    return {};
}

// Text values take the rest of the line, spaces and '#' included (paths and strftime formats have both), as
// in Mosquitto; only a value that would start with '#' is taken for a comment.
std::expected<std::string, std::string> text_value(const Line& l) {
    if (l.rest.empty() || l.rest.front() == '#')
        return std::unexpected(fmt::format("'{}' needs a value; write it as '{}'", l.option, l.usage));
    return std::string(l.rest);
}

std::expected<std::string_view, std::string> word_value(const Line& l) {
    if (auto ok = count_words(l, 1, 1); !ok) return std::unexpected(ok.error());
    return l.words[0];
}

template <typename T>
Result set_integer(const Line& l, T& target, std::int64_t min, std::int64_t max) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    auto value = parse_integer(l.option, *word, min, max);
    if (!value) return std::unexpected(value.error());
    target = static_cast<T>(*value);
    return {};
}

Result set_bool(const Line& l, bool& target) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    auto value = parse_bool(l.option, *word);
    if (!value) return std::unexpected(value.error());
    target = *value;
    return {};
}

Result set_text(const Line& l, std::string& target) {
    auto value = text_value(l);
    if (!value) return std::unexpected(value.error());
    target = std::move(*value);
    return {};
}

// One of a few words, with "did you mean" for near misses.
template <typename T, std::size_t N>
std::expected<T, std::string> choice(const Line& l,
                                     const std::array<std::pair<std::string_view, T>, N>& choices) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    std::array<std::string_view, N> names{};
    for (std::size_t i = 0; i < N; ++i) {
        if (choices[i].first == *word) return choices[i].second;
        names[i] = choices[i].first;
    }
    std::string message = fmt::format("'{}' needs {}, got '{}'", l.option, fmt::join(names, " or "), *word);
    if (auto near = closest_match(*word, names)) message += fmt::format(": did you mean '{}'?", *near);
    return std::unexpected(message);
}

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

// --- handlers ---

Result on_listener(Parser& p, const Line& l) {
    if (auto ok = count_words(l, 1, 2); !ok) return ok;
    auto port = parse_integer("listener", l.words[0], 0, 65535);
    if (!port) return std::unexpected(port.error());
    ListenerDraft draft;
    draft.listener.port = static_cast<std::uint16_t>(*port);
    draft.listener.source_file = p.file;
    draft.listener.source_line = p.line;
    if (*port == 0) {
        if (l.words.size() < 2) {
            return std::unexpected(std::string(
                "'listener 0' is a Unix socket listener and needs its path; write it as 'listener 0 "
                "/run/culex.sock', or give a port from 1 to 65535"));
        }
        draft.listener.unix_socket_path = l.words[1];
    } else if (l.words.size() == 2) {
        draft.listener.bind_address = l.words[1];
    }
    p.listeners.push_back(std::move(draft));
    return {};
}

Result on_port(Parser& p, const Line& l) {
    std::uint16_t port = 0;
    if (auto ok = set_integer(l, port, 1, 65535); !ok) return ok;
    if (p.port_seen) p.warn("Default listener port specified multiple times. Only the latest will be used.");
    p.port_seen = true;
    p.default_listener.listener.port = port;
    if (!p.default_used) {
        p.default_used = true;
        p.default_listener.listener.source_file = p.file;
        p.default_listener.listener.source_line = p.line;
    }
    p.default_explicit = true;
    return {};
}

Result on_bind_address(Parser& p, const Line& l) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    p.default_listener.listener.bind_address = *word;
    if (!p.default_used) {
        p.default_used = true;
        p.default_listener.listener.source_file = p.file;
        p.default_listener.listener.source_line = p.line;
    }
    p.default_explicit = true;
    return {};
}

Result on_bind_interface(Parser& p, const Line& l) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    p.listener_target().listener.bind_interface = *word;
    return {};
}

Result on_socket_domain(Parser& p, const Line& l) {
    static constexpr std::array<std::pair<std::string_view, SocketDomain>, 2> kChoices{
        {{"ipv4", SocketDomain::ipv4}, {"ipv6", SocketDomain::ipv6}}};
    auto value = choice(l, kChoices);
    if (!value) return std::unexpected(value.error());
    p.listener_target().listener.socket_domain = *value;
    return {};
}

Result on_protocol(Parser& p, const Line& l) {
    static constexpr std::array<std::pair<std::string_view, ListenerProtocol>, 2> kChoices{
        {{"mqtt", ListenerProtocol::mqtt}, {"websockets", ListenerProtocol::websockets}}};
    auto value = choice(l, kChoices);
    if (!value) return std::unexpected(value.error());
    p.listener_target().listener.protocol = *value;
    return {};
}

Result on_max_connections(Parser& p, const Line& l) {
    std::int64_t value = 0;
    if (auto ok = set_integer(l, value, -1, kIntMax); !ok) return ok;
    // Mosquitto treats -1 and 0 alike: no limit.
    const auto limit =
        value > 0 ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(value)) : std::nullopt;
    // Before any listener line it limits the broker as a whole.
    if (p.listeners.empty()) {
        p.config.max_connections = limit;
    } else {
        p.listeners.back().listener.max_connections = limit;
    }
    return {};
}

Result on_mount_point(Parser& p, const Line& l) {
    std::string value;
    if (auto ok = set_text(l, value); !ok) return ok;
    if (value.find_first_of("+#") != std::string::npos) {
        return std::unexpected(fmt::format(
            "'mount_point' is a topic prefix and cannot contain the wildcards + or #, got '{}'", value));
    }
    p.listener_target().listener.mount_point = std::move(value);
    return {};
}

template <std::string TlsSettings::*Field>
Result on_tls_text(Parser& p, const Line& l) {
    return set_text(l, p.listener_target().listener.tls.*Field);
}

template <bool TlsSettings::*Field>
Result on_tls_bool(Parser& p, const Line& l) {
    return set_bool(l, p.listener_target().listener.tls.*Field);
}

Result on_tls_version(Parser& p, const Line& l) {
    static constexpr std::array<std::pair<std::string_view, TlsVersion>, 3> kChoices{{
        {"tlsv1.3", TlsVersion::tls1_3},
        {"tlsv1.2", TlsVersion::tls1_2},
        {"tlsv1.1", TlsVersion::tls1_1},
    }};
    auto value = choice(l, kChoices);
    if (!value) return std::unexpected(value.error());
    p.listener_target().listener.tls.min_version = *value;
    return {};
}

Result on_tls_keyform(Parser& p, const Line& l) {
    static constexpr std::array<std::pair<std::string_view, KeyForm>, 2> kChoices{
        {{"pem", KeyForm::pem}, {"engine", KeyForm::engine}}};
    auto value = choice(l, kChoices);
    if (!value) return std::unexpected(value.error());
    if (*value == KeyForm::engine) {
        p.warn(
            "'tls_keyform engine' needs TLS engines, which culex does not implement yet; use a PEM keyfile");
    }
    p.listener_target().listener.tls.keyform = *value;
    return {};
}

Result on_allow_anonymous(Parser& p, const Line& l) {
    std::optional<bool>* anonymous = nullptr;
    p.security_target(anonymous, l.option);
    bool value = false;
    if (auto ok = set_bool(l, value); !ok) return ok;
    *anonymous = value;
    return {};
}

template <std::string SecuritySettings::*Field>
Result on_security_text(Parser& p, const Line& l) {
    std::optional<bool>* anonymous = nullptr;
    return set_text(l, p.security_target(anonymous, l.option).*Field);
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

Result on_persistent_client_expiration(Parser& p, const Line& l) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    auto value = parse_duration(l.option, *word);
    if (!value) return std::unexpected(value.error());
    p.config.persistent_client_expiration = *value;
    return {};
}

Result on_max_packet_size(Parser& p, const Line& l) {
    // Below 20 bytes ordinary packets no longer fit (Mosquitto's floor); above, MQTT's own ceiling.
    std::uint32_t value = 0;
    if (auto ok = set_integer(l, value, 20, 268'435'460); !ok) return ok;
    p.config.max_packet_size = value;
    return {};
}

Result on_autosave_interval(Parser& p, const Line& l) {
    std::int64_t seconds = 0;
    if (auto ok = set_integer(l, seconds, 0, kIntMax); !ok) return ok;
    p.config.persistence.autosave_interval = std::chrono::seconds{seconds};
    return {};
}

Result on_log_dest(Parser& p, const Line& l) {
    if (l.words.empty()) return count_words(l, 1, 1);
    const auto dest = l.words[0];
    auto& log = p.config.log;
    if (dest == "file") {
        const auto path = trim(l.rest.substr(4));
        if (path.empty()) {
            return std::unexpected(std::string(
                "'log_dest file' needs the file's path; write it as 'log_dest file /var/log/culex.log'"));
        }
        if (p.log_file_seen) {
            return std::unexpected(
                std::string("only one 'log_dest file' is allowed (as in Mosquitto): remove all but one"));
        }
        p.log_file_seen = true;
        log.file = path;
    } else if (dest == "syslog" || dest == "topic" || dest == "dlt") {
        if (auto ok = count_words(l, 1, 1); !ok) return ok;
        p.warn(
            fmt::format("culex does not implement the '{}' log destination yet; the line is ignored (without "
                        "another log_dest, culex logs to stderr)",
                        dest));
        return {};
    } else {
        if (auto ok = count_words(l, 1, 1); !ok) return ok;
        if (dest == "none") {
            log.to_stdout = log.to_stderr = false;
            log.file.clear();
        } else if (dest == "stdout") {
            log.to_stdout = true;
        } else if (dest == "stderr") {
            log.to_stderr = true;
        } else {
            static constexpr std::array<std::string_view, 7> kNames{"stdout", "stderr", "file", "none",
                                                                    "syslog", "topic",  "dlt"};
            std::string message =
                fmt::format("'log_dest' needs stdout, stderr, file PATH or none, got '{}'", dest);
            if (auto near = closest_match(dest, kNames))
                message += fmt::format(": did you mean '{}'?", *near);
            return std::unexpected(message);
        }
    }
    // The first log_dest line replaces the default (stderr) instead of adding to it.
    if (!p.log_dest_set) {
        p.log_dest_set = true;
        if (dest != "stderr") log.to_stderr = false;
    }
    return {};
}

Result on_log_type(Parser& p, const Line& l) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    const auto type = log::parse_log_type(*word);
    if (!type) {
        static constexpr std::array<std::string_view, 10> kNames{
            "debug",     "error",       "warning",    "notice", "information",
            "subscribe", "unsubscribe", "websockets", "none",   "all"};
        std::string message =
            fmt::format("'log_type' needs one of {}, got '{}'", log::log_type_names(), *word);
        if (auto near = closest_match(*word, kNames)) message += fmt::format(": did you mean '{}'?", *near);
        return std::unexpected(message);
    }
    p.log_type_set = true;
    if (*type == log::LogType::none || *type == log::LogType::all) {
        p.log_types = *type;
    } else {
        p.log_types |= *type;
    }
    return {};
}

Result on_include_dir_placeholder(Parser&, const Line&) {
    return {};
}  // handled by Parser::handle_line

const std::unordered_map<std::string_view, OptionSpec>& option_table() {
    static const auto table = [] {
        const OptionSpec specs[] = {
            // Listeners
            {"listener", "listener PORT [BIND_ADDRESS]", on_listener},
            {"port", "port PORT", on_port},
            {"bind_address", "bind_address ADDRESS", on_bind_address},
            {"bind_interface", "bind_interface DEVICE", on_bind_interface},
            {"socket_domain", "socket_domain ipv4|ipv6", on_socket_domain},
            {"protocol", "protocol mqtt|websockets", on_protocol},
            {"max_connections", "max_connections COUNT", on_max_connections},
            {"mount_point", "mount_point TOPIC_PREFIX", on_mount_point},
            // TLS, per listener
            {"cafile", "cafile PATH", on_tls_text<&TlsSettings::cafile>},
            {"capath", "capath DIRECTORY", on_tls_text<&TlsSettings::capath>},
            {"certfile", "certfile PATH", on_tls_text<&TlsSettings::certfile>},
            {"keyfile", "keyfile PATH", on_tls_text<&TlsSettings::keyfile>},
            {"keyfile_password", "keyfile_password PASSWORD", on_tls_text<&TlsSettings::keyfile_password>},
            {"crlfile", "crlfile PATH", on_tls_text<&TlsSettings::crlfile>},
            {"ciphers", "ciphers CIPHER:LIST", on_tls_text<&TlsSettings::ciphers>},
            {"ciphers_tls1.3", "ciphers_tls1.3 SUITE:LIST", on_tls_text<&TlsSettings::ciphers_tls13>},
            {"require_certificate", "require_certificate true|false",
             on_tls_bool<&TlsSettings::require_certificate>},
            {"use_identity_as_username", "use_identity_as_username true|false",
             on_tls_bool<&TlsSettings::use_identity_as_username>},
            {"use_subject_as_username", "use_subject_as_username true|false",
             on_tls_bool<&TlsSettings::use_subject_as_username>},
            {"tls_version", "tls_version tlsv1.3|tlsv1.2|tlsv1.1", on_tls_version},
            {"tls_keyform", "tls_keyform pem|engine", on_tls_keyform},
            // Security
            {"allow_anonymous", "allow_anonymous true|false", on_allow_anonymous},
            {"password_file", "password_file PATH", on_security_text<&SecuritySettings::password_file>},
            {"acl_file", "acl_file PATH", on_security_text<&SecuritySettings::acl_file>},
            {"allow_zero_length_clientid", "allow_zero_length_clientid true|false",
             on_allow_zero_length_clientid},
            {"auto_id_prefix", "auto_id_prefix PREFIX", on_security_text<&SecuritySettings::auto_id_prefix>},
            {"per_listener_settings", "per_listener_settings true|false", on_per_listener_settings},
            // Limits and behaviour
            {"max_inflight_messages", "max_inflight_messages COUNT",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.max_inflight_messages, 0, 65535);
             }},
            {"max_queued_messages", "max_queued_messages COUNT",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.max_queued_messages, 0, kIntMax);
             }},
            {"max_queued_bytes", "max_queued_bytes BYTES",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.max_queued_bytes, 0,
                                    std::numeric_limits<std::int64_t>::max());
             }},
            {"message_size_limit", "message_size_limit BYTES",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.message_size_limit, 0, 268'435'455);
             }},
            {"max_packet_size", "max_packet_size BYTES", on_max_packet_size},
            {"max_keepalive", "max_keepalive SECONDS",
             [](Parser& p, const Line& l) { return set_integer(l, p.config.max_keepalive, 10, 65535); }},
            {"persistent_client_expiration", "persistent_client_expiration DURATION (e.g. 14d)",
             on_persistent_client_expiration},
            {"retain_available", "retain_available true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.retain_available); }},
            {"upgrade_outgoing_qos", "upgrade_outgoing_qos true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.upgrade_outgoing_qos); }},
            {"set_tcp_nodelay", "set_tcp_nodelay true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.set_tcp_nodelay); }},
            // Persistence
            {"persistence", "persistence true|false",
             [](Parser& p, const Line& l) {
                 auto result = set_bool(l, p.config.persistence.enabled);
                 // Said out loud: someone who asks for persistence expects a restart to lose nothing.
                 if (result && p.config.persistence.enabled)
                     p.warn(
                         "persistence is not implemented yet: sessions, queued and retained messages are "
                         "kept in memory only and are lost when the broker stops");
                 return result;
             }},
            {"persistence_location", "persistence_location DIRECTORY",
             [](Parser& p, const Line& l) { return set_text(l, p.config.persistence.location); }},
            {"persistence_file", "persistence_file NAME",
             [](Parser& p, const Line& l) { return set_text(l, p.config.persistence.file); }},
            {"autosave_interval", "autosave_interval SECONDS", on_autosave_interval},
            // Logging
            {"log_dest", "log_dest stdout|stderr|file PATH|none", on_log_dest},
            {"log_type", "log_type TYPE", on_log_type},
            {"log_timestamp", "log_timestamp true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.log.timestamp); }},
            {"log_timestamp_format", "log_timestamp_format STRFTIME_FORMAT",
             [](Parser& p, const Line& l) { return set_text(l, p.config.log.timestamp_format); }},
            {"connection_messages", "connection_messages true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.connection_messages); }},
            // Files
            {"include_dir", "include_dir DIRECTORY", on_include_dir_placeholder},
            // culex's own
            {"threads", "threads COUNT (0 = one per core)",
             [](Parser& p, const Line& l) { return set_integer(l, p.config.threads, 0, 1024); }},
            {"login_throttle", "login_throttle true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.login_throttle.enabled); }},
            {"login_throttle_free_failures", "login_throttle_free_failures COUNT",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.login_throttle.free_failures, 0, 1000);
             }},
            {"login_throttle_max_delay", "login_throttle_max_delay SECONDS",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.login_throttle.max_delay_seconds, 1, 3600);
             }},
            {"connect_timeout", "connect_timeout SECONDS",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.connect_timeout_seconds, 1, 3600);
             }},
            {"enhanced_auth_test", "enhanced_auth_test true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.enhanced_auth_test); }},
        };
        std::unordered_map<std::string_view, OptionSpec> map;
        for (const auto& spec : specs)
            map.emplace(spec.name, spec);
        return map;
    }();
    return table;
}

std::string unknown_option_message(std::string_view option) {
    std::vector<std::string_view> names;
    for (const auto& [name, spec] : option_table())
        names.push_back(name);
    for (const auto& entry : unimplemented_options()) {
        if (!entry.name.ends_with('*')) names.push_back(entry.name);
    }
    std::sort(names.begin(), names.end());  // ties resolve the same way on every run
    if (auto near = closest_match(option, names)) {
        return fmt::format("unknown option '{}': did you mean '{}'?", option, *near);
    }
    return fmt::format("unknown option '{}': check its spelling; docs/config.md lists every option", option);
}

// --- Parser ---

Result Parser::handle_unimplemented(const Line& l, const UnimplementedOption& entry) {
    if (entry.area != kBridgeArea) {
        warn(fmt::format("'{}' is not implemented in culex yet ({}); the line is ignored", l.option,
                         entry.area));
        return {};
    }
    if (l.option == "connection") {
        in_bridge = true;
        warn(
            fmt::format("bridge '{}' is ignored: culex does not implement bridges yet, so this 'connection' "
                        "line and the bridge options after it are ignored",
                        l.words.empty() ? std::string_view{} : l.words[0]));
    } else if (!in_bridge) {
        warn(fmt::format(
            "'{}' is a bridge option, and culex does not implement bridges yet; the line is ignored",
            l.option));
    }
    return {};
}

Result Parser::include_dir(const Line& l, std::vector<ConfigError>& nested_error) {
    std::string dir;
    if (auto ok = set_text(l, dir); !ok) return ok;
    if (depth > 0) {
        warn(
            "include_dir is only read from the main configuration file (as in Mosquitto); this one is "
            "ignored");
        return {};
    }
    auto files = conf_files_in(dir);
    if (!files) {
        return std::unexpected(fmt::format(
            "include_dir '{}' cannot be read: {}; check the path (a relative path starts from the directory "
            "culex runs in)",
            dir, files.error()));
    }
    for (const auto& path : *files) {
        std::error_code ec;
        if (!config.files.empty() && fs::equivalent(path, config.files.front(), ec)) {
            return std::unexpected(fmt::format(
                "include_dir '{}' contains the main configuration file {}: move one of them elsewhere", dir,
                config.files.front()));
        }
        const std::string name = path.string();
        auto text = read_text(path);
        if (!text) {
            nested_error.push_back(
                {name, 0, fmt::format("cannot read this included file: {}", text.error())});
            return {};
        }
        config.files.push_back(name);
        // The included file's lines are handled with its own name and numbers, then this line resumes.
        const std::string saved_file = file;
        const int saved_line = line;
        const int saved_depth = depth;
        auto parsed = parse(*text, name, depth + 1);
        file = saved_file;
        line = saved_line;
        depth = saved_depth;
        if (!parsed) {
            nested_error.push_back(parsed.error());
            return {};
        }
    }
    return {};
}

Result Parser::handle_line(const Line& l, std::vector<ConfigError>& nested_error) {
    if (l.option == "include_dir") return include_dir(l, nested_error);
    const auto& table = option_table();
    if (auto it = table.find(l.option); it != table.end()) {
        Line with_usage = l;
        with_usage.usage = it->second.usage;
        return it->second.handle(*this, with_usage);
    }
    if (const auto* entry = find_unimplemented(l.option)) return handle_unimplemented(l, *entry);
    return std::unexpected(unknown_option_message(l.option));
}

std::expected<void, ConfigError> Parser::parse(std::string_view text, const std::string& file_name,
                                               int nesting) {
    file = file_name;
    depth = nesting;
    // Some Windows editors start a UTF-8 file with a byte order mark; it is not part of the first option.
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    int number = 0;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const auto raw = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        ++number;
        const auto content = trim(raw);
        if (content.empty() || content.front() == '#') continue;

        std::size_t option_end = 0;
        while (option_end < content.size() && !is_blank(content[option_end]))
            ++option_end;
        Line l;
        l.option = content.substr(0, option_end);
        l.rest = trim(content.substr(option_end));
        l.words = split_words(l.rest);
        l.usage = l.option;

        line = number;
        std::vector<ConfigError> nested_error;
        auto handled = handle_line(l, nested_error);
        if (!nested_error.empty()) return std::unexpected(nested_error.front());
        if (!handled) return std::unexpected(ConfigError{file, number, handled.error()});
    }
    return {};
}

std::string describe(const Listener& listener) {
    if (!listener.unix_socket_path.empty()) return fmt::format("listener 0 {}", listener.unix_socket_path);
    if (listener.is_default) return fmt::format("the default listener (port {})", listener.port);
    if (listener.bind_address.empty()) return fmt::format("listener {}", listener.port);
    return fmt::format("listener {} {}", listener.port, listener.bind_address);
}

std::expected<void, ConfigError> Parser::validate() const {
    const auto& all = config.listeners;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const Listener& l = all[i];
        const auto at = [&](std::string message) {
            return std::unexpected(ConfigError{l.source_file, l.source_line, std::move(message)});
        };
        if (!l.tls.certfile.empty() && l.tls.keyfile.empty()) {
            return at(
                fmt::format("{} has a certfile but no keyfile: add 'keyfile PATH' below it (TLS needs both)",
                            describe(l)));
        }
        if (l.tls.certfile.empty() && !l.tls.keyfile.empty()) {
            return at(
                fmt::format("{} has a keyfile but no certfile: add 'certfile PATH' below it (TLS needs both)",
                            describe(l)));
        }
        // `listener 0 IP` asks for an ephemeral port (culex's own): any number of those may share an address.
        const bool ephemeral =
            l.port == 0 && !l.unix_socket_path.empty() && l.unix_socket_path.find('/') == std::string::npos;
        for (std::size_t j = 0; j < i && !ephemeral; ++j) {
            const Listener& other = all[j];
            const bool same = l.unix_socket_path.empty()
                                  ? l.port == other.port && l.bind_address == other.bind_address &&
                                        other.unix_socket_path.empty()
                                  : l.unix_socket_path == other.unix_socket_path;
            if (same) {
                return at(
                    fmt::format("{} is defined twice (also at {}:{}): give each listener its own port or "
                                "address, or remove one",
                                describe(l), other.source_file, other.source_line));
            }
        }
    }
    return {};
}

// TLS options on a listener without certfile/keyfile do nothing: the listener speaks plain MQTT. Likely the
// certfile line went to another listener, so say which options are idle.
void Parser::warn_tls_without_certificate() {
    for (const auto& l : config.listeners) {
        if (l.tls.enabled()) continue;
        std::vector<std::string_view> idle;
        if (!l.tls.cafile.empty()) idle.push_back("cafile");
        if (!l.tls.capath.empty()) idle.push_back("capath");
        if (!l.tls.crlfile.empty()) idle.push_back("crlfile");
        if (!l.tls.ciphers.empty()) idle.push_back("ciphers");
        if (!l.tls.ciphers_tls13.empty()) idle.push_back("ciphers_tls1.3");
        if (!l.tls.keyfile_password.empty()) idle.push_back("keyfile_password");
        if (l.tls.min_version) idle.push_back("tls_version");
        if (l.tls.require_certificate) idle.push_back("require_certificate");
        if (l.tls.use_identity_as_username) idle.push_back("use_identity_as_username");
        if (l.tls.use_subject_as_username) idle.push_back("use_subject_as_username");
        if (idle.empty()) continue;
        config.warnings.push_back(
            {l.source_file, l.source_line,
             fmt::format(
                 "{} sets {} but has no certfile and keyfile, so it is not a TLS listener and they do "
                 "nothing: add certfile and keyfile below it, or remove them",
                 describe(l), fmt::join(idle, ", "))});
    }
}

std::expected<Config, ConfigError> Parser::finish(const std::string& main_file) {
    if (orphan_security_at && !default_used) return std::unexpected(*orphan_security_at);

    if (default_used) {
        default_listener.listener.is_default = true;
        if (!default_explicit && !listeners.empty()) {
            config.warnings.push_back({default_implicit_at.file, default_implicit_at.line,
                                       "this listener option comes before any 'listener' line, so (as in "
                                       "Mosquitto) it configures a "
                                       "separate default listener on port 1883; move it below the 'listener' "
                                       "line it is meant for"});
        }
        // Mosquitto opens the default listener after the others.
        listeners.push_back(std::move(default_listener));
    }

    config.local_only = listeners.empty();
    config.security.allow_anonymous = global_anonymous.value_or(config.local_only);
    if (config.local_only) {
        for (const auto& [address, domain] :
             {std::pair{"127.0.0.1", SocketDomain::ipv4}, std::pair{"::1", SocketDomain::ipv6}}) {
            ListenerDraft local;
            local.listener.bind_address = address;
            local.listener.socket_domain = domain;
            local.listener.source_file = main_file;
            listeners.push_back(std::move(local));
        }
    }
    for (auto& draft : listeners) {
        if (config.per_listener_settings && !config.local_only) {
            draft.listener.security.allow_anonymous = draft.allow_anonymous.value_or(false);
        } else {
            draft.listener.security = config.security;
        }
        config.listeners.push_back(std::move(draft.listener));
    }

    if (log_type_set) config.log.types = log_types;
    if (auto ok = validate(); !ok) return std::unexpected(ok.error());
    warn_tls_without_certificate();
    return std::move(config);
}

std::expected<Config, ConfigError> parse_main(std::string_view text, const std::string& file_name) {
    Parser parser;
    parser.config.files.push_back(file_name);
    if (auto ok = parser.parse(text, file_name, 0); !ok) return std::unexpected(ok.error());
    return parser.finish(file_name);
}

}  // namespace

std::string PersistenceSettings::path() const {
    if (location.empty()) return file;
    return (fs::path(location) / file).string();
}

std::expected<Config, ConfigError> parse_config(std::string_view text, std::string_view file_name) {
    return parse_main(text, std::string(file_name));
}

std::expected<Config, ConfigError> load_config(const std::string& path) {
    auto text = read_text(path);
    if (!text) {
        return std::unexpected(ConfigError{
            path, 0,
            fmt::format("cannot read the configuration file: {}; check the path given to -c", text.error())});
    }
    return parse_main(*text, path);
}

}  // namespace culex::config
