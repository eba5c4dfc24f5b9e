// The configuration `culex broker` uses without -c.
#include "config/config.hpp"

namespace culex::config {

std::string_view default_config_text() {
    return R"(# culex's built-in configuration, used when `culex broker` runs without -c.
# It sets nothing, and with no listener line culex does what Mosquitto 2 does: it listens only on
# 127.0.0.1 and ::1, port 1883, and lets clients connect without a username. That is safe only because
# nothing outside this machine can reach those addresses.
#
# To accept clients from other machines, write a configuration file with a listener and authentication,
# for example:
#
#   listener 1883
#   password_file /etc/culex/passwd
#
# and start `culex broker -c FILE`. docs/config.md lists every option.
)";
}

Config default_config(std::uint16_t port) {
    // The text has no options, so parsing cannot fail; it goes through the parser anyway so that the
    // built-in defaults and a file's defaults can never drift apart.
    auto parsed = parse_config(default_config_text(), "(built-in configuration)");
    Config config = parsed ? std::move(*parsed) : Config{};
    for (auto& listener : config.listeners)
        listener.port = port;
    return config;
}

}  // namespace culex::config
