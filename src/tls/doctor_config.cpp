#include "tls/doctor_config.hpp"

#include <sys/stat.h>

#include <openssl/x509_vfy.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "pki/crl.hpp"
#include "pki/inspect.hpp"
#include "pki/key.hpp"
#include "pki/pem.hpp"
#include "pki/verify.hpp"
#include "tls/file_checks.hpp"
#include "tls/server_context.hpp"

namespace culex::tls {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFixMarker = "; fix: ";

std::pair<std::string, std::string> split_fix(const std::string& text) {
    auto at = text.find(kFixMarker);
    if (at == std::string::npos) return {text, ""};
    return {text.substr(0, at), text.substr(at + kFixMarker.size())};
}

// The line of a listener's option, read back from its file: Listener only records where the listener starts.
class OptionLines {
  public:
    int find(const config::Listener& listener, std::string_view option) {
        if (listener.source_file.empty()) return 0;
        const auto& lines = load(listener.source_file);
        // The default listener's options come before the first `listener` line; a listener's come after its
        // own.
        std::size_t start = listener.is_default ? 0 : static_cast<std::size_t>(listener.source_line);
        for (std::size_t i = start; i < lines.size(); ++i) {
            auto word = first_word(lines[i]);
            if (word == "listener") break;
            if (word == option) return static_cast<int>(i + 1);
        }
        return listener.source_line;
    }

  private:
    static std::string_view first_word(std::string_view line) {
        auto begin = line.find_first_not_of(" \t");
        if (begin == std::string_view::npos) return {};
        auto end = line.find_first_of(" \t\r", begin);
        return line.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
    }
    const std::vector<std::string>& load(const std::string& file) {
        auto it = files_.find(file);
        if (it != files_.end()) return it->second;
        std::vector<std::string> lines;
        std::ifstream in(file);
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
        return files_.emplace(file, std::move(lines)).first->second;
    }
    std::map<std::string, std::vector<std::string>> files_;
};

class ListenerCheck {
  public:
    ListenerCheck(const config::Listener& listener, OptionLines& lines, ListenerReport& report)
        : l_(listener), s_(listener.tls), lines_(lines), r_(report) {}

    void run() {
        bool cert_readable = readable(s_.certfile, "certfile");
        bool key_readable = readable(s_.keyfile, "keyfile");
        bool ca_readable = s_.cafile.empty() || readable(s_.cafile, "cafile");
        if (!s_.capath.empty()) {
            if (auto ok = check_readable_directory(s_.capath, "capath", ""); !ok)
                add_error("unreadable-file", "capath", ok.error().message);
        }
        bool crl_readable = s_.crlfile.empty() || readable(s_.crlfile, "crlfile");
        if (s_.require_certificate && s_.cafile.empty() && s_.capath.empty()) {
            add(pki::Severity::error, "require-certificate-without-cafile",
                "require_certificate is true but there is no cafile or capath", "require_certificate",
                "no client certificate can be verified without the CA that issued it, so every client is "
                "refused",
                "add `cafile /path/to/ca.crt` (the CA that issues your client certificates, e.g. pki/ca.crt) "
                "under this listener");
        }
        if ((s_.use_identity_as_username || s_.use_subject_as_username) && !s_.require_certificate) {
            add(pki::Severity::warning, "identity-without-require-certificate",
                "use_identity_as_username/use_subject_as_username without require_certificate true",
                s_.use_identity_as_username ? "use_identity_as_username" : "use_subject_as_username",
                "clients are not asked for a certificate, so they have no identity and are refused as bad "
                "user name or password",
                "add `require_certificate true` under this listener");
        }
        if (key_readable) check_key_permissions();
        if (cert_readable) check_certificate();
        if (cert_readable && key_readable) check_key();
        if (ca_readable && !s_.cafile.empty()) check_cafile();
        if (cert_readable && ca_readable && !s_.cafile.empty() && !chain_.empty() && !cas_.empty())
            check_chain();
        if (crl_readable && !s_.crlfile.empty()) check_crl();
        if (!has_errors()) {
            // Anything the broker's own start-up checks refuse that the checks above did not name.
            auto context = make_server_context(l_);
            if (!context) {
                auto [what, fix] = split_fix(context.error().message);
                add(pki::Severity::error, "start-up", what, "certfile", "", fix);
            }
        }
    }

