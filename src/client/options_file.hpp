// Default options, as Mosquitto's clients read them: `culex pub` reads "$XDG_CONFIG_HOME/culex_pub" (else
// "$HOME/.config/culex_pub"), `culex sub` culex_sub, `culex rr` culex_rr. Their flags come before the
// command line's, so the command line wins; a password kept there stays out of shell history.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace culex::client {

// The file's words, Mosquitto's way: one flag per line, its value the rest of the line (spaces included);
// lines starting with '#' and empty lines skipped. culex also splits a -D/--property line on spaces, since
// that flag takes several words.
std::vector<std::string> option_file_words(std::string_view text);

// Where the file is for `name` ("culex_pub"), from the two variables' values (null when unset).
std::optional<std::string> default_options_path(std::string_view name, const char* xdg_config_home,
                                                const char* home);

// The file's words (if it exists and reads) followed by `argv`, from the process's environment.
std::vector<std::string> with_default_options(std::string_view name, std::span<const std::string> argv);

}  // namespace culex::client
