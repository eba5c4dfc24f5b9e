// Errors of the client library, as values: what went wrong, in words a user can act on, and the kind of
// failure, which the pub/sub tools map to Mosquitto's exit codes.
#pragma once

#include <string>

namespace culex::client {

enum class ErrorKind {
    usage,              // bad command line
    io,                 // a local file or stdin could not be read
    lookup,             // the host name did not resolve
    connect,            // the TCP (or TLS, WebSocket) connection could not be made
    timeout,            // no connection or no CONNACK within the connect timeout
    refused,            // the broker answered CONNACK with a refusal
    protocol,           // the broker sent something the protocol does not allow
    connection_lost,    // an established connection closed without our DISCONNECT
    server_disconnect,  // the broker sent DISCONNECT (MQTT 5), with a reason code
    keepalive,          // the broker did not answer PINGREQ within the keepalive
    resource,           // e.g. every packet identifier is in use
    not_connected,      // an operation that needs a connection was asked for without one
};

struct Error {
    ErrorKind kind = ErrorKind::protocol;
    std::string message;
};

}  // namespace culex::client
