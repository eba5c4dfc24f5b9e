#include "pki/authority.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "pki/files.hpp"
#include "pki/pem.hpp"

namespace culex::pki {

namespace fs = std::filesystem;

namespace {

Seconds now_seconds() {
    return std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());
}

Result<Validity> validity_from(const IssueOptions& options, int default_days) {
    int days = options.days.value_or(default_days);
    if (days <= 0 && !options.not_after) return fail(fmt::format("--days must be positive, not {}", days));
    Validity v = validity_for_days(days, now_seconds());
    if (options.not_before) v.not_before = *options.not_before;
    if (options.not_after) v.not_after = *options.not_after;
    if (v.not_after <= v.not_before)
        return fail("the certificate would end before it starts: check the dates");
    return v;
}

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buffer(bytes);
    RAND_bytes(buffer.data(), static_cast<int>(buffer.size()));
    std::string out;
    for (unsigned char b : buffer)
        out += fmt::format("{:02x}", b);
    return out;
}

void push_unique(std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

Result<void> refuse_existing(const std::vector<fs::path>& paths, bool force) {
    if (force) return {};
    for (const auto& p : paths) {
        if (fs::exists(fs::symlink_status(p))) {
            return fail(
                fmt::format("{} already exists: not overwriting it (use --force to replace it)", p.string()));
        }
    }
    return {};
}

Overwrite overwrite_for(bool force) {
    return force ? Overwrite::allow : Overwrite::refuse;
}

// Writes a key and its certificate (or request) as a pair: if the second write fails, the first is removed,
// so a directory never holds a key without the certificate made for it.
Result<void> write_pair(const fs::path& key_path, const std::string& key_pem, const fs::path& other_path,
                        const std::string& other_pem, bool force) {
    if (auto ok = write_file(key_path, key_pem, kPrivateFileMode, overwrite_for(force)); !ok) return ok;
    if (auto ok = write_file(other_path, other_pem, kPublicFileMode, overwrite_for(force)); !ok) {
        if (!force) fs::remove(key_path);
        return ok;
    }
    return {};
}

std::string absolute_text(const fs::path& p) {
    return fs::absolute(p).lexically_normal().string();
}

}  // namespace

Result<void> validate_name(std::string_view name) {
    auto bad = [&](std::string_view why) {
        return fail(fmt::format(
            "\"{}\" cannot be a certificate name ({}): use letters, digits, '.', '-', '_' or '@', "
            "e.g. broker.lan or sensor-01",
            name, why));
    };
    if (name.empty()) return bad("empty");
    if (name.size() > 64) return bad("longer than 64 characters");
    if (name == "ca" || name == "crlnumber" || name == "revoked")
        return bad("reserved for the CA's own files");
    if (name.front() == '.' || name.front() == '-') return bad("it starts with '.' or '-'");
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '-' || c == '_' || c == '@';
        if (!ok) return bad(fmt::format("character '{}'", c));
    }
    return {};
}

fs::path Authority::cert_path(std::string_view name) const {
    return dir_ / (std::string(name) + ".crt");
}
fs::path Authority::key_path(std::string_view name) const {
    return dir_ / (std::string(name) + ".key");
}
fs::path Authority::request_path(std::string_view name) const {
    return dir_ / (std::string(name) + ".csr");
}

Result<Authority::Ca> Authority::load_ca() const {
    if (!fs::exists(ca_cert_path()) || !fs::exists(ca_key_path())) {
        return fail(fmt::format("no CA in {} (ca.crt and ca.key): create one with `culex pki --dir {} init`",
                                dir_.string(), dir_.string()));
    }
    auto cert = read_certificate(ca_cert_path());
    if (!cert) return std::unexpected(cert.error());
    auto key = read_private_key(ca_key_path());
    if (!key) return std::unexpected(key.error());
    if (!key_matches_certificate(key->get(), cert->get())) {
        return fail(
            fmt::format("{} does not belong to {}: the CA's files are not a pair (was one of them "
                        "replaced?)",
                        ca_key_path().string(), ca_cert_path().string()));
    }
    return Ca{std::move(*cert), std::move(*key)};
}

