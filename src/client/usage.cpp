#include "client/usage.hpp"

#include <fmt/format.h>

namespace culex::client {

namespace {

// Flag descriptions both tools share, in Mosquitto's " -x : text" layout.
constexpr std::string_view kCommonConnection =
    " -c : disable clean session/enable persistent client mode\n"
    "      When this argument is used, the broker will be instructed not to clean existing sessions\n"
    "      for the same client id when the client connects, and sessions will never expire when the\n"
    "      client disconnects.\n"
    " -d : enable debug messages.\n";

constexpr std::string_view kSessionExpiry =
    " -x : Set the session-expiry-interval property on the CONNECT packet. Applies to MQTT v5\n"
    "      clients only. Set to 0-4294967294 to specify the session will expire in that many\n"
    "      seconds after the client disconnects, or use -1, 4294967295, or \u221e for a session\n"
    "      that does not expire. Defaults to -1 if -c is also given, or 0 if -c not given.\n";

constexpr std::string_view kProperties =
    " -D : Define MQTT v5 properties: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property NAME VALUE.\n"
    "      COMMAND is connect, publish, subscribe, unsubscribe, disconnect or will; PROPERTY is the\n"
    "      spec's name with '-' between words (e.g. message-expiry-interval). Implies -V mqttv5.\n";

constexpr std::string_view kOutputFormat =
    " -F : output format (%t topic, %p payload, %q QoS, %r retain, %l length, %m message id,\n"
    "      %I ISO-8601 time, %U Unix time, %j JSON, %x/%X hex payload, %P user properties,\n"
    "      %R response topic, %D correlation data, %C content type, %E message expiry,\n"
    "      %F payload format, %S subscription id, %A topic alias, %% a %; @X for strftime).\n"
    " --pretty : print formatted output rather than minimised output when using the\n"
    "            JSON output format option.\n";

constexpr std::string_view kOptionsFile =
    "Default options are read from $XDG_CONFIG_HOME/{0} (else $HOME/.config/{0}), one flag and its\n"
    "value per line, before the command line's.\n";

constexpr std::string_view kCommonTail =
    " -V : specify the version of the MQTT protocol to use when connecting.\n"
    "      Can be mqttv5 (or 5), mqttv311 (or 311) or mqttv31 (or 31). Defaults to mqttv311.\n"
    " --help : display this message.\n"
    " --quiet : don't print error messages.\n"
    " --version : print the version and exit.\n"
    " --will-payload : payload for the client Will, which is sent by the broker in case of\n"
    "                  unexpected disconnection. If not given and will-topic is set, a zero\n"
    "                  length message will be sent.\n"
    " --will-qos : QoS level for the client Will.\n"
    " --will-retain : if given, make the client Will retained.\n"
    " --will-topic : the topic on which to publish the client Will.\n"
    " --cafile : path to a file containing trusted CA certificates to enable encrypted\n"
    "            communication.\n"
    " --capath : path to a directory containing trusted CA certificates to enable encrypted\n"
    "            communication.\n"
    " --cert : client certificate for authentication, if required by server.\n"
    " --key : client private key for authentication, if required by server.\n"
    " --ciphers : openssl compatible list of TLS ciphers to support.\n"
    " --tls-version : TLS protocol version, can be one of tlsv1.3 tlsv1.2 or tlsv1.1.\n"
    "                 Defaults to tlsv1.2 if available.\n"
    " --insecure : do not check that the server certificate hostname matches the remote\n"
    "              hostname. Using this option means that you cannot be sure that the\n"
    "              remote host is the server you wish to connect to and so is insecure.\n"
    "              Do not use this option in a production environment.\n"
    " --tls-alpn : TLS application layer protocol negotiation protocol to send.\n"
    " --tls-use-os-certs : Load and trust OS provided CA certificates.\n"
    "\n"
    "With --cafile, --capath, --cert or --tls-use-os-certs the connection uses TLS, and -p defaults to "
    "8883.\n"
    "culex's clients take mosquitto_pub/mosquitto_sub/mosquitto_rr's flags; see docs/clients.md.\n";

}  // namespace

std::string pub_version_line() {
    return fmt::format("culex pub version {}.\n", kClientVersion);
}

std::string rr_version_line() {
    return fmt::format("culex rr version {}.\n", kClientVersion);
}

std::string sub_version_line() {
    return fmt::format("culex sub version {}.\n", kClientVersion);
}

std::string pub_usage() {
    std::string text;
    text += "culex pub is a simple mqtt client that will publish a message on a single topic and exit.\n";
    text += pub_version_line();
    text += "\n";
    text += "Usage: culex pub {[-h host] [-p port] [-u username] [-P password] -t topic}\n";
    text += "                 {-f file | -l | -n | -m message | -s}\n";
    text += "                 [-c] [-k keepalive] [-q qos] [-r] [--repeat N] [--repeat-delay time]\n";
    text += "                 [-i id] [-I id_prefix]\n";
    text += "                 [-d] [--quiet]\n";
    text += "                 [-M max_inflight]\n";
    text += "                 [-u username [-P password]]\n";
    text += "                 [--will-topic [--will-payload payload] [--will-qos qos] [--will-retain]]\n";
    text += "                 [-V mqttv5|mqttv311|mqttv31] [-x session-expiry]\n";
    text += "                 [{--cafile file | --capath dir} [--cert file] [--key file]\n";
    text += "                   [--ciphers ciphers] [--insecure] [--tls-version version]\n";
    text += "                   [--tls-alpn protocol] [--tls-use-os-certs]]\n";
    text += "                 [-D command identifier value]\n";
    text += "       culex pub --help\n\n";
    text += kCommonConnection;
    text += " -f : send the contents of a file as the message.\n";
    text += " -h : mqtt host to connect to. Defaults to localhost.\n";
    text += " -i : id to use for this client. Defaults to culexpub| appended with the process id and the\n";
    text += "      host name.\n";
    text += " -I : define the client id as id_prefix appended with the process id. Useful for when the\n";
    text += "      broker is using the clientid_prefixes option.\n";
    text += " -k : keep alive in seconds for this client. Defaults to 60.\n";
    text += " -l : read messages from stdin, sending a separate message for each line.\n";
    text += " -m : message payload to send.\n";
    text += " -M : the maximum inflight messages for QoS 1/2..\n";
    text += " -n : send a null (zero length) message.\n";
    text += " -p : network port to connect to. Defaults to 1883 for plain MQTT and 8883 for MQTT over TLS.\n";
    text += " -P : provide a password\n";
    text += " -q : quality of service level to use for all messages. Defaults to 0.\n";
    text += " -r : message should be retained.\n";
    text += " -s : read message from stdin, sending the entire input as a message.\n";
    text += " -t : mqtt topic to publish to.\n";
    text += " -u : provide a username\n";
    text += " --repeat : if publish mode is -f, -m, or -s, then repeat the publish N times.\n";
    text += " --repeat-delay : if using --repeat, wait time seconds between publishes. Defaults to 0.\n";
    text += kSessionExpiry;
    text += kProperties;
    text += kCommonTail;
    text += fmt::format(fmt::runtime(kOptionsFile), "culex_pub");
    return text;
}

std::string sub_usage() {
    std::string text;
    text +=
        "culex sub is a simple mqtt client that will subscribe to a set of topics and print all messages it "
        "receives.\n";
    text += sub_version_line();
    text += "\n";
    text += "Usage: culex sub {[-h host] [-p port] [-u username] [-P password] -t topic}\n";
    text += "                 [-c] [-k keepalive] [-q qos]\n";
    text += "                 [-C msg_count] [-E] [-R] [--retained-only] [-T filter_out] [-U topic ...]\n";
    text += "                 [-W timeout_secs]\n";
    text += "                 [-i id] [-I id_prefix]\n";
    text += "                 [-d] [-N] [--quiet] [-v]\n";
    text += "                 [-M max_inflight]\n";
    text += "                 [-u username [-P password]]\n";
    text += "                 [--will-topic [--will-payload payload] [--will-qos qos] [--will-retain]]\n";
    text += "                 [-V mqttv5|mqttv311|mqttv31] [-x session-expiry]\n";
    text += "                 [-F format [--pretty]]\n";
    text += "                 [--retain-as-published] [--no-local] [--retain-handling 0|1|2]\n";
    text += "                 [{--cafile file | --capath dir} [--cert file] [--key file]\n";
    text += "                   [--ciphers ciphers] [--insecure] [--tls-version version]\n";
    text += "                   [--tls-alpn protocol] [--tls-use-os-certs]]\n";
    text += "                 [-D command identifier value]\n";
    text += "       culex sub --help\n\n";
    text += kCommonConnection;
    text += " -C : disconnect and exit after receiving the 'msg_count' messages.\n";
    text += " -E : Exit once all subscriptions have been acknowledged by the broker.\n";
    text += " -h : mqtt host to connect to. Defaults to localhost.\n";
    text += " -i : id to use for this client. Defaults to culexsub| appended with the process id and the\n";
    text += "      host name.\n";
    text += " -I : define the client id as id_prefix appended with the process id. Useful for when the\n";
    text += "      broker is using the clientid_prefixes option.\n";
    text += " -k : keep alive in seconds for this client. Defaults to 60.\n";
    text += " -M : the maximum inflight messages for QoS 1/2..\n";
    text += " -N : do not add an end of line character when printing the payload.\n";
    text += " -p : network port to connect to. Defaults to 1883 for plain MQTT and 8883 for MQTT over TLS.\n";
    text += " -P : provide a password\n";
    text += " -q : quality of service level to use for the subscription. Defaults to 0.\n";
    text += " -R : do not print stale messages (those with retain set).\n";
    text += " -t : mqtt topic to subscribe to. May be repeated multiple times.\n";
    text += " -T : topic string to filter out of results. May be repeated.\n";
    text += " -u : provide a username\n";
    text += " -U : unsubscribe from a topic. May be repeated.\n";
    text += " -v : print published messages verbosely.\n";
    text += " -W : Specifies a timeout in seconds how long to process incoming MQTT messages.\n";
    text += " --retained-only : only handle messages with the retained flag set, and exit when the\n";
    text += "                   first non-retained message is received.\n";
    text += " --retain-as-published : (MQTT v5) keep the retain flag of messages as they were published.\n";
    text += " --no-local : (MQTT v5) do not receive the messages this client publishes.\n";
    text += " --retain-handling : (MQTT v5) retained messages on subscribing: 0 always (the default),\n";
    text += "                     1 only for a new subscription, 2 never.\n";
    text += kSessionExpiry;
    text += kProperties;
    text += kOutputFormat;
    text += kCommonTail;
    text += fmt::format(fmt::runtime(kOptionsFile), "culex_sub");
    return text;
}

std::string rr_usage() {
    std::string text;
    text +=
        "culex rr is an mqtt client that can be used to publish a request message and wait for a "
        "response.\n";
    text +=
        "         Defaults to MQTT v5, where the Request-Response feature will be used, but v3.1.1 can "
        "also\n";
    text += "         be used with v3.1.1 brokers.\n";
    text += rr_version_line();
    text += "\n";
    text += "Usage: culex rr {[-h host] [-p port] [-u username] [-P password] -t topic} -e response-topic\n";
    text += "                {-f file | -m message | -n | -s}\n";
    text += "                [-c] [-k keepalive] [-q qos] [-R] [-x session-expiry-interval]\n";
    text += "                [-F format [--pretty]]\n";
    text += "                [-W timeout_secs]\n";
    text += "                [-i id] [-I id_prefix]\n";
    text += "                [-d] [-N] [--quiet] [-v]\n";
    text += "                [-M max_inflight]\n";
    text += "                [--will-topic [--will-payload payload] [--will-qos qos] [--will-retain]]\n";
    text += "                [{--cafile file | --capath dir} [--cert file] [--key file]\n";
    text += "                  [--ciphers ciphers] [--insecure] [--tls-version version]\n";
    text += "                  [--tls-alpn protocol] [--tls-use-os-certs]]\n";
    text += "                [-D command identifier value]\n";
    text += "       culex rr --help\n\n";
    text += kCommonConnection;
    text += " -e : Response topic. The client will subscribe to this topic to wait for a response.\n";
    text += " -f : send the contents of a file as the request.\n";
    text += " -h : mqtt host to connect to. Defaults to localhost.\n";
    text += " -i : id to use for this client. Defaults to culexrr| appended with the process id and the\n";
    text += "      host name.\n";
    text += " -k : keep alive in seconds for this client. Defaults to 60.\n";
    text += " -m : request payload to send.\n";
    text += " -M : the maximum inflight messages for QoS 1/2..\n";
    text += " -n : send a null (zero length) request.\n";
    text += " -N : do not add an end of line character when printing the payload.\n";
    text += " -p : network port to connect to. Defaults to 1883 for plain MQTT and 8883 for MQTT over TLS.\n";
    text += " -P : provide a password\n";
    text += " -q : quality of service level to use for communications. Defaults to 0.\n";
    text += " -R : do not print stale messages (those with retain set).\n";
    text += " -s : read the request from stdin, sending the entire input as a message.\n";
    text += " -t : topic where the request message will be sent.\n";
    text += " -u : provide a username\n";
    text += " -v : print received messages verbosely.\n";
    text += " -W : Specifies a timeout in seconds how long to wait for a response.\n";
    text += kSessionExpiry;
    text += kProperties;
    text += kOutputFormat;
    text += kCommonTail;
    text += fmt::format(fmt::runtime(kOptionsFile), "culex_rr");
    text += "(culex rr defaults to -V mqttv5.)\n";
    return text;
}

}  // namespace culex::client