  private:
    std::string where(std::string_view option) {
        int line = lines_.find(l_, option);
        if (l_.source_file.empty()) return std::string(option);
        return fmt::format("{}:{}", l_.source_file, line);
    }

    void add(pki::Severity severity, std::string code, std::string what, std::string_view option,
             std::string why, std::string fix) {
        r_.findings.push_back(
            {severity, std::move(code), std::move(what), where(option), std::move(why), std::move(fix)});
    }
    void add_error(std::string code, std::string_view option, const std::string& message) {
        auto [what, fix] = split_fix(message);
        add(pki::Severity::error, std::move(code), what, option, "", fix);
    }
    bool has_errors() const {
        return std::any_of(r_.findings.begin(), r_.findings.end(),
                           [](const DoctorFinding& f) { return f.severity == pki::Severity::error; });
    }

    bool readable(const std::string& path, std::string_view option) {
        if (path.empty()) return false;
        if (auto ok = check_readable_file(path, option, ""); !ok) {
            add_error("unreadable-file", option, ok.error().message);
            return false;
        }
        return true;
    }

    void check_key_permissions() {
        struct stat st {};
        if (::stat(s_.keyfile.c_str(), &st) != 0) return;
        mode_t wide = st.st_mode & 077;
        if (wide == 0) return;
        bool others = (st.st_mode & 007) != 0;
        add(others ? pki::Severity::error : pki::Severity::warning, "key-permissions",
            fmt::format("keyfile \"{}\" has mode {:04o}: {} can read the private key", s_.keyfile,
                        st.st_mode & 0777, others ? "every user of this machine" : "its group"),
            "keyfile", "whoever reads the key can pose as the broker to every client",
            fmt::format("chmod 600 '{}' (and chown it to the user culex runs as)", s_.keyfile));
    }

    void check_certificate() {
        auto certs = pki::read_certificates(s_.certfile);
        if (!certs) {
            add_error("unreadable-certificate", "certfile",
                      fmt::format(
                          "certfile \"{}\" holds no certificate OpenSSL can read ({}); fix: point it at the "
                          "PEM certificate (culex pki server --name HOST writes pki/HOST.crt)",
                          s_.certfile, certs.error().message));
            return;
        }
        chain_ = std::move(*certs);
        auto reports = pki::inspect_certificates(chain_, {.role = pki::CertificateRole::server});
        leaf_ = reports.front().summary;
        r_.facts.push_back(fmt::format("certfile \"{}\": \"{}\", issued by \"{}\", valid until {}, {}",
                                       s_.certfile, leaf_.subject, leaf_.issuer,
                                       pki::format_time(leaf_.not_after),
                                       leaf_.subject_alt_names && !leaf_.subject_alt_names->empty()
                                           ? "names " + leaf_.subject_alt_names->to_string()
                                           : std::string("no subjectAltName")));
        for (std::size_t i = 0; i < reports.size(); ++i) {
            std::string which = i == 0 ? fmt::format("certfile \"{}\"", s_.certfile)
                                       : fmt::format("certificate {} of certfile \"{}\" (\"{}\")", i + 1,
                                                     s_.certfile, reports[i].summary.subject);
            for (const auto& f : reports[i].findings) {
                if (f.severity == pki::Severity::info) continue;
                add(f.severity, std::string(pki::to_string(f.code)), fmt::format("{}: {}", which, f.message),
                    "certfile", "", f.fix);
            }
        }
    }

