// Reads a file descriptor (stdin for `culex pub -l`) line by line on its own thread and hands each line to
// the io_context, so that lines are published as they arrive while the connection keeps being served. The
// thread waits in poll() on the descriptor and a wake-up pipe, so stopping never hangs on a blocked read.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>

namespace culex::client {

class LineReader {
  public:
    // `on_line` gets each line without its '\n' (a last line without one too); `on_end` follows the last.
    LineReader(boost::asio::io_context& io, int fd, std::function<void(std::string)> on_line,
               std::function<void()> on_end);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    void start();
    // Stops reading; no more callbacks are posted. Safe to call twice.
    void stop();

  private:
    void run();

    boost::asio::io_context& io_;
    int fd_;
    int wake_read_ = -1;
    int wake_write_ = -1;
    std::function<void(std::string)> on_line_;
    std::function<void()> on_end_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::shared_ptr<std::atomic<bool>> stopped_ = std::make_shared<std::atomic<bool>>(false);
    std::thread thread_;
};

}  // namespace culex::client
