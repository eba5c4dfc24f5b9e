#include "tls/doctor_connect.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include <fmt/format.h>

#include <algorithm>

#include "pki/builder.hpp"
#include "pki/pem.hpp"
#include "pki/verify.hpp"
#include "protocol/codec.hpp"
#include "tls/explain.hpp"
#include "tls/server_context.hpp"

namespace culex::tls {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Runs the io_context until `done` or the deadline; false on timeout (pending operations are then cancelled
// by the caller closing its socket).
bool run_until(asio::io_context& io, const bool& done, std::chrono::milliseconds timeout) {
    io.restart();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done) {
        auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) return false;
        if (io.run_one_for(left) == 0 && io.stopped()) return done;
    }
    return true;
}

std::string connack_words(protocol::ReasonCode reason) {
    switch (protocol::to_connect_return_code(reason)) {
        case protocol::ConnectReturnCode::accepted:
            return "Connection Accepted.";
        case protocol::ConnectReturnCode::unacceptable_protocol_version:
            return "Connection Refused: unacceptable protocol version.";
        case protocol::ConnectReturnCode::identifier_rejected:
            return "Connection Refused: identifier rejected.";
        case protocol::ConnectReturnCode::server_unavailable:
            return "Connection Refused: broker unavailable.";
        case protocol::ConnectReturnCode::bad_username_or_password:
            return "Connection Refused: bad user name or password.";
        case protocol::ConnectReturnCode::not_authorized:
            return "Connection Refused: not authorised.";
    }
    return "Connection Refused: unknown reason.";
}

std::string connect_packet(const ConnectOptions& options) {
    protocol::Connect connect;
    connect.client_id = options.client_id;
    connect.keep_alive = 30;
    connect.username = options.username;
    connect.password = options.password;
    std::string out;
    protocol::encode(protocol::Packet(connect), protocol::ProtocolVersion::v311, out);
    return out;
}

// Reads until a CONNACK frame is complete; returns the decoded packet or the error that stopped it.
template <typename Stream>
std::expected<protocol::Connack, boost::system::error_code> read_connack(asio::io_context& io, Stream& stream,
                                                                         std::chrono::milliseconds timeout,
                                                                         std::string& problem) {
    std::string input;
    char buffer[512];
    for (;;) {
        auto frame = protocol::next_frame(input);
        if (frame && *frame) {
            auto packet = protocol::decode(**frame, protocol::ProtocolVersion::v311);
            if (packet && std::holds_alternative<protocol::Connack>(*packet))
                return std::get<protocol::Connack>(*packet);
            problem = packet ? "the broker answered CONNECT with something other than CONNACK"
                             : "the broker's answer is not MQTT: " + packet.error().message;
            return std::unexpected(boost::system::error_code());
        }
        if (!frame) {
            problem = "the broker's answer is not MQTT: " + frame.error().message;
            return std::unexpected(boost::system::error_code());
        }
        bool done = false;
        boost::system::error_code error;
        std::size_t n = 0;
        stream.async_read_some(asio::buffer(buffer),
                               [&](const boost::system::error_code& ec, std::size_t got) {
                                   error = ec;
                                   n = got;
                                   done = true;
                               });
        if (!run_until(io, done, timeout)) {
            problem = fmt::format("no CONNACK within {} ms", timeout.count());
            return std::unexpected(asio::error::timed_out);
        }
        if (error) return std::unexpected(error);
        input.append(buffer, n);
    }
}

class Doctor {
  public:
    explicit Doctor(const ConnectOptions& options) : o_(options) {}

    ConnectReport run() {
        auto endpoint = connect_tcp();
        if (!endpoint) return std::move(report_);
        tls_session();
        return std::move(report_);
    }

  private:
    void step(std::string name, bool ok, std::string detail, std::string fix = "") {
        report_.steps.push_back({std::move(name), ok, std::move(detail), std::move(fix)});
    }

