#include "net/output_queue.hpp"

#include <algorithm>

namespace culex::net {

void OutputQueue::share(const LoopShared& payload) {
    if (payload.empty()) return;
    shared_.push_back({own_.size(), payload});
    shared_unsent_ += payload.size();
}

std::size_t OutputQueue::gather(std::span<iovec> iov) const {
    std::size_t filled = 0;
    std::size_t at = own_sent_;
    std::size_t shared_at = shared_sent_;
    auto add = [&](const char* data, std::size_t size) {
        iov[filled].iov_base = const_cast<char*>(data);  // NOLINT: iovec is for reading and writing alike
        iov[filled].iov_len = size;
        ++filled;
    };
    for (std::size_t i = next_shared_; i < shared_.size(); ++i) {
        if (filled == iov.size()) return filled;
        const Shared& piece = shared_[i];
        if (at < piece.own_end) {
            add(own_.data() + at, piece.own_end - at);
            at = piece.own_end;
            if (filled == iov.size()) return filled;
        }
        std::string_view payload = piece.payload.view();
        add(payload.data() + shared_at, payload.size() - shared_at);
        shared_at = 0;
    }
    if (filled < iov.size() && at < own_.size()) add(own_.data() + at, own_.size() - at);
    return filled;
}

void OutputQueue::consume(std::size_t bytes) {
    while (bytes > 0 && next_shared_ < shared_.size()) {
        Shared& piece = shared_[next_shared_];
        if (own_sent_ < piece.own_end) {
            std::size_t take = std::min(bytes, piece.own_end - own_sent_);
            own_sent_ += take;
            bytes -= take;
            continue;
        }
        std::size_t take = std::min(bytes, piece.payload.size() - shared_sent_);
        shared_sent_ += take;
        shared_unsent_ -= take;
        bytes -= take;
        if (shared_sent_ == piece.payload.size()) {
            piece
                .payload = {};  // sent: the subscriber's hold on the message ends now, not at the batch's end
            shared_sent_ = 0;
            ++next_shared_;
        }
    }
    own_sent_ += bytes;
    if (empty()) clear();
}

void OutputQueue::move_to(std::string& out) {
    if (shared_.empty() && own_sent_ == 0 && out.empty()) {
        out.swap(own_);  // all of it is ours: no copy (and out's room is reused here)
        return clear();
    }
    out.reserve(out.size() + unsent());
    for (std::size_t i = next_shared_; i < shared_.size(); ++i) {
        const Shared& piece = shared_[i];
        out.append(own_, own_sent_, piece.own_end - own_sent_);
        own_sent_ = piece.own_end;
        out.append(piece.payload.view().substr(shared_sent_));
        shared_sent_ = 0;
    }
    out.append(own_, own_sent_);
    clear();
}

void OutputQueue::clear() {
    own_.clear();
    shared_.clear();
    own_sent_ = next_shared_ = shared_sent_ = shared_unsent_ = 0;
}

void OutputQueue::compact(std::size_t keep_at_most) {
    bool own_worth_it = own_sent_ > keep_at_most && own_sent_ >= own_.size() / 2;
    bool shared_worth_it = next_shared_ * sizeof(Shared) > keep_at_most && next_shared_ >= shared_.size() / 2;
    if (!own_worth_it && !shared_worth_it) return;
    own_.erase(0, own_sent_);
    shared_.erase(shared_.begin(), shared_.begin() + static_cast<std::ptrdiff_t>(next_shared_));
    for (Shared& piece : shared_)
        piece.own_end -= own_sent_;
    own_sent_ = 0;
    next_shared_ = 0;
}

void OutputQueue::shrink(std::size_t keep_at_most) {
    if (!empty()) return;
    if (own_.capacity() > keep_at_most) own_ = std::string();
    if (shared_.capacity() * sizeof(Shared) > keep_at_most) shared_ = std::vector<Shared>();
}

}  // namespace culex::net
