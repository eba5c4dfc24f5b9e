#include "net/readiness_poller.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <stdexcept>
#include <string>

namespace culex::net {

namespace asio = boost::asio;

namespace {

int create_epoll() {
    int fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    return fd;
}

}  // namespace

ReadinessPoller::ReadinessPoller(asio::io_context& context, BatchListener* listener)
    : epoll_(context, create_epoll()), listener_(listener) {}

std::error_code ReadinessPoller::watch(int fd, Watcher& watcher) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.ptr = &watcher;
    if (::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_ADD, fd, &event) != 0)
        return {errno, std::generic_category()};
    if (++watched_ == 1 && !armed_) arm();
    return {};
}

void ReadinessPoller::forget(int fd, Watcher& watcher) {
    if (::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_DEL, fd, nullptr) != 0) return;  // never watched
    // An event for it may already be in the batch being dispatched.
    for (int i = batch_next_; i < batch_size_; ++i)
        if (batch_[i].data.ptr == &watcher) batch_[i].data.ptr = nullptr;
    // Nothing left to watch: no pending wait either, so that a loop with no connections can run out of work
    // and stop.
    if (--watched_ == 0 && armed_) epoll_.cancel();
}

void ReadinessPoller::arm() {
    armed_ = true;
    epoll_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        armed_ = false;
        if (ec && ec != asio::error::operation_aborted) return;
        if (!ec) return dispatch();
        if (watched_ > 0) arm();  // cancelled as the last socket went, and a new one came since
    });
}

void ReadinessPoller::dispatch() {
    int ready = ::epoll_wait(epoll_.native_handle(), batch_.data(), static_cast<int>(batch_.size()), 0);
    batch_size_ = ready > 0 ? ready : 0;
    if (listener_) listener_->batch_begins();
    for (batch_next_ = 0; batch_next_ < batch_size_;) {
        const epoll_event& event = batch_[batch_next_++];
        if (auto* watcher = static_cast<Watcher*>(event.data.ptr)) watcher->on_ready(event.events);
    }
    batch_size_ = batch_next_ = 0;
    if (listener_) listener_->batch_ended();
    if (watched_ == 0) return;
    // A full batch may have left more behind, which the edge-triggered outer wait would not report again:
    // take it in a later turn, after what else the loop has to do.
    if (ready == static_cast<int>(batch_.size())) {
        armed_ = true;  // as good as a wait: watch() must not start another
        asio::post(epoll_.get_executor(), [this] {
            armed_ = false;
            dispatch();
        });
    } else {
        arm();
    }
}

}  // namespace culex::net
