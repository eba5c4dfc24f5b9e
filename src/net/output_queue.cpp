#include "net/output_queue.hpp"

#include <algorithm>

namespace culex::net {

void OutputQueue::share(const LoopShared& payload) {
    if (payload.empty()) return;
    if (!shared_) shared_ = std::make_unique<SharedPart>();
    shared_->pieces.push_back({own_.size(), payload});
    shared_->unsent += payload.size();
}

std::size_t OutputQueue::gather(std::span<iovec> iov) const {
    std::size_t filled = 0;
    std::size_t at = own_sent_;
    auto add = [&](const char* data, std::size_t size) {
        iov[filled].iov_base = const_cast<char*>(data);  // NOLINT: iovec is for reading and writing alike
        iov[filled].iov_len = size;
        ++filled;
    };
    if (shared_) {
        std::size_t shared_at = shared_->sent;
        for (std::size_t i = shared_->next; i < shared_->pieces.size(); ++i) {
            if (filled == iov.size()) return filled;
            const Shared& piece = shared_->pieces[i];
            if (at < piece.own_end) {
                add(own_.data() + at, piece.own_end - at);
                at = piece.own_end;
                if (filled == iov.size()) return filled;
            }
            std::string_view payload = piece.payload.view();
            add(payload.data() + shared_at, payload.size() - shared_at);
            shared_at = 0;
        }
    }
    if (filled < iov.size() && at < own_.size()) add(own_.data() + at, own_.size() - at);
    return filled;
}

void OutputQueue::consume(std::size_t bytes) {
    while (shared_ && bytes > 0 && shared_->next < shared_->pieces.size()) {
        Shared& piece = shared_->pieces[shared_->next];
        if (own_sent_ < piece.own_end) {
            std::size_t take = std::min(bytes, piece.own_end - own_sent_);
            own_sent_ += take;
            bytes -= take;
            continue;
        }
        std::size_t take = std::min(bytes, piece.payload.size() - shared_->sent);
        shared_->sent += take;
        shared_->unsent -= take;
        bytes -= take;
        if (shared_->sent == piece.payload.size()) {
            piece
                .payload = {};  // sent: the subscriber's hold on the message ends now, not at the batch's end
            shared_->sent = 0;
            ++shared_->next;
        }
    }
    own_sent_ += bytes;
    if (empty()) clear();
}

void OutputQueue::move_to(std::string& out) {
    if ((!shared_ || shared_->pieces.empty()) && own_sent_ == 0 && out.empty()) {
        out.swap(own_);  // all of it is ours: no copy (and out's room is reused here)
        return clear();
    }
    out.reserve(out.size() + unsent());
    if (shared_) {
        for (std::size_t i = shared_->next; i < shared_->pieces.size(); ++i) {
            const Shared& piece = shared_->pieces[i];
            out.append(own_, own_sent_, piece.own_end - own_sent_);
            own_sent_ = piece.own_end;
            out.append(piece.payload.view().substr(shared_->sent));
            shared_->sent = 0;
        }
    }
    out.append(own_, own_sent_);
    clear();
}

void OutputQueue::clear() {
    own_.clear();
    own_sent_ = 0;
    if (!shared_) return;
    shared_->pieces.clear();
    shared_->next = shared_->sent = shared_->unsent = 0;
}

void OutputQueue::compact(std::size_t keep_at_most) {
    std::size_t next = shared_ ? shared_->next : 0;
    bool own_worth_it = own_sent_ > keep_at_most && own_sent_ >= own_.size() / 2;
    bool shared_worth_it =
        shared_ && next * sizeof(Shared) > keep_at_most && next >= shared_->pieces.size() / 2;
    if (!own_worth_it && !shared_worth_it) return;
    own_.erase(0, own_sent_);
    if (shared_) {
        auto& pieces = shared_->pieces;
        pieces.erase(pieces.begin(), pieces.begin() + static_cast<std::ptrdiff_t>(next));
        for (Shared& piece : pieces)
            piece.own_end -= own_sent_;
        shared_->next = 0;
    }
    own_sent_ = 0;
}

void OutputQueue::shrink(std::size_t keep_at_most) {
    if (!empty()) return;
    if (own_.capacity() > keep_at_most) own_ = std::string();
    if (shared_ && shared_->pieces.capacity() * sizeof(Shared) > keep_at_most) shared_.reset();
}

}  // namespace culex::net
