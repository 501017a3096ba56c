#include "reports/compare.h"

#include <gtest/gtest.h>

#include <limits>

#include "reports/compare_report.h"

namespace faultline::reports {
namespace {

// A run of `reps` repetitions of `per_rep` start storms: start_latency around 10 ms and create
// around 8 ms, spread ±10% in a fixed pattern, times `scale` (create times `create_scale`).
Result MakeRun(double scale, int reps, int per_rep, double create_scale = -1) {
  if (create_scale < 0) create_scale = scale;
  Result r;
  r.context.run_id = "run" + std::to_string(static_cast<int>(scale * 100));
  r.context.scenario_sha256 = "abc";
  r.context.cpu_model = "cpu";
  r.context.cpu_count = 2;
  r.context.memory_bytes = 24ull << 30;
  r.context.cgroup_mode = "hybrid";
  r.context.kernel = "6.18.0-1";
  r.context.targets = {{"runc", "oci", {}, {"busybox", "sha256:1", "rootfs-tree"}}};
  for (int rep = 0; rep < reps; ++rep) {
    for (int i = 0; i < per_rep; ++i) {
      const double spread = 1 + 0.1 * (((i * 7 + rep * 3) % 21) - 10) / 10.0;
      for (auto [op, base_ns, factor] :
           {std::tuple{"run", 10e6, scale}, std::tuple{"create", 8e6, create_scale}}) {
        Sample s;
        s.step = "storm";
        s.target = "runc";
        s.repetition = rep;
        s.op = op;
        s.duration_ns = static_cast<std::int64_t>(base_ns * spread * factor);
        r.samples.push_back(s);
      }
    }
  }
  return r;
}

const MetricComparison& Find(const Comparison& c, const std::string& metric) {
  for (const auto& m : c.metrics) {
    if (m.metric == metric) return m;
  }
  ADD_FAILURE() << "no " << metric;
  static MetricComparison none;
  return none;
}

TEST(CompareTest, IdenticalRunsShowNoChange) {
  Comparison c = Compare(MakeRun(1, 5, 20), MakeRun(1, 5, 20), {});
  ASSERT_EQ(c.metrics.size(), 2u);
  for (const auto& m : c.metrics) {
    EXPECT_EQ(m.verdict, Verdict::kNoChange) << m.metric << ": " << m.reason;
    EXPECT_EQ(m.level, Level::kRepetition);
    EXPECT_EQ(m.base_values, 5u);
    EXPECT_EQ(m.base_samples, 100u);
    EXPECT_DOUBLE_EQ(m.median.ratio.ratio, 1.0);
    EXPECT_DOUBLE_EQ(m.p_adjusted, 1.0);
  }
  EXPECT_FALSE(c.Regressed());
  EXPECT_TRUE(c.not_comparable.empty());
}

TEST(CompareTest, AConsistentSlowdownBeyondTheThresholdRegresses) {
  Comparison c = Compare(MakeRun(1, 5, 20), MakeRun(1.3, 5, 20, 1.0), {});
  const MetricComparison& start = Find(c, "start_latency");
  EXPECT_EQ(start.verdict, Verdict::kRegressed) << start.reason;
  EXPECT_NEAR(start.median.ratio.ratio, 1.3, 0.01);
  EXPECT_GT(start.median.ratio.low, 1.05);
  EXPECT_TRUE(start.exact);
  // Every new repetition is slower than every base one: p = 2/252, adjusted over 2 metrics
  // (the unchanged one has p = 1): 2 · (2/252) / 1 = 0.0159.
  EXPECT_NEAR(start.p_value, 2.0 / 252, 1e-12);
  EXPECT_NEAR(start.p_adjusted, 4.0 / 252, 1e-12);
  EXPECT_EQ(Find(c, "op_latency.create").verdict, Verdict::kNoChange);
  EXPECT_TRUE(c.Regressed());
  // The same data with a threshold above the change: not a regression.
  CompareOptions lenient;
  lenient.threshold = 0.5;
  EXPECT_FALSE(Compare(MakeRun(1, 5, 20), MakeRun(1.3, 5, 20, 1.0), lenient).Regressed());
}

TEST(CompareTest, AConsistentSpeedupImproves) {
  Comparison c = Compare(MakeRun(1, 5, 20), MakeRun(0.6, 5, 20), {});
  for (const auto& m : c.metrics) EXPECT_EQ(m.verdict, Verdict::kImproved) << m.reason;
  EXPECT_FALSE(c.Regressed());
}

TEST(CompareTest, ASignificantChangeWithinTheThresholdIsNoChange) {
  // Pooled samples (one repetition) of 400: a 3% shift is significant, and within 5%.
  Comparison c = Compare(MakeRun(1, 1, 400), MakeRun(1.03, 1, 400), {});
  const MetricComparison& start = Find(c, "start_latency");
  EXPECT_NEAR(start.median.ratio.ratio, 1.03, 0.005);
  EXPECT_LT(start.p_adjusted, 0.05);
  EXPECT_EQ(start.verdict, Verdict::kNoChange) << start.reason;
}

TEST(CompareTest, FewRepetitionsFallBackToSamplesWithAWarning) {
  Comparison c = Compare(MakeRun(1, 1, 30), MakeRun(1.5, 1, 30), {});
  const MetricComparison& start = Find(c, "start_latency");
  EXPECT_EQ(start.level, Level::kSample);
  EXPECT_EQ(start.base_values, 30u);
  EXPECT_FALSE(start.exact);  // 30 values: normal approximation
  EXPECT_EQ(start.verdict, Verdict::kRegressed) << start.reason;
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings[0].find("pooled samples"), std::string::npos) << c.warnings[0];
  EXPECT_NE(c.warnings[0].find("BASE has 1 repetition"), std::string::npos) << c.warnings[0];
  // Two runs: compare says it cannot bound false alarms across them.
  EXPECT_NE(c.warnings.back().find("cannot bound false alarms"), std::string::npos)
      << c.warnings.back();
  // Two targets of one run (one run id, as `--targets` compares them): it does not.
  for (const auto& w : Compare(MakeRun(1, 6, 10), MakeRun(1, 6, 10), {}).warnings) {
    EXPECT_EQ(w.find("cannot bound false alarms"), std::string::npos) << w;
  }
  // Three repetitions each cannot reach p < 0.05 (2/20 at best): samples again.
  EXPECT_EQ(Find(Compare(MakeRun(1, 3, 10), MakeRun(1, 3, 10), {}), "start_latency").level,
            Level::kSample);
  EXPECT_EQ(Find(Compare(MakeRun(1, 4, 10), MakeRun(1, 4, 10), {}), "start_latency").level,
            Level::kRepetition);
}

TEST(CompareTest, TooFewSamplesAreWarnedAbout) {
  Comparison c = Compare(MakeRun(1, 1, 3), MakeRun(1, 1, 3), {});
  bool warned = false;
  for (const auto& w : c.warnings) warned |= w.find("fewer than 5 successful samples") != w.npos;
  EXPECT_TRUE(warned);
}

TEST(CompareTest, AMetricInOneRunOnlyIsInconclusiveAndNotTested) {
  Result base = MakeRun(1, 5, 20);
  Result next = MakeRun(1.5, 5, 20);
  std::erase_if(next.samples, [](const Sample& s) { return s.op == "create"; });
  Comparison c = Compare(base, next, {});
  const MetricComparison& create = Find(c, "op_latency.create");
  EXPECT_EQ(create.verdict, Verdict::kInconclusive);
  EXPECT_EQ(create.reason, "only in BASE");
  EXPECT_FALSE(create.tested);
  // The family holds one test: start_latency's p stays unadjusted.
  const MetricComparison& start = Find(c, "start_latency");
  EXPECT_DOUBLE_EQ(start.p_adjusted, start.p_value);
}

TEST(CompareTest, PhasesAreComparedToo) {
  Result base = MakeRun(1, 5, 10), next = MakeRun(1, 5, 10);
  for (Result* r : {&base, &next}) {
    for (auto& s : r->samples) {
      if (s.op == "run") s.phases = {{"user_exec", s.duration_ns / 2}};
    }
  }
  Comparison c = Compare(base, next, {});
  EXPECT_EQ(Find(c, "start_phase.user_exec").verdict, Verdict::kNoChange);
}

TEST(CompareTest, RunsOfDifferentProbeModesAreNotComparable) {
  Result base = MakeRun(1, 5, 10), next = MakeRun(1, 5, 10);
  EXPECT_TRUE(Compare(base, next, {}).not_comparable.empty());
  next.probes = ProbeReport{.mode = "ebpf"};
  std::vector<std::string> problems = Compare(base, next, {}).not_comparable;
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("probe mode"), std::string::npos) << problems[0];
  base.probes = ProbeReport{.mode = "ebpf"};
  EXPECT_TRUE(Compare(base, next, {}).not_comparable.empty());
}

