// Showing what crossed the wire on one line: text when it is text (control characters escaped), hex with a
// length when it is binary, passwords masked unless asked, MQTT 5 properties as name=value pairs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/properties.hpp"

namespace culex::sniff {

// Valid UTF-8 with no control characters other than tab, CR and LF.
bool is_printable(std::string_view bytes);

// `bytes` with \\, \n, \r, \t and other control bytes escaped (\xNN), so that it stays on one line.
std::string printable_text(std::string_view bytes);

// Lower-case hex of the first `max_bytes` bytes, "..." after when there were more: "16 03 01 02 00 01 00
// ...".
std::string hex_preview(std::string_view bytes, std::size_t max_bytes);

// Contiguous lower-case hex of all the bytes.
std::string hex(std::string_view bytes);

// For one-line output: 'text' or 0x6869... (N bytes), cut after `max_bytes` (0: no limit).
std::string payload_text(std::string_view payload, std::size_t max_bytes);

// 'secret' with `show`, else '******' (N bytes): the length leaks anyway, the content need not.
std::string show_password(std::string_view password, bool show);

// "message_expiry_interval=60 user_property='a':'b'"; empty when there are none.
std::string properties_text(const protocol::Properties& properties);

}  // namespace culex::sniff
