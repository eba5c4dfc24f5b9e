// Message::received: one allocation per received PUBLISH. std::allocate_shared makes the reference count and
// the Message in one block; the allocator below asks for that block plus room for the topic and payload
// bytes, which the Message copies right after itself.
#include "broker/message.hpp"

#include <cstring>
#include <new>

namespace culex::broker {
namespace {

// Allocates what std::allocate_shared asks for (one object, its control block with the Message inside) and
// `tail` bytes more. The Message is the last member of that control block, so the bytes after the Message
// object lie inside the allocation.
template <typename T>
struct WithTail {
    using value_type = T;

    explicit WithTail(std::size_t bytes) : tail(bytes) {}
    template <typename U>
    WithTail(const WithTail<U>& other) : tail(other.tail) {}  // NOLINT(google-explicit-constructor)

    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T) + tail)); }
    void deallocate(T* p, std::size_t) { ::operator delete(p); }

    template <typename U>
    bool operator==(const WithTail<U>& other) const {
        return tail == other.tail;
    }

    std::size_t tail;
};

}  // namespace

std::shared_ptr<Message> Message::received(protocol::Publish&& publish) {
    InOneBlock room(publish.topic.size() + publish.payload.size());
    return std::allocate_shared<Message>(WithTail<Message>(room.tail), room, std::move(publish));
}

Message::Message(InOneBlock room, protocol::Publish&& publish) {
    char* tail = reinterpret_cast<char*>(this) + sizeof(Message);
    std::string_view topic_bytes = publish.topic.view();
    std::string_view payload_bytes = publish.payload.view();
    if (topic_bytes.size() + payload_bytes.size() > room.tail) throw std::bad_alloc();  // cannot happen
    if (!topic_bytes.empty()) std::memcpy(tail, topic_bytes.data(), topic_bytes.size());
    if (!payload_bytes.empty())
        std::memcpy(tail + topic_bytes.size(), payload_bytes.data(), payload_bytes.size());
    topic.borrow({tail, topic_bytes.size()});
    payload.borrow(*this, {tail + topic_bytes.size(), payload_bytes.size()});
    qos = publish.qos;
    retain = publish.retain;
    dup = publish.dup;
    packet_id = publish.packet_id;
    properties = std::move(publish.properties);
    if (properties->message_expiry_interval)
        expires_at = Clock::now() + std::chrono::seconds(*properties->message_expiry_interval);
}

}  // namespace culex::broker
