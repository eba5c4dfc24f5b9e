// Internal to SqliteStore: what happens to a damaged file (cut mid-write, a flipped page). Every row that
// still reads is copied into a fresh file; the damaged file is moved aside (PATH.damaged-<UTC time>), never
// deleted; the fresh file takes its place. What could not be read goes into the recovery report.
#pragma once

#include <expected>
#include <filesystem>

#include "store/recovery.hpp"
#include "store/store.hpp"

namespace culex::store::sqlite {

std::expected<void, StoreError> salvage(const std::filesystem::path& path, Recovery& recovery);

}  // namespace culex::store::sqlite
