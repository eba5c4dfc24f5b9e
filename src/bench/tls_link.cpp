#include "bench/tls_link.hpp"

#include <openssl/err.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "net/transport/tls_connector.hpp"
#include "pki/handles.hpp"
#include "tls/explain.hpp"

namespace culex::bench {

namespace {

// With read-ahead, one recv() takes up to this much ciphertext, many records of it; without, OpenSSL reads
// each record's 5-byte header and then its body: two recv() per record, twice the generator's syscalls.
constexpr long kReadBuffer = 256 * 1024;

}  // namespace

tls::ClientSettings client_settings(const TlsOptions& options) {
    tls::ClientSettings s;
    s.cafile = options.cafile;
    s.capath = options.capath;
    s.certfile = options.certfile;
    s.keyfile = options.keyfile;
    s.insecure = options.insecure;
    // --tls alone: the system's CAs, as mosquitto_pub's --tls-use-os-certs.
    s.use_os_certs = options.cafile.empty() && options.capath.empty();
    if (options.version == "tlsv1.3") s.min_version = config::TlsVersion::tls1_3;
    if (options.version == "tlsv1.2") s.min_version = config::TlsVersion::tls1_2;
    if (options.version == "tlsv1.1") s.min_version = config::TlsVersion::tls1_1;
    s.ciphersuites = options.ciphersuites;
    return s;
}

std::expected<tls::ClientContextPtr, Error> make_tls_context(const TlsOptions& options) {
    auto context = tls::make_client_context(client_settings(options));
    if (!context) return fail(fmt::format("TLS settings: {}", context.error().message));
    return *context;
}

TlsLink::TlsLink(tls::ClientContextPtr context, SSL* ssl, std::string host, unsigned port)
    : context_(std::move(context)), ssl_(ssl), host_(std::move(host)), port_(port) {}

std::expected<TlsLink, Error> TlsLink::start(tls::ClientContextPtr context, int fd, std::string host,
                                             unsigned port) {
    ERR_clear_error();
    SSL* ssl = SSL_new(context->native_handle());
    if (ssl == nullptr) return fail(pki::with_openssl_reason("cannot start a TLS connection"));
    TlsLink link(std::move(context), ssl, std::move(host), port);
    if (SSL_set_fd(ssl, fd) != 1) return fail(pki::with_openssl_reason("cannot start a TLS connection"));
    if (auto prepared = tls::prepare_client_connection(ssl, *link.context_, link.host_); !prepared)
        return std::unexpected(prepared.error());
    // Partial writes: SSL_write returns after each record, so a full socket leaves a whole-record retry,
    // not a 64 KiB one; moving buffer: the worker may append to its output (and reallocate it) while a
    // write waits for room.
    SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_set_read_ahead(ssl, 1);
    SSL_set_default_read_buffer_len(ssl, kReadBuffer);
    SSL_set_connect_state(ssl);
    return link;
}

void TlsLink::note_error(int ssl_error) {
    if (ssl_error == SSL_ERROR_ZERO_RETURN) {
        peer_closed_ = true;
    } else if (ssl_error == SSL_ERROR_SYSCALL) {
        system_error_ = errno;
        // OpenSSL 3 reports an EOF without close_notify as SSL_ERROR_SSL; a reset or an EOF seen by an older
        // path lands here.
        peer_closed_ = errno == 0 || errno == ECONNRESET || errno == EPIPE;
        openssl_error_ = ERR_get_error();
    } else {
        openssl_error_ = ERR_get_error();
        peer_closed_ = ERR_GET_REASON(openssl_error_) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
    }
    ERR_clear_error();
}

TlsLink::Step TlsLink::handshake() {
    ERR_clear_error();
    int rc = SSL_connect(ssl_.get());
    if (rc == 1) return Step::done;
    int error = SSL_get_error(ssl_.get(), rc);
    if (error == SSL_ERROR_WANT_READ) return Step::want_read;
    if (error == SSL_ERROR_WANT_WRITE) return Step::want_write;
    note_error(error);
    return Step::failed;
}

ReadOutcome TlsLink::read(char* data, std::size_t size) {
    ReadOutcome out;
    while (out.bytes < size) {
        std::size_t n = 0;
        ERR_clear_error();
        if (SSL_read_ex(ssl_.get(), data + out.bytes, size - out.bytes, &n) == 1) {
            out.bytes += n;
            continue;
        }
        int error = SSL_get_error(ssl_.get(), 0);
        // WANT_WRITE while reading: a post-handshake message to answer; the next write sends it.
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            out.end = ReadOutcome::End::drained;
            return out;
        }
        note_error(error);
        // The broker closing the TCP connection (culex and Mosquitto send no close_notify) is a close, not
        // a TLS failure; an alert is one, for failure() to explain.
        out.end = peer_closed_ ? ReadOutcome::End::closed : ReadOutcome::End::failed;
        return out;
    }
    out.end = ReadOutcome::End::more;
    return out;
}

WriteOutcome TlsLink::write(const char* data, std::size_t size) {
    WriteOutcome out;
    while (out.bytes < size) {
        std::size_t n = 0;
        ERR_clear_error();
        if (SSL_write_ex(ssl_.get(), data + out.bytes, size - out.bytes, &n) == 1) {
            out.bytes += n;
            continue;
        }
        int error = SSL_get_error(ssl_.get(), 0);
        if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) {
            out.blocked = true;
        } else {
            note_error(error);
            out.failed = true;
            out.error = system_error_;
        }
        break;
    }
    return out;
}

std::string TlsLink::failure() const {
    tls::HandshakeError error;
    error.openssl_error = openssl_error_;
    error.peer_closed = peer_closed_;
    if (system_error_ != 0) error.system_error = std::strerror(system_error_);
    auto explanation = tls::explain_client_handshake(context_->info(), ssl_.get(), error, host_, port_);
    return net::tls_failure_text(explanation);
}

}  // namespace culex::bench