    std::optional<tcp::socket> open_tcp(bool report) {
        boost::system::error_code ec;
        tcp::resolver resolver(io_);
        auto results = resolver.resolve(o_.host, std::to_string(o_.port), ec);
        if (ec) {
            if (report)
                step("TCP", false, fmt::format("cannot resolve \"{}\": {}", o_.host, ec.message()),
                     "check the host name");
            return std::nullopt;
        }
        tcp::socket socket(io_);
        bool done = false;
        boost::system::error_code error;
        tcp::endpoint reached;
        asio::async_connect(socket, results,
                            [&](const boost::system::error_code& e, const tcp::endpoint& at) {
                                error = e;
                                reached = at;
                                done = true;
                            });
        if (!run_until(io_, done, o_.timeout)) {
            socket.close(ec);
            run_until(io_, done, o_.timeout);
            if (report) {
                step("TCP", false,
                     fmt::format("no answer from {}:{} within {} ms", o_.host, o_.port, o_.timeout.count()),
                     "check that the broker runs and that no firewall drops the port");
            }
            return std::nullopt;
        }
        if (error) {
            if (report) {
                step("TCP", false, fmt::format("{}:{}: {}", o_.host, o_.port, error.message()),
                     error == asio::error::connection_refused
                         ? "nothing listens on that port: check the broker's listener lines and that it runs"
                         : "check the address and the network");
            }
            return std::nullopt;
        }
        if (report)
            step("TCP", true,
                 fmt::format("connected to {}:{}", reached.address().to_string(), reached.port()));
        return socket;
    }

    std::optional<tcp::endpoint> connect_tcp() {
        auto socket = open_tcp(true);
        if (!socket) return std::nullopt;
        auto at = socket->remote_endpoint();
        socket_.emplace(std::move(*socket));
        return at;
    }

    // After a failed handshake that looks like "not TLS": is it a plain MQTT listener?
    void try_plain_mqtt() {
        auto socket = open_tcp(false);
        if (!socket) return;
        auto packet = connect_packet(o_);
        bool done = false;
        boost::system::error_code error;
        asio::async_write(*socket, asio::buffer(packet),
                          [&](const boost::system::error_code& e, std::size_t) {
                              error = e;
                              done = true;
                          });
        if (!run_until(io_, done, o_.timeout) || error) return;
        std::string problem;
        auto connack = read_connack(io_, *socket, o_.timeout, problem);
        boost::system::error_code ignored;
        socket->close(ignored);
        if (connack) {
            step("plain MQTT", true,
                 fmt::format("port {} answers MQTT without TLS (CONNACK: {}): it is a plain listener",
                             o_.port, connack_words(connack->reason)),
                 "use the broker's TLS port for TLS, or connect without TLS options to this one");
        }
    }

    void tls_session() {
        auto context = make_client_context(o_.tls);
        if (!context) {
            step("TLS", false, context.error().message);
            return;
        }
        const auto& info = (*context)->info();
        asio::ssl::stream<tcp::socket> stream(std::move(*socket_), (*context)->asio_context());
        SSL* ssl = stream.native_handle();
        // Go on through chain and host-name failures: they are reported as their own steps below.
        SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
        if (!pki::is_ip_address(o_.host)) SSL_set_tlsext_host_name(ssl, o_.host.c_str());

        bool done = false;
        boost::system::error_code error;
        stream.async_handshake(asio::ssl::stream_base::client, [&](const boost::system::error_code& e) {
            error = e;
            done = true;
        });
        if (!run_until(io_, done, o_.timeout)) {
            boost::system::error_code ignored;
            stream.lowest_layer().close(ignored);
            run_until(io_, done, o_.timeout);
            step("TLS", false, fmt::format("no TLS answer within {} ms", o_.timeout.count()),
                 "is this a TLS port? a plain MQTT listener waits for CONNECT and never answers a TLS hello");
            return;
        }
        if (error) {
            auto e = explain_client_handshake(info, ssl, handshake_error(error), o_.host, o_.port);
            step("TLS", false, fmt::format("handshake failed ({}): {}", e.openssl_reason, e.cause), e.fix);
            if (e.problem == HandshakeProblem::not_tls || e.problem == HandshakeProblem::peer_closed)
                try_plain_mqtt();
            return;
        }
        const unsigned char* alpn = nullptr;
        unsigned alpn_size = 0;
        SSL_get0_alpn_selected(ssl, &alpn, &alpn_size);
        step("TLS", true,
             fmt::format("{}, cipher {}{}", SSL_get_version(ssl), SSL_get_cipher_name(ssl),
                         alpn_size > 0
                             ? fmt::format(", ALPN \"{}\"",
                                           std::string(reinterpret_cast<const char*>(alpn), alpn_size))
                             : std::string()));
        check_server_chain(info, ssl);
        check_client_certificate(info, ssl);
        mqtt(info, stream);
        boost::system::error_code ignored;
        stream.lowest_layer().close(ignored);
    }

