#include "client/line_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include <cerrno>

namespace culex::client {

LineReader::LineReader(boost::asio::io_context& io, int fd, std::function<void(std::string)> on_line,
                       std::function<void()> on_end)
    : io_(io), fd_(fd), on_line_(std::move(on_line)), on_end_(std::move(on_end)) {
    int fds[2];
    if (::pipe(fds) == 0) {
        wake_read_ = fds[0];
        wake_write_ = fds[1];
    }
}

LineReader::~LineReader() {
    stop();
    if (thread_.joinable()) thread_.join();
    if (wake_read_ >= 0) ::close(wake_read_);
    if (wake_write_ >= 0) ::close(wake_write_);
}

void LineReader::start() {
    if (thread_.joinable()) return;
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { run(); });
}

void LineReader::stop() {
    if (stopped_->exchange(true)) return;
    if (wake_write_ >= 0) {
        char byte = 0;
        [[maybe_unused]] auto n = ::write(wake_write_, &byte, 1);
    }
    work_.reset();
}

void LineReader::run() {
    std::string pending;
    char buffer[64 * 1024];
    auto stopped = stopped_;
    // Each handler checks `stopped` again on the loop: stop() may come between posting and running.
    auto post_line = [this, stopped](std::string line) {
        boost::asio::post(io_, [this, stopped, line = std::move(line)]() mutable {
            if (!*stopped) on_line_(std::move(line));
        });
    };
    while (!*stopped) {
        pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
        int ready = ::poll(fds, wake_read_ >= 0 ? 2 : 1, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents) break;
        ssize_t n = ::read(fd_, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            break;
        }
        if (n == 0) break;
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
            post_line(pending.substr(start, nl - start));
            start = nl + 1;
        }
        pending.erase(0, start);
    }
    if (*stopped) return;
    if (!pending.empty()) post_line(std::move(pending));
    boost::asio::post(io_, [this, stopped] {
        if (*stopped) return;
        work_.reset();
        on_end_();
    });
}

}  // namespace culex::client
