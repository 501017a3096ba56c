#include "reports/sequential_gate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace faultline::reports {
namespace {

// --- A simulated host: slot medians in log space, drift, noise. -------------------------------

// Uniform in (0, 1) and standard normal from the engine's bits, so that the simulations give
// the same counts with every standard library (its distributions are implementation-defined).
double Uniform(std::mt19937_64& random) {
  return (static_cast<double>(random() >> 11) + 0.5) * 0x1.0p-53;
}
double Normal(std::mt19937_64& random) {
  const double radius = std::sqrt(-2 * std::log(Uniform(random)));
  return radius * std::cos(2 * std::numbers::pi * Uniform(random));
}

enum class Drift {
  kNone,
  kLinear,     // 0.3% slower every slot: x3.3 over 100 quads
  kSteps,      // the host's speed jumps (sd 15%) at random slots, 1 in 25
  kSine,       // ±15% with a period of 10 quads
  kHiccups,    // heavy one-sided tail: 1 slot in 20 is slower by an exponential 30% on average
  kAll,        // all four at once
  kInQuadBump  // slots 1 and 2 of every quad 8% slower: a periodic task in step with the quads
};

struct Host {
  Drift drift = Drift::kNone;
  double noise = 0.04;  // sd of a slot median's log
  double ratio = 1;     // B / A, the truth
  bool randomized = true;
};

// The log of a slot median at slot t (counted over the run) as A would give it. The host draws
// from its own generator, never from the schedule's: the drift knows nothing of the coin.
class HostModel {
 public:
  HostModel(const Host& host, std::uint64_t seed) : host_(host), random_(seed) {}

  double Slot(int t) {
    const Drift d = host_.drift;
    const bool all = d == Drift::kAll;
    double y = host_.noise * Normal(random_);
    if (all || d == Drift::kLinear) y += 0.003 * t;
    if (all || d == Drift::kSteps) {
      if (Uniform(random_) < 0.04) level_ += 0.15 * Normal(random_);
      y += level_;
    }
    if (all || d == Drift::kSine) y += 0.15 * std::sin(2 * std::numbers::pi * t / 40);
    if ((all || d == Drift::kHiccups) && Uniform(random_) < 0.05) {
      y -= 0.3 * std::log(Uniform(random_));
    }
    if (d == Drift::kInQuadBump && (t % 4 == 1 || t % 4 == 2)) y += 0.08;
    return y;
  }

 private:
  Host host_;
  std::mt19937_64 random_;
  double level_ = 0;
};

// One gated run to its verdict: quads in the schedule's order (or always ABBA), the candidate's
// slots shifted by the true ratio.
SequentialGate RunJob(const GateConfig& config, const Host& host, std::uint64_t seed) {
  SequentialGate gate = SequentialGate::Create(config).value();
  QuadSchedule schedule(seed);
  HostModel model(host, seed ^ 0x9e3779b97f4a7c15u);
  for (int t = 0; gate.verdict() == GateVerdict::kContinue;) {
    const QuadOrder order = host.randomized ? schedule.Next() : QuadOrder::kAbba;
    std::array<double, 4> slots{};
    for (int slot = 0; slot < 4; ++slot, ++t) {
      const double shift = RunsCandidate(order, slot) ? std::log(host.ratio) : 0;
      slots[static_cast<std::size_t>(slot)] = std::exp(model.Slot(t) + shift);
    }
    gate.Add(QuadContrast(order, slots).value());  // every slot is positive and finite
  }
  return gate;
}

struct Tally {
  int fail = 0, pass = 0;
  std::vector<int> quads;

