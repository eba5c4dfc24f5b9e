// `culex sub`: mosquitto_sub's behaviour on culex's client. Subscribes to every -t (and unsubscribes -U) on
// each connection, prints each message as it comes ("TOPIC PAYLOAD" with -v), flushed per message, keeps
// reconnecting after a lost connection, and stops on -C, -W, -E, --retained-only or a signal with
// mosquitto_sub's exit code.
#pragma once

#include <chrono>
#include <span>
#include <string>

#include "client/tool.hpp"

namespace culex::client {

int run_sub(std::span<const std::string> args, const ToolIo& io = {});

// What sub prints for one message (nothing for a filtered one): the payload, "TOPIC PAYLOAD" with -v, a
// zero-length payload as "TOPIC (null)" with -v and nothing without, or the -F format; then a newline unless
// -N.
std::string format_message(const SubArgs& args, const protocol::Publish& message,
                           std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// The same without sub's filters, for rr too.
std::string print_message(const OutputOptions& output, bool verbose, bool eol,
                          const protocol::Publish& message,
                          std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace culex::client
