// An immutable, reference-counted byte buffer: a PUBLISH payload is decoded once and shared by every
// subscriber it goes to, never copied per subscriber.
//
// Besides owning its bytes, a Payload can borrow them, for the broker's hot path (one allocation per received
// PUBLISH): as a view of the bytes just read, or as the payload a PayloadOwner keeps in its own block (the
// broker's Message); `borrow` makes either. Either way a copy or a move owns, or shares its owner's block, so
// a borrowed payload cannot outlive its bytes unless it is kept by reference.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace culex::protocol {

// What keeps a payload's bytes in its own block, shared by reference counting (a broker Message). A Payload
// it holds refers to it without counting (it would keep itself alive); copies of that Payload count.
class PayloadOwner : public std::enable_shared_from_this<PayloadOwner> {};

class Payload {
  public:
    Payload() = default;
    // Takes the string's buffer as it is: one allocation, for the reference count and the string object.
    explicit Payload(std::string bytes) {
        if (bytes.empty()) return;
        auto owner = std::make_shared<const std::string>(std::move(bytes));
        size_ = static_cast<std::uint32_t>(owner->size());
        bytes_ = std::shared_ptr<const char>(owner, owner->data());
    }
    // Copies the bytes into a single allocation that holds the reference count too. An empty payload
    // allocates nothing.
    explicit Payload(std::string_view bytes) { copy_from(bytes); }

    // Makes this point at `bytes` without owning them: they must outlive it (copies and moves own). Members,
    // not factories: assigning a borrowed payload would make the assigned one own (a move owns).
    void borrow(std::string_view bytes) {
        bytes_ = std::shared_ptr<const char>(std::shared_ptr<const char>(), bytes.data());
        size_ = static_cast<std::uint32_t>(bytes.size());
        owner_ = nullptr;
        hold_ = Hold::view;
    }
    // Makes this point at `bytes` inside `owner`'s block without counting (copies and moves share the
    // owner's block).
    void borrow(const PayloadOwner& owner, std::string_view bytes) {
        borrow(bytes);
        owner_ = &owner;
        hold_ = Hold::owner;
    }

    Payload(const Payload& other) { share(other); }
    Payload& operator=(const Payload& other) {
        if (this != &other) share(other);
        return *this;
    }
    // A moved-from Payload is empty.
    Payload(Payload&& other) noexcept { take(std::move(other)); }
    Payload& operator=(Payload&& other) noexcept {
        if (this != &other) take(std::move(other));
        return *this;
    }

    std::string_view view() const { return {bytes_.get(), size_}; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    bool operator==(const Payload& other) const { return view() == other.view(); }

  private:
    enum class Hold : std::uint8_t { shared, view, owner };

    void copy_from(std::string_view bytes) {
        bytes_.reset();
        owner_ = nullptr;
        hold_ = Hold::shared;
        size_ = static_cast<std::uint32_t>(bytes.size());
        if (bytes.empty()) return;
        auto block = std::make_shared_for_overwrite<char[]>(bytes.size());
        std::memcpy(block.get(), bytes.data(), bytes.size());
        const char* first = block.get();
        bytes_ = std::shared_ptr<const char>(std::move(block), first);
    }
    void share(const Payload& other) {
        switch (other.hold_) {
            case Hold::shared:
                bytes_ = other.bytes_;
                size_ = other.size_;
                owner_ = nullptr;
                hold_ = Hold::shared;
                return;
            case Hold::view:
                return copy_from(other.view());
            case Hold::owner:
                // One block, the owner's, counted now.
                bytes_ = std::shared_ptr<const char>(other.owner_->shared_from_this(), other.bytes_.get());
                size_ = other.size_;
                owner_ = nullptr;
                hold_ = Hold::shared;
                return;
        }
    }
    void take(Payload&& other) noexcept {
        if (other.hold_ == Hold::shared) {
            bytes_ = std::move(other.bytes_);
            size_ = std::exchange(other.size_, 0);
            owner_ = nullptr;
            hold_ = Hold::shared;
            return;
        }
        share(other);  // what borrows is copied or counted, never moved as a borrow
        other = Payload();
    }

    // Points at the first byte; shares ownership with whatever holds the bytes (a string or a char block),
    // or with nothing when borrowed.
    std::shared_ptr<const char> bytes_;
    const PayloadOwner* owner_ = nullptr;
    std::uint32_t size_ = 0;  // MQTT's packets stop short of 256 MB
    Hold hold_ = Hold::shared;
};

}  // namespace culex::protocol
