// Topic access control from a Mosquitto acl_file (mosquitto.conf(5)):
//   topic [read|write|readwrite|deny] FILTER    a rule for the user named by the last `user` line, or, before
//                                               the first `user` line, for anonymous clients
//   user NAME
//   pattern [read|write|readwrite|deny] FILTER  a rule for every client; %c stands for its client id and %u
//   for
//                                               its user name
// Decisions follow Mosquitto 2.0: the client's own rules (its user's, or the anonymous ones) first, then the
// patterns; within each list a matching `deny` wins over any grant, then the first rule that grants the
// access wins; nothing granted means denied. Immutable once loaded: any number of event loops may ask at
// once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "auth/client_identity.hpp"
#include "auth/string_map.hpp"
#include "base/error.hpp"

namespace culex::auth {

enum class Access : std::uint8_t {
    read,       // delivering a message on a topic to the client
    write,      // the client publishing to a topic
    subscribe,  // the client subscribing to a filter
};

class Acl {
  public:
    // Errors name file:line, the cause and the fix.
    static Result<Acl> load(const std::filesystem::path& path);
    static Result<Acl> parse(std::string_view text, std::string_view source_name);

    // read and write take a topic name; subscribe takes a filter, granted when a readable rule's filter
    // shares a topic with it (filters_intersect) and no deny rule covers all of it (filter_covers). A shared
    // subscription ($share/GROUP/FILTER) is judged by its FILTER. A subscription granted here sees only the
    // messages the read check allows: the broker checks every delivery.
    bool allows(const ClientIdentity& client, Access access, std::string_view topic_or_filter) const;

    // Lines that load but are probably mistakes (a pattern without %c or %u), in Mosquitto's words, for the
    // broker's log.
    const std::vector<std::string>& warnings() const { return warnings_; }

  private:
    enum Permission : std::uint8_t { kDeny = 0, kRead = 1, kWrite = 2, kReadWrite = 3 };

    struct Rule {
        std::string filter;
        Permission permission = kDeny;
        bool uses_username = false;  // patterns with %u do not apply to anonymous clients
    };
    // Deny rules first, then the others in file order: the order decisions are taken in.
    using RuleList = std::vector<Rule>;

    static void add_rule(RuleList& rules, Rule rule);
    static int decide(const RuleList& rules, const ClientIdentity& client, Access access,
                      std::string_view target, bool patterns);

    RuleList anonymous_;
    StringMap<RuleList> users_;
    RuleList patterns_;
    std::vector<std::string> warnings_;
};

}  // namespace culex::auth
