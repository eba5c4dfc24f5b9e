// --report DIR: the transcript as DIR/lab.md, and beside it the files it talks about (the pcap of each
// capture, readable by Wireshark and tshark, and the certificates; never a private key).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lab/error.hpp"

namespace culex::lab {

struct ReportFile {
    std::filesystem::path source;
    std::string name;  // relative to the report directory: "captures/plain.pcap"
};

// Creates `directory` if needed, writes lab.md and copies `files` (replacing older copies). Refuses names
// that climb out of the directory.
Result<void> write_report(const std::filesystem::path& directory, std::string_view markdown,
                          const std::vector<ReportFile>& files);

}  // namespace culex::lab