    // The certificate file in `dir` whose public key is `key`'s, if any: names the file the key belongs to.
    static std::optional<std::string> certificate_of_key(const fs::path& dir, EVP_PKEY* key) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            auto ext = entry.path().extension();
            if (ext != ".crt" && ext != ".pem" && ext != ".cer") continue;
            auto cert = pki::read_certificate(entry.path());
            if (cert && pki::key_matches_certificate(key, cert->get())) return entry.path().string();
        }
        return std::nullopt;
    }
    static std::optional<std::string> key_of_certificate(const fs::path& dir, X509* cert) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            auto ext = entry.path().extension();
            if (ext != ".key" && ext != ".pem") continue;
            auto key = pki::read_private_key(entry.path());
            if (key && pki::key_matches_certificate(key->get(), cert)) return entry.path().string();
        }
        return std::nullopt;
    }

    void check_key() {
        std::optional<std::string> password;
        if (!s_.keyfile_password.empty()) password = s_.keyfile_password;
        auto key = pki::read_private_key(s_.keyfile, password);
        if (!key) {
            add_error("unreadable-key", "keyfile",
                      fmt::format(
                          "keyfile \"{}\" holds no private key culex can read ({}); fix: point it at the PEM "
                          "key made with the certificate",
                          s_.keyfile, key.error().message));
            return;
        }
        if (chain_.empty() || pki::key_matches_certificate(key->get(), chain_.front().get())) return;
        std::string belongs;
        auto key_dir = fs::path(s_.keyfile).parent_path();
        auto cert_dir = fs::path(s_.certfile).parent_path();
        if (auto other = certificate_of_key(key_dir.empty() ? "." : key_dir, key->get())) {
            belongs += fmt::format("; the key belongs to \"{}\"", *other);
        }
        if (auto right = key_of_certificate(cert_dir.empty() ? "." : cert_dir, chain_.front().get())) {
            belongs += fmt::format("; the key of certfile is \"{}\"", *right);
        }
        add(pki::Severity::error, "key-mismatch",
            fmt::format("keyfile \"{}\" is not the private key of certfile \"{}\" (CN \"{}\"){}", s_.keyfile,
                        s_.certfile, leaf_.subject_cn, belongs),
            "keyfile",
            "the broker cannot prove it owns the certificate: it refuses to start (Mosquitto: \"key values "
            "mismatch\"); "
            "usually the config points at files other than the ones just made or copied",
            "point certfile and keyfile at a pair made together (culex pki writes NAME.crt and NAME.key side "
            "by side), "
            "or make a new pair: culex pki server --name HOST");
    }

    void check_cafile() {
        auto certs = pki::read_certificates(s_.cafile);
        if (!certs) {
            add_error("unreadable-certificate", "cafile",
                      fmt::format(
                          "cafile \"{}\" holds no certificate OpenSSL can read ({}); fix: point it at the CA "
                          "certificate (culex pki init writes pki/ca.crt)",
                          s_.cafile, certs.error().message));
            return;
        }
        cas_ = std::move(*certs);
        for (const auto& ca : cas_) {
            auto summary = pki::summarize(ca.get());
            trusted_.push_back(summary);
            if (!summary.is_ca() && !summary.self_signed) {
                add(pki::Severity::error, "cafile-holds-leaf",
                    fmt::format("cafile \"{}\" holds \"{}\", a leaf certificate (not CA:TRUE, issued by "
                                "\"{}\"), not a CA",
                                s_.cafile, summary.subject, summary.issuer),
                    "cafile",
                    "OpenSSL builds chains up to CA certificates only: client certificates cannot be "
                    "verified against "
                    "it",
                    "point cafile at the CA certificate that issued your certificates (pki/ca.crt)");
                continue;
            }
            for (const auto& f : pki::check_certificate(summary, {.role = pki::CertificateRole::ca})) {
                if (f.severity == pki::Severity::info) continue;
                add(f.severity, std::string(pki::to_string(f.code)),
                    fmt::format("cafile \"{}\" (\"{}\"): {}", s_.cafile, summary.subject, f.message),
                    "cafile", "", f.fix);
            }
        }
        r_.facts.push_back(fmt::format("cafile \"{}\": {} certificate(s), first \"{}\"", s_.cafile,
                                       cas_.size(), trusted_.front().subject));
    }

    void check_chain() {
        std::vector<pki::X509Ptr> intermediates;
        for (std::size_t i = 1; i < chain_.size(); ++i)
            intermediates.push_back(pki::share(chain_[i].get()));
        auto result = pki::verify_certificate(chain_.front().get(), cas_, intermediates,
                                              {.purpose = pki::CertificateRole::server});
        if (result.ok) {
            r_.facts.push_back(fmt::format("certfile chains to cafile: {}", fmt::join(result.chain, " <- ")));
            return;
        }
        for (const auto& p : result.problems) {
            switch (p.error) {
                case X509_V_ERR_CERT_HAS_EXPIRED:
                case X509_V_ERR_CERT_NOT_YET_VALID:
                case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
                case X509_V_ERR_INVALID_PURPOSE:
                    continue;  // the certificate findings say it
                default:
                    break;
            }
            bool unknown_issuer = p.error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                                  p.error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
                                  p.error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
            const auto& issuer = p.depth == 0 ? leaf_.issuer : std::string("its issuer");
            bool named = std::any_of(trusted_.begin(), trusted_.end(),
                                     [&](const auto& t) { return t.subject == leaf_.issuer; });
            if (unknown_issuer && !named) {
                add(pki::Severity::warning, "not-issued-by-cafile",
                    fmt::format("certfile \"{}\" was issued by \"{}\", which is neither in cafile \"{}\" nor "
                                "in certfile",
                                s_.certfile, issuer, s_.cafile),
                    "certfile",
                    "if that issuer is an intermediate CA, clients cannot build the chain (they do not fetch "
                    "it); if it "
                    "is another CA, clients given this cafile refuse the broker (\"unknown ca\")",
                    fmt::format("append the intermediate to certfile (cat server.crt intermediate.crt > "
                                "chain.crt), or "
                                "reissue the certificate from the CA in cafile: culex pki server --name {}",
                                leaf_.subject_cn.empty() ? "HOST" : leaf_.subject_cn));
                continue;
            }
            auto [cause, fix] = split_fix(p.explanation);
            add(pki::Severity::error, "chain",
                fmt::format("certfile \"{}\" does not verify against cafile \"{}\" ({}): {}", s_.certfile,
                            s_.cafile, p.openssl_reason, cause),
                "certfile", "clients that trust cafile refuse the broker", fix);
        }
    }

    void check_crl() {
        auto crls = pki::read_crls(s_.crlfile);
        if (!crls) {
            add_error(
                "unreadable-crl", "crlfile",
                fmt::format(
                    "crlfile \"{}\" holds no CRL OpenSSL can read ({}); fix: make one with culex pki crl",
                    s_.crlfile, crls.error().message));
            return;
        }
        auto now = std::chrono::time_point_cast<std::chrono::seconds>(pki::Clock::now());
        for (const auto& crl : *crls) {
            auto summary = pki::summarize_crl(crl.get());
            bool signed_by_ca = std::any_of(cas_.begin(), cas_.end(), [&](const auto& ca) {
                return pki::crl_signed_by(crl.get(), ca.get());
            });
            if (!cas_.empty() && !signed_by_ca) {
                add(pki::Severity::error, "crl-other-ca",
                    fmt::format("crlfile \"{}\" was issued by \"{}\", not by a CA in cafile \"{}\"",
                                s_.crlfile, summary.issuer, s_.cafile),
                    "crlfile", "OpenSSL finds no CRL for the clients' CA and refuses every client",
                    "use the CRL of the CA in cafile (culex pki crl in that CA's directory writes ca.crl)");
            }
            if (summary.next_update && *summary.next_update < now) {
                add(pki::Severity::error, "crl-expired",
                    fmt::format("crlfile \"{}\" expired on {}", s_.crlfile,
                                pki::format_time(*summary.next_update)),
                    "crlfile", "OpenSSL refuses every client while the CRL is out of date",
                    "make a fresh one: culex pki crl");
            }
            r_.facts.push_back(
                fmt::format("crlfile \"{}\": {} revoked certificate(s)", s_.crlfile, summary.revoked.size()));
        }
    }

    const config::Listener& l_;
    const config::TlsSettings& s_;
    OptionLines& lines_;
    ListenerReport& r_;
    std::vector<pki::X509Ptr> chain_;
    pki::CertificateSummary leaf_;
    std::vector<pki::X509Ptr> cas_;
    std::vector<pki::CertificateSummary> trusted_;
};

