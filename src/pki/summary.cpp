#include "pki/summary.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace culex::pki {

std::string SubjectAltNames::to_string() const {
    std::vector<std::string> parts;
    for (const auto& d : dns)
        parts.push_back("DNS:" + d);
    for (const auto& i : ip)
        parts.push_back("IP:" + i);
    for (const auto& e : email)
        parts.push_back("email:" + e);
    for (const auto& u : uri)
        parts.push_back("URI:" + u);
    return fmt::format("{}", fmt::join(parts, ", "));
}

bool CertificateSummary::has_key_usage(const std::string& name) const {
    return key_usage && std::find(key_usage->begin(), key_usage->end(), name) != key_usage->end();
}

bool CertificateSummary::has_extended_key_usage(const std::string& name) const {
    return extended_key_usage && std::find(extended_key_usage->begin(), extended_key_usage->end(), name) !=
                                     extended_key_usage->end();
}

std::string name_to_string(const X509_NAME* name) {
    if (name == nullptr) return "";
    BioPtr bio(BIO_new(BIO_s_mem()));
    // "C=FR, ST=France, O=ISIS, CN=broker": openssl's one-line form without the spaces around '=', UTF-8
    // kept.
    unsigned long flags =
        (XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
    X509_NAME_print_ex(bio.get(), name, 0, flags);
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string common_name(const X509_NAME* name) {
    if (name == nullptr) return "";
    int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0) return "";
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    int length = ASN1_STRING_to_UTF8(&utf8, value);
    if (length < 0) return "";
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return out;
}

std::optional<Seconds> to_seconds(const ASN1_TIME* time) {
    std::tm tm{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return std::nullopt;
    return Seconds(std::chrono::seconds(timegm(&tm)));
}

std::string format_time(Seconds time) {
    std::time_t t = Clock::to_time_t(Clock::time_point(time));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buffer;
}

Result<Seconds> parse_time(std::string_view text) {
    std::string s(text);
    if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.pop_back();
    std::tm tm{};
    const char* end = nullptr;
    for (const char* format : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"}) {
        tm = std::tm{};
        end = strptime(s.c_str(), format, &tm);
        if (end != nullptr && *end == '\0') return Seconds(std::chrono::seconds(timegm(&tm)));
    }
    return fail(fmt::format("\"{}\" is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)", text));
}

std::string hex_with_colons(const unsigned char* data, std::size_t size) {
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
        if (i != 0) out += ':';
        out += fmt::format("{:02X}", data[i]);
    }
    return out;
}

std::string serial_to_hex(const ASN1_INTEGER* serial) {
    BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn) return "";
    char* hex = BN_bn2hex(bn.get());
    std::string out = hex != nullptr ? hex : "";
    OPENSSL_free(hex);
    return out;
}

namespace {

std::string ip_to_string(const ASN1_OCTET_STRING* address) {
    const unsigned char* bytes = ASN1_STRING_get0_data(address);
    int length = ASN1_STRING_length(address);
    char buffer[INET6_ADDRSTRLEN] = {};
    if (length == 4 && inet_ntop(AF_INET, bytes, buffer, sizeof buffer) != nullptr) return buffer;
    if (length == 16 && inet_ntop(AF_INET6, bytes, buffer, sizeof buffer) != nullptr) return buffer;
    return "<" + hex_with_colons(bytes, static_cast<std::size_t>(std::max(length, 0))) + ">";
}

}  // namespace

SubjectAltNames parse_general_names(const GENERAL_NAMES* names) {
    SubjectAltNames out;
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
        auto text = [](const ASN1_STRING* s) {
            return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                               static_cast<std::size_t>(ASN1_STRING_length(s)));
        };
        switch (name->type) {
            case GEN_DNS:
                out.dns.push_back(text(name->d.dNSName));
                break;
            case GEN_EMAIL:
                out.email.push_back(text(name->d.rfc822Name));
                break;
            case GEN_URI:
                out.uri.push_back(text(name->d.uniformResourceIdentifier));
                break;
            case GEN_IPADD:
                out.ip.push_back(ip_to_string(name->d.iPAddress));
                break;
            default:
                break;
        }
    }
    return out;
}