    void check_server_chain(const ClientContextInfo& info, SSL* ssl) {
        STACK_OF(X509)* peer_chain = SSL_get_peer_cert_chain(ssl);
        if (peer_chain == nullptr || sk_X509_num(peer_chain) == 0) {
            step("server chain", false, "the broker sent no certificate");
            return;
        }
        X509* leaf = sk_X509_value(peer_chain, 0);
        auto summary = pki::summarize(leaf);
        std::vector<std::string> sent;
        for (int i = 0; i < sk_X509_num(peer_chain); ++i)
            sent.push_back(fmt::format(
                "\"{}\"", pki::name_to_string(X509_get_subject_name(sk_X509_value(peer_chain, i)))));
        std::string sent_text = fmt::format("sent {}", fmt::join(sent, " <- "));
        if (!info.settings.cafile.empty()) {
            std::vector<pki::X509Ptr> trusted;
            if (auto loaded = pki::read_certificates(info.settings.cafile)) trusted = std::move(*loaded);
            std::vector<pki::X509Ptr> intermediates;
            for (int i = 1; i < sk_X509_num(peer_chain); ++i)
                intermediates.push_back(pki::share(sk_X509_value(peer_chain, i)));
            auto result = pki::verify_certificate(leaf, trusted, intermediates,
                                                  {.purpose = pki::CertificateRole::server});
            if (result.ok) {
                step("server chain", true,
                     fmt::format("{}; verifies against --cafile \"{}\": {}", sent_text, info.settings.cafile,
                                 fmt::join(result.chain, " <- ")));
            } else {
                const auto& p = result.problems.front();
                auto text = p.explanation;
                auto at = text.find("; fix: ");
                step("server chain", false,
                     fmt::format("{}; does not verify against --cafile \"{}\" ({}): {}", sent_text,
                                 info.settings.cafile, p.openssl_reason, text.substr(0, at)),
                     at == std::string::npos ? "" : text.substr(at + 7));
            }
        } else {
            long result = SSL_get_verify_result(ssl);
            if (result == X509_V_OK) {
                step("server chain", true,
                     fmt::format("{}; verifies against the system's CA store", sent_text));
            } else {
                step("server chain", false,
                     fmt::format("{}; does not verify against the system's CA store: {} (issuer \"{}\")",
                                 sent_text, X509_verify_cert_error_string(result), summary.issuer),
                     "give the CA that issued it with --cafile");
            }
        }
        if (info.settings.insecure) {
            step("host name", true, "not checked (--insecure)");
        } else if (pki::certificate_matches_host(leaf, o_.host)) {
            step("host name", true,
                 fmt::format("\"{}\" is in the certificate ({})", o_.host,
                             summary.subject_alt_names ? summary.subject_alt_names->to_string()
                                                       : "CN " + summary.subject_cn));
        } else {
            auto text = pki::explain_host_mismatch(summary, o_.host);
            auto at = text.find("; fix: ");
            step("host name", false, text.substr(0, at), at == std::string::npos ? "" : text.substr(at + 7));
        }
    }