std::string_view severity_word(pki::Severity severity) {
    switch (severity) {
        case pki::Severity::error:
            return "FAULT";
        case pki::Severity::warning:
            return "warning";
        case pki::Severity::info:
            return "note";
    }
    return "note";
}

}  // namespace

std::size_t ConfigReport::faults() const {
    std::size_t n = 0;
    for (const auto& l : listeners)
        n += std::count_if(l.findings.begin(), l.findings.end(),
                           [](const DoctorFinding& f) { return f.severity == pki::Severity::error; });
    return n;
}

std::size_t ConfigReport::warnings() const {
    std::size_t n = 0;
    for (const auto& l : listeners)
        n += std::count_if(l.findings.begin(), l.findings.end(),
                           [](const DoctorFinding& f) { return f.severity == pki::Severity::warning; });
    return n;
}

ConfigReport doctor_config(const config::Config& config, const std::string& config_file) {
    ConfigReport report;
    report.config_file = config_file;
    for (const auto& w : config.warnings)
        report.config_warnings.push_back(w.to_string());
    OptionLines lines;
    for (const auto& listener : config.listeners) {
        if (!listener.tls.enabled()) {
            ++report.plain_listeners;
            continue;
        }
        ListenerReport r;
        r.listener = describe_listener(listener);
        ListenerCheck(listener, lines, r).run();
        report.listeners.push_back(std::move(r));
    }
    return report;
}