Result<Outcome> Authority::init(const IssueOptions& options, std::string common_name) {
    if (common_name.empty()) common_name = "culex CA " + random_hex(4);
    if (auto ok = refuse_existing({ca_key_path(), ca_cert_path()}, options.force); !ok) {
        return fail(ok.error().message + "; a CA already lives in " + dir_.string());
    }
    if (auto ok = ensure_private_directory(dir_); !ok) return std::unexpected(ok.error());
    auto validity = validity_from(options, kCaDays);
    if (!validity) return std::unexpected(validity.error());
    auto key = generate_key(options.key_type);
    if (!key) return std::unexpected(key.error());
    CertificateSpec spec{Profile::ca, common_name, options.organization, {}, *validity};
    auto cert = issue_certificate(spec, key->get(), nullptr, key->get());
    if (!cert) return std::unexpected(cert.error());
    auto key_pem = private_key_pem(key->get());
    auto cert_pem = to_pem(cert->get());
    if (!key_pem || !cert_pem) return std::unexpected(!key_pem ? key_pem.error() : cert_pem.error());
    if (auto ok = write_pair(ca_key_path(), *key_pem, ca_cert_path(), *cert_pem, options.force); !ok) {
        return std::unexpected(ok.error());
    }
    Outcome outcome;
    outcome.written.push_back({ca_key_path(), "CA private key (0600: it signs everything; never copy it)"});
    outcome.written.push_back(
        {ca_cert_path(), "CA certificate (give it to every broker and client: cafile)"});
    // A fresh CA starts with nothing revoked, even when it replaces an older one (whose serials mean nothing
    // now).
    Ca ca{std::move(*cert), std::move(*key)};
    if (auto ok = write_file(revoked_path(), format_revocation_list({}), kPublicFileMode, Overwrite::allow);
        !ok) {
        return std::unexpected(ok.error());
    }
    auto crl = write_crl_with(ca, {}, kCrlDays);
    if (!crl) return std::unexpected(crl.error());
    for (auto& w : crl->written)
        outcome.written.push_back(std::move(w));
    outcome.certificate = summarize(ca.cert.get());
    outcome.next_steps = {
        fmt::format(
            "Next: a broker certificate: culex pki --dir {} server --name HOST [--ip ADDRESS] [--dns NAME]",
            dir_.string()),
        fmt::format("      a client certificate: culex pki --dir {} client --name CLIENT_ID", dir_.string()),
    };
    return outcome;
}

