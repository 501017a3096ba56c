// A scenario expanded and resolved before anything runs: every target bound to its driver,
// the distinct images, and every execution of a step against a target in run order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/cgroup.h"
#include "harness/core/result.h"
#include "harness/drivers/registry.h"
#include "harness/scenario/model.h"

namespace faultline::runner {

struct PlannedTarget {
  const scenario::Target* target = nullptr;
  const drivers::DriverKind* kind = nullptr;
  std::size_t image = 0;  // index into Plan::images
};

// One step run against one target in one repetition.
struct Execution {
  std::uint32_t repetition = 0;
  const scenario::Step* step = nullptr;
  std::size_t target = 0;  // index into Plan::targets
};

struct Plan {
  const scenario::Scenario* scenario = nullptr;
  std::vector<scenario::ImageRef> images;  // distinct, in order of first use
  std::vector<PlannedTarget> targets;      // the scenario's order
  // Repetitions outermost and targets innermost, in turn: A B, B A, A B..., so slow drift of
  // the host affects every target alike and neither always goes first.
  std::vector<Execution> executions;
  std::uint64_t containers = 0;  // started by count-bound steps (start, density at its max)
  bool needs_private_v1_view = false;
};

// Binds SCENARIO's targets to the driver table and orders its executions, for a host whose
// cgroups are in MODE. SCENARIO must outlive the plan. InvalidArgument for an unknown driver
// (the loader normally rejects it first).
Result<Plan> BuildPlan(const scenario::Scenario& scenario, CgroupMode mode);

}  // namespace faultline::runner