namespace {

std::vector<std::string> key_usage_names(const ASN1_BIT_STRING* bits) {
    // Bit order from RFC 5280 4.2.1.3; names as openssl prints them.
    static constexpr const char* kNames[] = {"Digital Signature", "Non Repudiation", "Key Encipherment",
                                             "Data Encipherment", "Key Agreement",   "Certificate Sign",
                                             "CRL Sign",          "Encipher Only",   "Decipher Only"};
    std::vector<std::string> out;
    for (int bit = 0; bit < 9; ++bit) {
        if (ASN1_BIT_STRING_get_bit(bits, bit) == 1) out.emplace_back(kNames[bit]);
    }
    return out;
}

std::string object_name(const ASN1_OBJECT* object) {
    int nid = OBJ_obj2nid(object);
    if (nid != NID_undef) return OBJ_nid2ln(nid);
    char buffer[128];
    OBJ_obj2txt(buffer, sizeof buffer, object, 1);
    return buffer;
}

template <typename T, typename Free>
std::unique_ptr<T, Free> extension(const X509* cert, int nid, bool* critical) {
    int crit = 0;
    auto* value = static_cast<T*>(X509_get_ext_d2i(cert, nid, &crit, nullptr));
    if (critical != nullptr) *critical = crit == 1;
    return std::unique_ptr<T, Free>(value);
}

}  // namespace

CertificateSummary summarize(const X509* cert) {
    CertificateSummary s;
    s.version = static_cast<int>(X509_get_version(cert)) + 1;
    s.serial_hex = serial_to_hex(X509_get0_serialNumber(cert));
    s.subject = name_to_string(X509_get_subject_name(cert));
    s.issuer = name_to_string(X509_get_issuer_name(cert));
    s.subject_cn = common_name(X509_get_subject_name(cert));
    s.issuer_cn = common_name(X509_get_issuer_name(cert));
    s.subject_equals_issuer = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
    EVP_PKEY* public_key = X509_get0_pubkey(cert);
    s.key = describe_key(public_key);
    if (s.subject_equals_issuer && public_key != nullptr) {
        s.self_signed = X509_verify(const_cast<X509*>(cert), public_key) == 1;
    }
    if (auto nb = to_seconds(X509_get0_notBefore(cert))) s.not_before = *nb;
    if (auto na = to_seconds(X509_get0_notAfter(cert))) s.not_after = *na;
    s.signature_algorithm = OBJ_nid2ln(X509_get_signature_nid(cert));
    s.extension_count = X509_get_ext_count(cert);

    bool critical = false;
    if (auto bc = extension<BASIC_CONSTRAINTS, OpenSslDeleter<BASIC_CONSTRAINTS_free>>(
            cert, NID_basic_constraints, &critical)) {
        BasicConstraints constraints;
        constraints.ca = bc->ca != 0;
        constraints.critical = critical;
        if (bc->pathlen != nullptr) constraints.path_length = ASN1_INTEGER_get(bc->pathlen);
        s.basic_constraints = constraints;
    }
    if (auto ku = extension<ASN1_BIT_STRING, OpenSslDeleter<ASN1_BIT_STRING_free>>(cert, NID_key_usage,
                                                                                   &critical)) {
        s.key_usage = key_usage_names(ku.get());
        s.key_usage_critical = critical;
    }
    if (auto eku = extension<EXTENDED_KEY_USAGE, OpenSslDeleter<EXTENDED_KEY_USAGE_free>>(
            cert, NID_ext_key_usage, nullptr)) {
        std::vector<std::string> names;
        for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
            names.push_back(object_name(sk_ASN1_OBJECT_value(eku.get(), i)));
        }
        s.extended_key_usage = names;
    }
    if (auto san = extension<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>(cert, NID_subject_alt_name,
                                                                                nullptr)) {
        s.subject_alt_names = parse_general_names(san.get());
    }
    if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(const_cast<X509*>(cert))) {
        s.subject_key_id =
            hex_with_colons(ASN1_STRING_get0_data(ski), static_cast<std::size_t>(ASN1_STRING_length(ski)));
    }
    if (const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(const_cast<X509*>(cert))) {
        s.authority_key_id =
            hex_with_colons(ASN1_STRING_get0_data(aki), static_cast<std::size_t>(ASN1_STRING_length(aki)));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (X509_digest(cert, EVP_sha256(), digest, &digest_length) == 1) {
        s.sha256_fingerprint = hex_with_colons(digest, digest_length);
    }
    ERR_clear_error();
    return s;
}

}  // namespace culex::pki
