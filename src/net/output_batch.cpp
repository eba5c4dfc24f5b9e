#include "net/output_batch.hpp"

#include <boost/asio/post.hpp>

#include "net/connection.hpp"

namespace culex::net {

void OutputBatch::add(std::shared_ptr<Connection> connection) {
    pending_.push_back(std::move(connection));
    if (posted_) return;
    // Output not made by a read (nobody calls write_all at its end) still goes out this turn.
    posted_ = true;
    boost::asio::post(context_, [this] {
        posted_ = false;
        write_all();
    });
}

void OutputBatch::write_all() {
    if (writing_now_) return;  // the round under way takes what is added meanwhile
    writing_now_ = true;
    // A write may fail and end a connection whose will reaches more connections: they join the next round.
    while (!pending_.empty()) {
        writing_.swap(pending_);
        for (const auto& connection : writing_)
            connection->flush_batched();
        writing_.clear();
    }
    writing_now_ = false;
}

}  // namespace culex::net
