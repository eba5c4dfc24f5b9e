// "Did you mean ...?": the known word closest to a misspelt one, when one is close enough to be a likely
// typo.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace culex::config {

// The candidate with the smallest edit distance to `word` (insertions, deletions, substitutions and swaps of
// neighbours each count 1), if that distance is small for the word's length; failing that, the one candidate
// that `word` begins ("info" -> "information"); std::nullopt otherwise.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

}  // namespace culex::config