// With probes every start has a run_wall sample and the joined ones a run sample: a side where
// too few starts were joined has a start_latency of a subset, which no verdict may rest on.
TEST(CompareTest, AStartLatencyOfTooFewJoinedStartsIsInconclusive) {
  Result base = MakeRun(1, 5, 20), next = MakeRun(1.5, 5, 20);
  for (Result* run : {&base, &next}) {
    std::vector<Sample> walls;
    for (const Sample& s : run->samples) {
      if (s.op != "run") continue;
      Sample wall = s;
      wall.op = "run_wall";
      walls.push_back(wall);
    }
    run->samples.insert(run->samples.end(), walls.begin(), walls.end());
  }
  EXPECT_EQ(Find(Compare(base, next, {}), "start_latency").verdict, Verdict::kRegressed);
  // NEW lost the kernel events of 10 of its 100 starts: they are run_wall alone.
  int unjoined = 0;
  std::erase_if(next.samples, [&](const Sample& s) { return s.op == "run" && unjoined++ < 10; });
  const Comparison lost = Compare(base, next, {});
  const MetricComparison& start = Find(lost, "start_latency");
  EXPECT_EQ(start.verdict, Verdict::kInconclusive);
  EXPECT_NE(start.reason.find("only 90% of NEW's starts have kernel phases (at least 95% needed)"),
            std::string::npos)
      << start.reason;
  // The wall-clock span of every start still compares.
  EXPECT_EQ(Find(lost, "op_latency.run_wall").verdict, Verdict::kRegressed);
}

