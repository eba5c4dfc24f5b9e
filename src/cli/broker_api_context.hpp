// What `culex broker` tells the admin API about its configuration: listeners, bridges, and how to reload.
#pragma once

#include <string_view>

#include "config/config.hpp"
#include "ops/api_context.hpp"

namespace culex::cli {

ops::ApiContext api_context(const config::Config& config, std::string_view version);

}  // namespace culex::cli