Result<ConfigReport> doctor_config_file(const std::string& path) {
    auto config = config::load_config(path);
    if (!config) return fail(config.error().to_string());
    return doctor_config(*config, path);
}

std::string render_config_report(const ConfigReport& report) {
    std::string out;
    for (const auto& w : report.config_warnings)
        out += fmt::format("config warning: {}\n", w);
    if (report.listeners.empty()) {
        out += fmt::format("{}: no TLS listener ({} plain): nothing to check\n", report.config_file,
                           report.plain_listeners);
        return out;
    }
    for (const auto& l : report.listeners) {
        out += fmt::format("{}\n", l.listener);
        for (const auto& fact : l.facts)
            out += fmt::format("  ok: {}\n", fact);
        for (const auto& f : l.findings) {
            out += fmt::format("  {} [{}] {}: {}\n", severity_word(f.severity), f.code, f.where, f.what);
            if (!f.why.empty()) out += fmt::format("      why: {}\n", f.why);
            if (!f.fix.empty()) out += fmt::format("      fix: {}\n", f.fix);
        }
        if (l.findings.empty()) out += "  no problem found\n";
    }
    auto faults = report.faults();
    auto warnings = report.warnings();
    out += fmt::format("{} TLS listener(s) checked: {} fault(s), {} warning(s){}\n", report.listeners.size(),
                       faults, warnings, faults > 0 ? ": TLS will fail as configured" : "");
    return out;
}

}  // namespace culex::tls
