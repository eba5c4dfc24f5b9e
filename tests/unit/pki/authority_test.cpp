// The CA directory: what init, server, client, csr + sign write, and that it is right by construction.
#include "pki/authority.hpp"

#include <gtest/gtest.h>

#include <set>

#include "pki/files.hpp"
#include "pki/pem.hpp"
#include "pki/verify.hpp"
#include "pki_test_support.hpp"

namespace culex::pki {
namespace {

class AuthorityTest : public testing::TempDir {
  protected:
    void SetUp() override {
        TempDir::SetUp();
        dir_ = path("pki");
        auto made = Authority(dir_).init({});
        ASSERT_TRUE(made) << made.error().message;
    }

    CertificateSummary issued(const std::string& name) {
        auto cert = read_certificate(dir_ / (name + ".crt"));
        EXPECT_TRUE(cert) << cert.error().message;
        return cert ? summarize(cert->get()) : CertificateSummary{};
    }

    std::vector<X509Ptr> ca() {
        auto certs = read_certificates(dir_ / "ca.crt");
        EXPECT_TRUE(certs);
        return certs ? std::move(*certs) : std::vector<X509Ptr>{};
    }

    std::filesystem::path dir_;
};

TEST_F(AuthorityTest, InitMakesAV3CaWithCaTrueAndKeyCertSign) {
    CertificateSummary c = issued("ca");
    EXPECT_EQ(c.version, 3);
    ASSERT_TRUE(c.basic_constraints);
    EXPECT_TRUE(c.basic_constraints->ca);
    EXPECT_TRUE(c.basic_constraints->critical);
    EXPECT_TRUE(c.has_key_usage(kKeyCertSign));
    EXPECT_TRUE(c.has_key_usage(kCrlSign));
    EXPECT_TRUE(c.self_signed);
    EXPECT_TRUE(c.subject_cn.starts_with("culex CA ")) << c.subject_cn;
    EXPECT_FALSE(c.subject_key_id.empty());
    EXPECT_EQ(c.key.text, "EC P-256 (256 bit)");
    EXPECT_TRUE(check_certificate(c, {.role = CertificateRole::ca}).empty());
    // ten years by default
    auto days = std::chrono::duration_cast<std::chrono::days>(c.not_after - c.not_before).count();
    EXPECT_NEAR(days, kCaDays, 1);
}

TEST_F(AuthorityTest, TwoCasHaveDistinctNames) {
    ASSERT_TRUE(Authority(path("other")).init({}));
    auto other = read_certificate(path("other") / "ca.crt");
    ASSERT_TRUE(other);
    EXPECT_NE(summarize(other->get()).subject, issued("ca").subject);
}

TEST_F(AuthorityTest, PrivateKeysAreCreated0600AndTheDirectory0700) {
    ASSERT_TRUE(Authority(dir_).issue(Profile::server, "broker", {}));
    EXPECT_EQ(permissions(dir_ / "ca.key"), 0600u);
    EXPECT_EQ(permissions(dir_ / "broker.key"), 0600u);
    EXPECT_EQ(permissions(dir_ / "broker.crt"), 0644u);
    EXPECT_EQ(permissions(dir_), 0700u);
}

TEST_F(AuthorityTest, ServerCertificateHasServerAuthSansAndADistinctSubject) {
    IssueOptions options;
    options.ip = {"192.168.1.10"};
    options.dns = {"broker.lan"};
    auto made = Authority(dir_).issue(Profile::server, "debian2", options);
    ASSERT_TRUE(made) << made.error().message;
    CertificateSummary s = issued("debian2");
    CertificateSummary ca_summary = issued("ca");
    EXPECT_EQ(s.version, 3);
    EXPECT_EQ(s.subject_cn, "debian2");
    EXPECT_NE(s.subject, ca_summary.subject);
    EXPECT_EQ(s.issuer, ca_summary.subject);
    EXPECT_FALSE(s.is_ca());
    ASSERT_TRUE(s.basic_constraints);
    EXPECT_TRUE(s.has_extended_key_usage(kServerAuth));
    EXPECT_FALSE(s.has_extended_key_usage(kClientAuth));
    EXPECT_TRUE(s.has_key_usage(kDigitalSignature));
    EXPECT_FALSE(s.has_key_usage(kKeyCertSign));
    ASSERT_TRUE(s.subject_alt_names);
    EXPECT_EQ(s.subject_alt_names->dns, (std::vector<std::string>{"debian2", "broker.lan"}));
    EXPECT_EQ(s.subject_alt_names->ip, (std::vector<std::string>{"192.168.1.10"}));
    EXPECT_EQ(s.authority_key_id, ca_summary.subject_key_id);
    EXPECT_TRUE(check_certificate(s, {.role = CertificateRole::server}).empty());
    auto days = std::chrono::duration_cast<std::chrono::days>(s.not_after - s.not_before).count();
    EXPECT_NEAR(days, kLeafDays, 1);
    // The next step printed names the files in mosquitto.conf terms.
    bool has_certfile = false;
    for (const auto& line : made->next_steps)
        has_certfile |= line.find("certfile /") != std::string::npos;
    EXPECT_TRUE(has_certfile);
}

TEST_F(AuthorityTest, ServerNamedByIpGetsAnIpSanAndLocalhostGetsLoopback) {
    ASSERT_TRUE(Authority(dir_).issue(Profile::server, "10.0.0.5", {}));
    EXPECT_EQ(issued("10.0.0.5").subject_alt_names->ip, (std::vector<std::string>{"10.0.0.5"}));
    ASSERT_TRUE(Authority(dir_).issue(Profile::server, "localhost", {}));
    auto local = issued("localhost").subject_alt_names;
    EXPECT_EQ(local->dns, (std::vector<std::string>{"localhost"}));
    EXPECT_EQ(local->ip, (std::vector<std::string>{"127.0.0.1", "::1"}));
}

TEST_F(AuthorityTest, ClientCertificateHasClientAuth) {
    ASSERT_TRUE(Authority(dir_).issue(Profile::client, "sensor-01", {}));
    CertificateSummary s = issued("sensor-01");
    EXPECT_EQ(s.subject_cn, "sensor-01");
    EXPECT_TRUE(s.has_extended_key_usage(kClientAuth));
    EXPECT_FALSE(s.has_extended_key_usage(kServerAuth));
    EXPECT_FALSE(s.is_ca());
    EXPECT_TRUE(check_certificate(s, {.role = CertificateRole::client}).empty());
    // Without a role, its extendedKeyUsage makes it a client certificate: no subjectAltName is needed.
    EXPECT_TRUE(check_certificate(s).empty()) << format_findings(check_certificate(s));
}

TEST_F(AuthorityTest, SerialNumbersAreRandomPositiveAndTwentyOctets) {
    std::set<std::string> serials{issued("ca").serial_hex};
    for (int i = 0; i < 5; ++i) {
        std::string name = "c" + std::to_string(i);
        ASSERT_TRUE(Authority(dir_).issue(Profile::client, name, {}));
        serials.insert(issued(name).serial_hex);
    }
    EXPECT_EQ(serials.size(), 6u);
    for (const auto& s : serials) {
        EXPECT_EQ(s.size(), 40u) << s;
        EXPECT_NE(s.front(), '-');
        EXPECT_LT(std::stoi(s.substr(0, 1), nullptr, 16), 8) << "top bit set: negative serial " << s;
    }
}

TEST_F(AuthorityTest, RefusesToOverwriteWithoutForce) {
    ASSERT_TRUE(Authority(dir_).issue(Profile::server, "broker", {}));
    auto before = read_file(dir_ / "broker.key");
    auto again = Authority(dir_).issue(Profile::server, "broker", {});
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("--force"), std::string::npos);
    EXPECT_EQ(*read_file(dir_ / "broker.key"), *before);
    auto ca_again = Authority(dir_).init({});
    ASSERT_FALSE(ca_again);

