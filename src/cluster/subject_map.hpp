// MQTT topics and filters as NATS subjects, so that NATS's own interest graph routes between nodes.
//
// Each topic level becomes one subject token after a prefix ("culex.msg."). A token holds what a level
// holds except the bytes a subject cannot carry or gives a meaning to; those are written %XX (two upper-case
// hex digits): '.', '*', '>', '$', '%', space and every byte below 0x21 or equal to 0x7F. An empty level,
// which a subject cannot have, is the token "%-". The mapping is reversible: topic_from_subject gives back
// exactly the topic. In filters, `+` becomes `*` and `#` becomes `>`; as `>` needs at least one token and
// MQTT's `a/#` also matches `a`, a trailing `#` after other levels needs a second subject (the parent).
// Pure: no I/O, no NATS.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace culex::cluster {

// The NATS queue group of a shared subscription group (`culex.` and the name escaped as a subject token), and
// back (nullopt: not one of ours).
std::string queue_group(std::string_view share_group);
std::optional<std::string> share_group_of(std::string_view queue);
inline constexpr std::string_view kQueuePrefix = "culex.";

// Where routed messages and retained messages live in the NATS subject space.
inline constexpr std::string_view kMessagePrefix = "culex.msg.";
inline constexpr std::string_view kRetainedPrefix = "culex.retained.";

// `prefix` followed by the tokens of `topic` (a valid topic name).
std::string subject_from_topic(std::string_view prefix, std::string_view topic);
// The same, into `out` (cleared first): a caller on a hot path keeps one buffer.
void subject_from_topic(std::string_view prefix, std::string_view topic, std::string& out);

// The topic a subject made with `prefix` stands for; nullopt when the subject does not start with the
// prefix or holds a token no topic would have made (a bad escape, a wildcard).
std::optional<std::string> topic_from_subject(std::string_view prefix, std::string_view subject);

// The subjects (one or two) whose union matches exactly the topics `filter` matches, `$` rule aside (a
// leading wildcard matches `$` topics in NATS; the broker's own matching filters them out). `filter` is a
// valid topic filter, not a `$share/...` one (its group is the caller's).
std::vector<std::string> subjects_from_filter(std::string_view prefix, std::string_view filter);

}  // namespace culex::cluster
