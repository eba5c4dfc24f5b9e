// Identity from a certificate as Mosquitto reads it: the first CN, and the subject in RFC 2253 order.
#include "tls/peer_identity.hpp"
#include "pki/pem.hpp"
#include "tls_test_support.hpp"

namespace culex::tls {
namespace {

using testing::TlsTest;

class PeerIdentityTest : public TlsTest {};

TEST_F(PeerIdentityTest, SubjectIsRfc2253LastRdnFirst) {
    if (!have_openssl()) GTEST_SKIP() << "the openssl command is not installed";
    ASSERT_TRUE(
        shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem -out c.pem "
              "-days 2 -subj '/C=FR/ST=France/O=ISIS, Lab/CN=student 1'"));
    auto cert = pki::read_certificate(path("c.pem"));
    ASSERT_TRUE(cert);
    auto identity = certificate_identity(cert->get());
    EXPECT_EQ(identity.common_name, "student 1");
    // RFC 2253: reversed order, no spaces after commas, a comma inside a value escaped.
    EXPECT_EQ(identity.subject, "CN=student 1,O=ISIS\\, Lab,ST=France,C=FR");
}

TEST_F(PeerIdentityTest, FirstCommonNameWins) {
    if (!have_openssl()) GTEST_SKIP() << "the openssl command is not installed";
    ASSERT_TRUE(
        shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem -out c.pem "
              "-days 2 -subj '/CN=first/CN=second'"));
    auto cert = pki::read_certificate(path("c.pem"));
    ASSERT_TRUE(cert);
    EXPECT_EQ(certificate_identity(cert->get()).common_name, "first");
}

TEST_F(PeerIdentityTest, NoCommonName) {
    if (!have_openssl()) GTEST_SKIP() << "the openssl command is not installed";
    ASSERT_TRUE(
        shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem -out c.pem "
              "-days 2 -subj '/O=NoName'"));
    auto cert = pki::read_certificate(path("c.pem"));
    ASSERT_TRUE(cert);
    auto identity = certificate_identity(cert->get());
    EXPECT_FALSE(identity.common_name);
    EXPECT_EQ(identity.subject, "O=NoName");
}

TEST_F(PeerIdentityTest, PkiClientCertificate) {
    auto cert = pki::read_certificate(pki("alice.crt"));
    ASSERT_TRUE(cert);
    auto identity = certificate_identity(cert->get());
    EXPECT_EQ(identity.common_name, "alice");
    EXPECT_EQ(identity.subject, "CN=alice,O=Lab");
}

}  // namespace
}  // namespace culex::tls
