#include "sniff/output.hpp"

#include "sniff/text_output.hpp"

namespace culex::sniff {

// Defined next to their classes (fields_output.cpp, json_output.cpp).
std::unique_ptr<EventSink> make_fields_output(const OutputOptions& options, LineWriter& out, LineWriter& err);
std::unique_ptr<EventSink> make_json_output(const OutputOptions& options, LineWriter& out);

std::unique_ptr<EventSink> make_output(const OutputOptions& options, LineWriter& out, LineWriter& err) {
    switch (options.format) {
        case OutputFormat::fields:
            return make_fields_output(options, out, err);
        case OutputFormat::json:
            return make_json_output(options, out);
        case OutputFormat::text:
            break;
    }
    return std::make_unique<TextOutput>(out, options, true);
}

}  // namespace culex::sniff
