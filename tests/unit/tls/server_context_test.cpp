// make_server_context's start-up checks: each broken setup is refused with a message naming the file, the
// cause and the fix; setups that work with some clients start with a warning.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "tls_test_support.hpp"

namespace culex::tls {
namespace {

using testing::TlsTest;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

bool any_warning(const ServerContext& context, const std::string& part) {
    const auto& w = context.warnings();
    return std::any_of(w.begin(), w.end(), [&](const std::string& line) { return contains(line, part); });
}

class ServerContextTest : public TlsTest {
  protected:
    std::string error_for(const config::TlsSettings& s) {
        auto context = make_server_context(s, "listener 8883 at culex.conf:3");
        EXPECT_FALSE(context) << "expected an error";
        return context ? std::string() : context.error().message;
    }
};

TEST_F(ServerContextTest, GoodSetupBuildsWithoutWarnings) {
    auto context = server(server_settings());
    ASSERT_TRUE(context);
    EXPECT_TRUE(context->warnings().empty()) << context->warnings().front();
    EXPECT_EQ(context->info().certificate.subject_cn, "localhost");
    ASSERT_EQ(context->info().trusted.size(), 1u);
    EXPECT_EQ(context->info().trusted[0].subject_cn, "Lab CA");
    EXPECT_EQ(SSL_CTX_get_verify_mode(context->native_handle()),
              SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
    EXPECT_EQ(SSL_CTX_get_min_proto_version(context->native_handle()), TLS1_2_VERSION);
}

TEST_F(ServerContextTest, WithoutRequireCertificateNoCertificateIsAsked) {
    auto context = server(server_settings(false));
    ASSERT_TRUE(context);
    EXPECT_EQ(SSL_CTX_get_verify_mode(context->native_handle()), SSL_VERIFY_NONE);
}

TEST_F(ServerContextTest, TlsVersionSetsTheMinimum) {
    auto s = server_settings();
    s.min_version = config::TlsVersion::tls1_3;
    auto context = server(s);
    ASSERT_TRUE(context);
    EXPECT_EQ(SSL_CTX_get_min_proto_version(context->native_handle()), TLS1_3_VERSION);
}

TEST_F(ServerContextTest, MissingCertfileNamesFileAndListener) {
    auto s = server_settings();
    s.certfile = path("nowhere/server.crt");
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "certfile \"" + s.certfile + "\"")) << message;
    EXPECT_TRUE(contains(message, "listener 8883 at culex.conf:3")) << message;
    EXPECT_TRUE(contains(message, "no such file")) << message;
}

TEST_F(ServerContextTest, UnreadableKeyfileIsNamed) {
    if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
    auto s = server_settings();
    ::chmod(s.keyfile.c_str(), 0);
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "keyfile")) << message;
    EXPECT_TRUE(contains(message, "cannot be read")) << message;
}

TEST_F(ServerContextTest, KeyOfAnotherCertificateIsRefused) {
    auto s = server_settings();
    s.keyfile = pki("alice.key");
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "is not the private key of certfile")) << message;
    EXPECT_TRUE(contains(message, "alice.key")) << message;
    EXPECT_TRUE(contains(message, "fix: ")) << message;
}

TEST_F(ServerContextTest, SwappedCertfileAndKeyfileAreNamed) {
    auto s = server_settings();
    std::swap(s.certfile, s.keyfile);
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "holds a private key, not a certificate")) << message;
}

TEST_F(ServerContextTest, RequireCertificateWithoutCafileIsRefused) {
    auto s = server_settings();
    s.cafile.clear();
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "require_certificate is true but there is no cafile")) << message;
}

TEST_F(ServerContextTest, ExpiredCertificateIsRefused) {
    pki::IssueOptions old;
    old.not_before = testing::now() - std::chrono::days(20);
    old.not_after = testing::now() - std::chrono::days(10);
    ASSERT_TRUE(ca_->issue(pki::Profile::server, "expired.lan", old));
    auto s = server_settings();
    s.certfile = pki("expired.lan.crt");
    s.keyfile = pki("expired.lan.key");
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "expired")) << message;
    EXPECT_TRUE(contains(message, "expired.lan.crt")) << message;
}

TEST_F(ServerContextTest, ClientCertificateAsServerCertificateIsRefused) {
    auto s = server_settings();
    s.certfile = pki("alice.crt");
    s.keyfile = pki("alice.key");
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "alice.crt")) << message;
}