TEST(CompareTest, Deterministic) {
  auto a = CompareToJson(Compare(MakeRun(1, 5, 20), MakeRun(1.07, 5, 20), {}));
  auto b = CompareToJson(Compare(MakeRun(1, 5, 20), MakeRun(1.07, 5, 20), {}));
  EXPECT_EQ(a.dump(), b.dump());
}

TEST(CompareTest, Comparability) {
  RunContext base = MakeRun(1, 1, 1).context;
  RunContext next = base;
  // Patch level, hostname, memory within half a GiB: the same host class.
  next.kernel = "6.18.3";
  next.hostname = "other";
  next.memory_bytes = (24ull << 30) - (300ull << 20);
  EXPECT_TRUE(ComparabilityProblems(base, next).empty());
  EXPECT_EQ(HostClass(base), "cpu=cpu cpus=2 memory=24GiB cgroup=hybrid kernel=6.18");

  next.kernel = "6.1.0";
  next.scenario_sha256 = "def";
  next.targets[0].image.digest = "sha256:2";
  next.cgroup_mode = "v2";
  next.cpu_count = 4;
  auto problems = ComparabilityProblems(base, next);
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_EQ(problems[0], "scenario sha256 differs: BASE abc, NEW def");
  EXPECT_EQ(problems[1], "target runc image digest differs: BASE sha256:1, NEW sha256:2");
  EXPECT_EQ(problems[2], "host CPU count differs: BASE 2, NEW 4");
  EXPECT_EQ(problems[3], "host cgroup mode differs: BASE hybrid, NEW v2");
  EXPECT_EQ(problems[4], "host kernel differs: BASE 6.18, NEW 6.1");
}

