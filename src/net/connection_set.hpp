// The connections of one loop: it owns them, and checks their keepalive deadlines (and connect timeouts) once
// a second with one timer. A timer per connection, with its pending wait, would cost about 250 bytes per idle
// connection, and idle connections are what a fleet is made of. Deadlines are met to within a second, which
// keepalives counted in seconds allow.
//
// Owning them here, rather than through a pending read's handler as Asio code usually does, lets a plain TCP
// connection wait for input with no handler at all (see ReadinessPoller). A closed connection is let go at
// the next sweep.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

namespace culex::net {

class Connection;

class ConnectionSet {
  public:
    explicit ConnectionSet(boost::asio::io_context& context) : timer_(context) {}
    ~ConnectionSet();

    // On the loop: keeps `connection` until it has closed, checking its keepalive every second.
    void adopt(std::shared_ptr<Connection> connection);
    // On the loop, at shutdown, after the broker has said goodbye to its clients: closes the connections
    // still open (those that never sent CONNECT) and stops the checks, so that nothing keeps the loop
    // running once the last writes are out.
    void stop();
    // After stop(): connections close at once, without lingering.
    bool stopped() const { return stopped_; }

  private:
    void arm();
    void sweep();

    boost::asio::steady_timer timer_;
    std::vector<std::shared_ptr<Connection>> connections_;
    bool armed_ = false;
    bool stopped_ = false;
};

}  // namespace culex::net
