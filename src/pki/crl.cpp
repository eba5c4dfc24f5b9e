#include "pki/crl.hpp"

#include <cctype>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "pki/key.hpp"

namespace culex::pki {

namespace {

struct ReasonName {
    RevocationReason reason;
    std::string_view name;
};
constexpr ReasonName kReasonNames[] = {
    {RevocationReason::unspecified, "unspecified"},
    {RevocationReason::key_compromise, "keyCompromise"},
    {RevocationReason::ca_compromise, "CACompromise"},
    {RevocationReason::affiliation_changed, "affiliationChanged"},
    {RevocationReason::superseded, "superseded"},
    {RevocationReason::cessation_of_operation, "cessationOfOperation"},
};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> out;
    while (true) {
        auto at = text.find(separator);
        out.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return out;
        text.remove_prefix(at + 1);
    }
}

}  // namespace

Result<RevocationReason> parse_revocation_reason(std::string_view text) {
    for (const auto& [reason, name] : kReasonNames) {
        if (equal_ignoring_case(text, name)) return reason;
    }
    return fail(
        fmt::format("unknown revocation reason \"{}\": use unspecified, keyCompromise, CACompromise, "
                    "affiliationChanged, superseded or cessationOfOperation",
                    text));
}

std::string_view to_string(RevocationReason reason) {
    for (const auto& [r, name] : kReasonNames) {
        if (r == reason) return name;
    }
    return "unspecified";
}

Result<std::vector<RevokedEntry>> parse_revocation_list(std::string_view text) {
    std::vector<RevokedEntry> entries;
    int line_number = 0;
    for (std::string_view line : split(text, '\n')) {
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        auto fields = split(line, '\t');
        auto bad = [&](std::string_view why) {
            return fail(
                fmt::format("revoked list line {}: {} (expected SERIAL<TAB>TIME<TAB>REASON<TAB>SUBJECT)",
                            line_number, why));
        };
        if (fields.size() < 3) return bad("too few fields");
        RevokedEntry entry;
        entry.serial_hex = std::string(fields[0]);
        if (entry.serial_hex.empty() ||
            entry.serial_hex.find_first_not_of("0123456789ABCDEF") != std::string::npos) {
            return bad("the serial is not upper-case hex");
        }
        long long seconds = 0;
        auto [end, ec] = std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), seconds);
        if (ec != std::errc() || end != fields[1].data() + fields[1].size())
            return bad("the time is not a number");
        entry.revoked_at = Seconds(std::chrono::seconds(seconds));
        auto reason = parse_revocation_reason(fields[2]);
        if (!reason) return bad(reason.error().message);
        entry.reason = *reason;
        if (fields.size() > 3) entry.subject = std::string(fields[3]);
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::string format_revocation_list(const std::vector<RevokedEntry>& entries) {
    std::string out =
        "# Certificates revoked by this CA (culex pki revoke); ca.crl is made from this list.\n";
    for (const auto& e : entries) {
        out += fmt::format("{}\t{}\t{}\t{}\n", e.serial_hex, e.revoked_at.time_since_epoch().count(),
                           to_string(e.reason), e.subject);
    }
    return out;
}

