#include "harness/runner/gate_session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace faultline::runner {
namespace {

// Three targets (the gate takes two), a warm-up that records nothing, the gated storm and a
// density ramp the gate does not run.
scenario::Scenario Scenario() {
  scenario::Scenario s;
  s.name = "g";
  s.targets = {{"base", "oci", "runc"}, {"next", "oci", "runc"}, {"other", "oci", "crun"}};
  scenario::Step warmup{"warmup"};
  warmup.record = false;
  scenario::Step storm{"storm"};
  storm.start.count = 5;
  scenario::Step ramp{"ramp", scenario::Step::Kind::kDensity};
  ramp.density.max = 3;
  s.steps = {warmup, storm, ramp};
  return s;
}

GateRequest Request() {
  GateRequest request;
  request.base = "base";
  request.candidate = "next";
  request.step = "storm";
  request.seed = 42;
  return request;
}

// A slot's samples: one successful sample of OP per value (seconds).
std::vector<reports::Sample> Samples(const std::vector<double>& values,
                                     const std::string& op = "run") {
  std::vector<reports::Sample> samples;
  for (double value : values) {
    reports::Sample sample;
    sample.op = op;
    sample.ok = true;
    sample.duration_ns = static_cast<std::int64_t>(value * 1e9);
    samples.push_back(sample);
  }
  return samples;
}

class GateSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto plan = BuildPlan(scenario_, CgroupMode::kV2);
    ASSERT_TRUE(plan.ok()) << plan.error().ToString();
    plan_ = std::move(*plan);
  }
  const std::string& TargetOf(const Execution& e) { return plan_.targets[e.target].target->name; }
  // Runs SESSION to its end with slots whose values are NOISE around 10 ms, times RATIO for the
  // candidate, drifting upward by half over the run; returns the quads used. Each slot has
  // start_latency samples and op_latency.create samples, the latter times CREATE_RATIO for the
  // candidate.
  int RunToEnd(GateSession& session, double ratio, double noise, std::uint64_t seed,
               double create_ratio = 1.0) {
    std::mt19937_64 random(seed);
    std::normal_distribution<double> jitter(0, noise);
    int slots = 0;
    while (auto next = session.Next()) {
      const double drift = 1 + 0.5 * slots / 240.0;
      const bool candidate = TargetOf(*next) == "next";
      std::vector<double> starts, creates;
      for (int i = 0; i < 5; ++i) {
        starts.push_back(0.010 * drift * (candidate ? ratio : 1.0) * std::exp(jitter(random)));
        creates.push_back(0.004 * drift * (candidate ? create_ratio : 1.0) *
                          std::exp(jitter(random)));
      }
      std::vector<reports::Sample> samples = Samples(starts);
      for (auto& create : Samples(creates, "create")) samples.push_back(create);
      session.SlotDone(samples);
      ++slots;
    }
    EXPECT_EQ(slots % 4, 0);
    return slots / 4;
  }

  scenario::Scenario scenario_ = Scenario();
  Plan plan_;
};

TEST_F(GateSessionTest, EachQuadRunsBothTargetsTwiceInTheSeededOrder) {
  auto session = GateSession::Create(plan_, Request());
  ASSERT_TRUE(session.ok()) << session.error().ToString();
  reports::QuadSchedule schedule(42);
  for (int quad = 0; quad < 5; ++quad) {
    const reports::QuadOrder order = schedule.Next();
    for (int slot = 0; slot < 4; ++slot) {
      auto next = session->Next();
      ASSERT_TRUE(next.has_value());
      EXPECT_EQ(next->step->name, "storm");
      EXPECT_EQ(next->repetition, static_cast<std::uint32_t>(quad * 4 + slot));
      EXPECT_EQ(TargetOf(*next), reports::RunsCandidate(order, slot) ? "next" : "base");
      session->SlotDone(Samples({0.01, 0.011, 0.012}));
    }
  }
  EXPECT_EQ(session->outcome().quads, 5);
  ASSERT_EQ(session->outcome().metrics.size(), 1u);
  EXPECT_EQ(session->outcome().metrics[0].metric, "start_latency");
  EXPECT_EQ(session->outcome().metrics[0].quads.size(), 5u);
  EXPECT_EQ(session->outcome().seed, 42u);
  // The warm-up runs once for each of the two targets first; the other target and the
  // ungated ramp not at all.
  std::vector<std::string> preamble;
  for (const auto& e : session->preamble()) preamble.push_back(e.step->name + ":" + TargetOf(e));
  EXPECT_EQ(preamble, (std::vector<std::string>{"warmup:base", "warmup:next"}));
}

