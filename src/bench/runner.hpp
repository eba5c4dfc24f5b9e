// culex bench's entry point: runs one scenario against a broker and returns what it measured.
//
//   auto result = culex::bench::run(options, [](const Progress& p) { ... });  // progress about once a second
//
// The run connects every client (subscribers subscribe), starts publishing, stops after the duration or the
// count, waits (bounded) for messages still in flight, disconnects, and reports. Errors are values: a broker
// that refuses, closes a connection or cannot be reached ends the run with a message that says why.
#pragma once

#include <expected>
#include <functional>

#include "base/error.hpp"
#include "bench/options.hpp"
#include "bench/report.hpp"

namespace culex::bench {

using ProgressSink = std::function<void(const Progress&)>;

std::expected<Result, Error> run(const Options& options, const ProgressSink& progress = {});

}  // namespace culex::bench
