#include "auth/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "unit/auth/temp_dir.hpp"

namespace culex::auth {
namespace {

using testing::file_mode;
using testing::read_file;
using testing::TempDir;

std::size_t entries_in(const std::filesystem::path& dir) {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

TEST(AtomicFile, NewFileIsOwnerOnlyWhateverTheUmask) {
    TempDir dir;
    mode_t old_umask = ::umask(0);
    auto written = write_file_atomically(dir / "f", "secret\n");
    ::umask(old_umask);
    ASSERT_TRUE(written) << written.error().message;
    EXPECT_EQ(read_file(dir / "f"), "secret\n");
    EXPECT_EQ(file_mode(dir / "f"), 0600u);
    EXPECT_EQ(entries_in(dir.path()), 1u);  // no temporary file left behind
}

TEST(AtomicFile, ReplacesContentKeepsGroupAccessDropsOthers) {
    TempDir dir;
    testing::write_file(dir / "f", "old\n");
    ::chmod((dir / "f").c_str(), 0644);
    ASSERT_TRUE(write_file_atomically(dir / "f", "new\n"));
    EXPECT_EQ(read_file(dir / "f"), "new\n");
    EXPECT_EQ(file_mode(dir / "f"), 0640u);

    ::chmod((dir / "f").c_str(), 0600);
    ASSERT_TRUE(write_file_atomically(dir / "f", "newer\n"));
    EXPECT_EQ(file_mode(dir / "f"), 0600u);
    EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, FollowsSymlinkToItsTarget) {
    TempDir dir;
    testing::write_file(dir / "real", "old\n");
    std::filesystem::create_symlink(dir / "real", dir / "link");
    ASSERT_TRUE(write_file_atomically(dir / "link", "new\n"));
    EXPECT_TRUE(std::filesystem::is_symlink(dir / "link"));
    EXPECT_EQ(read_file(dir / "real"), "new\n");
}

TEST(AtomicFile, ErrorReadsLikeMosquittos) {
    TempDir dir;
    auto path = dir / "missing" / "f";
    auto written = write_file_atomically(path, "x");
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().message,
              "Unable to open file " + path.string() + " for writing. No such file or directory.");
}

}  // namespace
}  // namespace culex::auth
