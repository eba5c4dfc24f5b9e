#include "client/sub_tool.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>

#include "client/format.hpp"
#include "client/usage.hpp"
#include "protocol/topic.hpp"

namespace culex::client {

namespace {

const ToolNames<SubArgs> kTool{
    .program = "culex sub",
    .options_file = "culex_sub",
    .client_id_prefix = "culexsub",
    .invalid_id = "Error: Invalid id and/or clean_session.\n",
    .parse = parse_sub_args,
    .usage = sub_usage,
    .version_line = sub_version_line,
};
// mosquitto_sub reconnects after a second, for as long as it runs.
constexpr std::chrono::milliseconds kReconnectDelay{1000};

class Subscriber {
  public:
    Subscriber(const SubArgs& args, const ToolIo& io, ConnectionSetup setup)
        : args_(args), io_(io), signals_(context_, SIGINT, SIGTERM), timeout_(context_) {
        ClientCallbacks callbacks;
        callbacks.on_connected = [this](const events::Connected&) { on_connected(); };
        callbacks.on_refused = [this](const events::Refused& r) { refused_code_ = r.code; };
        callbacks.on_message = [this](const protocol::Publish& m) { on_message(m); };
        callbacks.on_subscribed = [this](const events::Subscribed& s) { on_subscribed(s); };
        callbacks.on_closed = [this](const std::optional<Error>& e) { on_closed(e); };
        auto options = client_options_for(args.common, std::move(setup.client_id));
        options.reconnect_delay = kReconnectDelay;
        emplace_client(client_, context_, std::move(options), args.common, setup, io_, std::move(callbacks));
    }

    int run() {
        signals_.async_wait([this](const boost::system::error_code& ec, int) {
            if (!ec) stop_early();
        });
        if (args_.timeout_seconds > 0) {
            timeout_.expires_after(std::chrono::seconds(args_.timeout_seconds));
            timeout_.async_wait([this](const boost::system::error_code& ec) {
                if (ec) return;
                timed_out_ = true;
                stop_early();
            });
        }
        client_->connect();
        context_.run();
        return exit_code_;
    }

  private:
    // A signal or -W: a clean DISCONNECT when connected; before the first CONNACK mosquitto_sub just exits
    // -1.
    void stop_early() {
        processing_ = false;
        if (!ever_connected_) {
            exit_code_ = 255;
            silent_close_ = true;
        }
        client_->disconnect();
    }

    void on_connected() {
        ever_connected_ = true;
        if (!args_.topics.empty()) {
            std::vector<protocol::Subscription> subscriptions;
            for (const auto& topic : args_.topics) {
                protocol::Subscription s;
                s.filter = topic;
                s.max_qos = static_cast<protocol::QoS>(args_.common.qos);
                if (args_.common.version == protocol::ProtocolVersion::v5) {
                    s.no_local = args_.no_local;
                    s.retain_as_published = args_.retain_as_published;
                    s.retain_handling = args_.retain_handling;
                }
                subscriptions.push_back(std::move(s));
            }
            (void)client_->subscribe(std::move(subscriptions), args_.common.properties.subscribe);
        }
        for (const auto& topic : args_.unsub_topics)
            (void)client_->unsubscribe({topic}, args_.common.properties.unsubscribe);
    }

    void on_subscribed(const events::Subscribed& s) {
        if (args_.common.debug) {
            std::string line = fmt::format("Subscribed (mid: {}): ", s.mid);
            for (std::size_t i = 0; i < s.granted.size(); ++i) {
                if (i) line += ", ";
                line += std::to_string(static_cast<int>(s.granted[i]));
            }
            print_line(io_.out, line);
        }
        bool some_allowed = false;
        for (auto code : s.granted)
            some_allowed |= !protocol::is_error(code);
        if (!some_allowed) {
            print_error(args_.common, io_, "All subscription requests were denied.\n");
            client_->disconnect();
            return;
        }
        if (args_.exit_after_sub) client_->disconnect();
    }

    void on_message(const protocol::Publish& message) {
        if (!processing_) return;
        if (args_.retained_only && !message.retain) {
            processing_ = false;
            client_->disconnect();
            return;
        }
        if (filtered(message)) return;
        auto text = format_message(args_, message);
        std::fwrite(text.data(), 1, text.size(), io_.out);
        std::fflush(io_.out);
        if (args_.msg_count > 0 && ++received_ == args_.msg_count) {
            processing_ = false;
            client_->disconnect();
        }
    }

    bool filtered(const protocol::Publish& message) const {
        if (args_.no_retain && message.retain) return true;
        for (const auto& filter : args_.filter_outs) {
            if (protocol::topic_matches(filter, message.topic)) return true;
        }
        return false;
    }

    void on_closed(const std::optional<Error>& error) {
        signals_.cancel();
        timeout_.cancel();
        if (silent_close_) return;
        if (timed_out_) {
            exit_code_ = report_timeout(args_.common, io_);
            return;
        }
        if (!error) return;
        if (error->kind == ErrorKind::refused) {
            print_error(args_.common, io_, fmt::format("Connection error: {}\n", error->message));
            exit_code_ = refused_code_;
            return;
        }
        exit_code_ = report_failure(args_.common, *error, io_);
    }

    const SubArgs& args_;
    const ToolIo& io_;
    boost::asio::io_context context_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer timeout_;
    std::optional<Client> client_;
    bool processing_ = true;
    bool ever_connected_ = false;
    bool timed_out_ = false;
    bool silent_close_ = false;
    int received_ = 0;
    int refused_code_ = 0;
    int exit_code_ = 0;
};

}  // namespace

std::string format_message(const SubArgs& args, const protocol::Publish& message,
                           std::chrono::system_clock::time_point now) {
    if (args.no_retain && message.retain) return {};
    for (const auto& filter : args.filter_outs) {
        if (protocol::topic_matches(filter, message.topic)) return {};
    }
    return print_message(args.output, args.verbose, args.eol, message, now);
}

std::string print_message(const OutputOptions& output, bool verbose, bool eol,
                          const protocol::Publish& message, std::chrono::system_clock::time_point now) {
    if (output.format) {
        auto text = apply_format(*output.format, message, output.pretty, now);
        if (eol) text += '\n';
        return text;
    }
    std::string text;
    if (message.payload.empty()) {
        if (verbose && eol) text = fmt::format("{} (null)\n", message.topic);
        return text;
    }
    if (verbose) {
        text += message.topic;
        text += ' ';
    }
    text += message.payload.view();
    if (eol) text += '\n';
    return text;
}

int run_sub(std::span<const std::string> argv, const ToolIo& io) {
    auto started = start_tool(kTool, argv, io);
    if (!started) return started.error();
    Subscriber subscriber(started->args, io, std::move(started->setup));
    return finish_run(subscriber.run(), io);
}

}  // namespace culex::client
