#include "client/pub_tool.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>

#include <memory>

#include "client/line_reader.hpp"
#include "client/usage.hpp"

namespace culex::client {

namespace {

const ToolNames<PubArgs> kTool{
    .program = "culex pub",
    .options_file = "culex_pub",
    .client_id_prefix = "culexpub",
    .invalid_id = "Error: Invalid id.\n",
    .parse = parse_pub_args,
    .usage = pub_usage,
    .version_line = pub_version_line,
};

// One run of the publisher: the state its callbacks share.
class Publisher {
  public:
    Publisher(const PubArgs& args, const ToolIo& io, ConnectionSetup setup, std::string payload)
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
        auto options = client_options_for(args.common, std::move(setup.client_id));
        emplace_client(client_, context_, std::move(options), args.common, setup, io_, std::move(callbacks));
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
            print_error(args_.common, io_, fmt::format("Error: {}\n", mid.error().message));
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
            print_error(args_.common, io_, fmt::format("Connection error: {}\n", error->message));
            print_error(args_.common, io_,
                        args_.common.version == protocol::ProtocolVersion::v5
                            ? "Error: A network protocol error occurred when communicating with the broker.\n"
                            : "Error: The connection was refused.\n");
            exit_code_ = refused_code_;
            return;
        }
        exit_code_ = report_failure(args_.common, *error, io_);
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
    auto started = start_tool(kTool, argv, io);
    if (!started) return started.error();
    Publisher publisher(started->args, io, std::move(started->setup), std::move(started->payload));
    return finish_run(publisher.run(), io);
}

}  // namespace culex::client
