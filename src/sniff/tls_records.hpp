// Reading one direction of a TLS connection without keys: the record layer, and the handshake messages that
// still cross in clear (ClientHello with SNI, ServerHello with version and cipher suite, and up to TLS 1.2
// the certificates). Everything else is counted, not read: that is the point TLS makes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace culex::sniff {

struct TlsObservation {
    enum class Kind : std::uint8_t {
        client_hello,  // sni
        server_hello,  // version, cipher
        certificate,   // subjects (TLS 1.2 and older: in clear)
        change_cipher_spec,
        alert,      // text: "fatal handshake_failure (40)" in clear, or "encrypted"
        encrypted,  // bytes: an encrypted record (application data, or TLS 1.3's encrypted handshake)
    };
    Kind kind = Kind::encrypted;
    std::size_t bytes = 0;  // the record's length
    std::string sni;
    std::string version;
    std::string cipher;
    std::vector<std::string> subjects;
    std::string text;
};

// Whether `bytes` (the first bytes of a connection, at least 3) look like a TLS record.
bool looks_like_tls(std::string_view bytes);

class TlsRecordReader {
  public:
    // Feeds the next bytes of the direction. Appends what the complete records show to `out`. Returns false
    // once the bytes are not TLS (bad record header); the reader then ignores the rest.
    bool feed(std::string_view bytes, std::vector<TlsObservation>& out);

  private:
    void record(std::uint8_t type, std::string_view body, std::vector<TlsObservation>& out);
    void handshake_messages(std::vector<TlsObservation>& out);

    std::string pending_;     // an incomplete record
    std::string handshake_;   // handshake bytes not yet a complete message (a Certificate spans records)
    bool encrypted_ = false;  // after this direction's ChangeCipherSpec, handshake records are encrypted
    bool broken_ = false;
};

}  // namespace culex::sniff