Result<X509CrlPtr> make_crl(const std::vector<RevokedEntry>& entries, X509* ca_cert, EVP_PKEY* ca_key,
                            long crl_number, Seconds this_update, Seconds next_update) {
    clear_openssl_errors();
    X509CrlPtr crl(X509_CRL_new());
    Asn1TimePtr last(ASN1_TIME_new());
    Asn1TimePtr next(ASN1_TIME_new());
    if (!crl || !last || !next || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
        X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca_cert)) != 1 ||
        ASN1_TIME_set(last.get(), static_cast<time_t>(this_update.time_since_epoch().count())) == nullptr ||
        ASN1_TIME_set(next.get(), static_cast<time_t>(next_update.time_since_epoch().count())) == nullptr ||
        X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
        X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
        return fail(with_openssl_reason("could not build the CRL"));
    }
    for (const auto& entry : entries) {
        BIGNUM* raw = nullptr;
        if (BN_hex2bn(&raw, entry.serial_hex.c_str()) == 0)
            return fail("bad serial in the revoked list: " + entry.serial_hex);
        BignumPtr bn(raw);
        Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
        Asn1TimePtr when(ASN1_TIME_new());
        X509RevokedPtr revoked(X509_REVOKED_new());
        Asn1EnumeratedPtr reason(ASN1_ENUMERATED_new());
        if (!serial || !when || !revoked || !reason ||
            ASN1_TIME_set(when.get(), static_cast<time_t>(entry.revoked_at.time_since_epoch().count())) ==
                nullptr ||
            X509_REVOKED_set_serialNumber(revoked.get(), serial.get()) != 1 ||
            X509_REVOKED_set_revocationDate(revoked.get(), when.get()) != 1) {
            return fail(with_openssl_reason("could not add a revoked serial to the CRL"));
        }
        // RFC 5280 5.3.1: the reason code is omitted rather than sent as "unspecified".
        if (entry.reason != RevocationReason::unspecified) {
            if (ASN1_ENUMERATED_set(reason.get(), static_cast<long>(entry.reason)) != 1 ||
                X509_REVOKED_add1_ext_i2d(revoked.get(), NID_crl_reason, reason.get(), 0, 0) != 1) {
                return fail(with_openssl_reason("could not add a revocation reason"));
            }
        }
        if (X509_CRL_add0_revoked(crl.get(), revoked.get()) != 1)
            return fail(with_openssl_reason("could not add a revoked entry"));
        revoked.release();  // the CRL owns it now
    }
    X509_CRL_sort(crl.get());

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca_cert, nullptr, nullptr, crl.get(), 0);
    X509ExtensionPtr aki(X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
    Asn1IntegerPtr number(ASN1_INTEGER_new());
    if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1 || !number ||
        ASN1_INTEGER_set(number.get(), crl_number) != 1 ||
        X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
        return fail(with_openssl_reason("could not add the CRL extensions"));
    }
    if (X509_CRL_sign(crl.get(), ca_key, signing_digest(ca_key)) <= 0) {
        return fail(with_openssl_reason("could not sign the CRL"));
    }
    return crl;
}

CrlSummary summarize_crl(const X509_CRL* crl) {
    CrlSummary s;
    s.issuer = name_to_string(X509_CRL_get_issuer(crl));
    if (auto t = to_seconds(X509_CRL_get0_lastUpdate(crl))) s.this_update = *t;
    if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl)) s.next_update = to_seconds(next);
    if (Asn1IntegerPtr number{
            static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr))}) {
        s.crl_number = ASN1_INTEGER_get(number.get());
    }
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(const_cast<X509_CRL*>(crl));
    for (int i = 0; revoked != nullptr && i < sk_X509_REVOKED_num(revoked); ++i) {
        const X509_REVOKED* r = sk_X509_REVOKED_value(revoked, i);
        RevokedEntry entry;
        entry.serial_hex = serial_to_hex(X509_REVOKED_get0_serialNumber(r));
        if (auto t = to_seconds(X509_REVOKED_get0_revocationDate(r))) entry.revoked_at = *t;
        if (Asn1EnumeratedPtr reason{static_cast<ASN1_ENUMERATED*>(
                X509_REVOKED_get_ext_d2i(r, NID_crl_reason, nullptr, nullptr))}) {
            entry.reason = static_cast<RevocationReason>(ASN1_ENUMERATED_get(reason.get()));
        }
        s.revoked.push_back(std::move(entry));
    }
    clear_openssl_errors();
    return s;
}

bool crl_signed_by(X509_CRL* crl, X509* ca_cert) {
    EVP_PKEY* key = X509_get0_pubkey(ca_cert);
    bool ok = key != nullptr && X509_CRL_verify(crl, key) == 1;
    clear_openssl_errors();
    return ok;
}

}  // namespace culex::pki
