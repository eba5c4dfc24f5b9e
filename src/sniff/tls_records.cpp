#include "sniff/tls_records.hpp"

#include <fmt/format.h>

#include <optional>

#include "sniff/tls_names.hpp"

namespace culex::sniff {

namespace {

constexpr std::uint8_t kChangeCipherSpec = 20;
constexpr std::uint8_t kAlert = 21;
constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kApplicationData = 23;
constexpr std::uint8_t kHeartbeat = 24;
constexpr std::size_t kRecordHeader = 5;
constexpr std::size_t kMaxRecord = 16'384 + 2'048;  // TLSCiphertext limit (RFC 5246 6.2.3)
constexpr std::size_t kMaxHandshakeBuffer = 1
                                            << 20;  // a certificate chain fits; garbage does not grow forever

constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;
constexpr std::uint8_t kCertificate = 11;
constexpr std::uint16_t kExtServerName = 0;
constexpr std::uint16_t kExtSupportedVersions = 43;

// A bounds-checked cursor: every read returns nullopt past the end, so truncated hellos are simply not
// reported.
class Cursor {
  public:
    explicit Cursor(std::string_view bytes) : bytes_(bytes) {}
    std::optional<std::uint32_t> number(int width) {
        if (bytes_.size() < static_cast<std::size_t>(width)) return std::nullopt;
        std::uint32_t value = 0;
        for (int i = 0; i < width; ++i)
            value = (value << 8) | static_cast<std::uint8_t>(bytes_[i]);
        bytes_.remove_prefix(width);
        return value;
    }
    std::optional<std::string_view> take(std::size_t size) {
        if (bytes_.size() < size) return std::nullopt;
        auto part = bytes_.substr(0, size);
        bytes_.remove_prefix(size);
        return part;
    }
    // A length-prefixed vector (the length `width` bytes wide).
    std::optional<std::string_view> vector(int width) {
        auto size = number(width);
        if (!size) return std::nullopt;
        return take(*size);
    }
    bool empty() const { return bytes_.empty(); }

