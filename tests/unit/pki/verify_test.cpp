// Verification of culex-made certificates: host names, purposes, and the words of each failure.
#include "pki/verify.hpp"

#include <gtest/gtest.h>

#include "pki/authority.hpp"
#include "pki/pem.hpp"
#include "pki_test_support.hpp"

namespace culex::pki {
namespace {

class VerifyTest : public testing::TempDir {
  protected:
    void SetUp() override {
        TempDir::SetUp();
        Authority ca(path("pki"));
        ASSERT_TRUE(ca.init({}));
        IssueOptions options;
        options.ip = {"127.0.0.1"};
        ASSERT_TRUE(ca.issue(Profile::server, "broker.lan", options));
        ASSERT_TRUE(ca.issue(Profile::client, "alice", {}));
        ca_ = std::move(*read_certificates(path("pki/ca.crt")));
        server_ = std::move(*read_certificate(path("pki/broker.lan.crt")));
        client_ = std::move(*read_certificate(path("pki/alice.crt")));
    }

    std::vector<X509Ptr> ca_;
    X509Ptr server_;
    X509Ptr client_;
};

TEST_F(VerifyTest, ServerVerifiesForItsNamesAndAddress) {
    auto result = verify_certificate(server_.get(), ca_, {},
                                     {.purpose = CertificateRole::server, .host = "broker.lan"});
    EXPECT_TRUE(result.ok);
    ASSERT_EQ(result.chain.size(), 2u);
    EXPECT_EQ(result.chain[0], "CN=broker.lan");
    EXPECT_TRUE(verify_certificate(server_.get(), ca_, {}, {.host = "127.0.0.1"}).ok);
    EXPECT_TRUE(certificate_matches_host(server_.get(), "BROKER.lan"));
    EXPECT_FALSE(certificate_matches_host(server_.get(), "debian2"));
}

TEST_F(VerifyTest, WrongHostIsExplainedWithWhatTheCertificateHolds) {
    auto result =
        verify_certificate(server_.get(), ca_, {}, {.purpose = CertificateRole::server, .host = "debian2"});
    ASSERT_FALSE(result.ok);
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_EQ(result.problems[0].error, X509_V_ERR_HOSTNAME_MISMATCH);
    EXPECT_EQ(result.problems[0].explanation.substr(0, 104),
              "host name \"debian2\" is not in the certificate's subjectAltName, which holds DNS:broker.lan, "
              "IP:127.0.0.1");
    auto ip = verify_certificate(server_.get(), ca_, {}, {.host = "10.9.9.9"});
    ASSERT_FALSE(ip.ok);
    EXPECT_EQ(ip.problems[0].error, X509_V_ERR_IP_ADDRESS_MISMATCH);
    EXPECT_NE(ip.problems[0].explanation.find("--ip 10.9.9.9"), std::string::npos);
}

TEST_F(VerifyTest, PurposeIsChecked) {
    EXPECT_TRUE(verify_certificate(client_.get(), ca_, {}, {.purpose = CertificateRole::client}).ok);
    auto result = verify_certificate(client_.get(), ca_, {}, {.purpose = CertificateRole::server});
    ASSERT_FALSE(result.ok);
    EXPECT_EQ(result.problems[0].error, X509_V_ERR_INVALID_PURPOSE);
    EXPECT_NE(result.problems[0].explanation.find("TLS Web Client Authentication"), std::string::npos);
}

TEST_F(VerifyTest, ACaRemadeUnderTheSameNameIsTold) {
    Authority again(path("again"));
    std::string cn = summarize(ca_.front().get()).subject_cn;
    ASSERT_TRUE(again.init({}, cn));
    auto other_ca = read_certificates(path("again/ca.crt"));
    auto result = verify_certificate(server_.get(), *other_ca);
    ASSERT_FALSE(result.ok);
    EXPECT_NE(result.problems[0].explanation.find("but not the one that signed it"), std::string::npos)
        << result.problems[0].explanation;
}

TEST_F(VerifyTest, AllProblemsAreReportedNotJustTheFirst) {
    Authority ca(path("pki"));
    IssueOptions options;
    options.not_before = *parse_time("2020-01-01");
    options.not_after = *parse_time("2021-01-01");
    ASSERT_TRUE(ca.issue(Profile::server, "old.lan", options));
    auto old = read_certificate(path("pki/old.lan.crt"));
    auto result = verify_certificate(old->get(), ca_, {}, {.host = "new.lan"});
    std::vector<int> errors;
    for (const auto& p : result.problems)
        errors.push_back(p.error);
    EXPECT_NE(std::find(errors.begin(), errors.end(), X509_V_ERR_CERT_HAS_EXPIRED), errors.end());
    EXPECT_NE(std::find(errors.begin(), errors.end(), X509_V_ERR_HOSTNAME_MISMATCH), errors.end());
}

TEST_F(VerifyTest, ExplainerServesHandshakeResults) {
    // What the TLS code calls with SSL_get_verify_result() and the peer's certificate.
    std::string text =
        explain_verify_error(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, summarize(client_.get()), {});
    EXPECT_NE(text.find("not in the CA file"), std::string::npos);
    EXPECT_NE(text.find(summarize(ca_.front().get()).subject), std::string::npos);
}

}  // namespace
}  // namespace culex::pki
