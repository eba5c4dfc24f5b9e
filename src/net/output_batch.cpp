#include "net/output_batch.hpp"

#include "net/connection.hpp"

namespace culex::net {

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