// A host-speed control whose reference operation took `ns` in every probe.
void SetHostSpeed(Result& r, std::int64_t ns) {
  r.host_speed = HostSpeed{"fork+exec /usr/bin/true", {}};
  for (int rep = 0; rep <= 5; ++rep) {
    r.host_speed->probes.push_back({rep, rep, {ns, ns + 1000, ns - 1000}, {}, 0});
  }
}

TEST(CompareTest, AHostThatMovedIsNamedAsTheReasonOfAnyTimingChange) {
  // Steady repetitions in BASE; NEW's 3-9% slower: significant, but the interval reaches
  // inside 5%.
  Result base = MakeRun(1, 8, 10), next = MakeRun(1, 8, 10);
  for (auto& s : base.samples) s.duration_ns = 10'000'000;
  for (auto& s : next.samples) {
    s.duration_ns = static_cast<std::int64_t>(1e7 * (1.06 + 0.03 * (s.repetition % 3 - 1)));
  }
  SetHostSpeed(base, 1'000'000);
  SetHostSpeed(next, 1'040'000);
  const Comparison within = Compare(base, next, {});
  const MetricComparison& steady = Find(within, "start_latency");
  EXPECT_EQ(steady.verdict, Verdict::kInconclusive) << steady.reason;
  EXPECT_NE(steady.reason.find("the CI reaches inside the threshold"), std::string::npos)
      << steady.reason;
  EXPECT_EQ(steady.reason.find("host speed"), std::string::npos) << steady.reason;

  SetHostSpeed(next, 1'080'000);
  Comparison moved = Compare(base, next, {});
  const MetricComparison& start = Find(moved, "start_latency");
  EXPECT_EQ(start.verdict, Verdict::kInconclusive);
  EXPECT_EQ(start.reason.rfind("host speed changed by +8.0% (bound 5%)", 0), 0u) << start.reason;
  EXPECT_NE(moved.warnings.front().find("2 timing verdict(s) withheld"), std::string::npos)
      << moved.warnings.front();
}

TEST(CompareTest, HostSpeedWithinTheBoundLeavesVerdicts) {
  Result base = MakeRun(1, 5, 20), next = MakeRun(1.3, 5, 20, 1.0);
  SetHostSpeed(base, 1'000'000);
  SetHostSpeed(next, 1'040'000);  // +4%, inside the default bound of 5%
  Comparison c = Compare(base, next, {});
  EXPECT_TRUE(c.host_speed.measured);
  EXPECT_FALSE(c.host_speed.moved);
  EXPECT_NEAR(c.host_speed.ratio, 1.04, 1e-9);
  EXPECT_EQ(Find(c, "start_latency").verdict, Verdict::kRegressed);
  EXPECT_TRUE(c.Regressed());
  for (const auto& w : c.warnings) EXPECT_EQ(w.find("host"), std::string::npos) << w;
}

