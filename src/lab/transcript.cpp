#include "lab/transcript.hpp"

#include <fmt/format.h>

namespace culex::lab {

namespace {

std::string with_newline(std::string_view text) {
    std::string s(text);
    if (!s.empty() && s.back() != '\n') s += '\n';
    return s;
}

// A fence longer than any run of backticks in the block, so output holding ``` cannot end it early.
std::string fence_for(std::string_view text) {
    std::size_t longest = 0, run = 0;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

}  // namespace

void Transcript::live(std::string_view text) {
    if (live_ == nullptr) return;
    std::fwrite(text.data(), 1, text.size(), live_);
    std::fflush(live_);
}

void Transcript::title(std::string_view text) {
    markdown_ += fmt::format("# {}\n\n", text);
    live(fmt::format("{}\n", text));
}

void Transcript::begin_step(int number, const StepInfo& step) {
    markdown_ += fmt::format("## {}. {} (`{}`)\n\n{}\n\n", number, step.title, step.name, step.teaches);
    live(fmt::format("\n=== {}. {} ({}) ===\n{}\n\n", number, step.title, step.name, step.teaches));
}

void Transcript::say(std::string_view paragraph) {
    markdown_ += fmt::format("{}\n\n", paragraph);
    live(fmt::format("{}\n", paragraph));
}

void Transcript::command(std::string_view host, std::string_view line, std::string_view output) {
    std::string block = fmt::format("{}$ {}\n{}", host, line, with_newline(output));
    std::string fence = fence_for(block);
    markdown_ += fmt::format("{}console\n{}{}\n\n", fence, block, fence);
    live(block);
}

void Transcript::started(std::string_view host, std::string_view line) {
    std::string block = fmt::format("{}$ {} &\n", host, line);
    std::string fence = fence_for(block);
    markdown_ += fmt::format("{}console\n{}{}\n\n", fence, block, fence);
    live(block);
}

void Transcript::output_of(std::string_view host, std::string_view line, std::string_view output) {
    std::string block = fmt::format("[{}] output of `{}`:\n{}", host, line, with_newline(output));
    std::string fence = fence_for(block);
    markdown_ += fmt::format("{}console\n{}{}\n\n", fence, block, fence);
    live(block);
}

void Transcript::file(std::string_view host, std::string_view name, std::string_view content) {
    command(host, fmt::format("cat {}", name), content);
}

void Transcript::finding(std::string_view text) {
    markdown_ += fmt::format("**What this shows:** {}\n\n", text);
    live(fmt::format("=> {}\n", text));
}

void Transcript::problem(std::string_view text) {
    markdown_ += fmt::format("**The lab stopped here:** {}\n\n", text);
    live(fmt::format("!! {}\n", text));
}

}  // namespace culex::lab
