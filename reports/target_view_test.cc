#include "reports/target_view.h"

#include <gtest/gtest.h>

#include "reports/compare.h"

namespace faultline::reports {
namespace {

Sample Run(const std::string& target, int repetition, std::int64_t ns) {
  Sample s;
  s.step = "storm";
  s.target = target;
  s.repetition = repetition;
  s.op = "run";
  s.duration_ns = ns;
  return s;
}

Result TwoTargets() {
  Result r;
  r.context.run_id = "0000abcd";
  r.context.targets = {{"a", "oci", {"runc", "1.1"}, {"busybox", "sha256:1", "rootfs-tree"}},
                       {"b", "oci", {"crun", "1.8"}, {"busybox", "sha256:1", "rootfs-tree"}}};
  for (int rep = 0; rep < 6; ++rep) {
    for (int i = 0; i < 5; ++i) {
      r.samples.push_back(Run("a", rep, 10'000'000 + i * 1000));
      r.samples.push_back(Run("b", rep, 20'000'000 + i * 1000));
    }
  }
  FaultRecord bound, run_level;
  bound.kind = "node.pause";
  bound.step = "storm";
  bound.target = "b";
  run_level.kind = "network.loss";
  r.faults = {bound, run_level};
  r.slo = {SloVerdict{}};
  return r;
}

TEST(TargetAsRunTest, KeepsOneTargetUnderTheCommonName) {
  auto b = TargetAsRun(TwoTargets(), "b", "a vs b");
  ASSERT_TRUE(b.ok()) << b.error().ToString();
  ASSERT_EQ(b->samples.size(), 30u);
  for (const Sample& s : b->samples) {
    EXPECT_EQ(s.target, "a vs b");
    EXPECT_GE(s.duration_ns, 20'000'000);
  }
  ASSERT_EQ(b->context.targets.size(), 1u);
  EXPECT_EQ(b->context.targets[0].name, "a vs b");
  EXPECT_EQ(b->context.targets[0].runtime.name, "crun");
  ASSERT_EQ(b->faults.size(), 1u);  // the run-level fault belongs to neither side
  EXPECT_EQ(b->faults[0].kind, "node.pause");
  EXPECT_TRUE(b->slo.empty());
  EXPECT_TRUE(TargetAsRun(TwoTargets(), "a", "a vs b")->faults.empty());
}

TEST(TargetAsRunTest, TwoTargetsOfOneRunCompare) {
  const Result run = TwoTargets();
  Comparison c = Compare(*TargetAsRun(run, "a", "a vs b"), *TargetAsRun(run, "b", "a vs b"), {});
  EXPECT_TRUE(c.not_comparable.empty());
  ASSERT_EQ(c.metrics.size(), 1u);
  EXPECT_EQ(c.metrics[0].target, "a vs b");
  EXPECT_EQ(c.metrics[0].verdict, Verdict::kRegressed) << c.metrics[0].reason;
  EXPECT_NEAR(c.metrics[0].median.ratio.ratio, 2.0, 0.01);
}

TEST(TargetAsRunTest, AnUnknownTargetNamesTheOnesThereAre) {
  auto missing = TargetAsRun(TwoTargets(), "c", "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "no target 'c' in run 0000abcd (its targets: a, b)");
}

}  // namespace
}  // namespace faultline::reports
