// TLS for the load generator: one SSL* per connection over the worker's own non-blocking socket
// (SSL_set_fd), driven by the worker's epoll exactly as the plain socket is. Not net::Transport's TLS: that
// is Asio, one asynchronous operation and completion per read or write, where the generator runs its own
// edge-triggered loop and must not add a wake-up per write. What is shared with culex pub/sub is the part
// that knows TLS: tls::ClientContext (mosquitto_pub's flags: CAs, client certificate, versions, host-name
// check) and tls::explain for a handshake that fails.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <expected>
#include <memory>
#include <string>

#include "base/error.hpp"
#include "bench/options.hpp"
#include "bench/socket.hpp"
#include "tls/client_context.hpp"

namespace culex::bench {

// --cafile, --cert... as culex pub's client settings (the version from --tls-version, plan() checked it).
tls::ClientSettings client_settings(const TlsOptions& options);

// The run's one client context; errors name the flag to fix.
std::expected<tls::ClientContextPtr, Error> make_tls_context(const TlsOptions& options);

class TlsLink {
  public:
    enum class Step { done, want_read, want_write, failed };

    // A client SSL on `fd` (connected, non-blocking), SNI and the host-name check for `host`.
    static std::expected<TlsLink, Error> start(tls::ClientContextPtr context, int fd, std::string host,
                                               unsigned port);

    // Drives the handshake as far as the socket allows.
    Step handshake();
    // Fills up to `size` bytes of plaintext, SSL_read after SSL_read, until the socket has no more
    // (ReadOutcome::End::drained), the buffer is full (more), or the connection ends.
    ReadOutcome read(char* data, std::size_t size);
    // Writes what the socket takes of `data`, one TLS record per 16 KiB: `blocked` once it takes no more.
    // A blocked write must be retried with the same bytes first (more may follow them).
    WriteOutcome write(const char* data, std::size_t size);

    // Why the handshake, or a read or write after it, failed: tls::explain's cause and fix.
    std::string failure() const;

  private:
    struct SslFree {
        void operator()(SSL* ssl) const { SSL_free(ssl); }
    };
    TlsLink(tls::ClientContextPtr context, SSL* ssl, std::string host, unsigned port);
    // Records what ended an operation that SSL_get_error called SSL_ERROR_SSL or SSL_ERROR_SYSCALL.
    void note_error(int ssl_error);

    tls::ClientContextPtr context_;
    std::unique_ptr<SSL, SslFree> ssl_;
    std::string host_;
    unsigned port_ = 0;
    unsigned long openssl_error_ = 0;
    int system_error_ = 0;
    bool peer_closed_ = false;
};

}  // namespace culex::bench
