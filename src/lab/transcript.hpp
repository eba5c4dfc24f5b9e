// What the lab shows, as it happens (on a FILE*, normally stdout) and as Markdown for --report: each step's
// heading and lesson, each command as the student would type it at the prompt of the host it ran on, and its
// real output.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "lab/steps.hpp"

namespace culex::lab {

class Transcript {
  public:
    explicit Transcript(std::FILE* live = nullptr) : live_(live) {}

    void title(std::string_view text);
    void begin_step(int number, const StepInfo& step);
    void say(std::string_view paragraph);
    // `host` is the prompt's name ("broker", "client"); `output` is shown as it came, even when empty.
    void command(std::string_view host, std::string_view line, std::string_view output);
    // A command left running (a broker, a capture), shown as `line &`; its output comes later with
    // output_of().
    void started(std::string_view host, std::string_view line);
    void output_of(std::string_view host, std::string_view line, std::string_view output);
    // A file a step wrote, shown as `cat NAME` would.
    void file(std::string_view host, std::string_view name, std::string_view content);
    // A conclusion the step drew from what it saw.
    void finding(std::string_view text);
    void problem(std::string_view text);

    const std::string& markdown() const { return markdown_; }

  private:
    void live(std::string_view text);
    std::FILE* live_;
    std::string markdown_;
};

}  // namespace culex::lab