TEST(CompareTest, HostSpeedBeyondTheBoundWithholdsTimingVerdicts) {
  Result base = MakeRun(1, 5, 20), next = MakeRun(1.3, 5, 20, 1.0);
  SetHostSpeed(base, 1'000'000);
  SetHostSpeed(next, 1'120'000);  // the host itself got 12% slower
  Comparison c = Compare(base, next, {});
  EXPECT_TRUE(c.host_speed.moved);
  const MetricComparison& start = Find(c, "start_latency");
  EXPECT_EQ(start.verdict, Verdict::kInconclusive);
  EXPECT_EQ(start.reason.rfind("host speed changed by +12.0% (bound 5%)", 0), 0u) << start.reason;
  EXPECT_NE(start.reason.find("slower by more than 5%"), std::string::npos) << start.reason;
  EXPECT_EQ(Find(c, "op_latency.create").verdict, Verdict::kNoChange);
  EXPECT_FALSE(c.Regressed());
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_EQ(c.warnings.front().rfind("HOST SPEED CHANGED between the runs by +12.0%", 0), 0u)
      << c.warnings.front();
  EXPECT_NE(c.warnings.front().find("1 timing verdict(s) withheld"), std::string::npos);
  EXPECT_NE(RenderCompareConsole(c, false).find("MOVED, timing verdicts withheld"),
            std::string::npos);
  EXPECT_EQ(CompareToJson(c)["host_speed"]["moved"], true);

  // A faster host hides an improvement the same way.
  Comparison faster = Compare(next, base, {});
  EXPECT_TRUE(faster.host_speed.moved);
  EXPECT_EQ(Find(faster, "start_latency").verdict, Verdict::kInconclusive);

  // A wider bound, or none, lets the verdict through.
  CompareOptions wide;
  wide.host_bound = 0.15;
  EXPECT_TRUE(Compare(base, next, wide).Regressed());
  CompareOptions ignored;
  ignored.host_bound = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(Compare(base, next, ignored).Regressed());
}

TEST(CompareTest, AMissingHostSpeedControlIsWarnedAbout) {
  Result base = MakeRun(1, 5, 20), next = MakeRun(1.3, 5, 20, 1.0);
  SetHostSpeed(next, 1'000'000);
  Comparison c = Compare(base, next, {});
  EXPECT_FALSE(c.host_speed.measured);
  EXPECT_TRUE(c.Regressed());  // without the control the verdict stands
  bool warned = false;
  for (const auto& w : c.warnings) warned |= w.rfind("BASE has no host-speed control", 0) == 0;
  EXPECT_TRUE(warned);
}

TEST(CompareReportTest, EveryOutputCarriesVerdictsAndWarnings) {
  Result base = MakeRun(1, 5, 20), next = MakeRun(1.3, 5, 20, 1.0);
  next.context.scenario_sha256 = "other";
  Comparison c = Compare(base, next, {});
  c.base_path = "base.json";
  c.new_path = "new & <improved>.json";

  const std::string console = RenderCompareConsole(c, false);
  EXPECT_NE(console.find("NOT COMPARABLE (--force): scenario sha256 differs"), std::string::npos);
  EXPECT_NE(console.find("regressed"), std::string::npos);
  EXPECT_NE(console.find("+30.0%"), std::string::npos) << console;
  EXPECT_EQ(console.find("\x1b["), std::string::npos);

  const std::string markdown = RenderCompareMarkdown(c);
  EXPECT_EQ(markdown.rfind("### faultline compare: regression", 0), 0u) << markdown;
  EXPECT_NE(markdown.find("**Not comparable (forced):**"), std::string::npos);
  EXPECT_NE(markdown.find("| storm | runc | `start_latency` | repetition | 5/5 |"),
            std::string::npos)
      << markdown;

  auto json = CompareToJson(c);
  EXPECT_EQ(json["compare_schema_version"], kCompareSchemaVersion);
  EXPECT_EQ(json["regressed"], true);
  EXPECT_EQ(json["forced"], true);
  EXPECT_EQ(json["base"]["host_class"], "cpu=cpu cpus=2 memory=24GiB cgroup=hybrid kernel=6.18");
  EXPECT_EQ(json["counts"]["regressed"], 1);
  EXPECT_EQ(json["metrics"][1]["metric"], "start_latency");
  EXPECT_EQ(json["metrics"][1]["verdict"], "regressed");
  EXPECT_EQ(json["metrics"][1]["test"], "exact");

  const std::string junit = RenderCompareJUnit(c);
  EXPECT_NE(junit.find("tests=\"2\" failures=\"1\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("<testcase classname=\"storm.runc\" name=\"start_latency\">\n      "
                       "<failure type=\"regressed\""),
            std::string::npos)
      << junit;
  EXPECT_NE(junit.find("new &amp; &lt;improved&gt;.json"), std::string::npos);
  EXPECT_NE(junit.find("NOT COMPARABLE (--force)"), std::string::npos);
}

}  // namespace
}  // namespace faultline::reports
