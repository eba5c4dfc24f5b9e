#include "client/pub_tool.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>

#include <memory>

#include "client/line_reader.hpp"
#include "client/message_source.hpp"
#include "client/options_file.hpp"
#include "client/transport.hpp"
#include "client/usage.hpp"

namespace culex::client {

namespace {

constexpr std::string_view kProgram = "culex pub";

// One run of the publisher: the state its callbacks share.
class Publisher {
  public:
    Publisher(const PubArgs& args, const ToolIo& io, std::string client_id, std::string payload,
              const tls::ClientContextPtr& tls)
        : args_(args),
          io_(io),
          payload_(std::move(payload)),
          signals_(context_, SIGINT, SIGTERM),
          repeat_timer_(context_) {
        ClientCallbacks callbacks;
        callbacks.on_connected = [this](const events::Connected&) { on_connected(); };
        callbacks.on_refused = [this](const events::Refused& r) { refused_code_ = r.code; };
        callbacks.on_published = [this](const events::Published&) { on_published(); };
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
        client_->connect();
        context_.run();
        return exit_code_;
    }

  private:
    void on_connected() {
        if (started_) return;  // a reconnect resumes what is in flight; nothing new to start
        started_ = true;
        if (args_.source == MessageSource::stdin_lines) {
            lines_.emplace(
                context_, io_.in_fd, [this](std::string line) { publish(std::move(line)); },
                [this] {
                    input_done_ = true;
                    maybe_finish();
                });
            lines_->start();
            return;
        }
        publish(payload_);
    }

    void publish(std::string payload) {
        protocol::Publish message;
        // With -D publish topic-alias, the topic goes once; later messages carry the alias alone (as
        // mosquitto_pub does).
        bool alias_known = args_.common.properties.publish.topic_alias && published_once_;
        message.topic = alias_known ? std::string() : *args_.topic;
        message.properties = args_.common.properties.publish;
        message.payload = protocol::Payload(std::move(payload));
        message.qos = static_cast<protocol::QoS>(args_.common.qos);
        message.retain = args_.retain;
        auto mid = client_->publish(std::move(message));
        if (!mid) {
            if (!args_.common.quiet)
                std::fputs(fmt::format("Error: {}\n", mid.error().message).c_str(), io_.err);
            exit_code_ = 1;
            client_->disconnect();
            return;
        }
        published_once_ = true;
        ++sent_;
    }

    void on_published() {
        ++acknowledged_;
        if (args_.source == MessageSource::stdin_lines) {
            maybe_finish();
            return;
        }
        if (acknowledged_ < args_.repeat_count) {
            repeat_timer_.expires_after(
                std::chrono::microseconds(static_cast<long long>(args_.repeat_delay_seconds * 1'000'000.0)));
            repeat_timer_.async_wait([this](const boost::system::error_code& ec) {
                if (!ec) publish(payload_);
            });
            return;
        }
        client_->disconnect();
    }

    void maybe_finish() {
        if (input_done_ && acknowledged_ == sent_) client_->disconnect();
    }

    void on_closed(const std::optional<Error>& error) {
        signals_.cancel();
        repeat_timer_.cancel();
        if (lines_) lines_->stop();
        if (!error) return;
        if (error->kind == ErrorKind::refused) {
            if (!args_.common.quiet) {
                std::fputs(fmt::format("Connection error: {}\n", error->message).c_str(), io_.err);
                std::fputs(
                    args_.common.version == protocol::ProtocolVersion::v5
                        ? "Error: A network protocol error occurred when communicating with the broker.\n"
                        : "Error: The connection was refused.\n",
                    io_.err);
            }
            exit_code_ = refused_code_;
            return;
        }
        auto failure = connect_failure(*error);
        if (!args_.common.quiet) std::fputs(failure.message.c_str(), io_.err);
        exit_code_ = failure.exit_code;
    }

    const PubArgs& args_;
    const ToolIo& io_;
    std::string payload_;
    boost::asio::io_context context_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer repeat_timer_;
    std::optional<Client> client_;
    std::optional<LineReader> lines_;
    bool started_ = false;
    bool published_once_ = false;
    bool input_done_ = false;
    int sent_ = 0;
    int acknowledged_ = 0;
    int refused_code_ = 0;
    int exit_code_ = 0;
};

}  // namespace

int run_pub(std::span<const std::string> argv, const ToolIo& io) {
    auto words = with_default_options("culex_pub", argv);
    auto args = parse_pub_args(words);
    if (!args) return report_stop(args.error(), kProgram, pub_usage(), pub_version_line(), io);

    auto payload = load_message(args->source, args->message, args->file, io.in_fd, io.err);
    if (!payload) return 1;

    auto client_id = client_id_for(args->common, "culexpub", io);
    if (auto problem = check_connection_args(args->common, client_id, "Error: Invalid id.\n")) {
        std::fputs(problem->c_str(), io.err);
        return 1;
    }
    auto tls = tls_for_tool(args->common, io);
    if (!tls) return 1;
    Publisher publisher(*args, io, std::move(client_id), std::move(*payload), *tls);
    int code = publisher.run();
    std::fflush(io.out);
    std::fflush(io.err);
    return code;
}

}  // namespace culex::client
