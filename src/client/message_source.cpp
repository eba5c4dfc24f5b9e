#include "client/message_source.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace culex::client {

namespace {

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(content).str();
}

std::optional<std::string> read_all(int fd) {
    std::string content;
    char buffer[64 * 1024];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;
        }
        if (n == 0) return content;
        content.append(buffer, static_cast<std::size_t>(n));
    }
}

}  // namespace

std::optional<std::string> load_message(MessageSource source, const std::string& message,
                                        const std::string& file, int in_fd, std::FILE* err) {
    switch (source) {
        case MessageSource::message:
            return message;
        case MessageSource::file: {
            auto content = read_file(file);
            if (!content) {
                std::fputs(
                    fmt::format("Error: Unable to open file \"{}\".\nError loading input file \"{}\".\n",
                                file, file)
                        .c_str(),
                    err);
            }
            return content;
        }
        case MessageSource::stdin_whole: {
            auto content = read_all(in_fd);
            if (!content) std::fputs("Error loading input from stdin.\n", err);
            return content;
        }
        default:
            return std::string();
    }
}

}  // namespace culex::client
