#include "bench/socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace culex::bench {

void Fd::reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

std::expected<Address, Error> resolve(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    std::string service = std::to_string(port);
    int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
    if (rc != 0 || found == nullptr)
        return std::unexpected(
            Error{fmt::format("cannot resolve {}: {} (check -h)", host, gai_strerror(rc))});
    Address address;
    std::memcpy(&address.storage, found->ai_addr, found->ai_addrlen);
    address.length = found->ai_addrlen;
    char numeric[NI_MAXHOST] = {};
    getnameinfo(found->ai_addr, found->ai_addrlen, numeric, sizeof numeric, nullptr, 0, NI_NUMERICHOST);
    address.text = found->ai_family == AF_INET6 ? fmt::format("[{}]:{}", numeric, port)
                                                : fmt::format("{}:{}", numeric, port);
    freeaddrinfo(found);
    return address;
}

namespace {

bool is_ipv4_loopback(const Address& address) {
    if (address.storage.ss_family != AF_INET) return false;
    const auto& in = reinterpret_cast<const sockaddr_in&>(address.storage);
    return (ntohl(in.sin_addr.s_addr) >> 24) == 127;
}

// Binds the socket to 127.0.0.(2 + ordinal % kLoopbackSources), the port left for connect() to pick
// (IP_BIND_ADDRESS_NO_PORT) so that each source address has the whole ephemeral range to itself. A failure
// leaves the socket unbound: the kernel's choice still works, only more slowly.
void bind_loopback_source(int fd, unsigned ordinal) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) != 0) return;
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl((127u << 24) | (2 + ordinal % kLoopbackSources));
    ::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source);
}

}  // namespace

int start_connect(const Address& address, unsigned ordinal) {
    int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (is_ipv4_loopback(address)) bind_loopback_source(fd, ordinal);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0 &&
        errno != EINPROGRESS) {
        int error = errno;
        ::close(fd);
        return -error;
    }
    return fd;
}

ReadOutcome read_socket(int fd, char* data, std::size_t size) {
    for (;;) {
        ssize_t n = ::recv(fd, data, size, MSG_DONTWAIT);
        if (n > 0) {
            auto got = static_cast<std::size_t>(n);
            return {got, got < size ? ReadOutcome::End::drained : ReadOutcome::End::more, 0};
        }
        if (n == 0) return {0, ReadOutcome::End::closed, 0};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {0, ReadOutcome::End::drained, 0};
        return {0, ReadOutcome::End::failed, errno};
    }
}

WriteOutcome write_socket(int fd, const char* data, std::size_t size) {
    WriteOutcome out;
    while (out.bytes < size) {
        ssize_t n = ::send(fd, data + out.bytes, size - out.bytes, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            out.bytes += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            out.blocked = true;
        } else {
            out.failed = true;
            out.error = errno;
        }
        break;
    }
    return out;
}

void raise_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}  // namespace culex::bench
