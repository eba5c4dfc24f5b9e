#include "cluster/interest_trie.hpp"

namespace culex::cluster {

namespace {

// The first token of `subject`, and what follows its dot (npos-sized view: no more tokens).
std::pair<std::string_view, std::string_view> split_first(std::string_view subject, bool& last) {
    auto dot = subject.find('.');
    last = dot == std::string_view::npos;
    if (last) return {subject, {}};
    return {subject.substr(0, dot), subject.substr(dot + 1)};
}

}  // namespace

void InterestTrie::add(std::string_view subject) {
    Node* node = &root_;
    bool last = false;
    while (!last) {
        auto [token, rest] = split_first(subject, last);
        subject = rest;
        if (token == ">") {
            node->rest = true;
            return;
        }
        if (token == "*") {
            if (!node->star) node->star = std::make_unique<Node>();
            node = node->star.get();
            continue;
        }
        auto found = node->children.find(token);
        if (found == node->children.end()) found = node->children.emplace(std::string(token), Node{}).first;
        node = &found->second;
    }
    node->terminal = true;
}

bool InterestTrie::matches(std::string_view subject) const {
    return matches(root_, subject);
}

bool InterestTrie::matches(const Node& node, std::string_view subject) {
    // `>` here takes this token and everything after it.
    if (node.rest) return true;
    bool last = false;
    auto [token, rest] = split_first(subject, last);
    auto descend = [&](const Node& child) { return last ? child.terminal : matches(child, rest); };
    if (auto found = node.children.find(token); found != node.children.end() && descend(found->second))
        return true;
    return node.star && descend(*node.star);
}

}  // namespace culex::cluster