Result<Outcome> Authority::issue(Profile profile, const std::string& name, const IssueOptions& options) {
    if (profile == Profile::ca) return fail("use init to make the CA");
    if (auto ok = validate_name(name); !ok) return std::unexpected(ok.error());
    auto ca = load_ca();
    if (!ca) return std::unexpected(ca.error());
    if (name == common_name(X509_get_subject_name(ca->cert.get()))) {
        return fail(
            fmt::format("\"{}\" is the CA's own name: a certificate named like its CA looks self-signed to "
                        "OpenSSL; choose another name",
                        name));
    }
    if (auto ok = refuse_existing({key_path(name), cert_path(name)}, options.force); !ok)
        return std::unexpected(ok.error());
    auto validity = validity_from(options, kLeafDays);
    if (!validity) return std::unexpected(validity.error());

    SubjectAltNames alt_names;
    for (const auto& d : options.dns)
        push_unique(alt_names.dns, d);
    for (const auto& i : options.ip)
        push_unique(alt_names.ip, i);
    if (profile == Profile::server) {
        if (is_ip_address(name)) {
            alt_names.ip.insert(alt_names.ip.begin(), name);
        } else {
            alt_names.dns.insert(alt_names.dns.begin(), name);
        }
        if (name == "localhost") {
            push_unique(alt_names.ip, "127.0.0.1");
            push_unique(alt_names.ip, "::1");
        }
        std::vector<std::string> unique;
        for (const auto& d : alt_names.dns)
            push_unique(unique, d);
        alt_names.dns = unique;
        unique.clear();
        for (const auto& i : alt_names.ip)
            push_unique(unique, i);
        alt_names.ip = unique;
    }
    auto key = generate_key(options.key_type);
    if (!key) return std::unexpected(key.error());
    CertificateSpec spec{profile, name, options.organization, alt_names, *validity};
    auto cert = issue_certificate(spec, key->get(), ca->cert.get(), ca->key.get());
    if (!cert) return std::unexpected(cert.error());
    auto key_pem = private_key_pem(key->get());
    auto cert_pem = to_pem(cert->get());
    if (!key_pem || !cert_pem) return std::unexpected(!key_pem ? key_pem.error() : cert_pem.error());
    if (auto ok = write_pair(key_path(name), *key_pem, cert_path(name), *cert_pem, options.force); !ok) {
        return std::unexpected(ok.error());
    }

    Outcome outcome;
    outcome.certificate = summarize(cert->get());
    std::string kind = profile == Profile::server ? "server" : "client";
    outcome.written.push_back({key_path(name), kind + " private key (0600)"});
    outcome.written.push_back(
        {cert_path(name), kind + " certificate, issued by \"" + outcome.certificate->issuer + "\""});
    if (profile == Profile::server) {
        outcome.next_steps = {
            "subjectAltName: " + alt_names.to_string() + " (clients must connect with one of these)",
            "mosquitto.conf (or culex.conf) lines for a TLS listener:",
            "  listener 8883",
            "  cafile " + absolute_text(ca_cert_path()),
            "  certfile " + absolute_text(cert_path(name)),
            "  keyfile " + absolute_text(key_path(name)),
            "  require_certificate true",
            "  crlfile " + absolute_text(crl_path()),
            "Then client certificates: culex pki --dir " + dir_.string() + " client --name CLIENT_ID",
            // Mosquitto 2 reads its TLS files after dropping root, and this directory is 0700.
            "Note: Debian's mosquitto service runs as user mosquitto, which cannot read this directory: "
            "install the files for it, e.g.",
            fmt::format("  sudo install -o mosquitto -m 0600 {} /etc/mosquitto/certs/ "
                        "(and the .crt files with -m 0644), then point the lines above there",
                        absolute_text(key_path(name))),
        };
    } else {
        outcome.next_steps = {
            "Connect with it:",
            fmt::format("  culex pub -h HOST -p 8883 --cafile {} --cert {} --key {} -t test -m hello",
                        absolute_text(ca_cert_path()), absolute_text(cert_path(name)),
                        absolute_text(key_path(name))),
            fmt::format("  mosquitto_pub -h HOST -p 8883 --cafile {} --cert {} --key {} -t test -m hello",
                        absolute_text(ca_cert_path()), absolute_text(cert_path(name)),
                        absolute_text(key_path(name))),
        };
    }
    return outcome;
}

Result<Outcome> Authority::request(const std::string& name, const IssueOptions& options) {
    if (auto ok = validate_name(name); !ok) return std::unexpected(ok.error());
    if (auto ok = refuse_existing({key_path(name), request_path(name)}, options.force); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = ensure_private_directory(dir_); !ok) return std::unexpected(ok.error());
    SubjectAltNames alt_names;
    for (const auto& d : options.dns)
        push_unique(alt_names.dns, d);
    for (const auto& i : options.ip)
        push_unique(alt_names.ip, i);
    auto key = generate_key(options.key_type);
    if (!key) return std::unexpected(key.error());
    auto request = make_request(name, alt_names, key->get());
    if (!request) return std::unexpected(request.error());
    auto key_pem = private_key_pem(key->get());
    auto request_pem = to_pem(request->get());
    if (!key_pem || !request_pem) return std::unexpected(!key_pem ? key_pem.error() : request_pem.error());
    if (auto ok = write_pair(key_path(name), *key_pem, request_path(name), *request_pem, options.force);
        !ok) {
        return std::unexpected(ok.error());
    }
    Outcome outcome;
    outcome.written.push_back({key_path(name), "private key (0600: it stays on this host)"});
    outcome.written.push_back({request_path(name), "certificate request (CSR): send this file, not the key"});
    outcome.next_steps = {
        fmt::format("Next: copy {} to the CA's host and run there:", request_path(name).string()),
        fmt::format("  culex pki sign --csr {}.csr --profile server   (or --profile client)", name),
        fmt::format("then bring back {}.crt and ca.crt next to {}", name, key_path(name).string()),
    };
    return outcome;
}

