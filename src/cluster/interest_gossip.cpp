#include "cluster/interest_gossip.hpp"

#include <fmt/format.h>

#include <charconv>

#include "cluster/subject_map.hpp"
#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

constexpr std::string_view kNodePrefix = "culex.interest.node.";
constexpr std::string_view kReplyPrefix = "culex.interest.reply.";
constexpr const char* kSyncSubject = "culex.interest.sync";
constexpr const char* kNodeHeader = "Culex-Node";
constexpr const char* kIncarnationHeader = "Culex-Incarnation";
constexpr const char* kSequenceHeader = "Culex-Seq";
constexpr const char* kKindHeader = "Culex-Kind";
constexpr const char* kPartHeader = "Culex-Part";
// A snapshot's part stays well under NATS's default max_payload (1 MB).
constexpr std::size_t kPartBytes = 256 * 1024;

std::string_view header(natsMsg* message, const char* key) {
    const char* value = nullptr;
    if (natsMsgHeader_Get(message, key, &value) != NATS_OK || !value) return {};
    return value;
}

template <typename Number>
bool parse_number(std::string_view text, Number& value) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
}

// "K/N" with 1 <= K <= N.
bool parse_part(std::string_view text, int& part, int& parts) {
    auto slash = text.find('/');
    return slash != std::string_view::npos && parse_number(text.substr(0, slash), part) &&
           parse_number(text.substr(slash + 1), parts) && part >= 1 && part <= parts;
}

}  // namespace

InterestGossip::InterestGossip(natsConnection* connection, std::string node, std::string incarnation,
                               RemoteInterest& remote)
    : connection_(connection),
      node_(std::move(node)),
      incarnation_(std::move(incarnation)),
      own_subject_(subject_from_topic(kNodePrefix, node_)),
      reply_subject_(subject_from_topic(kReplyPrefix, node_)),
      remote_(remote) {}

InterestGossip::~InterestGossip() {
    stop();
}

std::expected<void, std::string> InterestGossip::start(Answer answer) {
    answer_ = std::move(answer);
    for (std::string subject : {std::string(kNodePrefix) + ">", std::string(kSyncSubject), reply_subject_}) {
        natsSubscription* raw = nullptr;
        if (natsStatus s = natsConnection_Subscribe(&raw, connection_, subject.c_str(), on_message, this);
            s != NATS_OK)
            return std::unexpected(
                fmt::format("cluster: cannot subscribe to {}: {}", subject, nats_error(s)));
        subscriptions_.emplace_back(raw);
    }
    request_sync({});
    return {};
}

void InterestGossip::stop() {
    std::lock_guard lock(handling_);
    stopped_ = true;
    for (auto& subscription : subscriptions_)
        natsSubscription_Unsubscribe(subscription.get());
}

void InterestGossip::send(const std::string& subject, const char* reply, std::string_view kind,
                          std::uint64_t sequence, std::string_view data, std::string_view part) {
    natsMsg* raw = nullptr;
    natsStatus s = natsMsg_Create(&raw, subject.c_str(), reply, data.data(), static_cast<int>(data.size()));
    MessagePtr message(raw);
    std::string sequence_text = std::to_string(sequence);
    std::string kind_text(kind);
    std::string part_text(part);
    if (s == NATS_OK) s = natsMsgHeader_Set(raw, kNodeHeader, node_.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(raw, kIncarnationHeader, incarnation_.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(raw, kSequenceHeader, sequence_text.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(raw, kKindHeader, kind_text.c_str());
    if (s == NATS_OK && !part.empty()) s = natsMsgHeader_Set(raw, kPartHeader, part_text.c_str());
    if (s == NATS_OK) s = natsConnection_PublishMsg(connection_, raw);
    // Lost: the others find out by the gap in the sequence (or ask again for the snapshot).
    if (s != NATS_OK)
        logger().log(LogType::warning, "Warning: cluster: cannot announce interest on {}: {}.", subject,
                     nats_error(s));
}

void InterestGossip::send_delta(std::uint64_t sequence, char sign, std::string_view subject) {
    std::string line;
    line.reserve(subject.size() + 1);
    line += sign;
    line += subject;
    send(own_subject_, nullptr, "delta", sequence, line);
}

void InterestGossip::send_snapshot(const std::string& reply, std::uint64_t sequence,
                                   const std::vector<std::string>& subjects) {
    std::vector<std::string> parts(1);
    for (const auto& subject : subjects) {
        if (parts.back().size() + subject.size() + 1 > kPartBytes && !parts.back().empty())
            parts.emplace_back();
        parts.back() += subject;
        parts.back() += '\n';
    }
    for (std::size_t i = 0; i < parts.size(); ++i)
        send(reply, nullptr, "snapshot", sequence, parts[i], fmt::format("{}/{}", i + 1, parts.size()));
}

void InterestGossip::send_gone() {
    send(own_subject_, nullptr, "gone", 0, {});
}

void InterestGossip::request_sync(std::string_view node) {
    natsStatus s = natsConnection_PublishRequest(connection_, kSyncSubject, reply_subject_.c_str(),
                                                 node.data(), static_cast<int>(node.size()));
    if (s != NATS_OK)
        logger().log(LogType::warning, "Warning: cluster: cannot ask the other nodes for their interest: {}.",
                     nats_error(s));
}

void InterestGossip::on_message(natsConnection*, natsSubscription*, natsMsg* message, void* closure) {
    MessagePtr owned(message);
    static_cast<InterestGossip*>(closure)->handle(message);
}

void InterestGossip::handle(natsMsg* message) {
    std::lock_guard lock(handling_);
    if (stopped_) return;
    std::string_view data(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message)));
    if (std::string_view(natsMsg_GetSubject(message)) == kSyncSubject) {
        const char* reply = natsMsg_GetReply(message);
        if (reply && *reply && (data.empty() || data == node_)) answer_(reply);
        return;
    }
    RemoteInterest::Update update{header(message, kNodeHeader), header(message, kIncarnationHeader), 0, data};
    std::string_view kind = header(message, kKindHeader);
    if (update.node.empty() || update.node == node_ ||
        !parse_number(header(message, kSequenceHeader), update.sequence)) {
        if (update.node.empty())
            logger().log(LogType::warning, "Warning: cluster: interest announcement without a node skipped.");
        return;
    }
    if (kind == "gone") {
        remote_.forget(update.node);
        return;
    }
    bool complete = true;
    if (kind == "delta") {
        complete = remote_.apply_delta(update);
    } else if (int part = 0, parts = 0;
               kind == "snapshot" && parse_part(header(message, kPartHeader), part, parts)) {
        complete = remote_.apply_snapshot(update, part, parts);
    }
    if (!complete) request_sync(update.node);
}

}  // namespace culex::cluster
