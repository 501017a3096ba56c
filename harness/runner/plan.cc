#include "harness/runner/plan.h"

#include <algorithm>

namespace faultline::runner {

Result<Plan> BuildPlan(const scenario::Scenario& scenario, CgroupMode mode) {
  Plan plan;
  plan.scenario = &scenario;
  for (const auto& target : scenario.targets) {
    const drivers::DriverKind* kind = drivers::FindDriverKind(target.driver);
    if (!kind) {
      return InvalidArgument("target " + target.name + ": unknown driver '" + target.driver + "'");
    }
    auto image = std::find(plan.images.begin(), plan.images.end(), target.image);
    const std::size_t index = static_cast<std::size_t>(image - plan.images.begin());
    if (image == plan.images.end()) plan.images.push_back(target.image);
    plan.targets.push_back({&target, kind, index});
    plan.needs_private_v1_view =
        plan.needs_private_v1_view || kind->NeedsPrivateV1View(target, mode);
  }
  std::uint64_t per_target = 0;
  for (const auto& step : scenario.steps) {
    switch (step.kind) {
      case scenario::Step::Kind::kStart: per_target += step.start.count; break;
      case scenario::Step::Kind::kDensity: per_target += step.density.max; break;
      case scenario::Step::Kind::kSteady: break;  // paced by time, not by count
    }
  }
  plan.containers = per_target * scenario.targets.size() * scenario.repetitions;

  std::vector<std::size_t> order(plan.targets.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::uint32_t rep = 0; rep < scenario.repetitions; ++rep) {
    std::vector<std::size_t> turn = order;
    if (rep % 2 == 1) std::reverse(turn.begin(), turn.end());
    for (const auto& step : scenario.steps) {
      for (std::size_t target : turn) plan.executions.push_back({rep, &step, target});
    }
  }
  return plan;
}

}  // namespace faultline::runner
