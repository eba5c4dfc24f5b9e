// `culex pki [--dir DIR] init|server|client|csr|sign|show|verify|revoke|crl`: a small CA that makes correct
// X.509 v3 certificates, and the inspection tools to check any certificate. The work is in src/pki.
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "pki/authority.hpp"
#include "pki/files.hpp"
#include "pki/inspect.hpp"
#include "pki/pem.hpp"
#include "pki/render.hpp"
#include "pki/verify.hpp"

namespace culex::cli {

namespace {

namespace pki = culex::pki;

struct PkiFlags {
    std::string dir = "pki";
    std::string key_type = "ec:P-256";
    std::optional<int> days;
    std::string not_before;
    std::string not_after;
    std::string name;
    std::string common_name;
    std::string organization;
    std::vector<std::string> dns;
    std::vector<std::string> ip;
    bool force = false;
    std::string csr;
    std::string profile;
    std::string file;
    std::string role = "any";
    std::string ca;
    std::string host;
    std::string purpose;
    std::vector<std::string> crls;
    std::string key;
    std::string untrusted;
    std::string reason = "unspecified";
    int crl_days = pki::kCrlDays;
};

void print_error(const std::string& message) {
    std::fprintf(stderr, "culex pki: error: %s\n", message.c_str());
}

int print_outcome(const Result<pki::Outcome>& outcome) {
    if (!outcome) {
        print_error(outcome.error().message);
        return 1;
    }
    for (const auto& w : outcome->written)
        std::printf("wrote %s: %s\n", w.path.c_str(), w.description.c_str());
    for (const auto& line : outcome->next_steps)
        std::printf("%s\n", line.c_str());
    return 0;
}

Result<pki::IssueOptions> issue_options(const PkiFlags& f) {
    pki::IssueOptions o;
    auto key_type = pki::parse_key_type(f.key_type);
    if (!key_type) return std::unexpected(key_type.error());
    o.key_type = *key_type;
    o.days = f.days;
    o.dns = f.dns;
    o.ip = f.ip;
    o.organization = f.organization;
    o.force = f.force;
    if (!f.not_before.empty()) {
        auto t = pki::parse_time(f.not_before);
        if (!t) return std::unexpected(t.error());
        o.not_before = *t;
    }
    if (!f.not_after.empty()) {
        auto t = pki::parse_time(f.not_after);
        if (!t) return std::unexpected(t.error());
        o.not_after = *t;
    }
    return o;
}

pki::CertificateRole parse_role(const std::string& text) {
    if (text == "ca") return pki::CertificateRole::ca;
    if (text == "server") return pki::CertificateRole::server;
    if (text == "client") return pki::CertificateRole::client;
    return pki::CertificateRole::any;
}

void add_issue_flags(CLI::App* cmd, PkiFlags& f, bool with_names) {
    cmd->add_option("--key-type", f.key_type,
                    "rsa:2048|rsa:3072|rsa:4096|ec:P-256|ec:P-384|ed25519 (default ec:P-256)");
    cmd->add_option("--days", f.days, "validity in days (default 3650 for the CA, 825 otherwise)");
    cmd->add_option("--not-before", f.not_before, "explicit start of validity, YYYY-MM-DD[THH:MM:SSZ] (UTC)");
    cmd->add_option("--not-after", f.not_after, "explicit end of validity, YYYY-MM-DD[THH:MM:SSZ] (UTC)");
    cmd->add_option("--org", f.organization, "organization (O=) in the subject");
    cmd->add_flag("--force", f.force, "replace existing files");
    if (with_names) {
        cmd->add_option("--dns", f.dns, "extra DNS name for subjectAltName (repeatable)");
        cmd->add_option("--ip", f.ip, "IP address for subjectAltName (repeatable)");
    }
}

int run_show(const PkiFlags& f) {
    auto data = pki::read_file(f.file);
    if (!data) {
        print_error(data.error().message);
        return 1;
    }
    switch (pki::detect_kind(*data)) {
        case pki::PemKind::certificate: {
            auto certs = pki::parse_certificates(*data);
            if (!certs) break;
            pki::CheckOptions options;
            options.role = parse_role(f.role);
            auto reports = pki::inspect_certificates(*certs, options);
            for (std::size_t i = 0; i < reports.size(); ++i) {
                if (reports.size() > 1)
                    std::printf("%s[%zu of %zu in %s]\n", i ? "\n" : "", i + 1, reports.size(),
                                f.file.c_str());
                std::fputs(pki::render_report(reports[i]).c_str(), stdout);
            }
            return 0;
        }
        case pki::PemKind::request: {
            auto request = pki::parse_request(*data);
            if (!request) break;
            auto summary = pki::summarize_request(request->get());
            if (!summary) {
                print_error(f.file + ": " + summary.error().message);
                return 1;
            }
            std::fputs(pki::render_request(*summary).c_str(), stdout);
            return 0;
        }
        case pki::PemKind::crl: {
            auto crls = pki::parse_crls(*data);
            if (!crls) break;
            auto now = std::chrono::time_point_cast<std::chrono::seconds>(pki::Clock::now());
            for (const auto& crl : *crls)
                std::fputs(pki::render_crl(pki::summarize_crl(crl.get()), now).c_str(), stdout);
            return 0;
        }
        case pki::PemKind::private_key: {
            auto key = pki::parse_private_key(*data);
            if (!key) {
                print_error(f.file + ": " + key.error().message);
                return 1;
            }
            std::printf("Private key: %s\n", pki::describe_key(key->get()).text.c_str());
            return 0;
        }
        case pki::PemKind::unknown:
            break;
    }
    print_error(f.file +
                ": neither a certificate, a certificate request, a CRL nor a private key (PEM or DER)");
    return 1;
}

int run_verify(const PkiFlags& f) {
    auto trusted = pki::read_certificates(f.ca);
    auto chain = pki::read_certificates(f.file);
    if (!trusted || !chain) {
        print_error(!trusted ? trusted.error().message : chain.error().message);
        return 1;
    }
    std::vector<pki::X509Ptr> intermediates;
    for (std::size_t i = 1; i < chain->size(); ++i)
        intermediates.push_back(std::move((*chain)[i]));
    if (!f.untrusted.empty()) {
        auto more = pki::read_certificates(f.untrusted);
        if (!more) {
            print_error(more.error().message);
            return 1;
        }
        for (auto& c : *more)
            intermediates.push_back(std::move(c));
    }
    std::vector<pki::X509CrlPtr> crls;
    pki::VerifyOptions options;
    for (const auto& path : f.crls) {
        auto loaded = pki::read_crls(path);
        if (!loaded) {
            print_error(loaded.error().message);
            return 1;
        }
        for (auto& c : *loaded)
            crls.push_back(std::move(c));
    }
    for (const auto& c : crls)
        options.crls.push_back(c.get());
    if (!f.host.empty()) options.host = f.host;
    options.purpose = parse_role(f.purpose.empty() ? (f.host.empty() ? "any" : "server") : f.purpose);

    X509* cert = chain->front().get();
    int status = 0;
    auto result = pki::verify_certificate(cert, *trusted, intermediates, options);
    if (result.ok) {
        std::printf("%s: OK\n", f.file.c_str());
        for (std::size_t i = 0; i < result.chain.size(); ++i) {
            std::printf("  %s%s\n", i == 0 ? "" : "issued by ", result.chain[i].c_str());
        }
        if (options.host) {
            auto names = pki::summarize(cert).subject_alt_names;
            bool cn_only = !names || names->empty();
            std::printf("  names %s%s\n", options.host->c_str(),
                        cn_only ? " (through its CN only, for lack of a subjectAltName: see below)" : "");
        }
    } else {
        status = 1;
        std::printf("%s: verification failed\n", f.file.c_str());
        for (const auto& p : result.problems) {
            std::printf("  error: %s\n    (OpenSSL: %s, at depth %d)\n", p.explanation.c_str(),
                        p.openssl_reason.c_str(), p.depth);
        }
    }
    if (!f.key.empty()) {
        auto key = pki::read_private_key(f.key);
        if (!key) {
            print_error(key.error().message);
            return 1;
        }
        if (auto mismatch = pki::check_key_matches(key->get(), cert, f.key, f.file)) {
            std::printf("  error: %s\n    fix: %s\n", mismatch->message.c_str(), mismatch->fix.c_str());
            status = 1;
        } else {
            std::printf("  the key %s belongs to it\n", f.key.c_str());
        }
    }
    pki::CheckOptions check;
    check.role = options.purpose;
    auto findings = pki::check_certificate(pki::summarize(cert), check);
    if (!findings.empty()) std::fputs(pki::format_findings(findings).c_str(), stdout);
    return status;
}

}  // namespace

void add_pki_command(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<PkiFlags>();
    PkiFlags& f = *flags;
    auto* pki_cmd =
        app.add_subcommand("pki", "a small CA for labs and fleets: correct X.509 v3 certificates every time");
    pki_cmd->add_option("--dir", f.dir, "the CA directory (default ./pki)");
    pki_cmd->require_subcommand(1);
    pki_cmd->fallthrough();
    auto outcome_of = [&exit_code](auto run) {
        return [&exit_code, run] { exit_code = print_outcome(run()); };
    };

    auto* init =
        pki_cmd->add_subcommand("init", "create the CA: ca.key, ca.crt (CA:TRUE, keyCertSign) and ca.crl");
    add_issue_flags(init, f, false);
    init->add_option("--cn", f.common_name, "the CA's name (default \"culex CA <random>\")");
    init->callback(outcome_of([flags] {
        auto options = issue_options(*flags);
        if (!options) return Result<pki::Outcome>(std::unexpected(options.error()));
        return pki::Authority(flags->dir).init(*options, flags->common_name);
    }));

    for (auto profile : {pki::Profile::server, pki::Profile::client}) {
        bool server = profile == pki::Profile::server;
        auto* cmd = pki_cmd->add_subcommand(
            server ? "server" : "client",
            server ? "a broker certificate (serverAuth, subjectAltName always): NAME.key, NAME.crt"
                   : "a client certificate (clientAuth): NAME.key, NAME.crt");
        cmd->add_option("--name", f.name,
                        server ? "host name or IP address clients connect to (the CN)" : "client id (the CN)")
            ->required();
        add_issue_flags(cmd, f, true);
        cmd->callback(outcome_of([flags, profile] {
            auto options = issue_options(*flags);
            if (!options) return Result<pki::Outcome>(std::unexpected(options.error()));
            return pki::Authority(flags->dir).issue(profile, flags->name, *options);
        }));
    }

    auto* csr = pki_cmd->add_subcommand(
        "csr", "a key and certificate request (NAME.key, NAME.csr): the key stays here");
    csr->add_option("--name", f.name, "the CN to request")->required();
    add_issue_flags(csr, f, true);
    csr->callback(outcome_of([flags] {
        auto options = issue_options(*flags);
        if (!options) return Result<pki::Outcome>(std::unexpected(options.error()));
        return pki::Authority(flags->dir).request(flags->name, *options);
    }));

    auto* sign = pki_cmd->add_subcommand("sign", "sign a CSR with the CA: writes NAME.crt");
    sign->add_option("--csr", f.csr, "the request file")->required()->check(CLI::ExistingFile);
    sign->add_option("--profile", f.profile, "server or client")
        ->required()
        ->check(CLI::IsMember({"server", "client"}));
    sign->add_option("--name", f.name, "file name for the certificate (default: the CSR's CN)");
    add_issue_flags(sign, f, true);
    sign->callback(outcome_of([flags] {
        auto options = issue_options(*flags);
        if (!options) return Result<pki::Outcome>(std::unexpected(options.error()));
        auto profile = flags->profile == "server" ? pki::Profile::server : pki::Profile::client;
        std::optional<std::string> name;
        if (!flags->name.empty()) name = flags->name;
        return pki::Authority(flags->dir).sign(flags->csr, profile, *options, name);
    }));

    auto* show =
        pki_cmd->add_subcommand("show", "print a certificate, CSR, CRL or key in plain words, with warnings");
    show->add_option("FILE", f.file, "the file to show")->required();
    show->add_option("--role", f.role, "judge it as: any, ca, server, client")
        ->check(CLI::IsMember({"any", "ca", "server", "client"}));
    show->callback([flags, &exit_code] { exit_code = run_show(*flags); });

    auto* verify = pki_cmd->add_subcommand(
        "verify", "check that CERT chains to the CA (and names HOST, and is not revoked)");
    verify->add_option("--ca", f.ca, "CA certificate file(s) to trust")->required();
    verify->add_option("CERT", f.file, "the certificate (followed by its intermediates, if any)")->required();
    verify->add_option("--host", f.host, "a host name or IP address the certificate must name");
    verify->add_option("--purpose", f.purpose, "server or client (default: server with --host)")
        ->check(CLI::IsMember({"any", "server", "client"}));
    verify->add_option("--crl", f.crls, "CRL file to check revocation against (repeatable)");
    verify->add_option("--key", f.key, "private key that must belong to CERT");
    verify->add_option("--untrusted", f.untrusted, "intermediate CA certificates");
    verify->callback([flags, &exit_code] { exit_code = run_verify(*flags); });

    auto* revoke = pki_cmd->add_subcommand("revoke", "revoke a certificate of this CA and rewrite ca.crl");
    revoke->add_option("NAME", f.name, "a NAME of the CA directory, or a certificate file")->required();
    revoke->add_option(
        "--reason", f.reason,
        "unspecified, keyCompromise, CACompromise, affiliationChanged, superseded, cessationOfOperation");
    revoke->add_option("--crl-days", f.crl_days, "validity of the new CRL in days (default 365)");
    revoke->callback(outcome_of([flags] {
        auto reason = pki::parse_revocation_reason(flags->reason);
        if (!reason) return Result<pki::Outcome>(std::unexpected(reason.error()));
        return pki::Authority(flags->dir).revoke(flags->name, *reason, flags->crl_days);
    }));

    auto* crl = pki_cmd->add_subcommand("crl", "rewrite ca.crl from the revoked list, valid for --days");
    crl->add_option("--days", f.crl_days, "validity of the CRL in days (default 365)");
    crl->callback(outcome_of([flags] { return pki::Authority(flags->dir).write_crl(flags->crl_days); }));
}

}  // namespace culex::cli
