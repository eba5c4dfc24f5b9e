// The broker's side of TLS: a server context built from a listener's TlsSettings, checked before the
// listener opens (files readable, key matching certificate, certificate valid and chaining to cafile, CRL
// usable), so that a broken setup is an error at start naming the file, the cause and the fix, not a mystery
// at the first connection.
//
//     auto context = tls::make_server_context(listener);   // at start, and again on SIGHUP
//     if (!context) fatal(context.error().message);
//     for (auto& w : (*context)->warnings()) log(warning, w);
//     boost::asio::ssl::stream<tcp::socket> stream(std::move(socket), (*context)->asio_context());
//
// A ServerContext is immutable once made and shared: each connection keeps the shared_ptr it started with,
// so a reload gives new connections the new context while existing ones keep theirs.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "config/config.hpp"
#include "pki/findings.hpp"
#include "pki/summary.hpp"

namespace culex::tls {

// What explain and the identity code need to know about a server context.
struct ServerContextInfo {
    config::TlsSettings settings;
    std::string where;                               // "listener 8883 (culex.conf:4)", for messages
    pki::CertificateSummary certificate;             // certfile's own certificate
    std::vector<pki::Finding> certificate_findings;  // pki's findings about it, as a server certificate
    std::vector<pki::CertificateSummary> trusted;    // the certificates in cafile
};

class ServerContext {
  public:
    ServerContext(boost::asio::ssl::context context, ServerContextInfo info,
                  std::vector<std::string> warnings);
    ServerContext(const ServerContext&) = delete;
    ServerContext& operator=(const ServerContext&) = delete;

    // For boost::asio::ssl::stream's constructor (which takes a non-const reference; the context itself is
    // not changed after it is made).
    boost::asio::ssl::context& asio_context() const { return context_; }
    SSL_CTX* native_handle() const { return context_.native_handle(); }

    const ServerContextInfo& info() const { return info_; }
    // Problems that do not stop the listener (e.g. no subjectAltName, expiring within 30 days, certfile not
    // issued by a CA in cafile): the broker logs each as a warning when it opens the listener.
    const std::vector<std::string>& warnings() const { return warnings_; }

  private:
    mutable boost::asio::ssl::context context_;
    ServerContextInfo info_;
    std::vector<std::string> warnings_;
};

using ServerContextPtr = std::shared_ptr<const ServerContext>;

// "listener 8883 (culex.conf:4)"; "the default listener (port 1883)".
std::string describe_listener(const config::Listener& listener);

// Builds and checks the context for a TLS listener (listener.tls.enabled() must be true).
Result<ServerContextPtr> make_server_context(const config::Listener& listener);
// The same from settings alone; `where` names them in messages.
Result<ServerContextPtr> make_server_context(const config::TlsSettings& settings, const std::string& where);

// The oldest TLS version a listener accepts: tls_version, else TLS 1.2 (as Mosquitto 2).
int min_protocol_version(const std::optional<config::TlsVersion>& version);
std::string_view protocol_version_name(int version);  // "TLS 1.2"

}  // namespace culex::tls
