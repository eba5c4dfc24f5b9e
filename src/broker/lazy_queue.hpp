// A FIFO that holds no memory while empty. std::deque allocates its map and a first block when constructed
// (over half a kilobyte in libstdc++), and every session has a queue that is empty nearly all the time.
#pragma once

#include <deque>
#include <memory>

namespace culex::broker {

template <typename T>
class LazyQueue {
  public:
    bool empty() const { return !items_ || items_->empty(); }
    std::size_t size() const { return items_ ? items_->size() : 0; }

    void push_back(T item) {
        if (!items_) items_ = std::make_unique<std::deque<T>>();
        items_->push_back(std::move(item));
    }
    T& front() { return items_->front(); }
    void pop_front() {
        items_->pop_front();
        if (items_->empty()) items_.reset();
    }

    // Visits every item, front to back; removes those for which `drop(item)` returns true.
    template <typename Visit>
    void remove_if(Visit&& drop) {
        if (!items_) return;
        std::erase_if(*items_, drop);
        if (items_->empty()) items_.reset();
    }

  private:
    std::unique_ptr<std::deque<T>> items_;
};

}  // namespace culex::broker
