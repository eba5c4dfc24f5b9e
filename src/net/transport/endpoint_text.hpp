// "ADDRESS:PORT" of a TCP endpoint as people write it, for logs: an IPv4 client on a dual-stack socket shows
// as IPv4 (127.0.0.1:5000, not ::ffff:127.0.0.1:5000), as Mosquitto prints it.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>

namespace culex::net {

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace culex::net
