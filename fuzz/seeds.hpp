// The seed writers of make_seeds, one per family of binary inputs; each writes files into a directory that
// exists. Text inputs have their seeds in fuzz/corpus/NAME/ instead.
#pragma once

#include <string>

namespace culex::fuzz {

void write_file(const std::string& path, const std::string& bytes);

void write_codec_seeds(const std::string& dir);       // make_seeds.cpp
void write_reassembly_seeds(const std::string& dir);  // seeds_capture.cpp
void write_tls_seeds(const std::string& dir);         // seeds_capture.cpp
void write_websocket_seeds(const std::string& dir);   // seeds_capture.cpp
void write_broker_seeds(const std::string& dir);      // seeds_broker.cpp

}  // namespace culex::fuzz
