// explain_server_handshake on real handshakes: each way a client fails against a listener gives the right
// problem and a line that names the peer, OpenSSL's reason, the cause and the fix.
#include <openssl/ssl.h>

#include "tls/peer_identity.hpp"
#include "tls_test_support.hpp"

namespace culex::tls {
namespace {

using testing::TlsTest;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class ExplainServerTest : public TlsTest {
  protected:
    HandshakeExplanation explain(const ServerContext& context, const testing::Handshake& h) {
        EXPECT_TRUE(h.server_error) << "the server's handshake should have failed";
        auto e = explain_server_handshake(context.info(), h.server->native_handle(),
                                          handshake_error(h.server_error), "127.0.0.1:50000");
        EXPECT_TRUE(contains(e.line, "127.0.0.1:50000")) << e.line;
        EXPECT_TRUE(contains(e.line, "listener 8883")) << e.line;
        return e;
    }

    // A raw OpenSSL client context, for what our own client refuses to do (old TLS, odd ciphers).
    static boost::asio::ssl::context raw_client() {
        boost::asio::ssl::context c(boost::asio::ssl::context::tls_client);
        SSL_CTX_set_verify(c.native_handle(), SSL_VERIFY_NONE, nullptr);
        return c;
    }
};

TEST_F(ExplainServerTest, MutualTlsSucceeds) {
    auto server_ctx = server(server_settings());
    auto client_ctx = client(client_settings());
    auto h = testing::run_handshake(*server_ctx, *client_ctx);
    EXPECT_FALSE(h->server_error) << h->server_error.message();
    EXPECT_FALSE(h->client_error) << h->client_error.message();
}

TEST_F(ExplainServerTest, NoClientCertificateWithRequireCertificate) {
    auto server_ctx = server(server_settings());
    auto client_ctx = client(client_settings(false));
    auto h = testing::run_handshake(*server_ctx, *client_ctx);
    auto e = explain(*server_ctx, *h);
    EXPECT_EQ(e.problem, HandshakeProblem::no_client_certificate) << e.line;
    EXPECT_TRUE(contains(e.line, "client sent no certificate, but require_certificate is true")) << e.line;
    EXPECT_TRUE(contains(e.line, "peer did not return a certificate")) << e.line;
    EXPECT_TRUE(contains(e.line, "fix: ")) << e.line;
}

TEST_F(ExplainServerTest, ClientCertificateFromAnotherCa) {
    auto server_ctx = server(server_settings());
    auto c = client_settings();
    c.certfile = other("mallory.crt");
    c.keyfile = other("mallory.key");
    auto client_ctx = client(c);
    auto h = testing::run_handshake(*server_ctx, *client_ctx);
    auto e = explain(*server_ctx, *h);
    EXPECT_EQ(e.problem, HandshakeProblem::client_certificate_rejected) << e.line;
    EXPECT_TRUE(contains(e.line, "issued by \"CN=Other CA\"")) << e.line;
    EXPECT_TRUE(contains(e.line, "cafile \"" + pki("ca.crt") + "\"")) << e.line;
    EXPECT_TRUE(contains(e.line, "unable to get local issuer certificate")) << e.line;
}

TEST_F(ExplainServerTest, ExpiredClientCertificate) {
    pki::IssueOptions old;
    old.not_before = testing::now() - std::chrono::days(20);
    old.not_after = testing::now() - std::chrono::days(10);
    ASSERT_TRUE(ca_->issue(pki::Profile::client, "old", old));
    auto server_ctx = server(server_settings());
    auto c = client_settings();
    c.certfile = pki("old.crt");
    c.keyfile = pki("old.key");
    auto client_ctx = client(c);
    auto h = testing::run_handshake(*server_ctx, *client_ctx);
    auto e = explain(*server_ctx, *h);
    EXPECT_EQ(e.problem, HandshakeProblem::client_certificate_rejected) << e.line;
    EXPECT_TRUE(contains(e.line, "certificate has expired")) << e.line;
    EXPECT_TRUE(contains(e.line, "CN=old")) << e.line;
}

TEST_F(ExplainServerTest, NotYetValidClientCertificate) {
    pki::IssueOptions future;
    future.not_before = testing::now() + std::chrono::days(10);
    future.not_after = testing::now() + std::chrono::days(20);
    ASSERT_TRUE(ca_->issue(pki::Profile::client, "future", future));
    auto server_ctx = server(server_settings());
    auto c = client_settings();
    c.certfile = pki("future.crt");
    c.keyfile = pki("future.key");
    auto client_ctx = client(c);
    auto h = testing::run_handshake(*server_ctx, *client_ctx);
    auto e = explain(*server_ctx, *h);
    EXPECT_TRUE(contains(e.line, "not valid before")) << e.line;
}

TEST_F(ExplainServerTest, RevokedClientCertificate) {
    ASSERT_TRUE(ca_->revoke("alice", pki::RevocationReason::key_compromise));
    auto s = server_settings();
    s.crlfile = pki("ca.crl");
    auto server_ctx = server(s);
    auto client_ctx = client(client_settings());
    auto h = testing::run_handshake(*server_ctx, *client_ctx);
    auto e = explain(*server_ctx, *h);
    EXPECT_EQ(e.problem, HandshakeProblem::client_certificate_rejected) << e.line;
    EXPECT_TRUE(contains(e.line, "revoked")) << e.line;
}

TEST_F(ExplainServerTest, ClientDoesNotTrustOurCa) {
    auto server_ctx = server(server_settings(false));
    auto c = client_settings(false);
    c.cafile = other("ca.crt");
    auto client_ctx = client(c);
    auto h = testing::run_handshake(*server_ctx, *client_ctx);
    auto e = explain(*server_ctx, *h);
    EXPECT_EQ(e.problem, HandshakeProblem::our_certificate_rejected) << e.line;
    EXPECT_TRUE(contains(e.line, "tlsv1 alert unknown ca")) << e.line;
    EXPECT_TRUE(
        contains(e.line, "does not trust the CA that issued certfile \"" + pki("localhost.crt") + "\""))
        << e.line;
    EXPECT_TRUE(contains(e.line, "issuer \"CN=Lab CA\"")) << e.line;
    EXPECT_TRUE(contains(e.line, "--cafile " + pki("ca.crt"))) << e.line;
}

TEST_F(ExplainServerTest, ClientConnectedWithAnotherHostName) {
    auto server_ctx = server(server_settings(false));
    auto client_ctx = client(client_settings(false));
    auto h = testing::run_handshake(*server_ctx, *client_ctx, "debian2");
    auto e = explain(*server_ctx, *h);
    EXPECT_EQ(e.problem, HandshakeProblem::our_certificate_rejected) << e.line;
    EXPECT_TRUE(contains(e.line, "bad certificate")) << e.line;
    EXPECT_TRUE(contains(e.line, "DNS:localhost")) << e.line;
}

TEST_F(ExplainServerTest, OldTlsVersion) {
    auto s = server_settings(false);
    s.min_version = config::TlsVersion::tls1_3;
    auto server_ctx = server(s);
    auto c = raw_client();
    SSL_CTX_set_max_proto_version(c.native_handle(), TLS1_2_VERSION);
    auto h = testing::run_handshake(server_ctx->asio_context(), c);
    auto e = explain(*server_ctx, *h);
    EXPECT_EQ(e.problem, HandshakeProblem::protocol_version) << e.line;
    EXPECT_TRUE(contains(e.line, "TLS 1.3")) << e.line;
}

TEST_F(ExplainServerTest, NoSharedCipher) {
    auto s = server_settings(false);
    s.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
    s.min_version = config::TlsVersion::tls1_2;
    auto server_ctx = server(s);
    auto c = raw_client();
    SSL_CTX_set_max_proto_version(c.native_handle(), TLS1_2_VERSION);
    ASSERT_EQ(SSL_CTX_set_cipher_list(c.native_handle(), "ECDHE-ECDSA-CHACHA20-POLY1305"), 1);
    auto h = testing::run_handshake(server_ctx->asio_context(), c);
    auto e = explain(*server_ctx, *h);
    EXPECT_EQ(e.problem, HandshakeProblem::no_shared_cipher) << e.line;
}

TEST_F(ExplainServerTest, PlainMqttOnTheTlsPort) {
    auto server_ctx = server(server_settings());
    boost::asio::io_context io;
    testing::LocalSocket a(io), b(io);
    boost::asio::local::connect_pair(a, b);
    testing::SslStream stream(std::move(a), server_ctx->asio_context());
    // The start of a 3.1.1 CONNECT, as culex pub or mosquitto_pub send it without TLS options.
    const unsigned char connect[] = {0x10, 0x10, 0x00, 0x04, 'M',  'Q', 'T', 'T', 0x04,
                                     0x02, 0x00, 0x3c, 0x00, 0x04, 't', 'e', 's', 't'};
    boost::asio::write(b, boost::asio::buffer(connect));
    boost::system::error_code error;
    stream.async_handshake(boost::asio::ssl::stream_base::server,
                           [&](const boost::system::error_code& ec) { error = ec; });
    io.run();
    ASSERT_TRUE(error);
    auto e =
        explain_server_handshake(server_ctx->info(), stream.native_handle(), handshake_error(error), "peer");
    EXPECT_EQ(e.problem, HandshakeProblem::not_tls) << e.line;
    EXPECT_TRUE(contains(e.line, "plain MQTT")) << e.line;
}

TEST_F(ExplainServerTest, ClientHangsUp) {
    auto server_ctx = server(server_settings());
    boost::asio::io_context io;
    testing::LocalSocket a(io), b(io);
    boost::asio::local::connect_pair(a, b);
    testing::SslStream stream(std::move(a), server_ctx->asio_context());
    b.close();
    boost::system::error_code error;
    stream.async_handshake(boost::asio::ssl::stream_base::server,
                           [&](const boost::system::error_code& ec) { error = ec; });
    io.run();
    ASSERT_TRUE(error);
    auto e =
        explain_server_handshake(server_ctx->info(), stream.native_handle(), handshake_error(error), "peer");
    EXPECT_EQ(e.problem, HandshakeProblem::peer_closed) << e.line;
}

TEST_F(ExplainServerTest, PeerIdentityAfterMutualTls) {
    auto server_ctx = server(server_settings());
    auto client_ctx = client(client_settings());
    auto h = testing::run_handshake(*server_ctx, *client_ctx);
    ASSERT_FALSE(h->server_error) << h->server_error.message();
    auto identity = peer_identity(h->server->native_handle());
    ASSERT_TRUE(identity);
    EXPECT_EQ(identity->common_name, "alice");
    EXPECT_EQ(identity->subject, "CN=alice,O=Lab");
}

TEST_F(ExplainServerTest, NoPeerIdentityWithoutClientCertificate) {
    auto server_ctx = server(server_settings(false));
    auto client_ctx = client(client_settings(false));
    auto h = testing::run_handshake(*server_ctx, *client_ctx);
    ASSERT_FALSE(h->server_error) << h->server_error.message();
    EXPECT_FALSE(peer_identity(h->server->native_handle()));
}

}  // namespace
}  // namespace culex::tls
