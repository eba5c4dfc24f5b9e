// Namespace names: unique per process, recognised again (for stale clean-up) and nothing else recognised.
#include <gtest/gtest.h>

#include "lab/network.hpp"

namespace culex::lab {
namespace {

TEST(LabNetworkNames, CarryThePid) {
    auto names = namespace_names(4242);
    EXPECT_EQ(names.broker, "culex-lab-4242-broker");
    EXPECT_EQ(names.client, "culex-lab-4242-client");
    EXPECT_NE(namespace_names(4243).broker, names.broker);
}

TEST(LabNetworkNames, OwnerIsReadBack) {
    EXPECT_EQ(namespace_owner(namespace_names(77).broker), 77);
    EXPECT_EQ(namespace_owner(namespace_names(4194304).client), 4194304);
}

TEST(LabNetworkNames, OtherNamesHaveNoOwner) {
    for (const char* name :
         {"culex-lab-", "culex-lab-12", "culex-lab-12-server", "culex-lab-x-broker", "culex-lab--1-broker",
          "culex-lab-0-broker", "mylab-12-broker", "culex-lab-12-brokerx", "t1x"}) {
        EXPECT_FALSE(namespace_owner(name).has_value()) << name;
    }
}

TEST(LabNetworkNames, SetupMakesTheLabsAddressesOnEnp0s3) {
    auto commands = setup_commands(namespace_names(9));
    ASSERT_EQ(commands.size(), 9u);
    EXPECT_EQ(commands[0], (std::vector<std::string>{"ip", "netns", "add", "culex-lab-9-broker"}));
    // The pair is made with each end already in its namespace: nothing appears on the host's own stack.
    EXPECT_EQ(commands[2],
              (std::vector<std::string>{"ip", "link", "add", "enp0s3", "netns", "culex-lab-9-broker", "type",
                                        "veth", "peer", "name", "enp0s3", "netns", "culex-lab-9-client"}));
    EXPECT_EQ(commands[3], (std::vector<std::string>{"ip", "-n", "culex-lab-9-broker", "address", "add",
                                                     "192.168.56.101/24", "dev", "enp0s3"}));
    EXPECT_EQ(commands[4], (std::vector<std::string>{"ip", "-n", "culex-lab-9-client", "address", "add",
                                                     "192.168.56.102/24", "dev", "enp0s3"}));
    // No command adds a route or touches a link outside the two namespaces.
    for (const auto& argv : commands) {
        for (const auto& word : argv)
            EXPECT_NE(word, "route");
        if (argv[1] == "link" && argv[2] == "add") continue;
        if (argv[1] == "netns") continue;
        EXPECT_EQ(argv[1], "-n");
    }
}

TEST(LabNetworkNames, KeepMarkerNamesThePid) {
    EXPECT_EQ(keep_marker(31), "/run/culex-lab/kept-31");
}

}  // namespace
}  // namespace culex::lab
