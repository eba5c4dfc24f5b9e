// Internal to the client tools' command lines: a flag is a row of a table (its spellings, the words printed
// when its value is missing, what it does), and a tool's command line is read against the few tables it
// takes (the flags every tool shares, the message flags, its own). Words are read as Mosquitto reads them:
// one flag at a time, its value the next word, first problem wins.
#pragma once

#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "client/args.hpp"

namespace culex::client {

inline ArgsStop fail(std::string message) {
    return ArgsStop{ArgsStop::Kind::error, std::move(message)};
}

using FlagResult = std::optional<ArgsStop>;  // nullopt: the flag was taken, go on

template <typename Target>
struct Flag {
    std::string_view name;   // "-h"
    std::string_view alias;  // "--host"; empty: none
    // A flag that takes a value: what Mosquitto prints when none follows, without "Error: " (it is added).
    // Empty: the flag takes no value.
    std::string_view missing;
    FlagResult (*handle)(Target&, std::string_view value) = nullptr;
    // Checked before the value is taken (-i after -I, a second message source): Mosquitto refuses those
    // first.
    FlagResult (*precheck)(Target&) = nullptr;
    // A flag that takes several words (-D): returns how many of `rest` it took. Used instead of `handle`.
    std::expected<std::size_t, ArgsStop> (*take_words)(Target&, std::span<const std::string> rest) = nullptr;

    bool spelled(std::string_view word) const { return word == name || (!alias.empty() && word == alias); }
};

// The flags pub, sub and rr share (common_flags.cpp).
std::span<const Flag<CommonArgs>> common_flags();
// -F and --pretty, which sub and rr share.
std::span<const Flag<OutputOptions>> output_flags();

// One table and the arguments its flags fill in.
template <typename Target>
struct BoundTable {
    std::span<const Flag<Target>> flags;
    Target& target;
};

template <typename Target>
BoundTable<Target> flags_for(std::span<const Flag<Target>> flags, Target& target) {
    return {flags, target};
}

class FlagReader {
  public:
    explicit FlagReader(std::span<const std::string> args) : args_(args) {}

    // Reads every word; returns the first stop (an error, --help, --version), or nullopt when all were taken.
    template <typename... Targets>
    FlagResult read(BoundTable<Targets>... tables) {
        for (i_ = 0; i_ < args_.size(); ++i_) {
            const std::string_view word = args_[i_];
            FlagResult stop;
            if (!(try_table(word, tables, stop) || ...)) return unknown(word);
            if (stop) return stop;
        }
        return std::nullopt;
    }

  private:
    template <typename Target>
    bool try_table(std::string_view word, BoundTable<Target>& table, FlagResult& stop) {
        for (const auto& flag : table.flags) {
            if (!flag.spelled(word)) continue;
            stop = apply(flag, table.target);
            return true;
        }
        return false;
    }

    template <typename Target>
    FlagResult apply(const Flag<Target>& flag, Target& target) {
        if (flag.precheck) {
            if (auto stop = flag.precheck(target)) return stop;
        }
        if (flag.take_words) {
            auto taken = flag.take_words(target, args_.subspan(i_ + 1));
            if (!taken) return taken.error();
            i_ += *taken;
            return std::nullopt;
        }
        std::string_view value;
        if (!flag.missing.empty()) {
            if (i_ + 1 >= args_.size()) return fail(fmt::format("Error: {}\n\n", flag.missing));
            value = args_[++i_];
        }
        return flag.handle(target, value);
    }

    static ArgsStop unknown(std::string_view word) {
        return fail(fmt::format("Error: Unknown option '{}'.\n", word));
    }

    std::span<const std::string> args_;
    std::size_t i_ = 0;
};

// Handlers for the flags that only store what they are given.
template <typename Target, auto Field>
FlagResult store_text(Target& target, std::string_view value) {
    target.*Field = std::string(value);
    return std::nullopt;
}

template <typename Target, auto Field, bool Value = true>
FlagResult store_bool(Target& target, std::string_view) {
    target.*Field = Value;
    return std::nullopt;
}

}  // namespace culex::client
