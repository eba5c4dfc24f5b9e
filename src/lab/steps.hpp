// The lab's steps, in the order they run, each with what it teaches (the transcript and docs/lab.md say it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace culex::lab {

struct StepInfo {
    std::string name;     // for --only
    std::string title;    // the transcript's heading
    std::string teaches;  // one paragraph: the point of the step
};

const std::vector<StepInfo>& lab_steps();

// The step called `name`, or nullptr.
const StepInfo* find_step(std::string_view name);

// "network, pubsub, ..." for help texts and errors.
std::string step_names();

}  // namespace culex::lab
