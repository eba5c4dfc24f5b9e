#include "net/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>

#include "broker/broker.hpp"
#include "log/logger.hpp"
#include "net/event_loop.hpp"
#include "net/http_server.hpp"
#include "net/listener.hpp"
#include "net/loop_probe.hpp"
#include "net/stop_signals.hpp"

namespace culex::net {

namespace asio = boost::asio;
using culex::log::logger;
using culex::log::LogType;

struct Server::Impl {
    ServerOptions options;
    std::vector<std::unique_ptr<EventLoop>> loops;
    std::unique_ptr<broker::Broker> broker;
    std::vector<std::unique_ptr<Listener>> listeners;
    std::unique_ptr<HttpServer> http;  // the `protocol http` listeners, on a thread of their own
    std::atomic<int> open_connections{0};
    std::vector<std::unique_ptr<asio::steady_timer>> tickers;
    // One per loop, made with the loops (the HTTP thread reads them as soon as it runs): lag and CPU time.
    std::vector<std::unique_ptr<LoopProbe>> probes;
    std::mutex stop_mutex;
    std::condition_variable stop_signal;
    bool stop_requested = false;

    std::vector<EventLoop*> loop_pointers() const {
        std::vector<EventLoop*> result;
        for (const auto& loop : loops)
            result.push_back(loop.get());
        return result;
    }

    // ServerReadings, for the HTTP thread: read once start() has opened every listener (the HTTP thread
    // starts after), and no vector here changes after that.
    ServerReadings readings() {
        ServerReadings out;
        out.bound_port = [this](std::size_t index) -> std::uint16_t {
            for (const auto& listener : listeners)
                if (listener->index() == static_cast<int>(index)) return listener->port();
            return http ? http->bound_port(static_cast<int>(index)) : 0;
        };
        out.loops = [this] {
            std::vector<LoopFigures> figures;
            for (const auto& probe : probes)
                figures.push_back(probe->read());
            return figures;
        };
        return out;
    }

    // Once a second on each loop: housekeeping that does not belong to any one connection.
    void tick(std::size_t index) {
        auto& timer = *tickers[index];
        timer.expires_after(std::chrono::seconds(1));
        timer.async_wait([this, index](boost::system::error_code ec) {
            if (ec) return;
            EventLoop& loop = *loops[index];
            loop.step([&] { loop.core().tick(std::chrono::steady_clock::now()); });
            tick(index);
        });
    }
};

namespace {

// The `protocol http` listener `index` on each of its addresses; the HTTP server is made by the first.
std::expected<void, std::string> open_http(std::unique_ptr<HttpServer>& http, const ServerOptions& options,
                                           broker::Broker& broker, ServerReadings readings,
                                           const ListenerSpec& spec, int index,
                                           const std::vector<asio::ip::address>& addresses) {
    if (!http) {
        if (!options.http) return std::unexpected(std::string("no HTTP service to run on an http listener"));
        http = std::make_unique<HttpServer>(options.http(broker, std::move(readings)));
    }
    bool opened_one = false;
    for (const auto& address : addresses) {
        if (auto opened = http->open({address, spec.port}, index, spec.tls); !opened) {
            // IPv6 may be missing on this host; do without it when the IPv4 socket opened.
            if (address.is_v6() && spec.bind_address.empty() && opened_one) continue;
            return opened;
        }
        opened_one = true;
    }
    return {};
}

}  // namespace

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    int threads = impl_->options.threads;
    if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<broker::LoopExecutor*> executors;
    for (int i = 0; i < threads; ++i) {
        impl_->loops.push_back(std::make_unique<EventLoop>(i));
        executors.push_back(impl_->loops.back().get());
        impl_->probes.push_back(std::make_unique<LoopProbe>(impl_->loops.back()->context()));
    }
    impl_->broker = std::make_unique<broker::Broker>(impl_->options.settings, executors,
                                                     std::move(impl_->options.policies));
    for (auto& loop : impl_->loops)
        loop->serve(impl_->broker->core(loop->index()), impl_->broker->settings(), impl_->open_connections,
                    threads);
}

Server::~Server() {
    stop();
    for (auto& loop : impl_->loops) {
        loop->stop();  // run() has drained them already, if it ran
        loop->join();
    }
    // The loops own the connections, which refer to the broker: destroy them first.
    impl_->http.reset();  // its handler reads the broker
    impl_->listeners.clear();
    impl_->tickers.clear();
    impl_->probes.clear();
    impl_->loops.clear();
    impl_->broker.reset();
}