    IssueOptions force;
    force.force = true;
    ASSERT_TRUE(Authority(dir_).issue(Profile::server, "broker", force));
    EXPECT_NE(*read_file(dir_ / "broker.key"), *before);
    EXPECT_EQ(permissions(dir_ / "broker.key"), 0600u);
}

TEST_F(AuthorityTest, RejectsNamesThatAreNotSafeFileNamesOrTheCasOwn) {
    EXPECT_FALSE(Authority(dir_).issue(Profile::client, "../evil", {}));
    EXPECT_FALSE(Authority(dir_).issue(Profile::client, "ca", {}));
    EXPECT_FALSE(Authority(dir_).issue(Profile::client, "", {}));
    auto same = Authority(dir_).issue(Profile::server, issued("ca").subject_cn, {});
    EXPECT_FALSE(same);  // spaces are refused, and so is the CA's CN
    auto cn_ca = Authority(path("named")).init({}, "labca");
    ASSERT_TRUE(cn_ca);
    auto clash = Authority(path("named")).issue(Profile::server, "labca", {});
    ASSERT_FALSE(clash);
    EXPECT_NE(clash.error().message.find("CA's own name"), std::string::npos);
    IssueOptions bad_ip;
    bad_ip.ip = {"999.1.1.1"};
    EXPECT_FALSE(Authority(dir_).issue(Profile::server, "broker", bad_ip));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "broker.key"));  // nothing half-written
}

