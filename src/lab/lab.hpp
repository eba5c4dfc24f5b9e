// `culex lab` as one library call: checks the privileges, makes the two hosts, runs the steps (all, or one),
// writes the report, and removes everything it made, on every path out (a failed step, Ctrl-C, SIGTERM).
#pragma once

#include <cstdio>
#include <string>

namespace culex::lab {

struct LabOptions {
    std::string culex;                // this binary; the CLI passes readlink(/proc/self/exe)
    bool pause_before_steps = false;  // --step
    std::string only;                 // --only NAME
    bool keep = false;                // --keep: leave the namespaces and the files, say how to enter them
    std::string report_dir;           // --report DIR
    std::FILE* out = stdout;          // the live transcript
    std::FILE* in = stdin;            // Enter, with --step
};

// The exit code: 0 when every step did what it should, 1 when one failed, 2 when the lab could not start
// (privileges, a bad option), 130 when interrupted.
int run_lab(const LabOptions& options);

}  // namespace culex::lab
