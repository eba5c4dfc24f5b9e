// The keepalive deadlines of one loop's connections (and their connect timeouts), checked once a second by
// one timer. A timer per connection, with its pending wait, costs about 250 bytes per idle connection, and
// idle connections are what a fleet is made of. Deadlines are met to within a second, which keepalives
// counted in seconds allow.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

namespace culex::net {

class Connection;

class KeepaliveSweep {
  public:
    explicit KeepaliveSweep(boost::asio::io_context& context) : timer_(context) {}

    // On the loop: checks `connection` every second from now on, until it closes.
    void watch(std::weak_ptr<Connection> connection);
    // On the loop, at shutdown: no more checks, and no timer left to keep the loop running.
    void stop();

  private:
    void arm();
    void sweep();

    boost::asio::steady_timer timer_;
    std::vector<std::weak_ptr<Connection>> watched_;
    bool armed_ = false;
    bool stopped_ = false;
};

}  // namespace culex::net
