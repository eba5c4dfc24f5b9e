// A PUBLISH's topic name: a string that can also borrow bytes it does not own, so that the broker's hot path
// decodes a PUBLISH without allocating for its topic (a view into the bytes read) and keeps it in the same
// block as the message (broker/message.hpp), one allocation per received PUBLISH.
//
// Borrowing is safe by construction: only `borrow` makes a name borrow, and a copy or a move of one owns
// its bytes, so a borrowed name cannot outlive what it points into unless it is kept by reference.
#pragma once

#include <compare>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace culex::protocol {

class TopicName {
  public:
    TopicName() = default;
    TopicName(std::string owned) : owned_(std::move(owned)) {}  // NOLINT(google-explicit-constructor)
    TopicName(const char* owned) : owned_(owned) {}             // NOLINT(google-explicit-constructor)
    TopicName(std::string_view owned) : owned_(owned) {}        // NOLINT(google-explicit-constructor)

    // Makes this name point into `bytes`, which must outlive it (and anything that refers to it). A member,
    // not a factory: assigning a borrowed name would make the assigned one own (a move owns).
    void borrow(std::string_view bytes) {
        owned_.clear();
        // An empty view may have no address: it is then an empty owned name, which is the same thing.
        borrowed_ = bytes;
    }

    TopicName(const TopicName& other) : owned_(other.view()) {}
    TopicName(TopicName&& other) noexcept
        : owned_(other.borrowed() ? std::string(other.borrowed_) : std::move(other.owned_)) {}
    TopicName& operator=(const TopicName& other) {
        if (this != &other) assign(other.view());
        return *this;
    }
    TopicName& operator=(TopicName&& other) noexcept {
        if (this == &other) return *this;
        if (other.borrowed()) {
            assign(other.borrowed_);
        } else {
            owned_ = std::move(other.owned_);
            borrowed_ = {};
        }
        return *this;
    }
    TopicName& operator=(std::string owned) {
        owned_ = std::move(owned);
        borrowed_ = {};
        return *this;
    }
    TopicName& operator=(std::string_view bytes) {
        assign(bytes);
        return *this;
    }
    TopicName& operator=(const char* bytes) { return *this = std::string_view(bytes); }

    std::string_view view() const { return borrowed() ? borrowed_ : std::string_view(owned_); }
    operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
    std::string str() const { return std::string(view()); }
    bool borrowed() const { return borrowed_.data() != nullptr; }

    const char* data() const { return view().data(); }
    std::size_t size() const { return view().size(); }
    bool empty() const { return view().empty(); }
    char operator[](std::size_t i) const { return view()[i]; }
    auto begin() const { return view().begin(); }
    auto end() const { return view().end(); }
    bool starts_with(std::string_view prefix) const { return view().starts_with(prefix); }
    std::string_view substr(std::size_t from, std::size_t count = std::string_view::npos) const {
        return view().substr(from, count);
    }
    std::size_t find(char c, std::size_t from = 0) const { return view().find(c, from); }
    std::size_t find(std::string_view s, std::size_t from = 0) const { return view().find(s, from); }

    friend bool operator==(const TopicName& a, const TopicName& b) { return a.view() == b.view(); }
    friend bool operator==(const TopicName& a, std::string_view b) { return a.view() == b; }
    friend bool operator==(const TopicName& a, const char* b) { return a.view() == b; }
    friend bool operator==(const TopicName& a, const std::string& b) { return a.view() == b; }
    friend std::strong_ordering operator<=>(const TopicName& a, const TopicName& b) {
        return a.view() <=> b.view();
    }
    friend std::ostream& operator<<(std::ostream& out, const TopicName& name) { return out << name.view(); }

  private:
    void assign(std::string_view bytes) {
        owned_.assign(bytes);  // before the view is dropped: `bytes` may be what it points at
        borrowed_ = {};
    }

    std::string owned_;
    std::string_view borrowed_;  // has an address when borrowed
};

}  // namespace culex::protocol

template <>
struct fmt::formatter<culex::protocol::TopicName> : fmt::formatter<std::string_view> {
    template <typename Context>
    auto format(const culex::protocol::TopicName& name, Context& ctx) const {
        return fmt::formatter<std::string_view>::format(name.view(), ctx);
    }
};
