#include "pki/builder.hpp"

#include <arpa/inet.h>
#include <openssl/rand.h>

#include <fmt/format.h>

namespace culex::pki {

std::string_view to_string(Profile profile) {
    switch (profile) {
        case Profile::ca:
            return "ca";
        case Profile::server:
            return "server";
        case Profile::client:
            return "client";
    }
    return "?";
}

Validity validity_for_days(int days, Seconds now) {
    // Five minutes back covers ordinary clock skew between the machine that issues and the peers that check.
    return {now - std::chrono::minutes(5), now + std::chrono::days(days)};
}

Result<void> validate_dns_name(std::string_view name) {
    auto bad = [&](std::string_view why) {
        return fail(
            fmt::format("\"{}\" is not a valid DNS name ({}): use letters, digits, '-' and '.', e.g. "
                        "broker.lan",
                        name, why));
    };
    if (name.empty() || name.size() > 253) return bad("length");
    std::string_view rest = name;
    if (rest.starts_with("*.")) rest.remove_prefix(2);
    std::size_t label = 0;
    for (char c : rest) {
        if (c == '.') {
            if (label == 0) return bad("empty label");
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_';
        if (!ok) return bad(fmt::format("character '{}'", c));
        if (++label > 63) return bad("label longer than 63");
    }
    if (label == 0) return bad("empty label");
    return {};
}

bool is_ip_address(std::string_view text) {
    std::string s(text);
    unsigned char buffer[16];
    return inet_pton(AF_INET, s.c_str(), buffer) == 1 || inet_pton(AF_INET6, s.c_str(), buffer) == 1;
}

Result<void> validate_ip_address(std::string_view address) {
    if (is_ip_address(address)) return {};
    return fail(fmt::format("\"{}\" is not an IP address: give an IPv4 (192.168.1.10) or IPv6 (::1) address",
                            address));
}

Result<Asn1IntegerPtr> random_serial() {
    unsigned char bytes[20];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return fail(with_openssl_reason("no randomness for a serial number"));
    bytes[0] &= 0x7F;  // positive
    bytes[0] |= 0x40;  // and a full 20 octets, so serials all print the same width
    BignumPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
    Asn1IntegerPtr serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    if (!serial) return fail(with_openssl_reason("could not encode a serial number"));
    return serial;
}

namespace {

Result<X509NamePtr> make_name(const std::string& common_name, const std::string& organization) {
    if (common_name.empty()) return fail("a certificate needs a name (CN): give --name");
    if (common_name.size() > 64)
        return fail(fmt::format("the name \"{}\" is longer than 64 characters, the CN limit", common_name));
    X509NamePtr name(X509_NAME_new());
    auto add = [&](const char* field, const std::string& value) {
        return X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                          0) == 1;
    };
    if (!organization.empty() && !add("O", organization))
        return fail(with_openssl_reason("bad organization name"));
    if (!add("CN", common_name)) return fail(with_openssl_reason("bad common name"));
    return name;
}

Result<GeneralNamesPtr> make_general_names(const SubjectAltNames& alt_names) {
    GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    for (const auto& dns : alt_names.dns) {
        if (auto ok = validate_dns_name(dns); !ok) return std::unexpected(ok.error());
        ASN1_IA5STRING* value = ASN1_IA5STRING_new();
        ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size()));
        GENERAL_NAME* name = GENERAL_NAME_new();
        GENERAL_NAME_set0_value(name, GEN_DNS, value);
        sk_GENERAL_NAME_push(names.get(), name);
    }
    for (const auto& ip : alt_names.ip) {
        if (auto ok = validate_ip_address(ip); !ok) return std::unexpected(ok.error());
        ASN1_OCTET_STRING* value = a2i_IPADDRESS(ip.c_str());
        if (value == nullptr) return fail(with_openssl_reason("could not encode IP address " + ip));
        GENERAL_NAME* name = GENERAL_NAME_new();
        GENERAL_NAME_set0_value(name, GEN_IPADD, value);
        sk_GENERAL_NAME_push(names.get(), name);
    }
    return names;
}

Result<void> add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    X509ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
    if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
        return fail(with_openssl_reason(fmt::format("could not add the {} extension", OBJ_nid2sn(nid))));
    }
    return {};
}

Result<void> set_time(ASN1_TIME* field, Seconds when) {
    if (ASN1_TIME_set(field, static_cast<time_t>(when.time_since_epoch().count())) == nullptr) {
        return fail(with_openssl_reason("could not encode a validity date"));
    }
    return {};
}

Result<void> add_profile_extensions(X509* cert, X509* issuer, const CertificateSpec& spec,
                                    EVP_PKEY* subject_key) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert, cert, nullptr, nullptr, 0);
    // RSA key exchange (TLS 1.2 without forward secrecy) needs keyEncipherment; EC and Ed25519 keys never do.
    bool rsa = EVP_PKEY_is_a(subject_key, "RSA");
    std::vector<std::pair<int, const char*>> extensions;
    switch (spec.profile) {
        case Profile::ca:
            extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                          {NID_key_usage, "critical,keyCertSign,cRLSign"},
                          {NID_subject_key_identifier, "hash"},
                          {NID_authority_key_identifier, "keyid:always"}};
            break;
        case Profile::server:
            extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                          {NID_key_usage,
                           rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"},
                          {NID_ext_key_usage, "serverAuth"},
                          {NID_subject_key_identifier, "hash"},
                          {NID_authority_key_identifier, "keyid:always"}};
            break;
        case Profile::client:
            extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                          {NID_key_usage,
                           rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"},
                          {NID_ext_key_usage, "clientAuth"},
                          {NID_subject_key_identifier, "hash"},
                          {NID_authority_key_identifier, "keyid:always"}};
            break;
    }
    for (const auto& [nid, value] : extensions) {
        if (auto ok = add_extension(cert, &ctx, nid, value); !ok) return ok;
    }
    if (!spec.alt_names.dns.empty() || !spec.alt_names.ip.empty()) {
        auto names = make_general_names(spec.alt_names);
        if (!names) return std::unexpected(names.error());
        if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names->get(), 0, X509V3_ADD_REPLACE) != 1) {
            return fail(with_openssl_reason("could not add the subjectAltName extension"));
        }
    }
    return {};
}

}  // namespace

