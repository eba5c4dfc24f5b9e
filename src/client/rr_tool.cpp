#include "client/rr_tool.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>

#include "client/message_source.hpp"
#include "client/options_file.hpp"
#include "client/reason_text.hpp"
#include "client/sub_tool.hpp"
#include "client/transport.hpp"
#include "client/usage.hpp"

namespace culex::client {

namespace {

constexpr std::string_view kProgram = "culex rr";
constexpr int kTimedOutExitCode = 27;  // Mosquitto's MOSQ_ERR_TIMEOUT, as mosquitto_rr -W

class Requester {
  public:
    Requester(const RrArgs& args, const ToolIo& io, std::string client_id, std::string payload,
              const tls::ClientContextPtr& tls)
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
        if (args.common.debug) {
            callbacks.on_debug = [this](std::string_view line) { print_line(io_.out, line); };
        }
        client_.emplace(context_, client_options_for(args.common, std::move(client_id)),
                        make_connector(context_, tls, io_, args.common.quiet), std::move(callbacks));
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
            if (!args_.common.quiet) std::fputs("All subscription requests were denied.\n", io_.err);
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
            if (!args_.common.quiet)
                std::fputs(fmt::format("Error: {}\n", mid.error().message).c_str(), io_.err);
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
            if (!args_.common.quiet) std::fputs("Timed out\n", io_.err);
            exit_code_ = kTimedOutExitCode;
            return;
        }
        if (!error) return;
        if (error->kind == ErrorKind::refused) {
            // mosquitto_rr words every refusal as an MQTT 5 reason, even a 3.1.1 return code.
            if (!args_.common.quiet)
                std::fputs(fmt::format("Connection error: {}\n", reason_text(refused_code_)).c_str(),
                           io_.err);
            exit_code_ = refused_code_;
            return;
        }
        auto failure = connect_failure(*error);
        if (!args_.common.quiet) std::fputs(failure.message.c_str(), io_.err);
        exit_code_ = failure.exit_code;
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
    auto words = with_default_options("culex_rr", argv);
    auto args = parse_rr_args(words);
    if (!args) return report_stop(args.error(), kProgram, rr_usage(), rr_version_line(), io);
    auto payload = load_message(args->source, args->message, args->file, io.in_fd, io.err);
    if (!payload) return 1;
    auto client_id = client_id_for(args->common, "culexrr", io);
    if (auto problem = check_connection_args(args->common, client_id, "Error: Invalid id.\n")) {
        std::fputs(problem->c_str(), io.err);
        return 1;
    }
    auto tls = tls_for_tool(args->common, io);
    if (!tls) return 1;
    Requester requester(*args, io, std::move(client_id), std::move(*payload), *tls);
    int code = requester.run();
    std::fflush(io.out);
    std::fflush(io.err);
    return code;
}

}  // namespace culex::client
