#include "bridge/outgoing.hpp"

namespace culex::bridge {

Outgoing prepare_outgoing(const TopicRoute& route, const protocol::Publish& local,
                          const protocol::DeliveryFields& fields, protocol::ProtocolVersion version,
                          std::uint32_t limit, std::string& scratch) {
    Outgoing out;
    if (route.renames())
        if (auto remote_topic = to_remote(route.rule, local.topic)) {
            out.renamed = local;
            out.renamed->topic = std::move(*remote_topic);
        }
    if (limit == 0) return out;  // the usual case: nothing encoded twice
    scratch.clear();
    auto header = protocol::encode_delivery_header(out.message(local), fields, version, scratch);
    out.too_big = header.packet_size > limit;
    return out;
}

}  // namespace culex::bridge