std::expected<void, std::string> Server::start() {
    // Before the first listener opens and the first loop thread starts: a SIGTERM sent as soon as the port is
    // announced stays pending until run() takes it, a clean stop rather than a kill.
    block_stop_signals();
    for (std::size_t index = 0; index < impl_->options.listeners.size(); ++index) {
        const ListenerSpec& spec = impl_->options.listeners[index];
        int limit = spec.max_connections >= 0 ? spec.max_connections : impl_->options.max_connections;
        if (!spec.unix_socket_path.empty()) {
            auto listener =
                std::make_unique<Listener>(impl_->loop_pointers(), *impl_->broker, impl_->open_connections,
                                           limit, static_cast<int>(index));
            if (auto opened = listener->open_unix(spec.unix_socket_path); !opened) return opened;
            impl_->listeners.push_back(std::move(listener));
            continue;
        }
        std::vector<asio::ip::address> addresses;
        if (spec.bind_address.empty()) {
            addresses = {asio::ip::address_v4::any(), asio::ip::address_v6::any()};
        } else {
            boost::system::error_code ec;
            auto address = asio::ip::make_address(spec.bind_address, ec);
            if (ec) {
                // A host name: resolve it once at start.
                asio::ip::tcp::resolver resolver(impl_->loops.front()->context());
                auto results = resolver.resolve(spec.bind_address, "", ec);
                if (ec || results.empty())
                    return std::unexpected(fmt::format("cannot resolve bind address '{}': {}",
                                                       spec.bind_address, ec ? ec.message() : "no address"));
                for (const auto& entry : results)
                    addresses.push_back(entry.endpoint().address());
            } else {
                addresses.push_back(address);
            }
        }
        if (spec.http) {
            auto opened = open_http(impl_->http, impl_->options, *impl_->broker, impl_->readings(), spec,
                                    static_cast<int>(index), addresses);
            if (!opened) return opened;
            continue;
        }
        for (const auto& address : addresses) {
            auto listener =
                std::make_unique<Listener>(impl_->loop_pointers(), *impl_->broker, impl_->open_connections,
                                           limit, static_cast<int>(index));
            listener->set_websockets(spec.websockets);
            if (auto opened = listener->open({address, spec.port}); !opened) {
                // IPv6 may be missing on this host; do without it when the IPv4 socket opened.
                if (address.is_v6() && spec.bind_address.empty() && !impl_->listeners.empty()) continue;
                return std::unexpected(opened.error());
            }
            listener->set_tls(spec.tls);
            impl_->listeners.push_back(std::move(listener));
        }
    }
    if (impl_->options.prepare)
        if (auto prepared = impl_->options.prepare(*impl_->broker); !prepared)
            return std::unexpected(prepared.error());
    for (auto& listener : impl_->listeners)
        listener->start();
    if (impl_->http) impl_->http->start();
    for (std::size_t i = 0; i < impl_->loops.size(); ++i) {
        impl_->tickers.push_back(std::make_unique<asio::steady_timer>(impl_->loops[i]->context()));
        impl_->tick(i);
        impl_->probes[i]->start();
    }
    for (auto& loop : impl_->loops)
        loop->start();
    return {};
}

void Server::run(std::function<void()> on_reload) {
    {
        StopSignals signals([&](int number) {
            if (number != SIGHUP) {
                stop();
                return;
            }
            if (on_reload) on_reload();
        });
        std::unique_lock lock(impl_->stop_mutex);
        impl_->stop_signal.wait(lock, [&] { return impl_->stop_requested; });
    }  // no reload runs past here: the signals' thread has finished
    if (impl_->http) impl_->http->stop();
    say_goodbye();
    for (auto& loop : impl_->loops)
        loop->join();
}

void Server::say_goodbye() {
    // First one turn of every loop. A loop hands what it routed to other loops over at the end of its step,
    // after the publisher's PUBACK is written: a SIGTERM that follows a PUBACK closely may come in between.
    // Once every loop has turned, those hand-overs are queued on their targets ahead of the goodbyes below,
    // so an acknowledged message reaches its online subscriber before its connection closes. Bounded, as a
    // loop stuck in a step must not keep the broker from stopping.
    {
        struct Barrier {  // shared: a loop that turns after the wait gave up must find it still there
            std::mutex mutex;
            std::condition_variable turned;
            std::size_t waiting;
        };
        auto barrier = std::make_shared<Barrier>();
        barrier->waiting = impl_->loops.size();
        for (auto& loop : impl_->loops)
            loop->post([barrier] {
                std::lock_guard lock(barrier->mutex);
                if (--barrier->waiting == 0) barrier->turned.notify_all();
            });
        std::unique_lock lock(barrier->mutex);
        if (!barrier->turned.wait_for(lock, std::chrono::seconds(2), [&] { return barrier->waiting == 0; }))
            logger().log(LogType::warning, "An event loop did not finish its step within 2 s of shutdown.");
    }
    // Each loop closes its own things: the listeners (all on the first loop), its ticker, its clients (MQTT 5
    // ones hear DISCONNECT 0x8B first); then it runs until their last writes are out, within a bound.
    for (std::size_t i = 0; i < impl_->loops.size(); ++i) {
        impl_->loops[i]->post([this, i] {
            if (i == 0)
                for (auto& listener : impl_->listeners)
                    listener->close();
            impl_->tickers[i]->cancel();
            impl_->probes[i]->cancel();
            impl_->loops[i]->core().shut_down();
            impl_->loops[i]->connections().stop();  // those that never sent CONNECT
        });
    }
    for (auto& loop : impl_->loops)
        loop->drain(std::chrono::seconds(2));
}

void Server::replace_policies(std::vector<broker::AccessPolicy> policies) {
    impl_->broker->replace_policies(std::move(policies));
}

void Server::replace_tls(std::size_t index, std::shared_ptr<const tls::ServerContext> context) {
    for (auto& listener : impl_->listeners)
        if (listener->index() == static_cast<int>(index)) listener->set_tls(context);
    if (impl_->http) impl_->http->replace_tls(static_cast<int>(index), std::move(context));
}

int Server::loop_count() const {
    return static_cast<int>(impl_->loops.size());
}

EventLoop& Server::loop(int index) {
    return *impl_->loops[static_cast<std::size_t>(index)];
}

void Server::stop() {
    {
        std::lock_guard lock(impl_->stop_mutex);
        if (impl_->stop_requested) return;
        impl_->stop_requested = true;
    }
    // run() wakes up and shuts the loops down in order (say_goodbye).
    impl_->stop_signal.notify_all();
}

}  // namespace culex::net
