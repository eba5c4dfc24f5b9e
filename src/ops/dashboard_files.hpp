// The dashboard's files (src/ops/dashboard/), compiled into the binary by cmake/EmbedFiles.cmake: the
// broker serves them without reading the disk or the network.
#pragma once

#include <cstddef>
#include <string_view>

namespace culex::ops {

struct EmbeddedFile {
    std::string_view name;  // "index.html"
    std::string_view bytes;
};

extern const EmbeddedFile kDashboardFiles[];
extern const std::size_t kDashboardFileCount;

}  // namespace culex::ops