  private:
    std::string_view bytes_;
};

std::optional<std::string> server_name(std::string_view extension) {
    Cursor list(extension);
    auto names = list.vector(2);
    if (!names) return std::nullopt;
    Cursor entries(*names);
    while (!entries.empty()) {
        auto type = entries.number(1);
        auto name = entries.vector(2);
        if (!type || !name) return std::nullopt;
        if (*type == 0) return std::string(*name);  // host_name
    }
    return std::nullopt;
}

std::optional<TlsObservation> client_hello(std::string_view body) {
    Cursor c(body);
    TlsObservation seen{.kind = TlsObservation::Kind::client_hello};
    if (!c.number(2) || !c.take(32) || !c.vector(1) || !c.vector(2) || !c.vector(1)) return std::nullopt;
    auto extensions = c.vector(2);
    if (!extensions) return seen;  // no extensions: an old client, no SNI
    Cursor e(*extensions);
    while (!e.empty()) {
        auto type = e.number(2);
        auto data = e.vector(2);
        if (!type || !data) break;
        if (*type == kExtServerName) seen.sni = server_name(*data).value_or("");
    }
    return seen;
}

std::optional<TlsObservation> server_hello(std::string_view body) {
    Cursor c(body);
    auto legacy_version = c.number(2);
    if (!legacy_version || !c.take(32) || !c.vector(1)) return std::nullopt;
    auto suite = c.number(2);
    if (!suite || !c.number(1)) return std::nullopt;
    std::uint16_t version = static_cast<std::uint16_t>(*legacy_version);
    if (auto extensions = c.vector(2)) {
        Cursor e(*extensions);
        while (!e.empty()) {
            auto type = e.number(2);
            auto data = e.vector(2);
            if (!type || !data) break;
            // TLS 1.3 says "1.2" in the legacy field and the truth in supported_versions (RFC 8446 4.1.3).
            if (*type == kExtSupportedVersions && data->size() == 2) {
                version = static_cast<std::uint16_t>((static_cast<std::uint8_t>((*data)[0]) << 8) |
                                                     static_cast<std::uint8_t>((*data)[1]));
            }
        }
    }
    TlsObservation seen{.kind = TlsObservation::Kind::server_hello};
    seen.version = tls_version_name(version);
    seen.cipher = cipher_suite_name(static_cast<std::uint16_t>(*suite));
    return seen;
}

std::optional<TlsObservation> certificates(std::string_view body) {
    Cursor c(body);
    auto list = c.vector(3);
    if (!list) return std::nullopt;
    TlsObservation seen{.kind = TlsObservation::Kind::certificate};
    Cursor entries(*list);
    while (!entries.empty()) {
        auto der = entries.vector(3);
        if (!der) break;
        seen.subjects.push_back(certificate_subject(*der).value_or("(unparsable certificate)"));
    }
    return seen;
}

std::string_view alert_name(std::uint8_t description) {
    switch (description) {
        case 0:
            return "close_notify";
        case 10:
            return "unexpected_message";
        case 20:
            return "bad_record_mac";
        case 40:
            return "handshake_failure";
        case 42:
            return "bad_certificate";
        case 43:
            return "unsupported_certificate";
        case 44:
            return "certificate_revoked";
        case 45:
            return "certificate_expired";
        case 46:
            return "certificate_unknown";
        case 47:
            return "illegal_parameter";
        case 48:
            return "unknown_ca";
        case 50:
            return "decode_error";
        case 51:
            return "decrypt_error";
        case 70:
            return "protocol_version";
        case 80:
            return "internal_error";
        case 112:
            return "unrecognized_name";
        case 116:
            return "certificate_required";
        case 120:
            return "no_application_protocol";
        default:
            return "alert";
    }
}

}  // namespace

bool looks_like_tls(std::string_view bytes) {
    if (bytes.size() < 3) return false;
    auto type = static_cast<std::uint8_t>(bytes[0]);
    return (type == kHandshake || type == kAlert) && bytes[1] == 0x03 &&
           static_cast<std::uint8_t>(bytes[2]) <= 4;
}

bool TlsRecordReader::feed(std::string_view bytes, std::vector<TlsObservation>& out) {
    if (broken_) return false;
    std::string_view input = bytes;
    if (!pending_.empty()) {
        pending_.append(bytes);
        input = pending_;
    }
    std::size_t used = 0;
    while (input.size() - used >= kRecordHeader) {
        auto type = static_cast<std::uint8_t>(input[used]);
        std::size_t length =
            (static_cast<std::uint8_t>(input[used + 3]) << 8) | static_cast<std::uint8_t>(input[used + 4]);
        bool known_type = type >= kChangeCipherSpec && type <= kHeartbeat;
        if (!known_type || input[used + 1] != 0x03 || length > kMaxRecord) {
            broken_ = true;
            pending_.clear();
            return false;
        }
        if (input.size() - used < kRecordHeader + length) break;
        record(type, input.substr(used + kRecordHeader, length), out);
        used += kRecordHeader + length;
    }
    if (input.data() == pending_.data()) {
        pending_.erase(0, used);
    } else {
        pending_.assign(input.substr(used));
    }
    return true;
}

void TlsRecordReader::record(std::uint8_t type, std::string_view body, std::vector<TlsObservation>& out) {
    switch (type) {
        case kChangeCipherSpec:
            encrypted_ = true;
            out.push_back({.kind = TlsObservation::Kind::change_cipher_spec, .bytes = body.size()});
            return;
        case kAlert: {
            TlsObservation seen{.kind = TlsObservation::Kind::alert, .bytes = body.size()};
            if (!encrypted_ && body.size() == 2) {
                auto level = static_cast<std::uint8_t>(body[0]);
                auto description = static_cast<std::uint8_t>(body[1]);
                seen.text = fmt::format("{} {} ({})", level == 2 ? "fatal" : "warning",
                                        alert_name(description), description);
            } else {
                seen.text = "encrypted";
            }
            out.push_back(std::move(seen));
            return;
        }
        case kHandshake:
            if (encrypted_) {
                out.push_back({.kind = TlsObservation::Kind::encrypted, .bytes = body.size()});
                return;
            }
            if (handshake_.size() + body.size() > kMaxHandshakeBuffer) {
                handshake_.clear();  // a message this large is not a hello: stop trying to read it
                return;
            }
            handshake_.append(body);
            handshake_messages(out);
            return;
        case kApplicationData:
        case kHeartbeat:
        default:
            out.push_back({.kind = TlsObservation::Kind::encrypted, .bytes = body.size()});
            return;
    }
}

void TlsRecordReader::handshake_messages(std::vector<TlsObservation>& out) {
    std::string_view rest = handshake_;
    while (rest.size() >= 4) {
        auto type = static_cast<std::uint8_t>(rest[0]);
        std::size_t length = (static_cast<std::uint8_t>(rest[1]) << 16) |
                             (static_cast<std::uint8_t>(rest[2]) << 8) | static_cast<std::uint8_t>(rest[3]);
        if (rest.size() < 4 + length) break;
        auto body = rest.substr(4, length);
        std::optional<TlsObservation> seen;
        if (type == kClientHello) seen = client_hello(body);
        if (type == kServerHello) seen = server_hello(body);
        if (type == kCertificate) seen = certificates(body);
        if (seen) {
            seen->bytes = length;
            out.push_back(std::move(*seen));
        }
        rest.remove_prefix(4 + length);
    }
    handshake_.erase(0, handshake_.size() - rest.size());
}

}  // namespace culex::sniff
