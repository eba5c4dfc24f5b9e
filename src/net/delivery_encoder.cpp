#include "net/delivery_encoder.hpp"

namespace culex::net {

using namespace culex::protocol;

namespace {

// A delivery whose header depends on nothing but the message and the flags it goes out with: the same bytes
// for every such receiver.
bool shareable(const Publish& message, const DeliveryFields& fields, ProtocolVersion version) {
    // Small: copied, and so is its header; empty: no payload address to know the message by.
    if (message.payload.size() < DeliveryEncoder::kShareFrom) return false;
    if (fields.omit_topic) return false;
    if (version != ProtocolVersion::v5) return true;
    return message.properties.empty() && fields.subscription_identifiers.empty() &&
           !fields.message_expiry_interval && fields.topic_alias == 0;
}

}  // namespace

bool DeliveryEncoder::encode(const Publish& message, const DeliveryFields& fields, ProtocolVersion version,
                             std::uint32_t max_packet_size, OutputQueue& out) {
    std::string& own = out.own();
    if (!shareable(message, fields, version)) {
        std::size_t before = own.size();
        DeliveryHeader header = encode_delivery_header(message, fields, version, own);
        if (max_packet_size != 0 && header.packet_size > max_packet_size) {
            own.resize(before);  // too large for this client: it is not sent (spec 3.1.2.11.4)
            return false;
        }
        append_payload(message.payload, out);
        return true;
    }
    const Form& form = form_of(message, fields, version);
    if (max_packet_size != 0 && form.layout.packet_size > max_packet_size) return false;
    std::size_t start = own.size();
    own.append(form.header);
    if (form.layout.packet_id_at != 0) {
        own[start + form.layout.packet_id_at] = static_cast<char>(fields.packet_id >> 8);
        own[start + form.layout.packet_id_at + 1] = static_cast<char>(fields.packet_id & 0xFF);
    }
    append_payload(message.payload, out);
    return true;
}

const DeliveryEncoder::Form& DeliveryEncoder::form_of(const Publish& message, const DeliveryFields& fields,
                                                      ProtocolVersion version) {
    bool v5 = version == ProtocolVersion::v5;
    for (const Form& form : forms_) {
        // The payload's address first: it differs for every other message, so a miss costs one comparison.
        if (form.payload.holds(message.payload) && form.v5 == v5 && form.qos == fields.qos &&
            form.retain == fields.retain && form.dup == fields.dup && form.topic_skip == fields.topic_skip &&
            form.topic == message.topic)
            return form;
    }
    Form& form = forms_[next_];
    next_ = (next_ + 1) % forms_.size();
    form.payload = shared(message.payload);
    form.topic.assign(message.topic);
    form.topic_skip = fields.topic_skip;
    form.v5 = v5;
    form.qos = fields.qos;
    form.retain = fields.retain;
    form.dup = fields.dup;
    form.header.clear();
    DeliveryFields common{fields.qos, fields.retain, fields.dup, 0};
    common.topic_skip = fields.topic_skip;
    form.layout = encode_delivery_header(message, common, version, form.header);
    return form;
}

const LoopShared& DeliveryEncoder::shared(const Payload& payload) {
    for (const Form& form : forms_)
        if (form.payload.holds(payload)) return form.payload;
    for (const LoopShared& other : others_)
        if (other.holds(payload)) return other;
    LoopShared& made = others_[next_other_];
    next_other_ = (next_other_ + 1) % others_.size();
    made = LoopShared(payload);
    return made;
}

void DeliveryEncoder::append_payload(const Payload& payload, OutputQueue& out) {
    if (payload.size() < kShareFrom)
        out.own().append(payload.view());
    else
        out.share(shared(payload));
}

void DeliveryEncoder::forget() {
    for (Form& form : forms_)
        form.payload = {};
    for (LoopShared& other : others_)
        other = {};
}

}  // namespace culex::net
