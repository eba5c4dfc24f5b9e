// The connections of one loop that gathered output during the current step, written together when the step
// ends (see event_loop.hpp). A step is, say, the handling of one read: the PUBLISHes it carried were routed,
// and each target connection then makes one write for all of them, straight away, without a round trip
// through the loop's queue (which would add a wake-up's worth of latency to every message).
#pragma once

#include <memory>
#include <vector>

namespace culex::net {

class Connection;

class OutputBatch {
  public:
    // On the loop, within a step: `connection` has output to write at the end of this step.
    void add(std::shared_ptr<Connection> connection) { pending_.push_back(std::move(connection)); }
    // On the loop, as the step ends: writes the output of every connection added so far.
    void write_all();

  private:
    std::vector<std::shared_ptr<Connection>> pending_;
    std::vector<std::shared_ptr<Connection>> writing_;  // kept to reuse its room
    bool writing_now_ = false;
};

}  // namespace culex::net