TEST_F(AuthorityTest, WithoutACaTheErrorSaysHowToMakeOne) {
    auto made = Authority(path("empty")).issue(Profile::server, "broker", {});
    ASSERT_FALSE(made);
    EXPECT_NE(made.error().message.find("init"), std::string::npos);
}

TEST_F(AuthorityTest, KeyTypesAreHonoured) {
    for (const char* type : {"rsa:2048", "ec:P-384", "ed25519"}) {
        IssueOptions options;
        options.key_type = *parse_key_type(type);
        std::string name = std::string("k-") + (type[0] == 'r'                     ? "rsa"
                                                : type[0] == 'e' && type[1] == 'c' ? "ec"
                                                                                   : "ed");
        ASSERT_TRUE(Authority(dir_).issue(Profile::server, name, options)) << type;
        CertificateSummary s = issued(name);
        auto key = read_private_key(dir_ / (name + ".key"));
        ASSERT_TRUE(key);
        auto cert = read_certificate(dir_ / (name + ".crt"));
        EXPECT_TRUE(key_matches_certificate(key->get(), cert->get()));
        if (type[0] == 'r') {
            EXPECT_EQ(s.key.text, "RSA 2048 bit");
            EXPECT_TRUE(s.has_key_usage(kKeyEncipherment));
        } else if (type[1] == 'c') {
            EXPECT_EQ(s.key.text, "EC P-384 (384 bit)");
        } else {
            EXPECT_EQ(s.key.text, "Ed25519");
        }
        EXPECT_TRUE(verify_certificate(cert->get(), ca(), {}, {.host = name}).ok);
    }
}

TEST_F(AuthorityTest, CsrAndSignKeepThePrivateKeyWhereItWasMade) {
    auto device = path("device");
    IssueOptions options;
    options.dns = {"gw.lan"};
    options.ip = {"10.1.2.3"};
    auto requested = Authority(device).request("gateway", options);
    ASSERT_TRUE(requested) << requested.error().message;
    EXPECT_EQ(permissions(device / "gateway.key"), 0600u);
    EXPECT_FALSE(std::filesystem::exists(device / "gateway.crt"));

    std::filesystem::copy_file(device / "gateway.csr", dir_ / "gateway.csr");
    auto signed_cert = Authority(dir_).sign(dir_ / "gateway.csr", Profile::server, {});
    ASSERT_TRUE(signed_cert) << signed_cert.error().message;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "gateway.key"));  // the CA never saw the key
    CertificateSummary s = issued("gateway");
    EXPECT_EQ(s.subject_cn, "gateway");
    EXPECT_TRUE(s.has_extended_key_usage(kServerAuth));
    EXPECT_EQ(s.subject_alt_names->dns, (std::vector<std::string>{"gw.lan"}));
    EXPECT_EQ(s.subject_alt_names->ip, (std::vector<std::string>{"10.1.2.3"}));
    auto key = read_private_key(device / "gateway.key");
    auto cert = read_certificate(dir_ / "gateway.crt");
    EXPECT_TRUE(key_matches_certificate(key->get(), cert->get()));
    EXPECT_TRUE(
        verify_certificate(cert->get(), ca(), {}, {.purpose = CertificateRole::server, .host = "gw.lan"}).ok);
}

TEST_F(AuthorityTest, SignRefusesATamperedRequest) {
    ASSERT_TRUE(Authority(path("device")).request("thing", {}));
    auto pem = *read_file(path("device") / "thing.csr");
    auto request = parse_request(pem);
    ASSERT_TRUE(request);
    // Swap in a different public key without re-signing: the signature no longer matches.
    auto other = generate_key(kDefaultKeyType);
    X509_REQ_set_pubkey(request->get(), other->get());
    ASSERT_TRUE(write_file(path("bad.csr"), *to_pem(request->get()), kPublicFileMode, Overwrite::refuse));
    auto signed_cert = Authority(dir_).sign(path("bad.csr"), Profile::client, {});
    ASSERT_FALSE(signed_cert);
    EXPECT_NE(signed_cert.error().message.find("signature"), std::string::npos);
}

