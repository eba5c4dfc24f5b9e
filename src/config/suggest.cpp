#include "config/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace culex::config {

namespace {

char folded(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Optimal string alignment distance: edits, plus swaps of neighbours ("lsitener"), each costing 1.
std::size_t distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[n][m];
}

std::string lowered(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), folded);
    return out;
}

}  // namespace

std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates) {
    if (word.empty()) return std::nullopt;
    const std::string lower_word = lowered(word);
    // Short words tolerate one typo, longer ones about one per four letters: enough for "listner" and
    // "max_inflight_message", not so loose that "foo" suggests "port".
    const std::size_t budget = std::max<std::size_t>(1, word.size() / 4);
    std::optional<std::string_view> best;
    std::size_t best_distance = budget + 1;
    for (const auto candidate : candidates) {
        // The distance is at least the difference in length, so a candidate that differs in length by the
        // best distance so far cannot win: skipping it keeps a long garbage word from costing
        // length x length x candidates (a 64 KB word took minutes; found by fuzz/config_fuzz).
        const std::size_t gap =
            word.size() > candidate.size() ? word.size() - candidate.size() : candidate.size() - word.size();
        if (gap >= best_distance) continue;
        std::size_t d = distance(word, candidate);
        if (lowered(candidate) == lower_word)
            d = 0;  // mosquitto.conf is case-sensitive; "LISTENER" surely meant it
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    if (best || word.size() < 3) return best;
    // A clipped word ("info") is no typo but still clearly means the one candidate it begins.
    for (const auto candidate : candidates) {
        if (lowered(candidate).starts_with(lower_word)) {
            if (best) return std::nullopt;  // ambiguous: "max_inflight" begins two options
            best = candidate;
        }
    }
    return best;
}

}  // namespace culex::config
