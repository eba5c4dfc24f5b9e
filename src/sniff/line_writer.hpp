// Output lines to a file descriptor, written with write(2) either at every line (live capture, so that a pipe
// into grep sees each packet as it happens) or in large blocks (reading a file, where speed matters).
#pragma once

#include <string>
#include <string_view>

namespace culex::sniff {

class LineWriter {
  public:
    LineWriter(int fd, bool flush_each_line) : fd_(fd), flush_each_line_(flush_each_line) {}
    ~LineWriter() { flush(); }
    LineWriter(const LineWriter&) = delete;
    LineWriter& operator=(const LineWriter&) = delete;

    // Appends `text` and a newline.
    void line(std::string_view text);
    // The buffer a caller may append a line to directly, then end it with end_line().
    std::string& buffer() { return buffer_; }
    void end_line();
    void flush();

  private:
    int fd_;
    bool flush_each_line_;
    std::string buffer_;
};

}  // namespace culex::sniff
