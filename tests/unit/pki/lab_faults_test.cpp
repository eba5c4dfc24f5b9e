// The lab's faults, made the lab's way with the openssl command: `show`'s findings and `verify`'s
// explanations must name each cause.
#include <gtest/gtest.h>

#include <algorithm>

#include "pki/authority.hpp"
#include "pki/inspect.hpp"
#include "pki/pem.hpp"
#include "pki/render.hpp"
#include "pki/verify.hpp"
#include "pki_test_support.hpp"

namespace culex::pki {
namespace {

bool has_code(const std::vector<Finding>& findings, FindingCode code) {
    return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.code == code; });
}

class LabFaultsTest : public testing::TempDir {
  protected:
    void SetUp() override {
        TempDir::SetUp();
        if (!have_openssl()) GTEST_SKIP() << "the openssl command is not installed";
        // The lab's CA: openssl req -x509 with the Debian default config (v3, CA:TRUE).
        ASSERT_TRUE(
            shell("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 "
                  "-subj '/C=FR/ST=France/O=ISIS'"));
    }

    std::vector<CertificateReport> show(const std::string& file,
                                        CertificateRole role = CertificateRole::any) {
        auto reports = inspect_certificate_file(path(file), {.role = role});
        EXPECT_TRUE(reports) << reports.error().message;
        return reports ? *reports : std::vector<CertificateReport>{};
    }
};

TEST_F(LabFaultsTest, V1CertificateFromPlainX509ReqIsNamed) {
    ASSERT_TRUE(
        shell("openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
              "-subj '/C=FR/ST=France/O=ISIS/CN=debian2' && "
              "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt "
              "-days 30"));
    auto reports = show("server.crt");
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].summary.version, 1);
    EXPECT_TRUE(has_code(reports[0].findings, FindingCode::version_1));
    EXPECT_TRUE(has_code(reports[0].findings, FindingCode::missing_san));
    EXPECT_FALSE(has_code(reports[0].findings, FindingCode::subject_equals_issuer));
    std::string text = render_report(reports[0]);
    EXPECT_NE(text.find("X.509 v1"), std::string::npos);
    EXPECT_NE(text.find("fix: "), std::string::npos);

    // Verification with the host name clients use says the name is missing because there is no SAN.
    auto ca = read_certificates(path("ca.crt"));
    auto cert = read_certificate(path("server.crt"));
    auto result = verify_certificate(cert->get(), *ca, {}, {.host = "192.168.1.20"});
    ASSERT_FALSE(result.ok);
    bool named = std::any_of(result.problems.begin(), result.problems.end(), [](const VerifyProblem& p) {
        return p.explanation.find("no subjectAltName") != std::string::npos;
    });
    EXPECT_TRUE(named) << result.problems[0].explanation;
}

TEST_F(LabFaultsTest, SubjectEqualToTheCasIsNamed) {
    // The broker certificate made with the same answers to openssl's questions as the CA.
    ASSERT_TRUE(
        shell("openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
              "-subj '/C=FR/ST=France/O=ISIS' && "
              "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt "
              "-days 30"));
    auto reports = show("server.crt");
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_TRUE(reports[0].summary.subject_equals_issuer);
    EXPECT_FALSE(reports[0].summary.self_signed);
    EXPECT_TRUE(has_code(reports[0].findings, FindingCode::subject_equals_issuer));
    auto it = std::find_if(reports[0].findings.begin(), reports[0].findings.end(),
                           [](const Finding& f) { return f.code == FindingCode::subject_equals_issuer; });
    EXPECT_NE(it->message.find("C=FR, ST=France, O=ISIS"), std::string::npos) << it->message;
    EXPECT_EQ(it->severity, Severity::error);

    auto ca = read_certificates(path("ca.crt"));
    auto cert = read_certificate(path("server.crt"));
    auto result = verify_certificate(cert->get(), *ca);
    ASSERT_FALSE(result.ok);
    std::string all;
    for (const auto& p : result.problems)
        all += p.explanation + "\n";
    EXPECT_NE(all.find("same as its issuer"), std::string::npos) << all;
}

