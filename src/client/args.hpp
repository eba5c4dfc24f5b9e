// The command lines of `culex pub` and `culex sub`: mosquitto_pub/mosquitto_sub's flags, parsed the way they
// parse them (in order, first problem wins, numbers read like atoi) and refused with their words, so that a
// command or script written for Mosquitto's clients runs unchanged with the program name changed.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/property_args.hpp"
#include "protocol/packets.hpp"
#include "protocol/types.hpp"

namespace culex::client {

enum class MessageSource { none, message, file, stdin_whole, stdin_lines, null_message };

// The flags pub, sub and rr share.
struct CommonArgs {
    std::string host = "localhost";
    int port = 1883;
    std::optional<std::string> id;
    std::optional<std::string> id_prefix;
    int keepalive = 60;
    bool clean_session = true;
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::optional<std::string> will_topic;
    std::optional<std::string> will_payload;
    int will_qos = 0;
    bool will_retain = false;
    protocol::ProtocolVersion version = protocol::ProtocolVersion::v311;
    int qos = 0;
    int max_inflight = 20;
    bool debug = false;
    bool quiet = false;
    bool port_given = false;  // -p seen: otherwise TLS defaults the port to 8883, as in mosquitto_pub

    // MQTT 5: -D properties (a -D makes the client speak MQTT 5, as in Mosquitto) and -x. -x is kept as
    // given (-1 and "∞" read as 4294967295) and ignored by MQTT 3.1/3.1.1 clients.
    PropertyLists properties;
    std::optional<std::uint32_t> session_expiry;

    // TLS, with mosquitto_pub's flags. TLS is on when --cafile, --capath, --cert or --tls-use-os-certs is
    // given (-p 8883 alone does not turn it on).
    std::optional<std::string> cafile;
    std::optional<std::string> capath;
    std::optional<std::string> certfile;     // --cert
    std::optional<std::string> keyfile;      // --key
    bool insecure = false;                   // skip the host-name check only
    std::optional<std::string> tls_version;  // "tlsv1.3", "tlsv1.2" or "tlsv1.1": the oldest accepted
    std::optional<std::string> ciphers;
    std::optional<std::string> tls_alpn;
    bool tls_use_os_certs = false;

    bool tls() const { return cafile || capath || certfile || tls_use_os_certs; }
};

struct PubArgs {
    CommonArgs common;
    std::optional<std::string> topic;
    MessageSource source = MessageSource::none;
    std::string message;  // -m
    std::string file;     // -f
    bool retain = false;
    int repeat_count = 1;
    double repeat_delay_seconds = 0;
};

// How sub and rr print a message beyond -v/-N: -F FORMAT and --pretty (for %j).
struct OutputOptions {
    std::optional<std::string> format;
    bool pretty = false;
};

struct SubArgs {
    CommonArgs common;
    std::vector<std::string> topics;
    std::vector<std::string> filter_outs;   // -T
    std::vector<std::string> unsub_topics;  // -U
    int msg_count = 0;                      // -C; 0: no limit
    int timeout_seconds = 0;                // -W; 0: none
    bool no_retain = false;                 // -R
    bool verbose = false;                   // -v
    bool eol = true;                        // -N clears it
    bool exit_after_sub = false;            // -E
    bool retained_only = false;             // --retained-only
    OutputOptions output;
    // Subscription options (MQTT 5). --retain-as-published is mosquitto_sub's; --no-local and
    // --retain-handling are culex's own (mosquitto_sub 2.0 has no flag for them).
    bool retain_as_published = false;
    bool no_local = false;
    protocol::RetainHandling retain_handling = protocol::RetainHandling::send_on_subscribe;
};

// `culex rr`: mosquitto_rr's flags. MQTT 5 by default.
struct RrArgs {
    CommonArgs common;
    std::optional<std::string> topic;           // -t: where the request goes
    std::optional<std::string> response_topic;  // -e: subscribed to, and sent as the Response Topic
    MessageSource source = MessageSource::none;
    std::string message;
    std::string file;
    int timeout_seconds = 0;  // -W
    bool no_retain = false;   // -R
    bool verbose = false;     // -v
    bool eol = true;          // -N clears it
    OutputOptions output;
};

// Why parsing stopped short of a command to run, and what the tool prints for it.
struct ArgsStop {
    enum class Kind {
        help,              // --help: usage on stdout
        version,           // --version: one line on stdout
        error,             // `message` on stderr, then "\nUse 'culex pub --help' to see usage.\n"
        error_with_usage,  // `message` on stderr, then the usage on stdout (as mosquitto_pub does for no
                           // topic)
    };
    Kind kind = Kind::error;
    std::string message;  // complete lines, with Mosquitto's trailing blank lines where it has them
};

std::expected<PubArgs, ArgsStop> parse_pub_args(std::span<const std::string> args);
std::expected<SubArgs, ArgsStop> parse_sub_args(std::span<const std::string> args);
std::expected<RrArgs, ArgsStop> parse_rr_args(std::span<const std::string> args);

// Every flag a tool accepts, as its table has it: for the tests that hold the tables to the usage texts.
enum class ClientTool { pub, sub, rr };
struct FlagSpelling {
    std::string_view name;     // "-h"
    std::string_view alias;    // "--host"; empty: none
    std::string_view missing;  // the error when its value is missing; empty: it takes no single value
};
std::vector<FlagSpelling> accepted_flags(ClientTool tool);

// Like C's atoi, which Mosquitto's clients use: leading blanks, a sign, digits; anything else ends the
// number, and no digits at all read as 0.
int lenient_atoi(std::string_view text);

// The default client id, as Mosquitto 1.x made them ("mosqpub|1705-debian"): PREFIX|PID-HOST, cut to the 23
// characters MQTT 3.1 allows.
std::string default_client_id(std::string_view prefix, long pid, std::string_view host);

}  // namespace culex::client
