#include "broker/broker.hpp"

#include "broker/worker.hpp"

namespace culex::broker {

Broker::Broker(BrokerSettings settings, std::vector<LoopExecutor*> loops)
    : settings_(std::move(settings)), loops_(std::move(loops)) {
    for (int i = 0; i < loop_count(); ++i)
        workers_.push_back(std::make_unique<Worker>(*this, i));
}

Broker::~Broker() = default;

}  // namespace culex::broker