  int MedianQuads() {
    std::sort(quads.begin(), quads.end());
    return quads[quads.size() / 2];
  }
};

Tally RunJobs(const GateConfig& config, const Host& host, int jobs, std::uint64_t first_seed) {
  Tally tally;
  for (int j = 0; j < jobs; ++j) {
    const SequentialGate gate = RunJob(config, host, first_seed + static_cast<std::uint64_t>(j));
    tally.fail += gate.verdict() == GateVerdict::kFail;
    tally.pass += gate.verdict() == GateVerdict::kPass;
    tally.quads.push_back(gate.quads());
  }
  return tally;
}

// How many of the runs end with a confidence sequence that covers the true ratio.
int CoveredJobs(const GateConfig& config, const Host& host, int jobs, std::uint64_t first_seed) {
  int covered = 0;
  for (int j = 0; j < jobs; ++j) {
    const RatioInterval e =
        RunJob(config, host, first_seed + static_cast<std::uint64_t>(j)).Estimate();
    covered += e.low <= host.ratio && host.ratio <= e.high;
  }
  return covered;
}

// Error rates are checked at alpha = 0.05 over 2000 jobs. A gate whose true rate is alpha makes
// Binomial(2000, 0.05) errors: 100 on average, more than 138 with probability below 1e-4. So
// at most 138 wrong verdicts are allowed: a valid gate fails that by bad luck of the seeds
// less than once in 10,000, while one whose true rate is 9% or more passes it less than once
// in 1,000.
constexpr double kAlpha = 0.05;
constexpr int kJobs = 2000;
constexpr int kMaxErrors = 138;

// --- The schedule and the contrast. -----------------------------------------------------------

TEST(QuadScheduleTest, ASeedGivesTheSameOrdersEverywhere) {
  // mt19937_64's output is fixed by the standard; these are the top bits of its first outputs
  // for seed 42.
  QuadSchedule schedule(42);
  std::string orders;
  for (int i = 0; i < 8; ++i) orders += std::string(QuadOrderName(schedule.Next())) + " ";
  EXPECT_EQ(orders, "BAAB BAAB BAAB ABBA BAAB ABBA BAAB ABBA ");
}

TEST(QuadScheduleTest, AFairCoin) {
  QuadSchedule schedule(1);
  int baab = 0;
  for (int i = 0; i < 10000; ++i) baab += schedule.Next() == QuadOrder::kBaab;
  EXPECT_NEAR(baab, 5000, 200);  // 4 standard deviations
}

TEST(QuadContrastTest, SlotsOfEachOrder) {
  EXPECT_FALSE(RunsCandidate(QuadOrder::kAbba, 0));
  EXPECT_TRUE(RunsCandidate(QuadOrder::kAbba, 1));
  EXPECT_TRUE(RunsCandidate(QuadOrder::kAbba, 2));
  EXPECT_FALSE(RunsCandidate(QuadOrder::kAbba, 3));
  EXPECT_TRUE(RunsCandidate(QuadOrder::kBaab, 0));
  EXPECT_FALSE(RunsCandidate(QuadOrder::kBaab, 1));
  EXPECT_FALSE(RunsCandidate(QuadOrder::kBaab, 2));
  EXPECT_TRUE(RunsCandidate(QuadOrder::kBaab, 3));
}

TEST(QuadContrastTest, LogRatioWithALinearDriftCancelled) {
  EXPECT_NEAR(*QuadContrast(QuadOrder::kAbba, {100, 110, 110, 100}), std::log(1.1), 1e-12);
  EXPECT_NEAR(*QuadContrast(QuadOrder::kBaab, {110, 100, 100, 110}), std::log(1.1), 1e-12);
  // The host 1% slower every slot: the slots' drift terms 0 + 3 against 1 + 2 cancel.
  const double g = std::exp(0.01);
  EXPECT_NEAR(*QuadContrast(QuadOrder::kAbba, {100, 110 * g, 110 * g * g, 100 * g * g * g}),
              std::log(1.1), 1e-12);
  EXPECT_NEAR(*QuadContrast(QuadOrder::kBaab, {110, 100 * g, 100 * g * g, 110 * g * g * g}),
              std::log(1.1), 1e-12);
  // B faster: a negative contrast.
  EXPECT_NEAR(*QuadContrast(QuadOrder::kAbba, {2, 1, 1, 2}), -std::log(2.0), 1e-12);
}

TEST(QuadContrastTest, RejectsMediansThatAreNotPositiveAndFinite) {
  for (double bad : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    faultline::Result<double> r = QuadContrast(QuadOrder::kAbba, {1, 1, bad, 1});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

// --- The gate's mechanics. ----------------------------------------------------------------------

TEST(SequentialGateTest, RejectsABadConfig) {
  const GateConfig bad[] = {
      {.tolerance = 0.10, .detection = 0.10},  // nothing between FAIL and PASS
      {.tolerance = -0.01},
      {.alpha = 0},
      {.alpha = 1},
      {.max_quads = 0},
  };
  for (const GateConfig& config : bad) {
    faultline::Result<SequentialGate> gate = SequentialGate::Create(config);
    ASSERT_FALSE(gate.ok());
    EXPECT_EQ(gate.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(SequentialGate::Create(GateConfig{}).ok());
}

TEST(SequentialGateTest, BonferroniSplitsAlphaOverMetrics) {
  EXPECT_DOUBLE_EQ(BonferroniAlpha(0.01, 4), 0.0025);
  EXPECT_DOUBLE_EQ(BonferroniAlpha(0.01, 1), 0.01);
  EXPECT_DOUBLE_EQ(BonferroniAlpha(0.01, 0), 0.01);
}

TEST(SequentialGateTest, ContrastsAtTheToleranceEarnTheFailBetNothing) {
  // Every contrast exactly ln 1.03: FAIL's bet neither wins nor loses, while PASS's (B is 3%
  // slower, well under 10%) wins every quad.
  SequentialGate gate = *SequentialGate::Create(GateConfig{});
  while (gate.Add(std::log(1.03)) == GateVerdict::kContinue) {
    EXPECT_NEAR(gate.FailEvidence(), 1, 1e-9);
  }
  EXPECT_EQ(gate.verdict(), GateVerdict::kPass);
  EXPECT_NEAR(gate.FailEvidence(), 1, 1e-9);
  EXPECT_GE(gate.PassEvidence(), 1 / 0.01);
}

TEST(SequentialGateTest, AnObviousSlowdownFailsInAFewQuadsAndTheVerdictIsFinal) {
  SequentialGate gate = *SequentialGate::Create(GateConfig{});
  while (gate.Add(std::log(1.5)) == GateVerdict::kContinue) {
  }
  EXPECT_EQ(gate.verdict(), GateVerdict::kFail);
  // A quad's coin can at most double a bet, and the λ grid costs a few quads more than the
  // log2(1/alpha) = 7 of an all-in bettor.
  EXPECT_LE(gate.quads(), 12);
  const int quads = gate.quads();
  EXPECT_EQ(gate.Add(std::log(0.5)), GateVerdict::kFail);
  EXPECT_EQ(gate.quads(), quads);
}

TEST(SequentialGateTest, InconclusiveAtTheCap) {
  // Contrasts alternating far either side of both boundaries: no bet gets anywhere.
  SequentialGate gate = *SequentialGate::Create({.max_quads = 30});
  for (int i = 0; i < 29; ++i) {
    EXPECT_EQ(gate.Add(i % 2 == 0 ? 1.0 : -1.0), GateVerdict::kContinue) << i;
  }
  EXPECT_EQ(gate.Add(1.0), GateVerdict::kInconclusive);
  EXPECT_EQ(gate.verdict(), GateVerdict::kInconclusive);
}

TEST(SequentialGateTest, EstimateIsTheHodgesLehmannRatio) {
  SequentialGate gate = *SequentialGate::Create(GateConfig{});
  RatioInterval none = gate.Estimate();
  EXPECT_TRUE(std::isnan(none.ratio));
  EXPECT_EQ(none.low, 0);
  EXPECT_TRUE(std::isinf(none.high));
  // Walsh averages of 0.1, 0.2, 0.4: 0.1 0.15 0.2 0.25 0.3 0.4, median 0.225.
  for (double d : {0.1, 0.2, 0.4}) gate.Add(d);
  EXPECT_NEAR(gate.Estimate().ratio, std::exp(0.225), 1e-12);
  // Three quads cannot exclude anything at alpha / 2 = 0.005: wealth is at most 1.9^3.
  EXPECT_EQ(gate.Estimate().low, 0);
  EXPECT_TRUE(std::isinf(gate.Estimate().high));
}

TEST(SequentialGateTest, TheConfidenceSequenceOnlyNarrows) {
  // B 2% slower, tolerance and detection size close either side: neither verdict comes soon.
  SequentialGate gate = *SequentialGate::Create(
      {.tolerance = 0.015, .detection = 0.025, .alpha = 0.01, .max_quads = 80});
  std::mt19937_64 random(3);
  double low = 0, high = std::numeric_limits<double>::infinity();
  for (int i = 0; i < 40 && gate.verdict() == GateVerdict::kContinue; ++i) {
    gate.Add(std::log(1.02) + 0.04 * Normal(random));
    const RatioInterval e = gate.Estimate();
    EXPECT_GE(e.low, low) << i;
    EXPECT_LE(e.high, high) << i;
    EXPECT_LE(e.low, e.ratio) << i;
    EXPECT_GE(e.high, e.ratio) << i;
    low = e.low;
    high = e.high;
  }
  // Both ends have closed in on 1.02 by then.
  EXPECT_GT(low, 0.95);
  EXPECT_LT(high, 1.10);
}

// --- Operating characteristics on simulated hosts. ----------------------------------------------

class DriftTest : public ::testing::TestWithParam<Drift> {};

// At the tolerance itself (the hardest null for FAIL), with a detection size just above it so
// that runs go on for long (most reach the cap): the chance that FAIL's bet ever reaches
// 1/alpha is what is measured.
TEST_P(DriftTest, FalseFailsStayUnderAlphaAtTheTolerance) {
  const GateConfig config{.tolerance = 0.03, .detection = 0.035, .alpha = kAlpha, .max_quads = 40};
  const Tally t = RunJobs(config, {.drift = GetParam(), .ratio = 1.03}, kJobs, 1000);
  EXPECT_LE(t.fail, kMaxErrors) << "false FAIL in " << t.fail << " of " << kJobs;
  // No slowdown at all, at the default detection size (the runs mostly stop at PASS).
  const Tally same = RunJobs({.alpha = kAlpha}, {.drift = GetParam(), .ratio = 1.0}, kJobs, 3000);
  EXPECT_LE(same.fail, kMaxErrors) << "false FAIL in " << same.fail << " of " << kJobs;
}

// The mirror image, at the detection size: PASS's bet.
TEST_P(DriftTest, FalsePassesStayUnderAlphaAtTheDetectionSize) {
  const GateConfig config{.tolerance = 0.095, .detection = 0.10, .alpha = kAlpha, .max_quads = 40};
  const Tally t = RunJobs(config, {.drift = GetParam(), .ratio = 1.10}, kJobs, 5000);
  EXPECT_LE(t.pass, kMaxErrors) << "false PASS in " << t.pass << " of " << kJobs;
}

INSTANTIATE_TEST_SUITE_P(Hosts, DriftTest,
                         ::testing::Values(Drift::kLinear, Drift::kSteps, Drift::kSine,
                                           Drift::kHiccups, Drift::kAll, Drift::kInQuadBump));

TEST(OperatingTest, AFixedOrderIsFooledByDriftInStepWithTheQuads) {
  // B is not slower at all, but slots 1 and 2 of every quad are 8% slower. Always ABBA puts B
  // in exactly those slots; the coin puts it there half the time, and the bias becomes noise.
  const GateConfig config{.alpha = kAlpha};
  const Host fixed{.drift = Drift::kInQuadBump, .ratio = 1.0, .randomized = false};
  const Tally t = RunJobs(config, fixed, kJobs / 4, 9000);
  EXPECT_GT(t.fail, kJobs / 4 / 2) << "false FAIL in " << t.fail << " of " << kJobs / 4;
  Host randomized = fixed;
  randomized.randomized = true;
  EXPECT_LE(RunJobs(config, randomized, kJobs, 9000).fail, kMaxErrors);
}

// Default settings (alpha 0.01), a realistic host: slot medians with 4% noise and hiccups.
TEST(OperatingTest, PowerAndQuadsToAVerdict) {
  const GateConfig config;
  Tally same = RunJobs(config, {.drift = Drift::kHiccups, .ratio = 1.0}, 500, 20000);
  EXPECT_GE(same.pass, 495);
  EXPECT_LE(same.MedianQuads(), 20);

  Tally ten = RunJobs(config, {.drift = Drift::kHiccups, .ratio = 1.10}, 500, 21000);
  EXPECT_GE(ten.fail, 475);
  EXPECT_LE(ten.MedianQuads(), 16);

  Tally quarter = RunJobs(config, {.drift = Drift::kHiccups, .ratio = 1.25}, 500, 22000);
  EXPECT_GE(quarter.fail, 495);
  EXPECT_LE(quarter.MedianQuads(), 12);
}

TEST(OperatingTest, TheConfidenceSequenceCoversTheTrueRatio) {
  // 1000 jobs at alpha = 0.05: at most 77 misses (the same 1e-4 slack as kMaxErrors). On a
  // quiet host the runs stop at their verdict; on a very noisy one they go to the cap.
  const GateConfig config{.alpha = kAlpha};
  for (const double ratio : {1.0, 1.065, 1.25}) {
    for (const double noise : {0.04, 0.3}) {
      const Host host{.drift = Drift::kAll, .noise = noise, .ratio = ratio};
      EXPECT_GE(CoveredJobs(config, host, 1000, 30000), 1000 - 77)
          << "ratio " << ratio << " noise " << noise;
    }
  }
}

}  // namespace
}  // namespace faultline::reports
