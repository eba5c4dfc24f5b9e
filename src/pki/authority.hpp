// A small CA in one directory, the files `culex pki` manages: ca.crt, ca.key, NAME.crt + NAME.key per
// certificate, NAME.csr for requests, revoked.txt, crlnumber and ca.crl. Each operation returns what it wrote
// and what to do next, so the command line only prints.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "pki/builder.hpp"
#include "pki/crl.hpp"
#include "pki/key.hpp"
#include "pki/summary.hpp"

namespace culex::pki {

constexpr int kCaDays = 3650;
constexpr int kLeafDays = 825;
constexpr int kCrlDays = 365;  // long, because an expired CRL makes the broker refuse every client

struct IssueOptions {
    KeyType key_type = kDefaultKeyType;
    std::optional<int> days;            // default: kCaDays for the CA, kLeafDays for the rest
    std::optional<Seconds> not_before;  // explicit validity, for tests that need expired certificates
    std::optional<Seconds> not_after;
    std::vector<std::string> dns;  // server: extra DNS subjectAltNames
    std::vector<std::string> ip;   // server: extra IP subjectAltNames
    std::string organization;      // optional O= in the subject
    bool force = false;            // replace existing files
};

struct WrittenFile {
    std::filesystem::path path;
    std::string description;  // "CA private key (0600: keep it secret)"
};

struct Outcome {
    std::vector<WrittenFile> written;
    std::optional<CertificateSummary> certificate;  // the certificate made, if any
    std::vector<std::string> next_steps;            // lines to print after what was written
};

// File names for a certificate name: letters, digits, '.', '-', '_', '@'; not "ca"; not starting with '.' or
// '-'.
Result<void> validate_name(std::string_view name);

class Authority {
  public:
    explicit Authority(std::filesystem::path dir) : dir_(std::move(dir)) {}

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path ca_cert_path() const { return dir_ / "ca.crt"; }
    std::filesystem::path ca_key_path() const { return dir_ / "ca.key"; }
    std::filesystem::path crl_path() const { return dir_ / "ca.crl"; }
    std::filesystem::path revoked_path() const { return dir_ / "revoked.txt"; }
    std::filesystem::path crl_number_path() const { return dir_ / "crlnumber"; }
    std::filesystem::path cert_path(std::string_view name) const;
    std::filesystem::path key_path(std::string_view name) const;
    std::filesystem::path request_path(std::string_view name) const;

    // A new CA: key, self-signed certificate (CN `common_name`, default "culex CA <random>"), and an empty
    // CRL.
    Result<Outcome> init(const IssueOptions& options, std::string common_name = "");

    // A key and a certificate signed by this CA. A server certificate always carries subjectAltNames: `name`
    // itself (as DNS or IP), options.dns and options.ip; "localhost" also gets 127.0.0.1 and ::1.
    Result<Outcome> issue(Profile profile, const std::string& name, const IssueOptions& options);

    // A key and a CSR (NAME.key, NAME.csr) for another CA to sign: the key never leaves this directory.
    Result<Outcome> request(const std::string& name, const IssueOptions& options);

    // Signs a CSR as a server or client certificate, writing NAME.crt (NAME from the CSR's CN unless given).
    // The CSR's CN and DNS/IP subjectAltNames are used; any other extension it asks for is ignored.
    Result<Outcome> sign(const std::filesystem::path& csr, Profile profile, const IssueOptions& options,
                         std::optional<std::string> name = std::nullopt);

    // Revokes a certificate of this CA (a NAME of this directory or a certificate file) and rewrites ca.crl.
    Result<Outcome> revoke(const std::string& name_or_file, RevocationReason reason, int crl_days = kCrlDays);

    // Rewrites ca.crl from revoked.txt with a fresh validity period.
    Result<Outcome> write_crl(int crl_days = kCrlDays);

    Result<std::vector<RevokedEntry>> revoked() const;

  private:
    struct Ca {
        X509Ptr cert;
        EvpPkeyPtr key;
    };
    Result<Ca> load_ca() const;
    Result<Outcome> write_crl_with(const Ca& ca, const std::vector<RevokedEntry>& entries, int crl_days);

    std::filesystem::path dir_;
};

}  // namespace culex::pki
