// What `run` and `gate` share: a loaded scenario run on this host, its result written to
// OUT_DIR/result.json, a summary printed, and the exit code.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "harness/runner/gate_session.h"
#include "harness/scenario/model.h"
#include "reports/prometheus/http.h"
#include "reports/result.h"

namespace faultline::cli {

struct RunRequest {
  std::string command = "run";  // for messages
  std::string out_dir;          // where result.json goes
  bool json = false;            // the result document on stdout instead of the summary
  bool probes = true;
  std::string cluster_name;
  std::optional<reports::prometheus::Endpoint> metrics_listen;
  std::optional<reports::prometheus::PushTarget> pushgateway;
  const runner::GateRequest* gate = nullptr;  // `faultline gate`: quads until a verdict
};

// Runs SCENARIO as REQUEST says. The exit code: 2, 3 or 4 when it could not run, its result
// could not be written or its teardown left something; 130 when interrupted; otherwise
// VERDICT(result).
int ExecuteRun(const scenario::Scenario& scenario, const RunRequest& request,
               const std::function<int(const reports::Result&)>& verdict);

}  // namespace faultline::cli
