// `culex doctor config`: an offline check of every TLS listener in a mosquitto.conf. Each finding says what
// is wrong, where (file:line of the option), why it breaks TLS, and the command that fixes it. It finds the
// lab's four faults (a server certificate with its CA's subject, an X.509 v1 certificate from plain
// `openssl x509 -req`, a key that is not the certificate's because the config points at other files, no host
// name in the certificate) and expiry, missing intermediates, unreadable files, key files readable by others,
// require_certificate without cafile, and a cafile that holds a leaf.
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"
#include "config/config.hpp"
#include "pki/findings.hpp"

namespace culex::tls {

struct DoctorFinding {
    pki::Severity severity = pki::Severity::error;  // error: a fault, the listener does not work as meant
    std::string code;   // stable name for scripts and tests: "subject-equals-issuer"
    std::string what;   // what is wrong (names the file)
    std::string where;  // "culex.conf:4" (the option's line), or the listener's
    std::string why;    // why it breaks; may be empty when `what` says it
    std::string fix;    // what to do, a command when there is one
};

struct ListenerReport {
    std::string listener;            // "listener 8883 at culex.conf:3"
    std::vector<std::string> facts;  // what is fine, for the reader ("certfile: CN "x", valid until ...")
    std::vector<DoctorFinding> findings;
};

struct ConfigReport {
    std::string config_file;
    std::vector<ListenerReport> listeners;  // TLS listeners only
    std::size_t plain_listeners = 0;
    std::vector<std::string> config_warnings;  // from the parser

    std::size_t faults() const;
    std::size_t warnings() const;
};

// Checks the listeners of a parsed config. Options' lines are read back from the files the listeners came
// from.
ConfigReport doctor_config(const config::Config& config, const std::string& config_file);

// Loads the file first; a config that does not parse is an error value (the parser's file:line message).
Result<ConfigReport> doctor_config_file(const std::string& path);

std::string render_config_report(const ConfigReport& report);

}  // namespace culex::tls
