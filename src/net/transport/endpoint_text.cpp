#include "net/transport/endpoint_text.hpp"

#include <fmt/format.h>

namespace culex::net {

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint) {
    auto address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
    return fmt::format("{}:{}", address.to_string(), endpoint.port());
}

}  // namespace culex::net
