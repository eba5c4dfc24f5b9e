// Shared fixtures for the pki unit tests: a fresh temporary directory per test, and shell helpers for the
// tests that make certificates the lab's way, with the openssl command.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace culex::pki::testing {

class TempDir : public ::testing::Test {
  protected:
    void SetUp() override {
        std::random_device random;
        root_ = std::filesystem::temp_directory_path() /
                ("culex-pki-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
        std::filesystem::create_directories(root_);
    }
    void TearDown() override { std::filesystem::remove_all(root_); }

    std::filesystem::path path(const std::string& name) const { return root_ / name; }
    const std::filesystem::path& root() const { return root_; }

    static bool have_openssl() { return std::system("openssl version >/dev/null 2>&1") == 0; }
    // Runs a shell command in the temporary directory; true when it exits 0.
    bool shell(const std::string& command) const {
        std::string line = "cd '" + root_.string() + "' && (" + command + ") >/dev/null 2>&1";
        return std::system(line.c_str()) == 0;
    }

    static unsigned permissions(const std::filesystem::path& p) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) return 0xFFFF;
        return st.st_mode & 0777;
    }

  private:
    std::filesystem::path root_;
};

}  // namespace culex::pki::testing
