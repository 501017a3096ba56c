// `faultline gate` on real runs: a runc against the same runc given by path does not FAIL, and
// a runc slowed by the runtime wrapper (tests/integration/runtime_wrapper.cc) in every call
// FAILs, each inside one run, with the ratio, its bound and the quads used.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/core/files.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

class GateE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("runc");
    dir_ = TempDir("gate");
    state_ = dir_ + "/state";
    runc_ = FindExecutable("runc");
  }
  void TearDown() override {
    if (dir_.empty()) return;
    EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
    (void)RemoveTree(dir_);
  }
  // A scenario whose target `base` is runc from PATH and `next` the runc binary at NEXT, its
  // gate: section naming them (the command line names neither).
  std::string Scenario(const std::string& next) {
    const std::string path = dir_ + "/gate.yaml";
    std::ofstream(path) << "version: 1\nname: gate-e2e\ntargets:\n"
                           "  - {name: base, driver: oci, runtime: runc, image: busybox}\n"
                           "  - {name: next, driver: oci, runtime: {name: runc, path: '" +
                               next +
                               "'}, image: busybox}\n"
                               "steps:\n"
                               "  - {name: warmup, record: false, workload: {kind: start, count: "
                               "2}}\n"
                               "  - {name: storm, workload: {kind: start, count: 5, command: "
                               "[\"true\"]}}\n"
                               "gate: {base: base, candidate: next}\n";
    return path;
  }
  // `faultline gate` of SCENARIO with the options MORE; its exit code and output, and the
  // result's gate section.
  std::pair<int, std::string> Gate(const std::string& scenario, const Env& env = {},
                                   const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"gate",       scenario,         "--seed",  "11",
                                     "--out",      dir_ + "/out",    "--junit", dir_ + "/gate.xml",
                                     "--markdown", dir_ + "/gate.md"};
    args.insert(args.end(), more.begin(), more.end());
    auto [code, output] = RunFaultline(args, state_, env);
    result_ = nlohmann::json::parse(Slurp(dir_ + "/out/result.json"), nullptr, false);
    return {code, output};
  }

  std::string dir_, state_, runc_;
  nlohmann::json result_;
};

// Gated on two metrics at once (start_latency and the create call), sharing alpha.
TEST_F(GateE2eTest, TheSameRuntimeGivenByPathDoesNotFail) {
  auto [code, output] =
      Gate(Scenario(runc_), {}, {"--metric", "start_latency", "--metric", "op_latency.create"});
  ASSERT_FALSE(result_.is_discarded()) << output;
  const nlohmann::json& gate = result_["gate"];
  ASSERT_EQ(gate["metrics"].size(), 2u) << gate.dump();
  EXPECT_EQ(gate["metrics"][1]["metric"], "op_latency.create");
  EXPECT_DOUBLE_EQ(gate["metrics"][1]["alpha"].get<double>(), 0.005);
  for (const auto& metric : gate["metrics"]) EXPECT_NE(metric["verdict"], "fail") << gate.dump();
  // PASS (exit 0) within the cap of 60 quads: measured here, 111 of 111 A/A jobs PASSed in at
  // most 26 (docs/PERFORMANCE.md), a CPU hog beside them included.
  EXPECT_EQ(code, 0) << output;
  EXPECT_EQ(gate["verdict"], "pass") << gate.dump();
  EXPECT_EQ(gate["seed"], 11);
  EXPECT_EQ(gate["base"], "base");
  EXPECT_EQ(gate["candidate"], "next");
  const std::size_t quads = gate["quads"].get<std::size_t>();
  EXPECT_GT(quads, 0u);
  EXPECT_NE(output.find("quad 1 "), std::string::npos) << output;
  // Each quad ran both sides twice: the samples' repetitions are the slots.
  std::map<std::string, int> runs;
  for (const auto& sample : result_["samples"]) {
    if (sample["step"] == "storm" && sample["op"] == "run" && sample["ok"] == true) {
      ++runs[sample["target"].get<std::string>()];
    }
  }
  EXPECT_EQ(runs["base"], static_cast<int>(quads) * 2 * 5);
  EXPECT_EQ(runs["next"], runs["base"]);
  // Each slot's median is that of its start_latency as the result has it (kernel phases joined
  // at the end of the run): the gate joined the probes' events of each slot alike.
  const nlohmann::json& start_quads = gate["metrics"][0]["quads"];
  for (std::size_t slot = 0; slot < start_quads.size() * 4; ++slot) {
    std::vector<double> latencies;
    for (const auto& sample : result_["samples"]) {
      if (sample["step"] == "storm" && sample["op"] == "run" && sample["ok"] == true &&
          sample["repetition"] == slot) {
        latencies.push_back(sample["duration_ns"].get<double>() / 1e9);
      }
    }
    ASSERT_EQ(latencies.size(), 5u) << slot;
    std::sort(latencies.begin(), latencies.end());
    EXPECT_DOUBLE_EQ(start_quads[slot / 4]["medians"][slot % 4].get<double>(), latencies[2])
        << slot;
  }
  // Both runtimes recorded as run, the candidate's from its path.
  for (const auto& target : result_["context"]["targets"]) {
    EXPECT_EQ(target["runtime"]["path"], runc_) << target.dump();
  }
  const std::string junit = Slurp(dir_ + "/gate.xml");
  EXPECT_NE(junit.find("failures=\"0\""), std::string::npos) << junit;
}

