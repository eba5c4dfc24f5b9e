#include "client/rr_tool.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>

#include "client/reason_text.hpp"
#include "client/sub_tool.hpp"
#include "client/usage.hpp"

namespace culex::client {

namespace {

const ToolNames<RrArgs> kTool{
    .program = "culex rr",
    .options_file = "culex_rr",
    .client_id_prefix = "culexrr",
    .invalid_id = "Error: Invalid id.\n",
    .parse = parse_rr_args,
    .usage = rr_usage,
    .version_line = rr_version_line,
};

class Requester {
  public:
    Requester(const RrArgs& args, const ToolIo& io, ConnectionSetup setup, std::string payload)
        : args_(args),
          io_(io),
          payload_(std::move(payload)),
          signals_(context_, SIGINT, SIGTERM),
          timeout_(context_) {
        ClientCallbacks callbacks;
        callbacks.on_connected = [this](const events::Connected&) { on_connected(); };
        callbacks.on_refused = [this](const events::Refused& r) { refused_code_ = r.code; };
        callbacks.on_subscribed = [this](const events::Subscribed& s) { on_subscribed(s); };
        callbacks.on_message = [this](const protocol::Publish& m) { on_message(m); };
        callbacks.on_closed = [this](const std::optional<Error>& e) { on_closed(e); };
        auto options = client_options_for(args.common, std::move(setup.client_id));
        emplace_client(client_, context_, std::move(options), args.common, setup, io_, std::move(callbacks));
    }

    int run() {
        signals_.async_wait([this](const boost::system::error_code& ec, int) {
            if (!ec) client_->disconnect();
        });
        if (args_.timeout_seconds > 0) {
            timeout_.expires_after(std::chrono::seconds(args_.timeout_seconds));
            timeout_.async_wait([this](const boost::system::error_code& ec) {
                if (ec) return;
                timed_out_ = true;
                client_->disconnect();
            });
        }
        client_->connect();
        context_.run();
        return exit_code_;
    }

  private:
    void on_connected() {
        if (subscribed_) return;
        protocol::Subscription s;
        s.filter = *args_.response_topic;
        s.max_qos = static_cast<protocol::QoS>(args_.common.qos);
        (void)client_->subscribe({std::move(s)}, args_.common.properties.subscribe);
    }

    // The request goes once the response topic is subscribed, so the response cannot be missed.
    void on_subscribed(const events::Subscribed& s) {
        if (subscribed_) return;
        subscribed_ = true;
        if (s.granted.empty() || protocol::is_error(s.granted.front())) {
            print_error(args_.common, io_, "All subscription requests were denied.\n");
            client_->disconnect();
            return;
        }
        protocol::Publish request;
        request.topic = *args_.topic;
        request.payload = protocol::Payload(payload_);
        request.qos = static_cast<protocol::QoS>(args_.common.qos);
        request.properties = args_.common.properties.publish;
        if (args_.common.version == protocol::ProtocolVersion::v5 && !request.properties->response_topic)
            request.properties.edit().response_topic = *args_.response_topic;
        auto mid = client_->publish(std::move(request));
        if (!mid) {
            print_error(args_.common, io_, fmt::format("Error: {}\n", mid.error().message));
            exit_code_ = 1;
            client_->disconnect();
        }
    }

    void on_message(const protocol::Publish& message) {
        if (answered_ || !subscribed_) return;
        if (args_.no_retain && message.retain) return;
        answered_ = true;
        auto text = print_message(args_.output, args_.verbose, args_.eol, message);
        std::fwrite(text.data(), 1, text.size(), io_.out);
        std::fflush(io_.out);
        client_->disconnect();
    }

    void on_closed(const std::optional<Error>& error) {
        signals_.cancel();
        timeout_.cancel();
        if (timed_out_) {
            exit_code_ = report_timeout(args_.common, io_);
            return;
        }
        if (!error) return;
        if (error->kind == ErrorKind::refused) {
            // mosquitto_rr words every refusal as an MQTT 5 reason, even a 3.1.1 return code.
            print_error(args_.common, io_, fmt::format("Connection error: {}\n", reason_text(refused_code_)));
            exit_code_ = refused_code_;
            return;
        }
        exit_code_ = report_failure(args_.common, *error, io_);
    }

    const RrArgs& args_;
    const ToolIo& io_;
    std::string payload_;
    boost::asio::io_context context_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer timeout_;
    std::optional<Client> client_;
    bool subscribed_ = false;
    bool answered_ = false;
    bool timed_out_ = false;
    int refused_code_ = 0;
    int exit_code_ = 0;
};

}  // namespace

int run_rr(std::span<const std::string> argv, const ToolIo& io) {
    auto started = start_tool(kTool, argv, io);
    if (!started) return started.error();
    Requester requester(started->args, io, std::move(started->setup), std::move(started->payload));
    return finish_run(requester.run(), io);
}

}  // namespace culex::client
