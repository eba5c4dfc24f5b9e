// libFuzzer target for the frame messages cross nodes in (src/cluster/wire_frame). Any input is read as a
// frame: refused with a reason, or read into views that lie inside the input; a frame that reads and whose
// properties decode is written again to exactly the same bytes (one spelling per message) and reads back the
// same.
#include <cstdint>
#include <string>
#include <string_view>

#include "cluster/wire_frame.hpp"
#include "invariant.hpp"

namespace {

using culex::fuzz::check;
using namespace culex::cluster;

constexpr const char* kTarget = "wire_frame_fuzz";

bool inside(std::string_view part, std::string_view whole) {
    return part.empty() ||
           (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto frame = read_frame(input);
    if (!frame) {
        check(!frame.error().empty(), kTarget, "a refusal without a reason");
        return 0;
    }
    check(inside(frame->origin, input) && inside(frame->served, input) && inside(frame->properties, input) &&
              inside(frame->payload, input),
          kTarget, "a view outside the input");
    auto publish = publish_from_frame(*frame, "t");
    if (!publish) {
        check(!publish.error().empty(), kTarget, "a refusal without a reason");
        return 0;
    }
    std::string again;
    write_frame(*publish, frame->origin, frame->sequence, frame->served, again);
    auto reread = read_frame(again);
    check(reread.has_value(), kTarget, "a written frame does not read");
    auto republished = publish_from_frame(*reread, "t");
    check(republished.has_value() && *republished == *publish, kTarget,
          "a written frame reads back different");
    return 0;
}
