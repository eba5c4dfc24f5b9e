// libFuzzer target for sniff's TLS record reader (src/sniff/tls_records): the input is one direction of a
// connection. Fed whole and fed in fuzzer-chosen chunks, it must give the same observations and the same
// verdict; no observation may claim more bytes than a record can hold; once the reader says "not TLS" it
// must keep saying so.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "invariant.hpp"
#include "sniff/tls_records.hpp"

namespace {

using culex::fuzz::check;
using culex::sniff::TlsObservation;
using culex::sniff::TlsRecordReader;

constexpr const char* kTarget = "tls_records_fuzz";
constexpr std::size_t kMaxRecordBody = 16'384 + 2'048;

struct Outcome {
    bool tls = true;
    std::vector<TlsObservation> seen;
};

Outcome read_all(const std::vector<std::string_view>& pieces) {
    TlsRecordReader reader;
    Outcome out;
    for (auto piece : pieces) {
        if (!reader.feed(piece, out.seen)) {
            out.tls = false;
            check(!reader.feed("\x16\x03\x03\x00\x00", out.seen), kTarget, "a reader that gave up reads on");
            break;
        }
    }
    return out;
}

bool same(const TlsObservation& a, const TlsObservation& b) {
    return a.kind == b.kind && a.bytes == b.bytes && a.sni == b.sni && a.version == b.version &&
           a.cipher == b.cipher && a.subjects == b.subjects && a.text == b.text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    (void)culex::sniff::looks_like_tls(input);
    auto whole = read_all({input});
    auto chunked = read_all(culex::fuzz::chunks(input, input.substr(input.size() / 2, 8)));
    check(whole.tls == chunked.tls, kTarget, "the verdict depends on how the bytes arrive");
    check(whole.seen.size() == chunked.seen.size(), kTarget,
          "the number of observations depends on how the bytes arrive");
    for (std::size_t i = 0; i < whole.seen.size(); ++i) {
        check(same(whole.seen[i], chunked.seen[i]), kTarget,
              "an observation depends on how the bytes arrive");
        const auto& o = whole.seen[i];
        bool handshake = o.kind == TlsObservation::Kind::client_hello ||
                         o.kind == TlsObservation::Kind::server_hello ||
                         o.kind == TlsObservation::Kind::certificate;
        // Handshake messages may span records; anything else is one record's body.
        check(handshake ? o.bytes <= input.size() : o.bytes <= kMaxRecordBody, kTarget,
              "an observation larger than what was read");
        if (o.kind == TlsObservation::Kind::alert) check(!o.text.empty(), kTarget, "an alert without text");
    }
    return 0;
}
