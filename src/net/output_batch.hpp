// The connections of one loop that gathered output during the current step, written together when the step
// ends. A step is the handling of one read: the PUBLISHes it carried were routed, and each target connection
// then makes one write for all of them, straight away, without a round trip through the loop's queue (which
// would add a wake-up's worth of latency to every message). Output made elsewhere (hand-overs from other
// loops, timers) is written by one task posted per loop turn.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

namespace culex::net {

class Connection;

class OutputBatch {
  public:
    explicit OutputBatch(boost::asio::io_context& context) : context_(context) {}

    // On the loop: `connection` has output to write at the end of this step.
    void add(std::shared_ptr<Connection> connection);
    // On the loop: writes the output of every connection added so far.
    void write_all();

  private:
    boost::asio::io_context& context_;
    std::vector<std::shared_ptr<Connection>> pending_;
    std::vector<std::shared_ptr<Connection>> writing_;  // kept to reuse its room
    bool posted_ = false;
    bool writing_now_ = false;
};

}  // namespace culex::net
