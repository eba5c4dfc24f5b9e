// Payload: immutable bytes shared, not copied, by every holder; moved-from payloads are empty.
#include <gtest/gtest.h>

#include <string>

#include "protocol/payload.hpp"

namespace culex::protocol {
namespace {

TEST(Payload, CopiesShareTheSameBytes) {
    Payload a(std::string_view("hello world, longer than a small string"));
    Payload b = a;
    Payload c;
    c = b;
    EXPECT_EQ(a.view().data(), b.view().data());
    EXPECT_EQ(a.view().data(), c.view().data());
    EXPECT_EQ(c.view(), "hello world, longer than a small string");
}

TEST(Payload, FromStringAndFromViewHoldTheSameBytes) {
    std::string bytes("a\0b\xFF", 4);
    Payload from_string{std::string(bytes)};
    Payload from_view{std::string_view(bytes)};
    EXPECT_EQ(from_string.view(), bytes);
    EXPECT_EQ(from_view.view(), bytes);
    EXPECT_EQ(from_string, from_view);
    EXPECT_EQ(from_view.size(), 4u);
    EXPECT_NE(from_view.view().data(), bytes.data());  // a copy: the decode buffer may be reused
}

TEST(Payload, OutlivesTheBufferItWasDecodedFrom) {
    Payload p;
    {
        std::string buffer(100, 'z');
        p = Payload(std::string_view(buffer));
        buffer.assign(100, 'q');
    }
    EXPECT_EQ(p.view(), std::string(100, 'z'));
}

TEST(Payload, EmptyAndMovedFrom) {
    EXPECT_TRUE(Payload().empty());
    EXPECT_TRUE(Payload(std::string_view()).empty());
    EXPECT_TRUE(Payload(std::string()).empty());
    EXPECT_EQ(Payload(), Payload(std::string_view("")));

    Payload a(std::string_view("abc"));
    Payload b(std::move(a));
    EXPECT_EQ(b.view(), "abc");
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the state after a move is the point
    EXPECT_EQ(a.view(), "");
    Payload c;
    c = std::move(b);
    EXPECT_EQ(c.view(), "abc");
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
    EXPECT_NE(c, b);
}

}  // namespace
}  // namespace culex::protocol