TEST_F(GateSessionTest, PassesTwinsAndFailsASlowerCandidateWithTheRatioBracketed) {
  auto twins = GateSession::Create(plan_, Request());
  ASSERT_TRUE(twins.ok());
  const int twin_quads = RunToEnd(*twins, 1.0, 0.04, 1);
  EXPECT_EQ(twins->outcome().verdict, "pass");
  EXPECT_LE(twin_quads, 30);
  EXPECT_LT(twins->outcome().metrics[0].low, 1.0);
  EXPECT_GT(twins->outcome().metrics[0].high, 1.0);

  auto slow = GateSession::Create(plan_, Request());
  ASSERT_TRUE(slow.ok());
  RunToEnd(*slow, 1.25, 0.04, 2);
  EXPECT_EQ(slow->outcome().verdict, "fail");
  const reports::GateMetric& out = slow->outcome().metrics[0];
  EXPECT_EQ(out.verdict, "fail");
  EXPECT_GT(out.fail_evidence, 1 / out.alpha);
  EXPECT_LT(out.low, 1.25);
  EXPECT_GT(out.high, 1.25);
  EXPECT_NEAR(out.ratio, 1.25, 0.05);
  ASSERT_FALSE(out.quads.empty());
  EXPECT_NEAR(out.quads[0].contrast, std::log(1.25), 0.15);
}

TEST_F(GateSessionTest, ASlotWithoutAStartStopsItInconclusive) {
  auto session = GateSession::Create(plan_, Request());
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(session->Next().has_value());
  session->SlotDone(Samples({0.01}));
  ASSERT_TRUE(session->Next().has_value());
  session->SlotDone(Samples({0.01}, "create"));
  EXPECT_FALSE(session->Next().has_value());
  EXPECT_EQ(session->outcome().verdict, "inconclusive");
  EXPECT_EQ(session->outcome().reason,
            "slot 2 of quad 1 had no successful sample of start_latency");
  EXPECT_EQ(session->outcome().quads, 0);
}

// With probes a slot where too few starts had their kernel phases joined has a start_latency of
// a subset: the gate stops rather than bet on it.
TEST_F(GateSessionTest, ASlotWithTooFewJoinedStartsStopsItInconclusive) {
  auto session = GateSession::Create(plan_, Request());
  ASSERT_TRUE(session.ok());
  // Every start has its wall span; all of them joined.
  std::vector<reports::Sample> joined = Samples({0.01, 0.01, 0.01, 0.01});
  for (auto& wall : Samples({0.012, 0.012, 0.012, 0.012}, "run_wall")) joined.push_back(wall);
  ASSERT_TRUE(session->Next().has_value());
  session->SlotDone(joined);
  // Three of four joined: 75%.
  std::vector<reports::Sample> some = Samples({0.01, 0.01, 0.01});
  for (auto& wall : Samples({0.012, 0.012, 0.012, 0.012}, "run_wall")) some.push_back(wall);
  ASSERT_TRUE(session->Next().has_value());
  session->SlotDone(some);
  EXPECT_FALSE(session->Next().has_value());
  EXPECT_EQ(session->outcome().verdict, "inconclusive");
  EXPECT_EQ(session->outcome().reason,
            "slot 2 of quad 1: only 75% of its starts have kernel phases (at least 95% needed): "
            "the start_latency of the rest is unknown");
}

