// listener, port, bind_address and the other options that say where and how a listener opens its socket.
#include "config/option_handlers.hpp"

namespace culex::config::parsing {

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

namespace {

// `port` and `bind_address` name Mosquitto's default listener outright: it exists from their first line on.
void configure_default_listener(Parser& p) {
    if (!p.default_used) {
        p.default_used = true;
        p.default_listener.listener.source_file = p.file;
        p.default_listener.listener.source_line = p.line;
    }
    p.default_explicit = true;
}

}  // namespace

Result on_port(Parser& p, const Line& l) {
    std::uint16_t port = 0;
    if (auto ok = set_integer(l, port, 1, 65535); !ok) return ok;
    if (p.port_seen) p.warn("Default listener port specified multiple times. Only the latest will be used.");
    p.port_seen = true;
    p.default_listener.listener.port = port;
    configure_default_listener(p);
    return {};
}

Result on_bind_address(Parser& p, const Line& l) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    p.default_listener.listener.bind_address = *word;
    configure_default_listener(p);
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
    return set_choice(l, p.listener_target().listener.socket_domain, kChoices);
}

Result on_protocol(Parser& p, const Line& l) {
    static constexpr std::array<std::pair<std::string_view, ListenerProtocol>, 3> kChoices{
        {{"mqtt", ListenerProtocol::mqtt},
         {"websockets", ListenerProtocol::websockets},
         {"http", ListenerProtocol::http}}};
    return set_choice(l, p.listener_target().listener.protocol, kChoices);
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

}  // namespace culex::config::parsing
