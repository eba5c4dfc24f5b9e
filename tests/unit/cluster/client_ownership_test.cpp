// Client ids as keys of the culex_clients KV bucket: only the characters KV keys allow, and reversible.
#include "cluster/client_ownership.hpp"

#include <gtest/gtest.h>

namespace culex::cluster {
namespace {

TEST(ClientOwnership, KeysHoldOnlyWhatKvKeysAllowAndGiveTheIdBack) {
    for (std::string id : {std::string("roamer"), std::string("a.b/c d*>$"), std::string("\xC3\xA9t\xC3\xA9"),
                           std::string(1, '\0') + "x", std::string()}) {
        std::string key = ClientOwnership::key_of(id);
        EXPECT_EQ(key.find_first_not_of("c0123456789abcdef"), std::string::npos) << key;
        EXPECT_EQ(ClientOwnership::client_id_of(key), id);
    }
}

TEST(ClientOwnership, DistinctIdsHaveDistinctKeys) {
    EXPECT_NE(ClientOwnership::key_of("ab"), ClientOwnership::key_of("AB"));
    EXPECT_NE(ClientOwnership::key_of("a"), ClientOwnership::key_of("a "));
}

TEST(ClientOwnership, KeysNotMadeFromAnIdGiveNoId) {
    EXPECT_EQ(ClientOwnership::client_id_of("x61"), "");
    EXPECT_EQ(ClientOwnership::client_id_of("c6"), "");
    EXPECT_EQ(ClientOwnership::client_id_of("c6z"), "");
}

}  // namespace
}  // namespace culex::cluster
