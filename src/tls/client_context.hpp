// The clients' side of TLS (culex pub/sub, doctor connect): a context from mosquitto_pub's TLS flags, and
// the per-connection set-up (SNI, host-name check). As in mosquitto_pub, the server certificate is always
// verified against --cafile/--capath (or the OS store with --tls-use-os-certs); --insecure skips the
// host-name check only.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "config/config.hpp"
#include "pki/summary.hpp"

namespace culex::tls {

// The names the user wrote the settings under, for messages: mosquitto_pub's flags, or a bridge's options.
struct ClientOptionNames {
    std::string_view cafile = "--cafile";
    std::string_view capath = "--capath";
    std::string_view cert = "--cert";
    std::string_view key = "--key";
    std::string_view ciphers = "--ciphers";
    std::string_view ciphersuites = "--ciphersuites";
    std::string_view alpn = "--tls-alpn";
    std::string_view insecure = "--insecure";
    std::string_view tls_version = "--tls-version";

    // mosquitto.conf's bridge_* options.
    static ClientOptionNames bridge() {
        return {"bridge_cafile",  "bridge_capath",   "bridge_certfile",
                "bridge_keyfile", "bridge_ciphers",  "bridge_ciphers_tls1.3",
                "bridge_alpn",    "bridge_insecure", "bridge_tls_version"};
    }
};

struct ClientSettings {
    std::string cafile;
    std::string capath;
    std::string certfile;  // --cert
    std::string keyfile;   // --key
    bool use_os_certs = false;
    bool insecure = false;                          // skip the host-name check (only that)
    std::optional<config::TlsVersion> min_version;  // --tls-version; unset: TLS 1.2
    std::string ciphers;                            // --ciphers (TLS 1.2 and older)
    std::string ciphersuites;                       // TLS 1.3 (bridge_ciphers_tls1.3)
    std::string alpn;                               // --tls-alpn, one protocol name
    ClientOptionNames names;                        // for messages

    // mosquitto_pub turns TLS on with any of these (-p 8883 alone does not).
    bool enabled() const { return !cafile.empty() || !capath.empty() || use_os_certs || !certfile.empty(); }
};

struct ClientContextInfo {
    ClientSettings settings;
    std::vector<pki::CertificateSummary> trusted;        // the certificates in cafile
    std::optional<pki::CertificateSummary> certificate;  // --cert's own certificate
};

class ClientContext {
  public:
    ClientContext(boost::asio::ssl::context context, ClientContextInfo info);
    ClientContext(const ClientContext&) = delete;
    ClientContext& operator=(const ClientContext&) = delete;

    boost::asio::ssl::context& asio_context() const { return context_; }
    SSL_CTX* native_handle() const { return context_.native_handle(); }
    const ClientContextInfo& info() const { return info_; }

  private:
    mutable boost::asio::ssl::context context_;
    ClientContextInfo info_;
};

using ClientContextPtr = std::shared_ptr<const ClientContext>;

// Checks the files (readable, the key is the certificate's) and builds the context. Errors name the flag.
Result<ClientContextPtr> make_client_context(const ClientSettings& settings);

// Before the handshake on `ssl`: SNI for a host name, and the host-name (or IP) check unless insecure.
Result<void> prepare_client_connection(SSL* ssl, const ClientContext& context, const std::string& host);

// Whether the server asked for a client certificate during this handshake (recorded when none was given).
bool certificate_was_requested(const SSL* ssl);

// The line culex's clients print when --insecure is given.
std::string_view insecure_notice();

}  // namespace culex::tls