TEST_F(AuthorityTest, RevokeListsTheSerialInASignedCrlThatVerificationHonours) {
    ASSERT_TRUE(Authority(dir_).issue(Profile::client, "lost", {}));
    ASSERT_TRUE(Authority(dir_).issue(Profile::client, "kept", {}));
    auto initial = read_crls(dir_ / "ca.crl");
    ASSERT_TRUE(initial);
    auto initial_summary = summarize_crl(initial->front().get());
    EXPECT_TRUE(initial_summary.revoked.empty());

    auto revoked = Authority(dir_).revoke("lost", RevocationReason::key_compromise);
    ASSERT_TRUE(revoked) << revoked.error().message;
    auto crls = read_crls(dir_ / "ca.crl");
    ASSERT_TRUE(crls);
    CrlSummary crl = summarize_crl(crls->front().get());
    ASSERT_EQ(crl.revoked.size(), 1u);
    EXPECT_EQ(crl.revoked[0].serial_hex, issued("lost").serial_hex);
    EXPECT_EQ(crl.revoked[0].reason, RevocationReason::key_compromise);
    EXPECT_EQ(crl.issuer, issued("ca").subject);
    ASSERT_TRUE(crl.crl_number && initial_summary.crl_number);
    EXPECT_GT(*crl.crl_number, *initial_summary.crl_number);
    auto ca_cert = ca();
    EXPECT_TRUE(crl_signed_by(crls->front().get(), ca_cert.front().get()));

    VerifyOptions options{.purpose = CertificateRole::client, .crls = {crls->front().get()}};
    auto lost = read_certificate(dir_ / "lost.crt");
    auto result = verify_certificate(lost->get(), ca_cert, {}, options);
    ASSERT_FALSE(result.ok);
    ASSERT_FALSE(result.problems.empty());
    EXPECT_EQ(result.problems[0].error, X509_V_ERR_CERT_REVOKED);
    EXPECT_NE(result.problems[0].explanation.find("revoked"), std::string::npos);
    auto kept = read_certificate(dir_ / "kept.crt");
    EXPECT_TRUE(verify_certificate(kept->get(), ca_cert, {}, options).ok);

    auto twice = Authority(dir_).revoke("lost", RevocationReason::unspecified);
    ASSERT_FALSE(twice);
    EXPECT_NE(twice.error().message.find("already revoked"), std::string::npos);
    EXPECT_FALSE(Authority(dir_).revoke("ca", RevocationReason::unspecified));
}

TEST_F(AuthorityTest, RevokeRefusesACertificateFromAnotherCa) {
    ASSERT_TRUE(Authority(path("other")).init({}));
    ASSERT_TRUE(Authority(path("other")).issue(Profile::client, "stranger", {}));
    auto result =
        Authority(dir_).revoke((path("other") / "stranger.crt").string(), RevocationReason::unspecified);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("not issued by this CA"), std::string::npos);
}

TEST_F(AuthorityTest, RevokedListRoundTrips) {
    std::vector<RevokedEntry> entries{
        {"4ABC", Seconds(std::chrono::seconds(1700000000)), RevocationReason::superseded, "CN=x"},
        {"01", Seconds(std::chrono::seconds(1)), RevocationReason::unspecified, ""}};
    auto parsed = parse_revocation_list(format_revocation_list(entries));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, entries);
    EXPECT_FALSE(parse_revocation_list("zz\t1\tunspecified\n"));
}

TEST_F(AuthorityTest, ExplicitValidityMakesAnExpiredCertificateForTests) {
    IssueOptions options;
    options.not_before = *parse_time("2020-01-01");
    options.not_after = *parse_time("2020-06-01T00:00:00Z");
    ASSERT_TRUE(Authority(dir_).issue(Profile::client, "old", options));
    CertificateSummary s = issued("old");
    EXPECT_EQ(format_time(s.not_after), "2020-06-01 00:00:00 UTC");
    auto findings = check_certificate(s, {.role = CertificateRole::client});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].code, FindingCode::expired);
    auto cert = read_certificate(dir_ / "old.crt");
    auto result = verify_certificate(cert->get(), ca());
    ASSERT_FALSE(result.ok);
    EXPECT_EQ(result.problems[0].error, X509_V_ERR_CERT_HAS_EXPIRED);
    EXPECT_NE(result.problems[0].explanation.find("expired on 2020-06-01"), std::string::npos);
}

}  // namespace
}  // namespace culex::pki
