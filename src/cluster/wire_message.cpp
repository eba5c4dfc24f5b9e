#include "cluster/wire_message.hpp"

#include <fmt/format.h>

#include "cluster/subject_map.hpp"

namespace culex::cluster {

void append_served_queues(std::string_view served_groups, std::string& out) {
    bool first = true;
    while (!served_groups.empty()) {
        auto end = served_groups.find('\n');
        if (!first) out += ' ';
        first = false;
        out += queue_group(served_groups.substr(0, end));
        if (end == std::string_view::npos) break;
        served_groups.remove_prefix(end + 1);
    }
}

std::expected<MessagePtr, std::string> to_nats(const broker::Message& message, const std::string& subject,
                                               const Origin& origin, std::string_view served_groups) {
    // natsMsg_Create copies the data: the frame is built in this thread's buffer, kept between calls (a loop
    // stores every QoS 1/2 message through here).
    thread_local std::string served;
    thread_local std::string frame;
    served.clear();
    append_served_queues(served_groups, served);
    frame.clear();
    write_frame(message, origin.name, origin.sequence, served, frame);
    natsMsg* raw = nullptr;
    if (natsStatus s =
            natsMsg_Create(&raw, subject.c_str(), nullptr, frame.data(), static_cast<int>(frame.size()));
        s != NATS_OK)
        return std::unexpected(nats_error(s));
    return MessagePtr(raw);
}

std::expected<broker::MessagePtr, std::string> message_from_frame(const FrameView& frame,
                                                                  std::string_view subject,
                                                                  std::string_view prefix) {
    auto topic = topic_from_subject(prefix, subject);
    if (!topic) return std::unexpected(fmt::format("subject '{}' names no MQTT topic", subject));
    auto publish = publish_from_frame(frame, std::move(*topic));
    if (!publish) return std::unexpected(fmt::format("message on '{}': {}", subject, publish.error()));
    return std::make_shared<const broker::Message>(std::move(*publish));
}

std::expected<Received, std::string> from_nats(natsMsg* nats, std::string_view prefix) {
    std::string_view subject = natsMsg_GetSubject(nats);
    auto frame = read_frame(
        std::string_view(natsMsg_GetData(nats), static_cast<std::size_t>(natsMsg_GetDataLength(nats))));
    if (!frame) return std::unexpected(fmt::format("message on '{}': {}", subject, frame.error()));
    auto message = message_from_frame(*frame, subject, prefix);
    if (!message) return std::unexpected(message.error());
    Received received;
    received.message = std::move(*message);
    received.origin = {std::string(frame->origin), frame->sequence};
    received.served = std::string(frame->served);
    return received;
}

}  // namespace culex::cluster