    void check_client_certificate(const ClientContextInfo& info, SSL* ssl) {
        requested_ = certificate_was_requested(ssl);
        std::string from;
        if (STACK_OF(X509_NAME)* names = SSL_get_client_CA_list(ssl);
            names != nullptr && sk_X509_NAME_num(names) > 0) {
            from = fmt::format(" (from CA \"{}\")", pki::name_to_string(sk_X509_NAME_value(names, 0)));
        }
        if (!requested_) {
            certificate_step_ = {"client certificate", true,
                                 info.certificate
                                     ? "not requested by the broker: --cert was not used"
                                     : "not requested by the broker (require_certificate is off)"};
        } else if (!info.certificate) {
            certificate_step_ = {"client certificate", false,
                                 "requested by the broker" + from + ", but none was given",
                                 "add --cert FILE --key FILE (culex pki client --name ID makes them)"};
        } else {
            certificate_step_ = {
                "client certificate", true,
                fmt::format("requested by the broker{}; sent \"{}\"", from, info.certificate->subject)};
        }
    }

    void mqtt(const ClientContextInfo& info, asio::ssl::stream<tcp::socket>& stream) {
        auto packet = connect_packet(o_);
        bool done = false;
        boost::system::error_code error;
        asio::async_write(stream, asio::buffer(packet), [&](const boost::system::error_code& e, std::size_t) {
            error = e;
            done = true;
        });
        std::string problem;
        std::expected<protocol::Connack, boost::system::error_code> connack = std::unexpected(error);
        if (run_until(io_, done, o_.timeout) && !error)
            connack = read_connack(io_, stream, o_.timeout, problem);
        if (!connack && connack.error() && connack.error().category() == asio::error::get_ssl_category()) {
            // TLS 1.3: a refused client certificate shows up here, after the handshake.
            auto e = explain_client_handshake(info, stream.native_handle(), handshake_error(connack.error()),
                                              o_.host, o_.port);
            certificate_step_.ok = false;
            certificate_step_.detail +=
                fmt::format("; refused by the broker ({}): {}", e.openssl_reason, e.cause);
            certificate_step_.fix = e.fix;
            report_.steps.push_back(certificate_step_);
            step("MQTT", false, "no CONNACK: the broker ended the TLS session");
            return;
        }
        if (connack && requested_ && info.certificate) certificate_step_.detail += "; accepted";
        report_.steps.push_back(certificate_step_);
        if (!connack) {
            std::string why = problem.empty() ? connack.error().message() : problem;
            step("MQTT", false, fmt::format("no CONNACK: {}", why),
                 "the broker's log says why it closed the connection");
            return;
        }
        bool accepted = connack->reason == protocol::ReasonCode::success;
        step("MQTT", accepted, fmt::format("CONNACK: {}", connack_words(connack->reason)),
             accepted ? "" : "check -u/-P against the broker's password_file, or its allow_anonymous");
        if (accepted) {
            std::string bye;
            protocol::encode(protocol::Packet(protocol::Disconnect{}), protocol::ProtocolVersion::v311, bye);
            bool sent = false;
            asio::async_write(stream, asio::buffer(bye),
                              [&](const boost::system::error_code&, std::size_t) { sent = true; });
            run_until(io_, sent, o_.timeout);
        }
    }

    const ConnectOptions& o_;
    asio::io_context io_;
    std::optional<tcp::socket> socket_;
    ConnectReport report_;
    bool requested_ = false;
    ConnectStep certificate_step_;
};

}  // namespace

bool ConnectReport::ok() const {
    return !steps.empty() &&
           std::all_of(steps.begin(), steps.end(), [](const ConnectStep& s) { return s.ok; });
}

ConnectReport doctor_connect(const ConnectOptions& options) {
    return Doctor(options).run();
}

std::string render_connect_report(const ConnectReport& report) {
    std::string out;
    for (const auto& s : report.steps) {
        out += fmt::format("{:<4} {}: {}\n", s.ok ? "ok" : "FAIL", s.name, s.detail);
        if (!s.fix.empty()) out += fmt::format("     fix: {}\n", s.fix);
    }
    out += report.ok() ? "every step passed\n" : "a step failed: see FAIL above\n";
    return out;
}

}  // namespace culex::tls
