#include "lab/steps.hpp"

namespace culex::lab {

const std::vector<StepInfo>& lab_steps() {
    static const std::vector<StepInfo> steps = {
        {"network", "Two hosts on one link",
         "The broker (192.168.56.101) and the client (192.168.56.102) are two network namespaces joined by a "
         "virtual Ethernet cable, enp0s3 at both ends: what the lab's two VirtualBox machines were, without "
         "the "
         "machines. Everything below crosses that cable, and nothing else does."},
        {"pubsub", "Publish and subscribe",
         "The broker is the post office: the subscriber tells it which topics it wants (# is every topic), "
         "the "
         "publisher hands it a message, the broker forwards it. Neither client knows the other. The broker's "
         "log "
         "(-v) shows each step in Mosquitto's words, with the client's address: 192.168.56.102."},
        {"sniff", "What an eavesdropper sees",
         "Anyone who can capture the broker's traffic (a switch port, a Wi-Fi, a compromised host) sees the "
         "TCP "
         "handshake (SYN, SYN-ACK, ACK), then every MQTT packet in clear: the CONNECT with its client id, "
         "the "
         "PUBLISH with its topic and payload, then the FIN. Plain MQTT gives no confidentiality."},
        {"tls-wrong", "TLS, the way the lab did it first",
         "The CA and the broker certificate made by hand with the openssl command, exactly as in the lab: "
         "the same "
         "answers to openssl's questions for both (so the broker's certificate has the CA's name and looks "
         "self-signed), openssl x509 -req without an extension file (X.509 v1, no subjectAltName, no host "
         "name). "
         "culex broker refuses to start with it; Mosquitto starts, and every client fails with the lab's "
         "messages: \"A TLS error occurred\" on the client, \"tlsv1 alert unknown ca\" on the broker."},
        {"doctor", "What was wrong, and the fix",
         "culex doctor reads the broker's config and the files it names, and names each fault of the lab's "
         "certificates with the line of the config, why it breaks TLS, and the command that fixes it. "
         "--insecure is not one of them: it only skips the host name check, and it lets anyone pose as the "
         "broker."},
        {"tls-right", "TLS, the right way: mutual TLS",
         "culex pki makes a CA with a name of its own, a v3 broker certificate that names the broker's "
         "address "
         "in its subjectAltName, and a client certificate. With require_certificate true, the broker and the "
         "client each prove who they are. The capture now shows the TLS handshake and encrypted records "
         "only: "
         "no client id, no topic, no payload."},
        {"login", "Login and password, without TLS",
         "A password file and allow_anonymous false keep strangers out, but on a plain listener the user "
         "name "
         "and the password cross the cable in clear in the CONNECT packet: culex sniff shows them (masked "
         "here). Passwords need TLS under them."},
    };
    return steps;
}

const StepInfo* find_step(std::string_view name) {
    for (const auto& step : lab_steps()) {
        if (step.name == name) return &step;
    }
    return nullptr;
}

std::string step_names() {
    std::string names;
    for (const auto& step : lab_steps()) {
        if (!names.empty()) names += ", ";
        names += step.name;
    }
    return names;
}

}  // namespace culex::lab
