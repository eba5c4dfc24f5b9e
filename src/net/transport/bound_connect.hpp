// Connecting a client socket from a chosen local address (a bridge's bridge_bind_address): for each resolved
// address of the local address's family, open, bind, then connect; the first that answers wins. Asio's own
// range connect closes and reopens the socket for each address, which would undo the bind.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "net/transport/connector.hpp"

namespace culex::net {

using ConnectDone = std::function<void(const boost::system::error_code&)>;

// `bind_address` empty: Asio's range connect, unchanged. Otherwise an IP address; resolved addresses of the
// other family are skipped (none left: address_family_not_supported). `wanted` is asked before each step
// once the connect is under way: false (the caller gave up or started again) ends it silently, `socket`
// untouched. `done` gets the first success, or the last error.
void async_connect_from(boost::asio::ip::tcp::socket& socket,
                        const boost::asio::ip::tcp::resolver::results_type& endpoints,
                        const std::string& bind_address, std::function<bool()> wanted, ConnectDone done);

// The first steps of every connector (TCP, TLS): a deadline on `timer`, the lookup of `endpoint`'s host, then
// async_connect_from into `socket`. `done` gets nullopt once `socket` is connected, or why not (timeout,
// lookup, connect), once. `current` is asked first on every completion: false (the connector was cancelled or
// started again) ends it silently, `socket` untouched, so a caller may replace the socket for a new attempt.
void resolve_and_connect(boost::asio::ip::tcp::resolver& resolver, boost::asio::steady_timer& timer,
                         boost::asio::ip::tcp::socket& socket, const Endpoint& endpoint,
                         std::chrono::milliseconds timeout, std::function<bool()> current,
                         std::function<void(std::optional<ConnectError>)> done);

// The words for a failed connect from `bind_address` (empty: the error's own).
std::string connect_error_text(const boost::system::error_code& ec, const std::string& bind_address);

}  // namespace culex::net
