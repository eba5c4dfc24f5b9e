// The functions behind each step of lab_steps() (steps.hpp), one per step, all self-contained: each starts
// the brokers and captures it needs and stops them before it returns, so that `--only NAME` can run any one.
#pragma once

#include "lab/session.hpp"

namespace culex::lab {

Result<void> step_network(LabSession& lab);
Result<void> step_pubsub(LabSession& lab);
Result<void> step_sniff(LabSession& lab);
Result<void> step_login(LabSession& lab);
Result<void> step_tls_wrong(LabSession& lab);
Result<void> step_doctor(LabSession& lab);
Result<void> step_tls_right(LabSession& lab);

}  // namespace culex::lab
