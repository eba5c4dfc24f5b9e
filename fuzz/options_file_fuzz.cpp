// libFuzzer target for the clients' options file (src/client/options_file) and the flag parsers its words
// go to (src/client/args: pub, sub and rr). The input is the file. Invariants beyond "no crash":
// - no word is empty or holds a line end; the words of a -D/--property line hold no space;
// - Windows line ends give the same words;
// - a parser that stops with an error gives complete lines (or, where Mosquitto says nothing, nothing).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/args.hpp"
#include "client/options_file.hpp"
#include "invariant.hpp"

namespace {

using culex::fuzz::check;
using namespace culex::client;

constexpr const char* kTarget = "options_file_fuzz";

template <typename Result>
void check_stop(const Result& result) {
    if (result) return;
    const ArgsStop& stop = result.error();
    // Complete lines, as the tools print them. An empty message is allowed: for "-D connack ..." culex
    // refuses without a word, as mosquitto_pub does.
    if (stop.kind == ArgsStop::Kind::error || stop.kind == ArgsStop::Kind::error_with_usage) {
        check(stop.message.empty() || stop.message.ends_with('\n'), kTarget,
              "a flag error that is not complete lines");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto words = option_file_words(text);
    for (const auto& w : words) {
        check(!w.empty(), kTarget, "an empty word");
        check(w.find('\n') == std::string::npos, kTarget, "a word holds a line end");
    }

    std::string crlf;
    for (char c : text) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    check(option_file_words(crlf) == words, kTarget, "CRLF line ends change the words");

    // The words of each -D line, found again line by line: none may hold a space.
    for (std::string_view rest = text; !rest.empty();) {
        auto end = rest.find('\n');
        auto line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        while (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        auto start = line.find_first_not_of(' ');
        if (start == std::string_view::npos) continue;
        line.remove_prefix(start);
        if (!line.starts_with("-D ") && !line.starts_with("--property ")) continue;
        for (const auto& w : option_file_words(line))
            check(w.find(' ') == std::string::npos, kTarget, "a -D word holds a space");
    }

    check_stop(parse_pub_args(words));
    check_stop(parse_sub_args(words));
    check_stop(parse_rr_args(words));
    return 0;
}
