// Writes the generated seed corpora: DIR/NAME/ for each target whose input is binary. For codec_fuzz, one
// file per representative packet and version, encoded by the codec itself, plus a stream of several packets
// back to back; the other families are in seeds_*.cpp. Usage: make_seeds DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "protocol/codec.hpp"
#include "seeds.hpp"

namespace {

using namespace culex::protocol;

Properties rich_publish_properties() {
    Properties p;
    p.payload_format_indicator = 1;
    p.message_expiry_interval = 60;
    p.content_type = "text/plain";
    p.response_topic = "reply/here";
    p.correlation_data = std::string("\x01\x02", 2);
    p.subscription_identifiers = {1, 300};
    p.topic_alias = 3;
    p.user_properties = {{"k", "v"}};
    return p;
}

std::vector<std::pair<std::string, Packet>> samples(ProtocolVersion version) {
    bool v5 = version == ProtocolVersion::v5;
    std::vector<std::pair<std::string, Packet>> out;

    Connect connect;
    connect.version = version;
    connect.client_id = "seed";
    connect.username = "user";
    connect.password = "pass";
    connect.will = Will{"will/topic", Payload(std::string("bye")), QoS::at_least_once, true, {}};
    if (v5) {
        connect.properties.session_expiry_interval = 10;
        connect.properties.receive_maximum = 20;
        connect.properties.maximum_packet_size = 1024;
        connect.properties.topic_alias_maximum = 5;
        connect.properties.request_problem_information = 1;
        connect.properties.authentication_method = "SCRAM";
        connect.properties.authentication_data = "abc";
        connect.will->properties.will_delay_interval = 5;
        connect.will->properties.content_type = "text/plain";
    }
    out.emplace_back("connect", connect);

    Connack connack{true, ReasonCode::success, {}};
    if (v5) {
        connack.properties.assigned_client_identifier = "auto-1";
        connack.properties.server_keep_alive = 30;
        connack.properties.maximum_qos = 1;
        connack.properties.retain_available = 0;
        connack.properties.reason_string = "ok";
        connack.properties.server_reference = "other";
        connack.properties.wildcard_subscription_available = 1;
        connack.properties.subscription_identifier_available = 1;
        connack.properties.shared_subscription_available = 0;
        connack.properties.response_information = "info";
    }
    out.emplace_back("connack", connack);

    Publish qos0{
        "sport/tennis/player1", Payload(std::string("hello")), QoS::at_most_once, false, false, 0, {}};
    out.emplace_back("publish-qos0", qos0);
    Publish qos2{"a/b", Payload(std::string(70, 'x')), QoS::exactly_once, true, true, 42, {}};
    if (v5) qos2.properties = rich_publish_properties();
    out.emplace_back("publish-qos2", qos2);

    out.emplace_back("puback", Puback{1});
    out.emplace_back("pubrec", Pubrec{2, v5 ? ReasonCode::no_matching_subscribers : ReasonCode::success, {}});
    out.emplace_back("pubrel", Pubrel{3});
    out.emplace_back("pubcomp", Pubcomp{4});

    Subscribe subscribe{5, {{"sport/+/player1", QoS::at_least_once}, {"$share/g/#", QoS::exactly_once}}, {}};
    if (v5) {
        subscribe.subscriptions[0].no_local = true;
        subscribe.subscriptions[0].retain_as_published = true;
        subscribe.subscriptions[0].retain_handling = RetainHandling::never_send;
        subscribe.properties.subscription_identifiers = {7};
    }
    out.emplace_back("subscribe", subscribe);
    out.emplace_back("suback", Suback{5, {ReasonCode::granted_qos1, ReasonCode::unspecified_error}, {}});
    out.emplace_back("unsubscribe", Unsubscribe{6, {"sport/#", "+"}, {}});
    out.emplace_back("unsuback",
                     Unsuback{6, v5 ? std::vector{ReasonCode::success} : std::vector<ReasonCode>{}, {}});
    out.emplace_back("pingreq", Pingreq{});
    out.emplace_back("pingresp", Pingresp{});
    Disconnect disconnect;
    if (v5) {
        disconnect.reason = ReasonCode::disconnect_with_will;
        disconnect.properties.session_expiry_interval = 0;
    }
    out.emplace_back("disconnect", disconnect);
    if (v5) {
        Auth auth{ReasonCode::continue_authentication, {}};
        auth.properties.authentication_method = "SCRAM";
        auth.properties.authentication_data = "xyz";
        out.emplace_back("auth", auth);
    }
    return out;
}

const char* name_of(ProtocolVersion version) {
    switch (version) {
        case ProtocolVersion::v31:
            return "v31";
        case ProtocolVersion::v311:
            return "v311";
        case ProtocolVersion::v5:
            return "v5";
    }
    return "v";
}

}  // namespace

namespace culex::fuzz {

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

void write_codec_seeds(const std::string& dir) {
    using namespace culex::protocol;
    for (auto version : {ProtocolVersion::v31, ProtocolVersion::v311, ProtocolVersion::v5}) {
        std::string stream;
        for (const auto& [name, packet] : samples(version)) {
            std::string bytes;
            encode(packet, version, bytes);
            write_file(dir + "/" + name_of(version) + "-" + name, bytes);
            stream += bytes;
        }
        write_file(dir + "/" + name_of(version) + "-stream", stream);
    }
}

}  // namespace culex::fuzz

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    const std::pair<const char*, void (*)(const std::string&)> families[] = {
        {"codec", culex::fuzz::write_codec_seeds},
        {"sniff_reassembly", culex::fuzz::write_reassembly_seeds},
        {"tls_records", culex::fuzz::write_tls_seeds},
        {"websocket", culex::fuzz::write_websocket_seeds},
        {"broker", culex::fuzz::write_broker_seeds},
    };
    for (const auto& [name, write] : families) {
        std::filesystem::create_directories(dir + "/" + name);
        write(dir + "/" + name);
    }
    return 0;
}
