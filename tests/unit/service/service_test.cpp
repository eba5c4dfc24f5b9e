// The pid file (written, held while the broker runs, a stale one replaced, removed only if still ours), the
// user lookup behind `user`, and the watchdog's interval.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "service/pid_file.hpp"
#include "service/privileges.hpp"
#include "service/systemd_notifier.hpp"

namespace culex::service {
namespace {

namespace fs = std::filesystem;

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "culex-service-XXXXXX").string();
        path_ = mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path_); }
    fs::path operator/(std::string_view name) const { return path_ / name; }

  private:
    fs::path path_;
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(PidFile, WrittenWithThisPidAndRemoved) {
    TempDir dir;
    const auto path = dir / "culex.pid";
    {
        auto pid_file = PidFile::create(path);
        ASSERT_TRUE(pid_file) << pid_file.error();
        EXPECT_EQ(read_file(path), std::to_string(::getpid()) + "\n");
    }
    EXPECT_FALSE(fs::exists(path));
}

TEST(PidFile, HeldFileIsAnErrorNamingTheHolder) {
    TempDir dir;
    const auto path = dir / "culex.pid";
    auto first = PidFile::create(path);
    ASSERT_TRUE(first) << first.error();
    auto second = PidFile::create(path);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error(), "the pid file '" + path.string() +
                                  "' belongs to a running culex broker (process " +
                                  std::to_string(::getpid()) +
                                  "); stop that broker first, or give this one another pid_file");
    EXPECT_EQ(read_file(path), std::to_string(::getpid()) + "\n");  // untouched
}

TEST(PidFile, StaleFileIsReplaced) {
    TempDir dir;
    const auto path = dir / "culex.pid";
    // A process that has exited: its pid is free (until reused), and it holds no lock.
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    std::ofstream(path) << child << "\n999999999 trailing junk\n";
    auto pid_file = PidFile::create(path);
    ASSERT_TRUE(pid_file) << pid_file.error();
    EXPECT_EQ(read_file(path), std::to_string(::getpid()) + "\n");
}

TEST(PidFile, ReplacedFileIsNotRemoved) {
    TempDir dir;
    const auto path = dir / "culex.pid";
    auto pid_file = PidFile::create(path);
    ASSERT_TRUE(pid_file);
    fs::remove(path);
    std::ofstream(path) << "12345\n";  // someone else's now
    pid_file->remove();
    EXPECT_EQ(read_file(path), "12345\n");
}

TEST(PidFile, UnwritablePlaceSaysWhy) {
    auto pid_file = PidFile::create("/nonexistent-dir/culex.pid");
    ASSERT_FALSE(pid_file);
    EXPECT_EQ(
        pid_file.error(),
        "Unable to write pid file. Cannot open '/nonexistent-dir/culex.pid': No such file or directory; "
        "check that its directory exists and that this user may write to it");
}

TEST(PidFile, SymlinkIsRefused) {
    TempDir dir;
    const auto target = dir / "target";
    std::ofstream(target) << "keep\n";
    fs::create_symlink(target, dir / "culex.pid");
    auto pid_file = PidFile::create(dir / "culex.pid");
    ASSERT_FALSE(pid_file);
    EXPECT_EQ(read_file(target), "keep\n");
}

TEST(Privileges, UnknownUserIsAClearError) {
    auto user = find_user("culex-no-such-user");
    ASSERT_FALSE(user);
    EXPECT_EQ(user.error(),
              "Unable to drop privileges to 'culex-no-such-user' because this user does not exist. Create it "
              "(adduser --system --group culex-no-such-user) or name an existing user in the config's `user` "
              "line.");
}

TEST(Privileges, KnownUserIsFound) {
    auto root = find_user("root");
    ASSERT_TRUE(root) << root.error();
    EXPECT_EQ(root->uid, 0u);
    EXPECT_EQ(root->gid, 0u);
}

TEST(Privileges, NotRootChangesNothing) {
    if (::geteuid() == 0) GTEST_SKIP() << "checks the behaviour of a broker not started as root";
    const uid_t before = ::geteuid();
    EXPECT_TRUE(drop_privileges(std::string("root")));
    EXPECT_EQ(::geteuid(), before);
}

TEST(Watchdog, PingsAtHalfTheTimeout) {
    EXPECT_EQ(SystemdNotifier::watchdog_interval(30'000'000), std::chrono::microseconds(15'000'000));
    EXPECT_EQ(SystemdNotifier::watchdog_interval(3), std::chrono::microseconds(1));
}

}  // namespace
}  // namespace culex::service
