// Certificates, certificate requests and CRLs to and from files: PEM (one or many) or DER.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "pki/handles.hpp"

namespace culex::pki {

// Every certificate in `data` (a PEM bundle, or one DER certificate). An empty result is an error.
Result<std::vector<X509Ptr>> parse_certificates(std::string_view data);
Result<std::vector<X509Ptr>> read_certificates(const std::filesystem::path& path);
// The first certificate of a file (a server's certfile may carry its chain after it).
Result<X509Ptr> read_certificate(const std::filesystem::path& path);

Result<X509ReqPtr> parse_request(std::string_view data);
Result<X509ReqPtr> read_request(const std::filesystem::path& path);

Result<std::vector<X509CrlPtr>> parse_crls(std::string_view data);
Result<std::vector<X509CrlPtr>> read_crls(const std::filesystem::path& path);

// What a file holds, judged by its PEM headers (DER is tried as a certificate, then a request, then a CRL).
enum class PemKind { certificate, request, crl, private_key, unknown };
PemKind detect_kind(std::string_view data);

Result<std::string> to_pem(X509* cert);
Result<std::string> to_pem(X509_REQ* request);
Result<std::string> to_pem(X509_CRL* crl);

}  // namespace culex::pki