Result<Outcome> Authority::sign(const fs::path& csr, Profile profile, const IssueOptions& options,
                                std::optional<std::string> name) {
    if (profile == Profile::ca) return fail("culex pki signs server and client certificates only");
    auto request = read_request(csr);
    if (!request) return std::unexpected(request.error());
    auto asked = summarize_request(request->get());
    if (!asked) return fail(csr.string() + ": " + asked.error().message);
    if (asked->common_name.empty())
        return fail(csr.string() + ": the request has no CN: make it with culex pki csr --name NAME");
    if (asked->key.weak)
        return fail(fmt::format("{}: weak key ({}): ask for a new request with a strong key", csr.string(),
                                asked->key.text));
    std::string file_name = name.value_or(asked->common_name);
    if (auto ok = validate_name(file_name); !ok) {
        return fail(ok.error().message +
                    " (it comes from the CSR's CN; give --name to choose the file name)");
    }
    auto ca = load_ca();
    if (!ca) return std::unexpected(ca.error());
    if (asked->common_name == common_name(X509_get_subject_name(ca->cert.get()))) {
        return fail(
            fmt::format("the request's CN \"{}\" is the CA's own name: refused, it would look self-signed",
                        asked->common_name));
    }
    if (auto ok = refuse_existing({cert_path(file_name)}, options.force); !ok)
        return std::unexpected(ok.error());
    auto validity = validity_from(options, kLeafDays);
    if (!validity) return std::unexpected(validity.error());
    SubjectAltNames alt_names;
    for (const auto& d : asked->alt_names.dns)
        push_unique(alt_names.dns, d);
    for (const auto& i : asked->alt_names.ip)
        push_unique(alt_names.ip, i);
    for (const auto& d : options.dns)
        push_unique(alt_names.dns, d);
    for (const auto& i : options.ip)
        push_unique(alt_names.ip, i);
    if (profile == Profile::server && alt_names.dns.empty() && alt_names.ip.empty()) {
        if (is_ip_address(asked->common_name)) {
            alt_names.ip.push_back(asked->common_name);
        } else if (validate_dns_name(asked->common_name)) {
            alt_names.dns.push_back(asked->common_name);
        }
    }
    CertificateSpec spec{profile, asked->common_name, options.organization, alt_names, *validity};
    auto cert = issue_certificate(spec, X509_REQ_get0_pubkey(request->get()), ca->cert.get(), ca->key.get());
    if (!cert) return std::unexpected(cert.error());
    auto cert_pem = to_pem(cert->get());
    if (!cert_pem) return std::unexpected(cert_pem.error());
    if (auto ok = write_file(cert_path(file_name), *cert_pem, kPublicFileMode, overwrite_for(options.force));
        !ok) {
        return std::unexpected(ok.error());
    }
    Outcome outcome;
    outcome.certificate = summarize(cert->get());
    outcome.written.push_back(
        {cert_path(file_name),
         fmt::format("{} certificate for \"{}\"{}", to_string(profile), asked->common_name,
                     alt_names.empty() ? "" : ", " + alt_names.to_string())});
    outcome.next_steps = {fmt::format("Next: send {} and {} back to the host that holds {}.key",
                                      cert_path(file_name).string(), ca_cert_path().string(), file_name)};
    return outcome;
}

Result<std::vector<RevokedEntry>> Authority::revoked() const {
    if (!fs::exists(revoked_path())) return std::vector<RevokedEntry>{};
    auto text = read_file(revoked_path());
    if (!text) return std::unexpected(text.error());
    auto entries = parse_revocation_list(*text);
    if (!entries) return fail(revoked_path().string() + ": " + entries.error().message);
    return entries;
}

