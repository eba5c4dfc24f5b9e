// Reading a password from the terminal without echoing it, as mosquitto_passwd does: the prompt goes to
// stdout, the answer comes from stdin. When stdin is not a terminal (a pipe in a script) the line is read as
// it is.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace culex::auth {

// One line without its "\n"; nullopt at end of input with nothing read. Echo comes back on when the line is
// read, and also when the process is interrupted (Ctrl-C) while waiting for it.
std::optional<std::string> read_secret_line(std::string_view prompt);

}  // namespace culex::auth
