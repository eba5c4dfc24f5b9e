// A broker core with N loops and no network: each loop a ManualExecutor, each client a FakeLink. Packets go
// in as net hands them over (within a step, end_step after it), and settle() runs every loop's tasks until
// all are idle, so a test sees the broker after everything it set off, cross-loop hand-overs included.
#pragma once

#include <memory>
#include <vector>

#include "broker/broker.hpp"
#include "broker/client.hpp"
#include "fake_link.hpp"

namespace culex::broker::testing {

struct TestClient {
    explicit TestClient(int l) : loop(l), client(std::make_shared<Client>(link)) {}
    int loop;
    FakeLink link;
    ClientPtr client;

    // The packets of one type sent to it so far.
    template <typename T>
    std::vector<T> sent() const {
        std::vector<T> out;
        for (const auto& p : link.sent)
            if (auto* packet = std::get_if<T>(&p)) out.push_back(*packet);
        return out;
    }
    bool closed() const { return link.closed; }
};

class CoreHarness {
  public:
    explicit CoreHarness(int loops, BrokerSettings settings = {}, bool allow_anonymous = true) {
        std::vector<LoopExecutor*> pointers;
        for (int i = 0; i < loops; ++i) {
            executors_.push_back(std::make_unique<ManualExecutor>());
            pointers.push_back(executors_.back().get());
        }
        AccessPolicy policy;
        policy.allow_anonymous = allow_anonymous;
        std::vector<AccessPolicy> policies;
        policies.push_back(std::move(policy));
        broker_ = std::make_unique<Broker>(std::move(settings), pointers, std::move(policies));
        for (int i = 0; i < loops; ++i)
            executors_[static_cast<std::size_t>(i)]->core = &broker_->core(i);
    }

    Broker& broker() { return *broker_; }
    LoopCore& core(int loop) { return broker_->core(loop); }
    ManualExecutor& executor(int loop) { return *executors_[static_cast<std::size_t>(loop)]; }

    // A new connection on `loop`; nothing sent yet.
    std::unique_ptr<TestClient> open(int loop) { return std::make_unique<TestClient>(loop); }

    // The client's packet as net delivers it, then everything it set off.
    void receive(TestClient& c, protocol::Packet packet) {
        core(c.loop).handle_packet(c.client, std::move(packet));
        core(c.loop).end_step();
        settle();
    }
    // The socket closed under the client (no DISCONNECT).
    void drop(TestClient& c) {
        core(c.loop).handle_closed(c.client);
        core(c.loop).end_step();
        settle();
    }
    void tick(std::chrono::steady_clock::time_point now) {
        for (int i = 0; i < static_cast<int>(executors_.size()); ++i) {
            core(i).tick(now);
            core(i).end_step();
        }
        settle();
    }

    // Runs every loop's tasks, round robin, until none is left; bounded, so a livelock fails, not hangs.
    void settle() {
        for (int round = 0; round < 100000; ++round) {
            bool ran = false;
            for (auto& executor : executors_)
                ran = executor->run_one() || ran;
            if (!ran) return;
        }
        ADD_FAILURE() << "the loops did not settle";
    }

    // Connects a client with this id on `loop` and returns it once its CONNACK is out.
    std::unique_ptr<TestClient> connect(int loop, std::string id, bool clean = true,
                                        protocol::ProtocolVersion version = protocol::ProtocolVersion::v311,
                                        std::optional<protocol::Will> will = std::nullopt) {
        auto c = open(loop);
        protocol::Connect connect;
        connect.version = version;
        connect.client_id = std::move(id);
        connect.clean_start = clean;
        connect.will = std::move(will);
        receive(*c, std::move(connect));
        return c;
    }

  private:
    std::vector<std::unique_ptr<ManualExecutor>> executors_;
    std::unique_ptr<Broker> broker_;
};

}  // namespace culex::broker::testing
