// Readiness of one loop's plain TCP sockets, through an epoll instance of our own that the loop's io_context
// watches as a single descriptor.
//
// Why not Asio's sockets: Asio keeps about 170 bytes of reactor state per socket and allocates every pending
// wait (about 180 bytes more, with its executor), and an idle MQTT connection spends its whole life in that
// wait. Idle connections are what a device fleet is made of, so here a socket costs the kernel's epoll entry
// and one pointer. Each socket is registered once, edge-triggered, for input and output: no epoll_ctl per
// read or write.
#pragma once

#include <sys/epoll.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <system_error>

namespace culex::net {

class ReadinessPoller {
  public:
    class Watcher {
      public:
        // `events`: EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP as epoll reports them.
        virtual void on_ready(std::uint32_t events) = 0;

      protected:
        ~Watcher() = default;
    };

    // Told when the reports of one epoll batch begin and end (the loop makes the batch one step).
    class BatchListener {
      public:
        virtual void batch_begins() = 0;
        virtual void batch_ended() = 0;

      protected:
        ~BatchListener() = default;
    };

    explicit ReadinessPoller(boost::asio::io_context& context, BatchListener* listener = nullptr);
    ReadinessPoller(const ReadinessPoller&) = delete;
    ReadinessPoller& operator=(const ReadinessPoller&) = delete;

    // On the loop: reports each new readiness of `fd` to `watcher` until forget(). The watcher must outlive
    // its registration.
    std::error_code watch(int fd, Watcher& watcher);
    // On the loop, before `fd` is closed: no call reaches `watcher` after this, not even one for an event
    // already collected in the batch being dispatched.
    void forget(int fd, Watcher& watcher);

  private:
    void arm();
    void dispatch();

    // Owns the epoll descriptor; Asio sees it become readable when any watched socket is ready.
    boost::asio::posix::stream_descriptor epoll_;
    BatchListener* listener_;
    std::array<epoll_event, 256> batch_{};
    int batch_size_ = 0;
    int batch_next_ = 0;  // the next entry of batch_ to dispatch
    std::size_t watched_ = 0;
    bool armed_ = false;
};

}  // namespace culex::net
