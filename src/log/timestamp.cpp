#include "log/timestamp.hpp"

#include <fmt/format.h>

namespace culex::log {

std::string format_timestamp(std::time_t when, std::string_view format) {
    if (format.empty()) return fmt::format("{}", static_cast<long long>(when));

    std::tm local{};
    localtime_r(&when, &local);
    const std::string c_format{format};  // strftime wants a NUL-terminated format
    // strftime returns 0 both for "did not fit" and for an empty result; growing the buffer a few times tells
    // them apart without trusting any fixed size.
    std::string out(64 + 2 * format.size(), '\0');
    for (int attempt = 0; attempt < 4; ++attempt) {
        const std::size_t n = std::strftime(out.data(), out.size(), c_format.c_str(), &local);
        if (n > 0) {
            out.resize(n);
            return out;
        }
        out.resize(out.size() * 4);
    }
    return {};
}

}  // namespace culex::log
