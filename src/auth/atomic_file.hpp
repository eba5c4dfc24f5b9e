// Replacing a file's content all at once: readers (a broker reloading on SIGHUP) see the old file or the new
// one, never half of each, and a crash leaves the old file in place.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/error.hpp"

namespace culex::auth {

// Writes `content` to a temporary file beside `path`, flushes it to disk and renames it over `path`. A new
// file gets mode 0600. An existing file keeps its owner, group and mode minus any access for others: Debian's
// broker runs as user mosquitto and often reads its files through their group, and a password file must not
// become unreadable to it, nor readable by everyone. A symbolic link is followed: its target is replaced.
// The error reads like Mosquitto's: "Unable to open file FILE for writing. Permission denied."
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace culex::auth
