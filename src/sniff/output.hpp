// The three ways `culex sniff` prints: text (one readable line per packet, findings, verdicts, a summary),
// fields (tshark's -T fields -e NAME: chosen fields of each MQTT packet, tab-separated; the report goes to
// stderr) and JSON (one object per line: packets, TLS records, findings, verdicts, then the summary).
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "sniff/describe.hpp"
#include "sniff/events.hpp"
#include "sniff/line_writer.hpp"

namespace culex::sniff {

enum class OutputFormat { text, fields, json };

enum class Field {
    time,
    epoch,
    src,
    dst,
    client,
    broker,
    direction,
    clientid,
    username,
    password,
    version,
    type,
    topic,
    qos,
    retain,
    dup,
    packet_id,
    payload,
    payload_len,
    properties,
    reason,
    size,
};

// A field by its name ("topic"), or by tshark's ("mqtt.topic", "mqtt.msg", "mqtt.msgid", "frame.time_epoch").
std::expected<Field, Error> parse_field(std::string_view name);

// The names parse_field accepts, for --help and errors.
std::string field_names();

// The value of `field` for one packet: what `-T fields -e FIELD` prints (empty when the packet has none).
std::string field_value(Field field, const PacketEvent& event, const DescribeOptions& options);

struct OutputOptions {
    OutputFormat format = OutputFormat::text;
    std::vector<Field> fields;  // for OutputFormat::fields
    std::string separator = "\t";
    DescribeOptions describe;
    bool quiet = false;  // text: no per-packet lines, only findings, verdicts and the summary
};

// `out` gets the output proper; `err` the report when stdout is reserved for fields.
std::unique_ptr<EventSink> make_output(const OutputOptions& options, LineWriter& out, LineWriter& err);

}  // namespace culex::sniff
