#include "sniff/line_writer.hpp"

#include <unistd.h>

#include <cerrno>

namespace culex::sniff {

namespace {
constexpr std::size_t kBlock = 64 * 1024;
}

void LineWriter::line(std::string_view text) {
    buffer_.append(text);
    end_line();
}

void LineWriter::end_line() {
    buffer_.push_back('\n');
    if (flush_each_line_ || buffer_.size() >= kBlock) flush();
}

void LineWriter::flush() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // a closed pipe: the reader has gone, nothing to tell it
        done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

}  // namespace culex::sniff
