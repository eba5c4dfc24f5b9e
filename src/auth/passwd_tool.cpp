#include "auth/passwd_tool.hpp"

#include <openssl/crypto.h>

#include <charconv>
#include <climits>

#include "auth/password_file_editor.hpp"

namespace culex::auth {

namespace {

constexpr std::size_t kMaxPassword = 65535;

void print_usage(std::ostream& out) {
    out << "culex passwd manages password files for culex and Mosquitto brokers.\n\n"
           "Usage: culex passwd [-H sha512-pbkdf2 | -H sha512] [-I ITERATIONS] [-c | -D] FILE USER\n"
           "       culex passwd [-H sha512-pbkdf2 | -H sha512] [-I ITERATIONS] [-c] -b FILE USER PASSWORD\n"
           "       culex passwd [-I ITERATIONS] -U FILE\n"
           " -b : batch mode: the password is the last argument (it lands in shell history: prefer the "
           "prompt).\n"
           " -c : create FILE holding just this user, replacing FILE if it exists.\n"
           " -D : delete USER from FILE.\n"
           " -H : the hash: sha512-pbkdf2 (the default) or sha512 (only for Mosquitto 1.x brokers, far "
           "weaker).\n"
           " -I : PBKDF2 iterations (default "
        << kDefaultIterations
        << "; mosquitto_passwd 2.0 writes 101).\n"
           " -U : hash the plain-text passwords in FILE (lines already hashed stay as they are).\n"
           "Without -b the password is asked twice, without echo. FILE is replaced atomically; a new FILE "
           "is\n"
           "readable by its owner only.\n";
}

// Overwrites a password in memory once it is no longer needed.
class SecretWiper {
  public:
    explicit SecretWiper(std::string& secret) : secret_(secret) {}
    SecretWiper(const SecretWiper&) = delete;
    SecretWiper& operator=(const SecretWiper&) = delete;
    ~SecretWiper() { OPENSSL_cleanse(secret_.data(), secret_.size()); }

  private:
    std::string& secret_;
};

struct Request {
    bool batch = false;
    bool create = false;
    bool remove = false;
    bool upgrade = false;
    HashOptions hash;
    std::string file;
    std::string username;
    std::optional<std::string> password;
};

// Parses like mosquitto_passwd: options first, the first other argument ends them. Returns an exit code when
// the command must stop here.
std::optional<int> parse_request(std::span<const std::string> args, PasswdIo& io, Request& request) {
    if (args.empty()) {
        print_usage(io.out);
        return 1;
    }
    std::size_t index = 0;
    for (; index < args.size(); ++index) {
        const std::string& arg = args[index];
        if (arg == "-H") {
            if (index + 1 == args.size()) {
                io.err << "Error: -H argument given but not enough other arguments.\n";
                return 1;
            }
            const std::string& name = args[++index];
            if (name == "sha512") {
                request.hash.algorithm = HashAlgorithm::sha512;
            } else if (name == "sha512-pbkdf2") {
                request.hash.algorithm = HashAlgorithm::sha512_pbkdf2;
            } else {
                io.err << "Error: Unknown hash type '" << name << "'\n";
                return 1;
            }
        } else if (arg == "-I") {
            if (index + 1 == args.size()) {
                io.err << "Error: -I argument given but not enough other arguments.\n";
                return 1;
            }
            const std::string& text = args[++index];
            std::uint32_t iterations = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), iterations);
            if (ec != std::errc() || end != text.data() + text.size() || iterations < 1 ||
                iterations > INT_MAX) {
                io.err << "Error: Number of iterations must be > 0.\n";
                return 1;
            }
            request.hash.iterations = iterations;
        } else if (arg == "-b") {
            request.batch = true;
        } else if (arg == "-c") {
            request.create = true;
        } else if (arg == "-D") {
            request.remove = true;
        } else if (arg == "-U") {
            request.upgrade = true;
        } else if (arg == "--help") {
            print_usage(io.out);
            return 0;
        } else if (arg == "--") {
            ++index;
            break;
        } else if (arg.size() > 1 && arg.starts_with('-')) {
            io.err << "Error: Unknown option '" << arg << "'.\n";
            print_usage(io.out);
            return 1;
        } else {
            break;
        }
    }

