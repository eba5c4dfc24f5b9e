// Internal to the stores: the one size limit they share (the largest topic, payload or properties value), so
// that both refuse the same commit with the same error.
#pragma once

#include <cstddef>

#include "store/batch.hpp"
#include "store/store.hpp"

namespace culex::store {

std::size_t largest_value(const Operation& operation);
StoreError value_too_large(std::size_t size, std::size_t limit);

}  // namespace culex::store
