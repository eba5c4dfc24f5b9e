// Whether the files a TLS option names can be used, checked before OpenSSL is handed them, so that a missing
// or unreadable file is reported as such (OpenSSL would say "no start line" or "system lib").
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace culex::tls {

// `option` is the option's name ("certfile", "--cafile"), `where` says whose option it is ("listener 8883 at
// culex.conf:4"); both appear in the message.
Result<void> check_readable_file(const std::string& path, std::string_view option, std::string_view where);
Result<void> check_readable_directory(const std::string& path, std::string_view option,
                                      std::string_view where);

}  // namespace culex::tls
