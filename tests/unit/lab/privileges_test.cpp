// The privilege check: what /proc/self/status says, which capabilities are missing, and a message that names
// them and says how to get them.
#include <gtest/gtest.h>

#include <linux/capability.h>

#include "lab/privileges.hpp"

namespace culex::lab {
namespace {

constexpr std::uint64_t bit(int capability) {
    return std::uint64_t{1} << capability;
}

TEST(LabPrivileges, ParsesTheEffectiveSet) {
    std::string status =
        "Name:\tculex\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
        "CapEff:\t000001fffeffffff\nCapBnd:\t000001ffffffffff\n";
    EXPECT_EQ(parse_effective_capabilities(status), 0x000001fffeffffffULL);
    EXPECT_EQ(parse_effective_capabilities("CapEff:\t0000000000000000\n"), 0u);
    EXPECT_FALSE(parse_effective_capabilities("Name:\tculex\n").has_value());
    EXPECT_FALSE(parse_effective_capabilities("CapEff:\tzz\n").has_value());
}

TEST(LabPrivileges, RootHasEverything) {
    EXPECT_TRUE(missing_capabilities(0x000001ffffffffffULL).empty());
    EXPECT_FALSE(privilege_problem(0x000001ffffffffffULL).has_value());
    EXPECT_FALSE(privilege_problem(bit(CAP_SYS_ADMIN) | bit(CAP_NET_ADMIN) | bit(CAP_NET_RAW)).has_value());
}

TEST(LabPrivileges, NamesWhatIsMissing) {
    EXPECT_EQ(missing_capabilities(0),
              (std::vector<std::string>{"CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_NET_RAW"}));
    EXPECT_EQ(missing_capabilities(bit(CAP_SYS_ADMIN) | bit(CAP_NET_ADMIN)),
              (std::vector<std::string>{"CAP_NET_RAW"}));
    auto message = privilege_problem(bit(CAP_NET_RAW));
    ASSERT_TRUE(message.has_value());
    EXPECT_NE(message->find("needs CAP_SYS_ADMIN, CAP_NET_ADMIN and does nothing"), std::string::npos)
        << *message;
    EXPECT_NE(message->find("sudo culex lab"), std::string::npos) << *message;
    EXPECT_NE(message->find("ip netns"), std::string::npos) << *message;
}

}  // namespace
}  // namespace culex::lab