Result<X509Ptr> issue_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key, X509* issuer_cert,
                                  EVP_PKEY* issuer_key) {
    clear_openssl_errors();
    if (spec.profile == Profile::ca && issuer_cert != nullptr) {
        return fail("culex pki makes self-signed CAs only: pass no issuer certificate for Profile::ca");
    }
    if (spec.profile != Profile::ca && issuer_cert == nullptr)
        return fail("a leaf certificate needs an issuer");
    if (spec.profile == Profile::server && spec.alt_names.dns.empty() && spec.alt_names.ip.empty()) {
        return fail("a server certificate needs at least one host name or IP address (--dns, --ip)");
    }
    if (spec.validity.not_after <= spec.validity.not_before) {
        return fail("the certificate would expire before it starts: give a positive --days");
    }
    auto subject = make_name(spec.common_name, spec.organization);
    if (!subject) return std::unexpected(subject.error());
    if (issuer_cert != nullptr && X509_NAME_cmp(subject->get(), X509_get_subject_name(issuer_cert)) == 0) {
        return fail(
            fmt::format("the subject \"{}\" would equal the CA's: peers would take the certificate for "
                        "self-signed; choose another name",
                        name_to_string(subject->get())));
    }
    if (issuer_cert != nullptr && !key_matches_certificate(issuer_key, issuer_cert)) {
        return fail("the CA key does not match the CA certificate: ca.key and ca.crt are not a pair");
    }
    auto serial = random_serial();
    if (!serial) return std::unexpected(serial.error());

    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        X509_set_serialNumber(cert.get(), serial->get()) != 1 ||
        X509_set_subject_name(cert.get(), subject->get()) != 1 ||
        X509_set_issuer_name(
            cert.get(), issuer_cert != nullptr ? X509_get_subject_name(issuer_cert) : subject->get()) != 1 ||
        X509_set_pubkey(cert.get(), subject_key) != 1) {
        return fail(with_openssl_reason("could not build the certificate"));
    }
    if (auto ok = set_time(X509_getm_notBefore(cert.get()), spec.validity.not_before); !ok)
        return std::unexpected(ok.error());
    if (auto ok = set_time(X509_getm_notAfter(cert.get()), spec.validity.not_after); !ok)
        return std::unexpected(ok.error());
    if (auto ok = add_profile_extensions(cert.get(), issuer_cert, spec, subject_key); !ok) {
        return std::unexpected(ok.error());
    }
    if (X509_sign(cert.get(), issuer_key, signing_digest(issuer_key)) <= 0) {
        return fail(with_openssl_reason("could not sign the certificate"));
    }
    return cert;
}

Result<X509ReqPtr> make_request(const std::string& common_name, const SubjectAltNames& alt_names,
                                EVP_PKEY* key) {
    clear_openssl_errors();
    auto subject = make_name(common_name, "");
    if (!subject) return std::unexpected(subject.error());
    X509ReqPtr request(X509_REQ_new());
    if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
        X509_REQ_set_subject_name(request.get(), subject->get()) != 1 ||
        X509_REQ_set_pubkey(request.get(), key) != 1) {
        return fail(with_openssl_reason("could not build the certificate request"));
    }
    if (!alt_names.dns.empty() || !alt_names.ip.empty()) {
        auto names = make_general_names(alt_names);
        if (!names) return std::unexpected(names.error());
        X509ExtensionsPtr extensions(sk_X509_EXTENSION_new_null());
        X509_EXTENSION* san = X509V3_EXT_i2d(NID_subject_alt_name, 0, names->get());
        if (san == nullptr || sk_X509_EXTENSION_push(extensions.get(), san) == 0 ||
            X509_REQ_add_extensions(request.get(), extensions.get()) != 1) {
            if (san != nullptr && sk_X509_EXTENSION_num(extensions.get()) == 0) X509_EXTENSION_free(san);
            return fail(with_openssl_reason("could not add subjectAltName to the request"));
        }
    }
    if (X509_REQ_sign(request.get(), key, signing_digest(key)) <= 0) {
        return fail(with_openssl_reason("could not sign the certificate request"));
    }
    return request;
}

Result<RequestSummary> summarize_request(X509_REQ* request) {
    clear_openssl_errors();
    EVP_PKEY* key = X509_REQ_get0_pubkey(request);
    if (key == nullptr || X509_REQ_verify(request, key) != 1) {
        return fail(
            with_openssl_reason("the request's signature does not verify: it was altered or is damaged"));
    }
    RequestSummary summary;
    summary.subject = name_to_string(X509_REQ_get_subject_name(request));
    summary.common_name = common_name(X509_REQ_get_subject_name(request));
    summary.key = describe_key(key);
    X509ExtensionsPtr extensions(X509_REQ_get_extensions(request));
    for (int i = 0; extensions && i < sk_X509_EXTENSION_num(extensions.get()); ++i) {
        X509_EXTENSION* extension = sk_X509_EXTENSION_value(extensions.get(), i);
        if (OBJ_obj2nid(X509_EXTENSION_get_object(extension)) != NID_subject_alt_name) continue;
        GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(extension)));
        if (names) summary.alt_names = parse_general_names(names.get());
    }
    clear_openssl_errors();
    return summary;
}

}  // namespace culex::pki
