// The few socket calls the load generator makes, wrapped once: an owning file descriptor, name resolution,
// a non-blocking TCP connect, and the read and write of a plain connection (TLS ones go through TlsLink,
// tls_link.hpp, which answers in the same terms).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <expected>
#include <string>
#include <utility>

#include "base/error.hpp"

namespace culex::bench {

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset();

  private:
    int fd_ = -1;
};

struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;
    std::string text;  // "127.0.0.1:1883", for messages
};

std::expected<Address, Error> resolve(const std::string& host, std::uint16_t port);

// A non-blocking socket with a connect in progress (or done), TCP_NODELAY set: the engine batches its own
// writes, so Nagle would only add latency. Returns -errno on failure.
// To an IPv4 loopback broker, connections are spread over kLoopbackSources source addresses by `ordinal`:
// from one source address to one broker port, the 28,000 ephemeral ports of a default
// ip_local_port_range are all there is, and connect() slows to a crawl searching for a free one once
// most are taken (19,000 idle connections, plus whatever TIME_WAIT the previous run left).
constexpr unsigned kLoopbackSources = 16;
int start_connect(const Address& address, unsigned ordinal);

// What a read of a non-blocking connection brought, and what ended it.
struct ReadOutcome {
    enum class End { more, drained, closed, failed };
    std::size_t bytes = 0;  // to walk before acting on `end`
    End end = End::drained;
    int error = 0;  // errno, for `failed` on a plain socket
};

// One recv() into `data`: `drained` when it returned less than `size` (a new edge reports more).
ReadOutcome read_socket(int fd, char* data, std::size_t size);

struct WriteOutcome {
    std::size_t bytes = 0;
    bool blocked = false;  // the socket takes no more now: wait for EPOLLOUT
    bool failed = false;
    int error = 0;  // errno, for `failed` on a plain socket
};

// send() until all of `data` is written or the socket is full.
WriteOutcome write_socket(int fd, const char* data, std::size_t size);

// Raises this process's soft limit on open files to the hard limit (many connections need many).
void raise_file_limit();

}  // namespace culex::bench