TEST_F(GateE2eTest, ARuntimeSlowedInEveryCallFails) {
  const std::string bin = dir_ + "/next";
  ASSERT_TRUE(MakeDirs(bin).ok());
  ASSERT_EQ(symlink(RUNTIME_WRAPPER, (bin + "/runc").c_str()), 0);
  // start_latency spans a create and a start call: 2 x 10 ms more (and the wrapper's own fork)
  // on runc's 40-80 ms here, about +40%.
  auto [code, output] =
      Gate(Scenario(bin + "/runc"), {{"FL_REAL_RUNTIME", runc_}, {"FL_WRAPPER_DELAY_MS", "10"}});
  ASSERT_FALSE(result_.is_discarded()) << output;
  const nlohmann::json& gate = result_["gate"];
  EXPECT_EQ(code, 1) << output;
  EXPECT_EQ(gate["verdict"], "fail") << gate.dump();
  ASSERT_EQ(gate["metrics"].size(), 1u) << gate.dump();
  const nlohmann::json& start = gate["metrics"][0];
  EXPECT_GT(start["ratio"].get<double>(), 1.15) << gate.dump();
  EXPECT_GT(start["fail_evidence"].get<double>(), 1 / gate["alpha"].get<double>());
  EXPECT_LT(gate["quads"].get<int>(), 60);
  EXPECT_NE(output.find("FAIL: the candidate is shown slower by more than 3%"), std::string::npos)
      << output;
  EXPECT_NE(Slurp(dir_ + "/gate.xml").find("<failure type=\"regressed\""), std::string::npos);
  EXPECT_NE(Slurp(dir_ + "/gate.md").find("| FAIL |"), std::string::npos);
  bool wrapped = false;
  for (const auto& target : result_["context"]["targets"]) {
    wrapped |= target["name"] == "next" && target["runtime"]["path"] == bin + "/runc";
  }
  EXPECT_TRUE(wrapped) << result_["context"].dump();
}

TEST_F(GateE2eTest, BadRequestsExitTwoBeforeAnythingRuns) {
  const std::string scenario = Scenario(runc_);
  auto [code, output] =
      RunFaultline({"gate", scenario, "--base", "base", "--candidate", "nope"}, state_);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("--candidate: no target named 'nope'"), std::string::npos) << output;
  std::tie(code, output) = RunFaultline(
      {"gate", scenario, "--base", "base", "--candidate", "next", "--step", "warmup"}, state_);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("not a recorded start step"), std::string::npos) << output;
  std::tie(code, output) = RunFaultline(
      {"gate", scenario, "--base", "base", "--candidate", "next", "--tolerance", "3"}, state_);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("--tolerance: expected a fraction"), std::string::npos) << output;
  std::tie(code, output) = RunFaultline({"gate", scenario, "--base", "base", "--candidate", "next",
                                         "--metric", "start_latency", "--metric", "memory"},
                                        state_);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("--metric: expected start_latency, op_latency.<operation>"),
            std::string::npos)
      << output;
  std::tie(code, output) = RunFaultline(
      {"gate", Scenario(dir_ + "/missing/runc"), "--base", "base", "--candidate", "next"}, state_);
  EXPECT_EQ(code, 3) << output;
  EXPECT_NE(output.find("is not an executable file"), std::string::npos) << output;
}

