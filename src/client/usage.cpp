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

constexpr std::string_view kCommonTail =
    " -V : specify the version of the MQTT protocol to use when connecting.\n"
    "      Can be mqttv311 (or 311) or mqttv31 (or 31). Defaults to mqttv311.\n"
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
    "culex's clients take mosquitto_pub/mosquitto_sub's flags; WebSockets and MQTT v5 options come later.\n";

}  // namespace

std::string pub_version_line() {
    return fmt::format("culex pub version {}.\n", kClientVersion);
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
    text += "                 [-V mqttv311|mqttv31]\n";
    text += "                 [{--cafile file | --capath dir} [--cert file] [--key file]\n";
    text += "                   [--ciphers ciphers] [--insecure] [--tls-version version]\n";
    text += "                   [--tls-alpn protocol] [--tls-use-os-certs]]\n";
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
    text += kCommonTail;
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
    text += "                 [-u username [-P password]]\n";
    text += "                 [--will-topic [--will-payload payload] [--will-qos qos] [--will-retain]]\n";
    text += "                 [-V mqttv311|mqttv31]\n";
    text += "                 [{--cafile file | --capath dir} [--cert file] [--key file]\n";
    text += "                   [--ciphers ciphers] [--insecure] [--tls-version version]\n";
    text += "                   [--tls-alpn protocol] [--tls-use-os-certs]]\n";
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
    text += kCommonTail;
    return text;
}

}  // namespace culex::client
