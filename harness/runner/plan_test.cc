#include "harness/runner/plan.h"

#include <gtest/gtest.h>

namespace faultline::runner {
namespace {

scenario::Scenario TwoTargetsTwoSteps(std::uint32_t repetitions) {
  scenario::Scenario s;
  s.name = "t";
  s.repetitions = repetitions;
  scenario::Target runc{"a", "oci", "runc"};
  scenario::Target crun{"b", "oci", "crun"};
  crun.image = {scenario::ImageRef::Kind::kRootfs, "/images/other"};
  s.targets = {runc, crun};
  scenario::Step storm{"storm"};
  storm.start.count = 5;
  scenario::Step ramp{"ramp", scenario::Step::Kind::kDensity};
  ramp.density.max = 7;
  s.steps = {storm, ramp};
  return s;
}

std::vector<std::string> Order(const Plan& plan) {
  std::vector<std::string> order;
  for (const auto& e : plan.executions) {
    order.push_back(std::to_string(e.repetition) + ":" + e.step->name + ":" +
                    plan.targets[e.target].target->name);
  }
  return order;
}

TEST(BuildPlan, TargetsTakeTurnsGoingFirstInsideEachStep) {
  const scenario::Scenario s = TwoTargetsTwoSteps(3);
  auto plan = BuildPlan(s, CgroupMode::kV2);
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  EXPECT_EQ(Order(*plan),
            (std::vector<std::string>{"0:storm:a", "0:storm:b", "0:ramp:a", "0:ramp:b", "1:storm:b",
                                      "1:storm:a", "1:ramp:b", "1:ramp:a", "2:storm:a", "2:storm:b",
                                      "2:ramp:a", "2:ramp:b"}));
  EXPECT_EQ(plan->containers, (5u + 7u) * 2 * 3);
}

TEST(BuildPlan, BindsDriversAndSharesImages) {
  scenario::Scenario s = TwoTargetsTwoSteps(1);
  s.targets.push_back({"c", "oci", "runc"});  // same image as "a"
  auto plan = BuildPlan(s, CgroupMode::kV2);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->images.size(), 2u);
  EXPECT_EQ(plan->targets[0].image, 0u);
  EXPECT_EQ(plan->targets[1].image, 1u);
  EXPECT_EQ(plan->targets[2].image, 0u);
  for (const auto& t : plan->targets) EXPECT_EQ(t.kind->spec().name, "oci");
}

TEST(BuildPlan, PrivateViewOnlyForARuntimeThatRefusesHybridCgroups) {
  scenario::Scenario s = TwoTargetsTwoSteps(1);
  EXPECT_TRUE(BuildPlan(s, CgroupMode::kHybrid)->needs_private_v1_view);
  EXPECT_FALSE(BuildPlan(s, CgroupMode::kV2)->needs_private_v1_view);
  s.targets.pop_back();  // runc alone
  EXPECT_FALSE(BuildPlan(s, CgroupMode::kHybrid)->needs_private_v1_view);
}

TEST(BuildPlan, UnknownDriverIsInvalidInput) {
  scenario::Scenario s = TwoTargetsTwoSteps(1);
  s.targets[1].driver = "lxc";
  auto plan = BuildPlan(s, CgroupMode::kV2);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(plan.error().message.find("unknown driver 'lxc'"), std::string::npos);
}

}  // namespace
}  // namespace faultline::runner