Result<Outcome> Authority::revoke(const std::string& name_or_file, RevocationReason reason, int crl_days) {
    auto ca = load_ca();
    if (!ca) return std::unexpected(ca.error());
    fs::path path;
    if (validate_name(name_or_file) && fs::exists(cert_path(name_or_file))) {
        path = cert_path(name_or_file);
    } else if (fs::exists(name_or_file)) {
        path = name_or_file;
    } else {
        return fail(fmt::format("no certificate \"{}\": give a NAME of {} (NAME.crt) or a certificate file",
                                name_or_file, dir_.string()));
    }
    auto cert = read_certificate(path);
    if (!cert) return std::unexpected(cert.error());
    CertificateSummary summary = summarize(cert->get());
    if (X509_cmp(cert->get(), ca->cert.get()) == 0) {
        return fail(
            "that is the CA certificate itself: a CA cannot revoke itself; make a new CA (culex pki init "
            "--force) and reissue what it signed");
    }
    bool issued_here = X509_check_issued(ca->cert.get(), cert->get()) == X509_V_OK &&
                       X509_verify(cert->get(), X509_get0_pubkey(ca->cert.get())) == 1;
    clear_openssl_errors();
    if (!issued_here) {
        return fail(
            fmt::format("{} was not issued by this CA (its issuer is \"{}\"): only its own CA can revoke it",
                        path.string(), summary.issuer));
    }
    auto entries = revoked();
    if (!entries) return std::unexpected(entries.error());
    for (const auto& e : *entries) {
        if (e.serial_hex == summary.serial_hex) {
            return fail(fmt::format("{} (serial {}) was already revoked on {}", path.string(),
                                    summary.serial_hex, format_time(e.revoked_at)));
        }
    }
    entries->push_back({summary.serial_hex, now_seconds(), reason, summary.subject});
    if (auto ok =
            write_file(revoked_path(), format_revocation_list(*entries), kPublicFileMode, Overwrite::allow);
        !ok) {
        return std::unexpected(ok.error());
    }
    auto outcome = write_crl_with(*ca, *entries, crl_days);
    if (!outcome) return outcome;
    outcome->certificate = summary;
    outcome->written.insert(outcome->written.begin(),
                            {revoked_path(), fmt::format("revoked serial {} (\"{}\", {})", summary.serial_hex,
                                                         summary.subject, to_string(reason))});
    outcome->next_steps = {
        "Brokers refuse it once they load the new CRL: in each TLS listener,",
        "  crlfile " + absolute_text(crl_path()),
        "then reload the broker (kill -HUP its pid) or restart it.",
    };
    return outcome;
}

Result<Outcome> Authority::write_crl(int crl_days) {
    auto ca = load_ca();
    if (!ca) return std::unexpected(ca.error());
    auto entries = revoked();
    if (!entries) return std::unexpected(entries.error());
    auto outcome = write_crl_with(*ca, *entries, crl_days);
    if (outcome) {
        outcome->next_steps = {"Brokers with `crlfile " + absolute_text(crl_path()) +
                               "` read it at start and on reload (SIGHUP)."};
    }
    return outcome;
}

Result<Outcome> Authority::write_crl_with(const Ca& ca, const std::vector<RevokedEntry>& entries,
                                          int crl_days) {
    if (crl_days <= 0) return fail(fmt::format("--days must be positive, not {}", crl_days));
    long number = 0;
    if (auto text = read_file(crl_number_path())) {
        auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), number);
        if (ec != std::errc()) number = 0;
    }
    ++number;
    // A CRL number must grow, so the next one is stored before the CRL is written.
    if (auto ok =
            write_file(crl_number_path(), std::to_string(number) + "\n", kPublicFileMode, Overwrite::allow);
        !ok) {
        return std::unexpected(ok.error());
    }
    if (!fs::exists(revoked_path())) {
        if (auto ok = write_file(revoked_path(), format_revocation_list(entries), kPublicFileMode,
                                 Overwrite::allow);
            !ok) {
            return std::unexpected(ok.error());
        }
    }
    Seconds now = now_seconds();
    auto crl = make_crl(entries, ca.cert.get(), ca.key.get(), number, now - std::chrono::minutes(5),
                        now + std::chrono::days(crl_days));
    if (!crl) return std::unexpected(crl.error());
    auto pem = to_pem(crl->get());
    if (!pem) return std::unexpected(pem.error());
    if (auto ok = write_file(crl_path(), *pem, kPublicFileMode, Overwrite::allow); !ok)
        return std::unexpected(ok.error());
    Outcome outcome;
    outcome.written.push_back(
        {crl_path(), fmt::format("CRL number {}, {} revoked, valid until {} (renew with "
                                 "culex pki crl)",
                                 number, entries.size(), format_time(now + std::chrono::days(crl_days)))});
    return outcome;
}

}  // namespace culex::pki