TEST_F(LabFaultsTest, KeyFromAnotherPairIsNamed) {
    ASSERT_TRUE(
        shell("openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.crt -days 30 "
              "-subj '/CN=other'"));
    auto key = read_private_key(path("other.key"));
    auto cert = read_certificate(path("ca.crt"));
    ASSERT_TRUE(key && cert);
    auto mismatch = check_key_matches(key->get(), cert->get(), "other.key", "ca.crt");
    ASSERT_TRUE(mismatch);
    EXPECT_EQ(mismatch->code, FindingCode::key_mismatch);
    EXPECT_NE(mismatch->message.find("other.key"), std::string::npos);
    auto own = read_private_key(path("ca.key"));
    EXPECT_FALSE(check_key_matches(own->get(), cert->get(), "ca.key", "ca.crt"));
}

TEST_F(LabFaultsTest, CaFileHoldingALeafIsNamed) {
    Authority culex_ca(path("pki"));
    ASSERT_TRUE(culex_ca.init({}));
    ASSERT_TRUE(culex_ca.issue(Profile::server, "broker", {}));
    auto reports = show("pki/broker.crt", CertificateRole::ca);
    EXPECT_TRUE(has_code(reports[0].findings, FindingCode::not_a_ca));
    auto chain = show("pki/ca.crt", CertificateRole::ca);
    EXPECT_TRUE(chain[0].findings.empty()) << format_findings(chain[0].findings);
}

TEST_F(LabFaultsTest, CertificateFromAnotherCaNamesBothIssuers) {
    Authority culex_ca(path("pki"));
    ASSERT_TRUE(culex_ca.init({}));
    ASSERT_TRUE(culex_ca.issue(Profile::client, "alice", {}));
    auto lab_ca = read_certificates(path("ca.crt"));
    auto alice = read_certificate(path("pki/alice.crt"));
    auto result = verify_certificate(alice->get(), *lab_ca, {}, {.purpose = CertificateRole::client});
    ASSERT_FALSE(result.ok);
    EXPECT_EQ(result.problems[0].error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    const std::string& why = result.problems[0].explanation;
    EXPECT_NE(why.find("culex CA"), std::string::npos) << why;                 // who issued it
    EXPECT_NE(why.find("C=FR, ST=France, O=ISIS"), std::string::npos) << why;  // what the CA file holds
}

TEST_F(LabFaultsTest, SelfSignedLeafAndWeakKeyAreNamed) {
    ASSERT_TRUE(
        shell("openssl req -x509 -newkey rsa:1024 -nodes -keyout weak.key -out weak.crt -days 30 "
              "-subj '/CN=weak' -addext basicConstraints=CA:FALSE"));
    auto reports = show("weak.crt", CertificateRole::server);
    EXPECT_TRUE(has_code(reports[0].findings, FindingCode::weak_key));
    EXPECT_TRUE(has_code(reports[0].findings, FindingCode::self_signed_leaf));
    EXPECT_TRUE(has_code(reports[0].findings, FindingCode::missing_san));
}

TEST_F(LabFaultsTest, WithoutARoleExtendedKeyUsageDecidesWhetherASubjectAltNameIsNeeded) {
    // v3 leaves from the lab's CA, with extensions but no subjectAltName: a server certificate that clients
    // will reject by address, and a client certificate that needs none.
    for (const char* usage : {"serverAuth", "clientAuth"}) {
        std::string name = usage;
        ASSERT_TRUE(shell("echo basicConstraints=CA:FALSE > " + name +
                          ".ext && echo extendedKeyUsage=" + name + " >> " + name +
                          ".ext && openssl req -newkey rsa:2048 -nodes -keyout " + name + ".key -out " +
                          name + ".csr -subj '/CN=" + name + "' && openssl x509 -req -in " + name +
                          ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -out " + name +
                          ".crt -extfile " + name + ".ext"));
    }
    auto server = show("serverAuth.crt");
    auto it = std::find_if(server[0].findings.begin(), server[0].findings.end(),
                           [](const Finding& f) { return f.code == FindingCode::missing_san; });
    ASSERT_NE(it, server[0].findings.end());
    EXPECT_EQ(it->severity, Severity::error);  // judged as a server certificate
    EXPECT_NE(it->message.find("never for an IP address"), std::string::npos) << it->message;
    auto client = show("clientAuth.crt");
    EXPECT_FALSE(has_code(client[0].findings, FindingCode::missing_san))
        << format_findings(client[0].findings);
    EXPECT_FALSE(has_code(client[0].findings, FindingCode::version_1));
}

}  // namespace
}  // namespace culex::pki
