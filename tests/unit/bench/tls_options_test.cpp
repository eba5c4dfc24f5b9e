// culex bench's TLS flags: which of them turn TLS on, what plan() refuses, and the client settings they make
// (the same tls::ClientSettings as culex pub's).
#include <gtest/gtest.h>

#include "bench/options.hpp"
#include "bench/tls_link.hpp"

namespace culex::bench {
namespace {

TEST(BenchTlsOptions, TurnedOnAsMosquittoPubDoes) {
    TlsOptions t;
    EXPECT_FALSE(t.enabled());
    t.requested = true;
    EXPECT_TRUE(t.enabled());
    t = {};
    t.cafile = "ca.crt";
    EXPECT_TRUE(t.enabled());  // --cafile alone implies --tls
    t = {};
    t.capath = "/etc/ssl/certs";
    EXPECT_TRUE(t.enabled());
    t = {};
    t.certfile = "c.crt";
    EXPECT_TRUE(t.enabled());
    t = {};
    t.insecure = true;
    EXPECT_FALSE(t.enabled());  // --insecure alone changes a check, it does not ask for TLS
}

TEST(BenchTlsOptions, PlanAcceptsTlsRuns) {
    Options o;
    o.tls.cafile = "ca.crt";
    o.tls.version = "tlsv1.3";
    o.tls.insecure = true;
    EXPECT_TRUE(plan(o)) << plan(o).error().message;
}

TEST(BenchTlsOptions, PlanRefusesWhatCannotWork) {
    Options o;
    o.tls.requested = true;
    o.tls.version = "tlsv1.4";
    ASSERT_FALSE(plan(o));
    EXPECT_NE(plan(o).error().message.find("--tls-version \"tlsv1.4\""), std::string::npos)
        << plan(o).error().message;

    o = {};
    o.tls.cafile = "ca.crt";
    o.tls.certfile = "c.crt";  // without --key
    ASSERT_FALSE(plan(o));
    EXPECT_NE(plan(o).error().message.find("--cert and --key"), std::string::npos);

    o = {};
    o.tls.keyfile = "c.key";  // without --cert: TLS is not even on
    EXPECT_FALSE(plan(o));

    o = {};
    o.tls.insecure = true;  // a TLS flag on a plain run: a mistake worth naming
    ASSERT_FALSE(plan(o));
    EXPECT_NE(plan(o).error().message.find("--cafile"), std::string::npos);
}

TEST(BenchTlsOptions, ClientSettingsMirrorTheFlags) {
    TlsOptions t;
    t.cafile = "ca.crt";
    t.certfile = "c.crt";
    t.keyfile = "c.key";
    t.insecure = true;
    t.version = "tlsv1.3";
    auto s = client_settings(t);
    EXPECT_EQ(s.cafile, "ca.crt");
    EXPECT_EQ(s.certfile, "c.crt");
    EXPECT_EQ(s.keyfile, "c.key");
    EXPECT_TRUE(s.insecure);
    EXPECT_FALSE(s.use_os_certs);
    ASSERT_TRUE(s.min_version);
    EXPECT_EQ(*s.min_version, config::TlsVersion::tls1_3);

    t = {};
    t.requested = true;  // --tls alone: the system's CAs
    s = client_settings(t);
    EXPECT_TRUE(s.use_os_certs);
    EXPECT_FALSE(s.min_version);
    t.version = "tlsv1.2";
    EXPECT_EQ(*client_settings(t).min_version, config::TlsVersion::tls1_2);
}

TEST(BenchTlsOptions, AMissingCafileIsNamed) {
    TlsOptions t;
    t.cafile = "/nonexistent/ca.crt";
    auto context = make_tls_context(t);
    ASSERT_FALSE(context);
    EXPECT_NE(context.error().message.find("--cafile"), std::string::npos) << context.error().message;
}

}  // namespace
}  // namespace culex::bench