TEST_F(ServerContextTest, CertificateFromAnotherCaIsAWarning) {
    ASSERT_TRUE(other_->issue(pki::Profile::server, "elsewhere", {}));
    auto s = server_settings(false);
    s.certfile = other("elsewhere.crt");
    s.keyfile = other("elsewhere.key");
    auto context = server(s);
    ASSERT_TRUE(context);
    EXPECT_TRUE(any_warning(*context, "is not issued by a CA in cafile")) << context->warnings().size();
}

TEST_F(ServerContextTest, CaFileOfAnotherCaWithTheSameNameIsRefused) {
    // The lab's "files from another run": a CA made again under the same name.
    pki::Authority again(root_ / "again");
    ASSERT_TRUE(again.init({}, "Lab CA"));
    auto s = server_settings();
    s.cafile = (root_ / "again" / "ca.crt").string();
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "does not verify against cafile")) << message;
    EXPECT_TRUE(contains(message, "not the one that signed it")) << message;
}

TEST_F(ServerContextTest, CafileHoldingALeafIsRefusedWhenCertificatesAreRequired) {
    auto s = server_settings();
    s.cafile = pki("alice.crt");
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "holds no CA certificate")) << message;
}

TEST_F(ServerContextTest, BadCipherListIsNamed) {
    auto s = server_settings();
    s.ciphers = "NOT-A-CIPHER";
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "ciphers \"NOT-A-CIPHER\"")) << message;
}

TEST_F(ServerContextTest, CrlOfAnotherCaIsRefused) {
    auto s = server_settings();
    s.crlfile = other("ca.crl");
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "crlfile")) << message;
    EXPECT_TRUE(contains(message, "not a CA in cafile")) << message;
}

TEST_F(ServerContextTest, CrlOfOurCaLoads) {
    auto s = server_settings();
    s.crlfile = pki("ca.crl");
    auto context = server(s);
    ASSERT_TRUE(context);
    EXPECT_NE(
        X509_VERIFY_PARAM_get_flags(X509_STORE_get0_param(SSL_CTX_get_cert_store(context->native_handle()))) &
            X509_V_FLAG_CRL_CHECK,
        0u);
}

// The lab's faults made with the openssl command, the way the lab made them.
class LabServerContextTest : public ServerContextTest {
  protected:
    void SetUp() override {
        ServerContextTest::SetUp();
        if (!have_openssl()) GTEST_SKIP() << "the openssl command is not installed";
        ASSERT_TRUE(
            shell("openssl req -x509 -newkey rsa:2048 -nodes -keyout labca.key -out labca.crt -days 30 "
                  "-subj '/C=FR/ST=France/O=ISIS'"));
    }
};

TEST_F(LabServerContextTest, SameSubjectAsCaIsRefused) {
    ASSERT_TRUE(shell(
        "openssl req -newkey rsa:2048 -nodes -keyout same.key -out same.csr -subj '/C=FR/ST=France/O=ISIS' "
        "&& openssl x509 -req -in same.csr -CA labca.crt -CAkey labca.key -CAcreateserial -out same.crt "
        "-days 30"));
    config::TlsSettings s;
    s.cafile = path("labca.crt");
    s.certfile = path("same.crt");
    s.keyfile = path("same.key");
    auto message = error_for(s);
    EXPECT_TRUE(contains(message, "same")) << message;
    EXPECT_TRUE(contains(message, "issuer")) << message;
}

TEST_F(LabServerContextTest, V1CertificateWithoutHostNameStartsWithWarnings) {
    ASSERT_TRUE(
        shell("openssl req -newkey rsa:2048 -nodes -keyout v1.key -out v1.csr "
              "-subj '/C=FR/ST=France/O=ISIS/CN=debian2' && openssl x509 -req -in v1.csr -CA labca.crt "
              "-CAkey labca.key -CAcreateserial -out v1.crt -days 30"));
    config::TlsSettings s;
    s.cafile = path("labca.crt");
    s.certfile = path("v1.crt");
    s.keyfile = path("v1.key");
    auto context = server(s);
    ASSERT_TRUE(context);
    EXPECT_TRUE(any_warning(*context, "v1")) << context->warnings().front();
    EXPECT_TRUE(any_warning(*context, "subjectAltName")) << context->warnings().front();
}

}  // namespace
}  // namespace culex::tls