    if (request.create && request.remove) {
        io.err << "Error: -c and -D cannot be used together.\n";
        return 1;
    }
    if (request.create && request.upgrade) {
        io.err << "Error: -c and -U cannot be used together.\n";
        return 1;
    }
    if (request.remove && request.upgrade) {
        io.err << "Error: -D and -U cannot be used together.\n";
        return 1;
    }
    if (request.remove && request.batch) {
        io.err << "Error: -b and -D cannot be used together.\n";
        return 1;
    }

    auto positional = args.subspan(index);
    // mosquitto_passwd ignores arguments beyond those it needs; a password with an unquoted space would then
    // be cut short without a word, so extra arguments are refused here.
    std::size_t wanted = request.upgrade ? 1 : request.batch ? 3 : 2;
    if (positional.size() != wanted) {
        if (positional.size() < wanted) {
            if (request.create) {
                io.err
                    << (request.batch
                            ? "Error: -c argument given but password file, username, or password missing.\n"
                            : "Error: -c argument given but password file or username missing.\n");
                return 1;
            }
            if (request.remove) {
                io.err << "Error: -D argument given but password file or username missing.\n";
                return 1;
            }
        }
        if (request.upgrade) {
            io.err << "Error: -U argument given but password file missing.\n";
            return 1;
        }
        print_usage(io.out);
        return 1;
    }
    request.file = positional[0];
    if (request.upgrade) return std::nullopt;

    request.username = positional[1];
    if (auto valid = check_username(request.username); !valid) {
        io.err << "Error: " << valid.error().message << "\n";
        return 1;
    }
    if (request.batch) {
        request.password = positional[2];
        if (request.password->size() > kMaxPassword) {
            io.err << "Error: Password must be less than 65536 characters long.\n";
            return 1;
        }
        // mosquitto_passwd accepts "" here; a user whose password is empty is one anybody can be.
        if (request.password->empty()) {
            io.err << "Error: Empty password.\n";
            return 1;
        }
    }
    return std::nullopt;
}

// Asks twice. Returns an exit code when the two answers cannot be used.
std::optional<int> ask_new_password(PasswdIo& io, std::string& password) {
    auto first = io.read_secret("Password: ");
    std::string first_text = first.value_or("");
    SecretWiper wipe_first(first_text);
    if (first_text.empty()) {
        io.err << "Error: Empty password.\n";
        return 1;
    }
    auto second = io.read_secret("Reenter password: ");
    std::string second_text = second.value_or("");
    SecretWiper wipe_second(second_text);
    if (second_text.empty()) {
        io.err << "Error: Empty password.\n";
        return 1;
    }
    if (first_text != second_text) {
        io.err << "Error: Passwords do not match.\n";
        return 2;
    }
    if (first_text.size() > kMaxPassword) {
        io.err << "Error: Password must be less than 65536 characters long.\n";
        return 1;
    }
    password = first_text;
    return std::nullopt;
}

int report(PasswdIo& io, const Result<void>& result) {
    if (result) return 0;
    io.err << "Error: " << result.error().message << "\n";
    return 1;
}

}  // namespace

int run_passwd(std::span<const std::string> args, PasswdIo& io) {
    Request request;
    if (auto stop = parse_request(args, io, request)) return *stop;

    std::string password = request.password.value_or("");
    SecretWiper wipe(password);

    if (request.create) {
        if (!request.batch) {
            if (auto stop = ask_new_password(io, password)) return *stop;
        }
        PasswordFileEditor editor;
        if (auto set = editor.set_password(request.username, password, request.hash); !set)
            return report(io, set);
        return report(io, editor.save(request.file));
    }

    auto editor = PasswordFileEditor::open(request.file);
    if (!editor) {
        io.err << "Error: " << editor.error().message << "\n";
        return 1;
    }
    if (request.remove) {
        if (!editor->remove_user(request.username)) {
            io.err << "Warning: User " << request.username << " not found in password file.\n";
            return 1;
        }
        return report(io, editor->save(request.file));
    }
    if (request.upgrade) {
        auto hashed = editor->hash_plaintext(request.hash);
        if (!hashed) return report(io, std::unexpected(hashed.error()));
        return report(io, editor->save(request.file));
    }
    if (!request.batch) {
        if (auto stop = ask_new_password(io, password)) return *stop;
    }
    if (auto set = editor->set_password(request.username, password, request.hash); !set)
        return report(io, set);
    return report(io, editor->save(request.file));
}

}  // namespace culex::auth
