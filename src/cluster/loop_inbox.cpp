#include "cluster/loop_inbox.hpp"

#include <cstring>
#include <utility>

namespace culex::cluster {

namespace {

void put_length(std::size_t size, std::string& out) {
    auto value = static_cast<std::uint32_t>(size);
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

std::size_t take_length(std::string_view& bytes) {
    std::uint32_t value = 0;
    std::memcpy(&value, bytes.data(), sizeof value);
    bytes.remove_prefix(sizeof value);
    return value;
}

std::string_view take_bytes(std::string_view& bytes, std::size_t size) {
    auto taken = bytes.substr(0, size);
    bytes.remove_prefix(size);
    return taken;
}

// Past this, the loop's buffer is given back after a burst rather than kept for the next.
constexpr std::size_t kKeep = 4 << 20;

}  // namespace

LoopInbox::Put LoopInbox::put(std::string_view subject, std::string_view group, std::string_view frame) {
    std::size_t size = 3 * sizeof(std::uint32_t) + subject.size() + group.size() + frame.size();
    std::lock_guard lock(mutex_);
    if (!pending_.empty() && pending_.size() + size > kLimit) {
        ++refused_;
        return Put::full;
    }
    put_length(subject.size(), pending_);
    put_length(group.size(), pending_);
    put_length(frame.size(), pending_);
    pending_ += subject;
    pending_ += group;
    pending_ += frame;
    return std::exchange(scheduled_, true) ? Put::queued : Put::queued_first;
}

std::uint64_t LoopInbox::refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
}

void LoopInbox::swap_out() {
    std::lock_guard lock(mutex_);
    std::swap(pending_, draining_);
    scheduled_ = false;
}

void LoopInbox::release() {
    draining_.clear();  // keeps its capacity: the next batch allocates nothing
    if (draining_.capacity() > kKeep) draining_.shrink_to_fit();
}

LoopInbox::Entry LoopInbox::next(std::string_view& rest) {
    std::size_t subject_size = take_length(rest);
    std::size_t group_size = take_length(rest);
    std::size_t frame_size = take_length(rest);
    Entry entry;
    entry.subject = take_bytes(rest, subject_size);
    entry.group = take_bytes(rest, group_size);
    entry.frame = take_bytes(rest, frame_size);
    return entry;
}

}  // namespace culex::cluster
