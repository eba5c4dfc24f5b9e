// `culex passwd`: mosquitto_passwd's command line, behaviour, messages and exit codes, on top of
// PasswordFileEditor. Where mosquitto_passwd 2.0.11 loses data (-U on hashed lines, -b on a file with a
// comment), this refuses or leaves the line alone instead; docs/auth.md lists each difference.
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

namespace culex::auth {

struct PasswdIo {
    std::ostream& out;  // usage and prompts, as mosquitto_passwd prints them on stdout
    std::ostream& err;  // "Error: ..." and "Warning: ..."
    // Shows the prompt and reads one line without echo; nullopt at end of input.
    std::function<std::optional<std::string>(std::string_view prompt)> read_secret;
};

// Runs the command on the arguments after "passwd" (e.g. {"-c", "-b", "FILE", "USER", "PASS"}) and returns
// the process exit code: 0 done, 1 error, 2 the two passwords typed differ. Never prints a password.
int run_passwd(std::span<const std::string> args, PasswdIo& io);

}  // namespace culex::auth
