#include "net/loop_shared.hpp"

#include <memory>
#include <vector>

namespace culex::net {

namespace {

// Blocks let go on this thread, kept for the next messages: a loop that fans messages out makes one block per
// message without going to the allocator. (A block released on another thread, at shutdown, is freed there.)
constexpr std::size_t kKeptBlocks = 64;

template <class Block>
std::vector<std::unique_ptr<Block>>& spare_blocks() {
    thread_local std::vector<std::unique_ptr<Block>> spare;
    return spare;
}

}  // namespace

LoopShared::LoopShared(const protocol::Payload& payload) {
    auto& spare = spare_blocks<Block>();
    if (spare.empty()) {
        block_ = new Block{payload, 1};
        return;
    }
    block_ = spare.back().release();
    spare.pop_back();
    block_->payload = payload;
    block_->count = 1;
}

void LoopShared::release() {
    if (!block_ || --block_->count > 0) return;
    Block* block = std::exchange(block_, nullptr);
    block->payload = {};  // the message's bytes go now, whatever happens to the block
    auto& spare = spare_blocks<Block>();
    if (spare.capacity() == 0) spare.reserve(kKeptBlocks);  // so that keeping one never throws
    if (spare.size() < kKeptBlocks)
        spare.emplace_back(block);
    else
        delete block;
}

}  // namespace culex::net
