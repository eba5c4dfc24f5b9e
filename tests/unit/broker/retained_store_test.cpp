// Retained messages: one per topic, replaced, deleted by an empty payload, found by filter.
#include "broker/retained_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace culex::broker {
namespace {

MessagePtr message(std::string topic, std::string payload) {
    protocol::Publish p;
    p.topic = std::move(topic);
    p.payload = protocol::Payload(payload);
    p.retain = true;
    return std::make_shared<const Message>(std::move(p));
}

std::vector<std::string> found(const RetainedStore& store, std::string_view filter) {
    std::vector<MessagePtr> out;
    store.find(filter, out);
    std::vector<std::string> result;
    for (const auto& m : out)
        result.push_back(m->topic.str() + "=" + std::string(m->payload.view()));
    std::sort(result.begin(), result.end());
    return result;
}

TEST(RetainedStore, StoresReplacesAndDeletes) {
    RetainedStore store;
    store.store(message("a/b", "one"));
    store.store(message("a/b", "two"));
    store.store(message("a/c", "three"));
    EXPECT_EQ(store.size(), 2u);
    EXPECT_EQ(found(store, "a/b"), std::vector<std::string>{"a/b=two"});
    EXPECT_EQ(found(store, "a/+"), (std::vector<std::string>{"a/b=two", "a/c=three"}));
    store.store(message("a/b", ""));
    EXPECT_EQ(found(store, "a/#"), std::vector<std::string>{"a/c=three"});
    EXPECT_EQ(store.size(), 1u);
}

TEST(RetainedStore, WildcardsFollowTheSpec) {
    RetainedStore store;
    for (auto topic : {"sport", "sport/tennis", "sport/tennis/p1", "$SYS/x", "/lead"})
        store.store(message(topic, "x"));
    EXPECT_EQ(found(store, "sport/#").size(), 3u);  // "#" also matches the parent level
    EXPECT_EQ(found(store, "sport/+").size(), 1u);
    EXPECT_EQ(found(store, "#").size(), 4u);  // not $SYS/x
    EXPECT_EQ(found(store, "$SYS/#").size(), 1u);
    EXPECT_EQ(found(store, "+/lead").size(), 1u);
}

}  // namespace
}  // namespace culex::broker
