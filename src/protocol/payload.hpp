// An immutable, reference-counted byte buffer: a PUBLISH payload is decoded once and shared by every
// subscriber it goes to, never copied per subscriber.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace culex::protocol {

class Payload {
  public:
    Payload() = default;
    // Takes the string's buffer as it is: one allocation, for the reference count and the string object.
    explicit Payload(std::string bytes) {
        if (bytes.empty()) return;
        auto owner = std::make_shared<const std::string>(std::move(bytes));
        size_ = owner->size();
        bytes_ = std::shared_ptr<const char>(owner, owner->data());
    }
    // Copies the bytes into a single allocation that holds the reference count too: decoding a PUBLISH
    // costs one allocation for its payload, not two. An empty payload allocates nothing.
    explicit Payload(std::string_view bytes) {
        if (bytes.empty()) return;
        auto block = std::make_shared_for_overwrite<char[]>(bytes.size());
        std::memcpy(block.get(), bytes.data(), bytes.size());
        const char* first = block.get();
        bytes_ = std::shared_ptr<const char>(std::move(block), first);
        size_ = bytes.size();
    }

    Payload(const Payload&) = default;
    Payload& operator=(const Payload&) = default;
    // A moved-from Payload is empty, as it was when this held a shared string.
    Payload(Payload&& other) noexcept
        : bytes_(std::move(other.bytes_)), size_(std::exchange(other.size_, 0)) {}
    Payload& operator=(Payload&& other) noexcept {
        bytes_ = std::move(other.bytes_);
        size_ = std::exchange(other.size_, 0);
        return *this;
    }

    std::string_view view() const { return {bytes_.get(), size_}; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    bool operator==(const Payload& other) const { return view() == other.view(); }

  private:
    // Points at the first byte; shares ownership with whatever holds the bytes (a string or a char block).
    std::shared_ptr<const char> bytes_;
    std::size_t size_ = 0;
};

}  // namespace culex::protocol
