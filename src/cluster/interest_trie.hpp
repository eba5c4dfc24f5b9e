// The subjects (NATS wildcards `*` and `>` allowed) that other nodes hold, as a tree of subject tokens that
// answers "does any of them match this subject?" without allocating: what a loop asks for every PUBLISH, so
// that a message nobody elsewhere wants never leaves its node. Built once per change of remote interest and
// never modified after (loops share one immutable tree). Pure: no I/O, no NATS.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace culex::cluster {

class InterestTrie {
  public:
    // Adds a subject (a filter's mapping, with its prefix; `*` is one token, `>` one or more).
    void add(std::string_view subject);
    // Whether some added subject matches `subject` (a topic's mapping: no wildcards), as NATS would match it.
    bool matches(std::string_view subject) const;
    bool empty() const { return root_.children.empty() && !root_.star && !root_.terminal && !root_.rest; }

  private:
    struct Node {
        std::map<std::string, Node, std::less<>> children;  // literal tokens
        std::unique_ptr<Node> star;  // `*`: apart, so that a walk tests a pointer rather than looking it up
        bool terminal = false;       // a subject ends here
        bool rest = false;           // a subject continues with `>` here
    };
    static bool matches(const Node& node, std::string_view rest);

    Node root_;
};

}  // namespace culex::cluster