// Several metrics share alpha (Bonferroni): one slower metric FAILs the gate, named, while the
// unchanged one may still be undecided; twins on both PASS only once both have.
TEST_F(GateSessionTest, SeveralMetricsShareAlphaAndOneSlowerMetricFailsTheGate) {
  GateRequest request = Request();
  request.metrics = {"start_latency", "op_latency.create"};
  auto slow = GateSession::Create(plan_, request);
  ASSERT_TRUE(slow.ok()) << slow.error().ToString();
  ASSERT_EQ(slow->outcome().metrics.size(), 2u);
  EXPECT_DOUBLE_EQ(slow->outcome().alpha, 0.01);
  EXPECT_DOUBLE_EQ(slow->outcome().metrics[0].alpha, 0.005);
  EXPECT_DOUBLE_EQ(slow->outcome().metrics[1].alpha, 0.005);
  RunToEnd(*slow, 1.0, 0.04, 3, /*create_ratio=*/1.3);
  EXPECT_EQ(slow->outcome().verdict, "fail");
  EXPECT_EQ(slow->outcome().metrics[1].verdict, "fail");
  EXPECT_NE(slow->outcome().metrics[0].verdict, "fail");
  EXPECT_GT(slow->outcome().metrics[1].fail_evidence, 1 / 0.005);
  EXPECT_NEAR(slow->outcome().metrics[1].ratio, 1.3, 0.06);

  auto twins = GateSession::Create(plan_, request);
  ASSERT_TRUE(twins.ok());
  const int quads = RunToEnd(*twins, 1.0, 0.04, 4);
  EXPECT_EQ(twins->outcome().verdict, "pass");
  for (const auto& metric : twins->outcome().metrics) {
    EXPECT_EQ(metric.verdict, "pass") << metric.metric;
    EXPECT_GT(metric.pass_evidence, 1 / 0.005) << metric.metric;
    EXPECT_LE(static_cast<int>(metric.quads.size()), quads) << metric.metric;
  }
  // The one decided last took every quad.
  EXPECT_TRUE(static_cast<int>(twins->outcome().metrics[0].quads.size()) == quads ||
              static_cast<int>(twins->outcome().metrics[1].quads.size()) == quads);
}

TEST_F(GateSessionTest, RefusesWhatItCannotGate) {
  auto with = [&](auto change) {
    GateRequest request = Request();
    change(request);
    auto session = GateSession::Create(plan_, request);
    return session.ok() ? std::string() : session.error().message;
  };
  EXPECT_EQ(with([](GateRequest& r) { r.base = "nope"; }), "--base: no target named 'nope'");
  EXPECT_EQ(with([](GateRequest& r) { r.candidate = "base"; }),
            "--base and --candidate name one target");
  EXPECT_NE(with([](GateRequest& r) { r.step = "ramp"; }).find("not a recorded start step"),
            std::string::npos);
  EXPECT_NE(with([](GateRequest& r) { r.step = "warmup"; }).find("not a recorded start step"),
            std::string::npos);
  EXPECT_NE(with([](GateRequest& r) { r.config.detection = 0.01; }), "");
  EXPECT_EQ(with([](GateRequest& r) { r.metrics = {"memory"}; }),
            "--metric: expected start_latency, op_latency.<operation> (a start step's samples) "
            "or recovery_time, got 'memory'");
  EXPECT_EQ(with([](GateRequest& r) { r.metrics = {"recovery_time"}; }),
            "--metric: recovery_time needs a platform.* fault bound to step 'storm' (its "
            "daemon's recovery is timed in each slot)");
  EXPECT_EQ(with([](GateRequest& r) {
              r.metrics = {"op_latency.create", "op_latency.create"};
            }),
            "--metric: 'op_latency.create' is gated twice");
}

}  // namespace
}  // namespace faultline::runner
