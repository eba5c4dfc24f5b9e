#include "auth/passwd_tool.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <sstream>

#include "auth/password_file.hpp"
#include "unit/auth/temp_dir.hpp"

namespace culex::auth {
namespace {

using testing::read_file;
using testing::TempDir;

// Runs `culex passwd` in-process with typed answers for the prompts; keeps what it printed.
struct PasswdRun {
    std::ostringstream out;
    std::ostringstream err;
    std::deque<std::optional<std::string>> answers;
    std::vector<std::string> prompts;
    int code = -1;

    PasswdRun& operator()(std::vector<std::string> args) {
        PasswdIo io{out, err, [this](std::string_view prompt) -> std::optional<std::string> {
                        prompts.emplace_back(prompt);
                        if (answers.empty()) return std::nullopt;
                        auto answer = answers.front();
                        answers.pop_front();
                        return answer;
                    }};
        code = run_passwd(args, io);
        return *this;
    }
};

class PasswdTool : public ::testing::Test {
  protected:
    TempDir dir;
    std::string file = (dir / "passwd").string();

    PasswordFile load() {
        auto loaded = PasswordFile::load(file);
        EXPECT_TRUE(loaded) << loaded.error().message;
        return loaded ? std::move(*loaded) : PasswordFile{};
    }
};

TEST_F(PasswdTool, CreateInBatchModeWritesAnOwnerOnlyFileTheBrokerAccepts) {
    PasswdRun run;
    run({"-I", "1000", "-c", "-b", file, "alice", "pa ss"});
    EXPECT_EQ(run.code, 0) << run.err.str();
    EXPECT_EQ(run.err.str(), "");
    EXPECT_EQ(testing::file_mode(file), 0600u);
    EXPECT_TRUE(read_file(file).starts_with("alice:$7$1000$"));
    auto passwords = load();
    EXPECT_TRUE(passwords.verify("alice", "pa ss"));
    EXPECT_FALSE(passwords.verify("alice", "pass"));
}

TEST_F(PasswdTool, DefaultHashIsPbkdf2AtTheDefaultIterationCount) {
    PasswdRun run;
    run({"-c", "-b", file, "alice", "pw"});
    EXPECT_EQ(run.code, 0);
    EXPECT_TRUE(read_file(file).starts_with("alice:$7$" + std::to_string(kDefaultIterations) + "$"));
}

TEST_F(PasswdTool, Sha512OnRequest) {
    PasswdRun run;
    run({"-H", "sha512", "-c", "-b", file, "old", "pw"});
    EXPECT_EQ(run.code, 0);
    EXPECT_TRUE(read_file(file).starts_with("old:$6$"));
    EXPECT_TRUE(load().verify("old", "pw"));
}

TEST_F(PasswdTool, PromptsTwiceAndNeverPrintsThePassword) {
    PasswdRun run;
    run.answers = {"typed secret", "typed secret"};
    run({"-I", "1000", "-c", file, "alice"});
    EXPECT_EQ(run.code, 0) << run.err.str();
    EXPECT_EQ(run.prompts, (std::vector<std::string>{"Password: ", "Reenter password: "}));
    EXPECT_EQ(run.out.str().find("typed secret"), std::string::npos);
    EXPECT_EQ(run.err.str().find("typed secret"), std::string::npos);
    EXPECT_EQ(read_file(file).find("typed secret"), std::string::npos);
    EXPECT_TRUE(load().verify("alice", "typed secret"));
}

TEST_F(PasswdTool, MismatchedPasswordsExitTwoAndWriteNothing) {
    PasswdRun run;
    run.answers = {"one", "two"};
    run({"-c", file, "alice"});
    EXPECT_EQ(run.code, 2);
    EXPECT_EQ(run.err.str(), "Error: Passwords do not match.\n");
    EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(PasswdTool, EmptyOrMissingAnswerIsAnEmptyPassword) {
    for (auto answers : {std::deque<std::optional<std::string>>{""}, std::deque<std::optional<std::string>>{},
                         std::deque<std::optional<std::string>>{"x", std::nullopt}}) {
        PasswdRun run;
        run.answers = answers;
        run({"-c", file, "alice"});
        EXPECT_EQ(run.code, 1);
        EXPECT_EQ(run.err.str(), "Error: Empty password.\n");
    }
    PasswdRun batch;
    batch({"-c", "-b", file, "alice", ""});
    EXPECT_EQ(batch.code, 1);
    EXPECT_EQ(batch.err.str(), "Error: Empty password.\n");
    EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(PasswdTool, UpdatesAddsAndDeletesInAnExistingFile) {
    testing::write_file(file, "# managed by hand\nalice:old\n");
    PasswdRun add;
    add({"-I", "1000", "-b", file, "bob", "b"});
    EXPECT_EQ(add.code, 0) << add.err.str();
    PasswdRun change;
    change.answers = {"new-a", "new-a"};
    change({"-I", "1000", file, "alice"});
    EXPECT_EQ(change.code, 0) << change.err.str();
    auto passwords = load();
    EXPECT_TRUE(passwords.verify("alice", "new-a"));
    EXPECT_TRUE(passwords.verify("bob", "b"));
    EXPECT_TRUE(read_file(file).starts_with("# managed by hand\n"));

    PasswdRun remove;
    remove({"-D", file, "alice"});
    EXPECT_EQ(remove.code, 0) << remove.err.str();
    EXPECT_FALSE(load().has_user("alice"));
    EXPECT_TRUE(load().has_user("bob"));
}

TEST_F(PasswdTool, DeletingAnUnknownUserWarnsAndLeavesTheFile) {
    testing::write_file(file, "alice:x\n");
    PasswdRun run;
    run({"-D", file, "nobody"});
    EXPECT_EQ(run.code, 1);
    EXPECT_EQ(run.err.str(), "Warning: User nobody not found in password file.\n");
    EXPECT_EQ(read_file(file), "alice:x\n");
}

TEST_F(PasswdTool, UpgradeHashesPlainTextOnly) {
    testing::write_file(file, "alice:wonderland\n");
    PasswdRun first;
    first({"-I", "1000", "-U", file});
    EXPECT_EQ(first.code, 0) << first.err.str();
    auto after_first = read_file(file);
    PasswdRun second;
    second({"-U", file});  // mosquitto_passwd would hash the hash here and lock alice out
    EXPECT_EQ(second.code, 0);
    EXPECT_EQ(read_file(file), after_first);
    EXPECT_TRUE(load().verify("alice", "wonderland"));
}

TEST_F(PasswdTool, CorruptFileIsRefusedAndLeftAsItWas) {
    testing::write_file(file, "alice:x\ngarbage\n");
    PasswdRun run;
    run({"-b", file, "bob", "b"});
    EXPECT_EQ(run.code, 1);
    EXPECT_TRUE(run.err.str().starts_with("Error: Corrupt password file at line 2")) << run.err.str();
    EXPECT_EQ(read_file(file), "alice:x\ngarbage\n");
}

TEST_F(PasswdTool, MissingFileWithoutCreate) {
    PasswdRun run;
    run({"-b", file, "alice", "a"});
    EXPECT_EQ(run.code, 1);
    EXPECT_EQ(run.err.str(),
              "Error: Unable to open password file " + file + ". No such file or directory.\n");
}

TEST_F(PasswdTool, UnwritableLocation) {
    auto path = (dir / "no-such-dir" / "passwd").string();
    PasswdRun run;
    run({"-I", "1000", "-c", "-b", path, "alice", "a"});
    EXPECT_EQ(run.code, 1);
    EXPECT_EQ(run.err.str(),
              "Error: Unable to open file " + path + " for writing. No such file or directory.\n");
}

TEST_F(PasswdTool, MisuseMessagesAndExitCodesAreMosquittos) {
    struct Case {
        std::vector<std::string> args;
        std::string err;  // empty: prints the usage on stdout
    };
    const Case cases[] = {
        {{}, ""},
        {{"-c", "-D", "f", "u"}, "Error: -c and -D cannot be used together.\n"},
        {{"-c", "-U", "f"}, "Error: -c and -U cannot be used together.\n"},
        {{"-D", "-U", "f"}, "Error: -D and -U cannot be used together.\n"},
        {{"-b", "-D", "f", "u"}, "Error: -b and -D cannot be used together.\n"},
        {{"-c", "f"}, "Error: -c argument given but password file or username missing.\n"},
        {{"-c", "-b", "f", "u"},
         "Error: -c argument given but password file, username, or password missing.\n"},
        {{"-D", "f"}, "Error: -D argument given but password file or username missing.\n"},
        {{"-U"}, "Error: -U argument given but password file missing.\n"},
        {{"-U", "f", "extra"}, "Error: -U argument given but password file missing.\n"},
        {{"-H"}, "Error: -H argument given but not enough other arguments.\n"},
        {{"-H", "md5", "f", "u"}, "Error: Unknown hash type 'md5'\n"},
        {{"-I", "0", "f", "u"}, "Error: Number of iterations must be > 0.\n"},
        {{"-I", "many", "f", "u"}, "Error: Number of iterations must be > 0.\n"},
        {{"-b", "f", "u:x", "p"}, "Error: Username must not contain the ':' character.\n"},
        {{"-b", "f", "u\x01", "p"}, "Error: Username must not contain control characters.\n"},
        {{"-b", "f", "u", std::string(65536, 'p')},
         "Error: Password must be less than 65536 characters long.\n"},
        {{"f"}, ""},
        {{"f", "u", "extra"}, ""},
        {{"-b", "f", "u"}, ""},
        {{"-b", "f", "u", "p", "extra"}, ""},
    };
    for (const auto& c : cases) {
        PasswdRun run;
        run(c.args);
        std::string joined;
        for (const auto& a : c.args)
            joined += a.substr(0, 20) + " ";
        EXPECT_EQ(run.code, 1) << joined;
        if (c.err.empty()) {
            EXPECT_NE(run.out.str().find("Usage: culex passwd"), std::string::npos) << joined;
        } else {
            EXPECT_EQ(run.err.str(), c.err) << joined;
        }
        EXPECT_TRUE(run.prompts.empty()) << joined;
    }
    EXPECT_FALSE(std::filesystem::exists("f"));
}

TEST_F(PasswdTool, UnknownOptionIsNamed) {
    PasswdRun run;
    run({"-x", file, "u"});
    EXPECT_EQ(run.code, 1);
    EXPECT_EQ(run.err.str(), "Error: Unknown option '-x'.\n");
}

TEST_F(PasswdTool, DoubleDashEndsOptions) {
    PasswdRun run;
    run({"-I", "1000", "-c", "-b", "--", file, "-dash-user", "p"});
    EXPECT_EQ(run.code, 0) << run.err.str();
    EXPECT_TRUE(load().verify("-dash-user", "p"));
}

}  // namespace
}  // namespace culex::auth
