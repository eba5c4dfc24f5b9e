#include "net/transport/bound_connect.hpp"

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <memory>
#include <vector>

namespace culex::net {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// One connect from a bound address, walking the candidates in the resolver's order.
struct BoundAttempt : std::enable_shared_from_this<BoundAttempt> {
    tcp::socket& socket;
    asio::ip::address local;
    std::vector<tcp::endpoint> candidates;
    std::function<bool()> wanted;
    ConnectDone done;
    std::size_t next = 0;
    error_code last = asio::error::address_family_not_supported;

    BoundAttempt(tcp::socket& s, asio::ip::address l, std::function<bool()> w, ConnectDone d)
        : socket(s), local(l), wanted(std::move(w)), done(std::move(d)) {}

    void try_next() {
        while (next < candidates.size()) {
            const tcp::endpoint& remote = candidates[next++];
            error_code ec;
            socket.close(ec);
            socket.open(remote.protocol(), ec);
            if (!ec) socket.bind(tcp::endpoint(local, 0), ec);
            if (ec) {
                last = ec;  // e.g. an address this host does not have: the next one fails the same way
                continue;
            }
            socket.async_connect(remote, [self = shared_from_this()](const error_code& result) {
                if (!self->wanted()) return;
                if (!result) return self->done(result);
                self->last = result;
                self->try_next();
            });
            return;
        }
        done(last);
    }
};

}  // namespace

void async_connect_from(tcp::socket& socket, const tcp::resolver::results_type& endpoints,
                        const std::string& bind_address, std::function<bool()> wanted, ConnectDone done) {
    if (bind_address.empty()) {
        asio::async_connect(
            socket, endpoints,
            [done = std::move(done)](const error_code& ec, const tcp::endpoint&) { done(ec); });
        return;
    }
    error_code ec;
    auto local = asio::ip::make_address(bind_address, ec);
    if (ec) return done(ec);  // the config checked it: not expected
    auto attempt = std::make_shared<BoundAttempt>(socket, local, std::move(wanted), std::move(done));
    for (const auto& entry : endpoints)
        if (entry.endpoint().address().is_v4() == local.is_v4())
            attempt->candidates.push_back(entry.endpoint());
    attempt->try_next();
}

std::string connect_error_text(const error_code& ec, const std::string& bind_address) {
    if (bind_address.empty()) return ec.message();
    if (ec == asio::error::address_family_not_supported)
        return fmt::format("the host has no {} address to connect to from {}",
                           bind_address.find(':') == std::string::npos ? "IPv4" : "IPv6", bind_address);
    return fmt::format("{} (connecting from {})", ec.message(), bind_address);
}

void resolve_and_connect(boost::asio::ip::tcp::resolver& resolver, boost::asio::steady_timer& timer,
                         boost::asio::ip::tcp::socket& socket, const Endpoint& endpoint,
                         std::chrono::milliseconds timeout, std::function<bool()> current,
                         std::function<void(std::optional<ConnectError>)> done) {
    timer.expires_after(timeout);
    timer.async_wait([current, done](const boost::system::error_code& ec) {
        if (ec || !current()) return;
        done(ConnectError{ConnectError::Kind::timeout, "Connection timed out"});
    });
    resolver.async_resolve(
        endpoint.host, std::to_string(endpoint.port),
        [&socket, current, done, bind_address = endpoint.bind_address](
            const boost::system::error_code& ec, boost::asio::ip::tcp::resolver::results_type results) {
            if (!current()) return;
            if (ec) return done(ConnectError{ConnectError::Kind::lookup, "Lookup error."});
            async_connect_from(socket, results, bind_address, current,
                               [current, done, bind_address](const boost::system::error_code& ec) {
                                   if (!current()) return;
                                   if (ec)
                                       return done(ConnectError{ConnectError::Kind::connect,
                                                                connect_error_text(ec, bind_address)});
                                   done(std::nullopt);
                               });
        });
}

}  // namespace culex::net