// The shipped upgrade drill as an A/A rehearsal (next/ links the installed containerd and runc),
// cut to three quads: both metrics are gated, at alpha / 2 each, and every slot restarted its
// own side's containerd, whose recovery time is the slot's value. Three quads cannot decide
// (a bet at most doubles per quad), so the run ends INCONCLUSIVE at the cap.
TEST_F(GateE2eTest, TheUpgradeDrillGatesStartsAndRecoveryUnderADaemonRestart) {
  FL_REQUIRE_ROOT_RUNTIME("containerd");
  const std::string scenario = dir_ + "/upgrade-drill.yaml";
  ASSERT_TRUE(WriteFileAtomic(scenario, Slurp(std::string(FAULTLINE_SOURCE_DIR) +
                                              "/scenarios/upgrade-drill.yaml"))
                  .ok());
  ASSERT_TRUE(MakeDirs(dir_ + "/next").ok());
  for (const char* program : {"containerd", "runc"}) {
    ASSERT_EQ(symlink(FindExecutable(program).c_str(), (dir_ + "/next/" + program).c_str()), 0);
  }
  auto [code, output] = Gate(scenario, {}, {"--max-quads", "3"});
  ASSERT_FALSE(result_.is_discarded()) << output;
  EXPECT_EQ(code, 5) << output;
  const nlohmann::json& gate = result_["gate"];
  EXPECT_EQ(gate["verdict"], "inconclusive") << gate.dump();
  EXPECT_EQ(gate["quads"], 3);
  ASSERT_EQ(gate["metrics"].size(), 2u) << gate.dump();
  EXPECT_EQ(gate["metrics"][0]["metric"], "start_latency");
  EXPECT_EQ(gate["metrics"][1]["metric"], "recovery_time");
  for (const auto& metric : gate["metrics"]) {
    EXPECT_DOUBLE_EQ(metric["alpha"].get<double>(), 0.005);
    ASSERT_EQ(metric["quads"].size(), 3u) << metric.dump();
  }
  // Each slot's recovery time is its one restart's, on the side that ran the slot.
  std::vector<std::string> slot_targets;
  std::vector<double> recoveries;
  for (const auto& fault : result_["faults"]) {
    if (fault["step"] != "drill") continue;
    EXPECT_EQ(fault["kind"], "platform.daemon_restart");
    ASSERT_TRUE(fault["recovery_time_s"].is_number()) << fault.dump();
    slot_targets.push_back(fault["target"]);
    recoveries.push_back(fault["recovery_time_s"]);
  }
  ASSERT_EQ(recoveries.size(), 12u) << result_["faults"].dump();
  const nlohmann::json& recovery_quads = gate["metrics"][1]["quads"];
  for (std::size_t slot = 0; slot < 12; ++slot) {
    const nlohmann::json& quad = recovery_quads[slot / 4];
    EXPECT_DOUBLE_EQ(quad["medians"][slot % 4].get<double>(), recoveries[slot]) << slot;
    // ABBA or BAAB: slot 0 runs the candidate in BAAB, the base in ABBA.
    const bool candidate_first = quad["order"] == "BAAB";
    const bool candidate = (slot % 4 == 0 || slot % 4 == 3) == candidate_first;
    EXPECT_EQ(slot_targets[slot], candidate ? "candidate" : "base") << slot;
  }
  // The candidate's containerd was the one under next/, as the result records it.
  bool by_path = false;
  for (const auto& target : result_["context"]["targets"]) {
    by_path |= target["name"] == "candidate" &&
               target["components"][0]["path"] == dir_ + "/next/containerd";
  }
  EXPECT_TRUE(by_path) << result_["context"].dump();
}

}  // namespace
}  // namespace faultline::testing
