// An immutable, reference-counted byte buffer: a PUBLISH payload is decoded once and shared by every
// subscriber it goes to, never copied per subscriber.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace culex::protocol {

class Payload {
  public:
    Payload() = default;
    explicit Payload(std::string bytes) : bytes_(std::make_shared<const std::string>(std::move(bytes))) {}
    explicit Payload(std::string_view bytes) : Payload(std::string(bytes)) {}

    std::string_view view() const { return bytes_ ? std::string_view(*bytes_) : std::string_view(); }
    std::size_t size() const { return bytes_ ? bytes_->size() : 0; }
    bool empty() const { return size() == 0; }

    bool operator==(const Payload& other) const { return view() == other.view(); }

  private:
    std::shared_ptr<const std::string> bytes_;
};

}  // namespace culex::protocol
