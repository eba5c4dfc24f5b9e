#include "auth/base64.hpp"

#include <gtest/gtest.h>

namespace culex::auth {
namespace {

std::vector<std::uint8_t> bytes(std::string_view text) {
    return {text.begin(), text.end()};
}

TEST(Base64, EncodesRfc4648Vectors) {
    EXPECT_EQ(base64_encode(bytes("")), "");
    EXPECT_EQ(base64_encode(bytes("f")), "Zg==");
    EXPECT_EQ(base64_encode(bytes("fo")), "Zm8=");
    EXPECT_EQ(base64_encode(bytes("foo")), "Zm9v");
    EXPECT_EQ(base64_encode(bytes("foob")), "Zm9vYg==");
    EXPECT_EQ(base64_encode(bytes("fooba")), "Zm9vYmE=");
    EXPECT_EQ(base64_encode(bytes("foobar")), "Zm9vYmFy");
    EXPECT_EQ(base64_encode(std::vector<std::uint8_t>{0xFB, 0xFF}), "+/8=");
}

TEST(Base64, DecodesWhatItEncodes) {
    for (std::size_t n = 0; n < 70; ++n) {
        std::vector<std::uint8_t> data(n);
        for (std::size_t i = 0; i < n; ++i)
            data[i] = static_cast<std::uint8_t>(i * 37 + 11);
        auto decoded = base64_decode(base64_encode(data));
        ASSERT_TRUE(decoded) << n;
        EXPECT_EQ(*decoded, data) << n;
    }
}

TEST(Base64, RejectsMalformedText) {
    EXPECT_FALSE(base64_decode("Zg="));       // length not a multiple of 4
    EXPECT_FALSE(base64_decode("Z=g="));      // padding in the middle
    EXPECT_FALSE(base64_decode("Zg==Zg=="));  // padding before the end
    EXPECT_FALSE(base64_decode("Zm9v\n"));    // whitespace
    EXPECT_FALSE(base64_decode("Zm9-"));      // URL-safe alphabet is not Mosquitto's
    EXPECT_TRUE(base64_decode(""));
}

}  // namespace
}  // namespace culex::auth
