// The broker's TLS transport (accept_tls) over a real loopback connection: a client that writes one TLS
// record per PUBLISH, as most MQTT clients do, is read a recv() at a time, not a record at a time, so that
// what one read brings is one step of the loop and one batch of output, as on plain TCP.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <functional>
#include <string>
#include <vector>

#include "net/transport/tls_accept.hpp"
#include "unit/tls/tls_test_support.hpp"

namespace culex::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class TlsTransportTest : public tls::testing::TlsTest {};

TEST_F(TlsTransportTest, ReadsEveryRecordThatOneReceiveBrought) {
    constexpr int kRecords = 100;
    constexpr std::size_t kRecordBytes = 50;
    auto server_context = server(server_settings(false));
    auto client_context = client(client_settings(false));
    ASSERT_TRUE(server_context && client_context);

    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    asio::ssl::stream<tcp::socket> client_stream(io, client_context->asio_context());
    std::unique_ptr<Transport> transport;
    std::string plaintext(kRecordBytes, 'm');
    std::string received;
    int reads = 0;
    bool finished = false;

    asio::steady_timer guard(io, std::chrono::seconds(20));
    guard.async_wait([&](const boost::system::error_code& ec) {
        if (ec) return;
        ADD_FAILURE() << "not done within 20 s: " << received.size() << " bytes in " << reads << " reads";
        io.stop();
    });

    std::vector<char> buffer(16 * 1024);
    std::function<void()> read = [&] {
        transport->async_read_some(asio::buffer(buffer),
                                   [&](const boost::system::error_code& ec, std::size_t n) {
                                       ASSERT_FALSE(ec) << ec.message();
                                       ++reads;
                                       received.append(buffer.data(), n);
                                       if (received.size() < kRecords * kRecordBytes) return read();
                                       finished = true;
                                       guard.cancel();
                                   });
    };
    // One SSL_write, so one record, per write; the server reads only once the client has written them all.
    std::function<void(int)> write = [&](int left) {
        if (left == 0) return read();
        asio::async_write(client_stream, asio::buffer(plaintext),
                          [&, left](const boost::system::error_code& ec, std::size_t) {
                              ASSERT_FALSE(ec) << ec.message();
                              write(left - 1);
                          });
    };
    bool client_up = false;
    auto both_up = [&] {
        if (transport && client_up) write(kRecords);
    };

    acceptor.async_accept([&](const boost::system::error_code& ec, tcp::socket socket) {
        ASSERT_FALSE(ec) << ec.message();
        accept_tls(
            std::move(socket), server_context, std::chrono::seconds(10),
            [&](std::unique_ptr<Transport> t, std::optional<tls::PeerIdentity>) {
                transport = std::move(t);
                both_up();
            },
            [] { ADD_FAILURE() << "the server's handshake failed"; });
    });
    client_stream.lowest_layer().async_connect(
        acceptor.local_endpoint(), [&](const boost::system::error_code& ec) {
            ASSERT_FALSE(ec) << ec.message();
            client_stream.async_handshake(asio::ssl::stream_base::client,
                                          [&](const boost::system::error_code& ec) {
                                              ASSERT_FALSE(ec) << ec.message();
                                              client_up = true;
                                              both_up();
                                          });
        });
    io.run();

    ASSERT_TRUE(finished);
    EXPECT_EQ(received, std::string(kRecords * kRecordBytes, 'm'));
    // One read for the lot (a second if the kernel split what arrived); one read per record was the old way.
    EXPECT_LE(reads, 3) << kRecords << " records took " << reads << " reads";
}

}  // namespace
}  // namespace culex::net
