#include "reports/result_json.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>

#include "harness/core/files.h"

namespace faultline::reports {
namespace {

// Every field set to something other than its default, so a field the writer or the reader
// forgets breaks the round trip.
reports::Result FullResult() {
  reports::Result r;
  r.schema_version = 1;
  RunContext& c = r.context;
  c.faultline_version = "0.1.0";
  c.git_sha = "abcdef123456";
  c.run_id = "20240101-abcd";
  c.hostname = "bench-1";
  c.kernel = "6.1.0-18-amd64";
  c.cgroup_mode = "v2";
  c.cpu_model = "Example CPU @ 3.0GHz";
  c.cpu_count = 8;
  c.cpu_mhz = 2096.5;
  c.cpu_scaling = true;
  c.build_type = "release";
  c.memory_bytes = 17'179'869'184ull;
  c.targets = {{"runc",
                "oci",
                {"runc", "1.1.5", "/usr/sbin/runc", "aa11"},
                {"busybox", "sha256:bb22", "rootfs-tree"}},
               {"crun",
                "oci",
                {"crun", "1.8.1", "/usr/bin/crun", "cc33"},
                {"oci:./img", "sha256:dd44", "oci-manifest"}}};
  c.scenario_name = "start-latency";
  c.scenario_path = "/scenarios/start.yaml";
  c.scenario_sha256 = "ee55";
  c.started_at = "2024-01-01T00:00:00Z";
  c.ended_at = "2024-01-01T00:01:00Z";
  c.notes = {"private mount namespace", "second note"};

  Sample s;
  s.step = "storm";
  s.target = "runc";
  s.repetition = 2;
  s.container = "fl-20240101-abcd-storm-runc-r2-0";
  s.node = "local";
  s.op = "run";
  s.start_ns = 9'000'000'000'123;
  s.duration_ns = 27'400'000;
  s.scheduled_ns = 8'999'000'000'000;
  s.cpu_ns = 1'200'000;
  s.phases = {{"exec", 1'000}, {"init", 500}};
  s.events = {{"task_create", 700}};
  s.ok = false;
  s.error = "runc create: exit status 1";
  Sample s2 = s;
  s2.ok = true;
  s2.error.clear();
  s2.phases.clear();
  s2.events.clear();
  s2.scheduled_ns = 0;
  s2.cpu_ns = -1;
  r.samples = {s, s2};

  DensityPoint p;
  p.step = "ramp";
  p.target = "crun";
  p.repetition = 1;
  p.containers = 50;
  p.failed = 2;
  p.memory_per_container_bytes = 3.25 * 1024 * 1024;
  p.rss_per_container_bytes = 1.5 * 1024 * 1024;
  p.runtime_overhead_per_container_bytes = 12345.5;
  p.start_p50_s = 0.0125;
  p.start_p99_s = 0.0875;
  p.at_ns = 9'100'000'000'000;
  r.density = {p};

  DensityOutcome o;
  o.step = "ramp";
  o.target = "crun";
  o.repetition = 1;
  o.reached = 50;
  o.stopped_by = "slo";
  o.knee = 45;
  DensityOutcome o2 = o;
  o2.knee.reset();
  o2.stopped_by = "max";
  r.density_outcomes = {o, o2};

  Aggregate a;
  a.step = "storm";
  a.target = "runc";
  a.metric = "start_latency";
  a.unit = "s";
  a.count = 199;
  a.failed = 1;
  a.mean = 0.03;
  a.stddev = 0.004;
  a.min = 0.02;
  a.p50 = 0.0274;
  a.p90 = 0.035;
  a.p99 = 0.05;
  a.max = 0.07;
  r.aggregates = {a};
  Aggregate per_repetition = a;
  per_repetition.repetition = 1;
  per_repetition.count = 100;
  r.repetition_aggregates = {per_repetition};

  SloVerdict v;
  v.rule = "start_latency.p99 <= 250ms";
  v.step = "storm";
  v.target = "runc";
  v.observed = 0.05;
  v.limit = 0.25;
  v.unit = "s";
  v.pass = false;
  v.reason = "why";
  r.slo = {v};
  r.host_speed = HostSpeed{"fork+exec /usr/bin/true",
                           {{0, 5, {1'200'000, 1'300'000}, 12.5, 1.5}, {1, 9, {1'250'000}, {}, 0}}};
  r.validity = {"host was busy", "step storm target runc: 1 of 200 samples failed"};
  r.interrupted = true;
  r.probes = ProbeReport{"ebpf", "", "tp_btf", 12345, 2, 199, 1};
  SignalWindow w;
  w.step = "storm";
  w.target = "runc";
  w.repetition = 2;
  w.from_ns = 100;
  w.to_ns = 200;
  w.oom_kills = 1;
  w.tcp_retransmits = 3;
  w.packet_drops = 4;
  w.signal_exits = 5;
  w.drop_reasons = {{"NO_SOCKET", 4}};
  w.retransmits_by_netns = {{"4026532000", 3}};
  w.drops_by_netns = {{"4026532001", 4}};
  w.oom_kills_by_container = {{"fl-x-1", 1}};
  w.signal_exits_by_container = {{"fl-x-2", 2}};
  r.signals = {w};
  r.pressure = {{"storm", "runc", 2, "node-1", 100, 200, {{"cpu.some", 0.25}, {"memory.full", 0}}}};
  FaultRecord f;
  f.kind = "node.pause";
  f.mechanism = "cgroup freezer";
  f.step = "storm";
  f.target = "runc";
  f.repetition = 1;
  f.occurrence = 2;
  f.nodes = {"local"};
  f.params = {{"for", "2s"}, {"nodes", "local"}};
  f.scheduled_ns = 100;
  f.jitter_ns = 7;
  f.inject_ns = 101;
  f.revert_ns = 2'000'000'101;
  f.ended_by = "ttl";
  f.impact_metric = "start_latency";
  f.baseline = WindowStats{10, 0, 0, 0.01, 0.02};
  f.during = WindowStats{4, 2, 0.5, 0.4, 0.9};
  f.control = WindowStats{5, 0, 0, 0.01, 0.02};
  f.cuts = {{{"node-1"}, {"node-2", "node-3"}}};
  f.recovery_bound_s = 0.04;
  f.recovery_time_s = 1.25;
  FaultRecord failed;
  failed.kind = "container.kill";
  failed.containers = {"fl-1-a"};
  failed.ok = false;
  failed.error = "no running container";
  failed.ended_by = "failed";
  r.faults = {f, failed};
  r.fault_seed = 42;
  GateOutcome gate;
  gate.base = "runc";
  gate.candidate = "runc-next";
  gate.step = "storm";
  gate.seed = 11;
  gate.tolerance = 0.03;
  gate.detection = 0.1;
  gate.alpha = 0.01;
  gate.max_quads = 60;
  gate.quads = 1;
  GateMetric metric;
  metric.metric = "start_latency";
  metric.alpha = 0.005;
  metric.quads = {{"BAAB", {0.0125, 0.01, 0.0101, 0.0124}, 0.21}};
  metric.verdict = "fail";
  metric.ratio = 1.24;
  metric.low = 1.1;
  metric.high = 1.4;
  metric.fail_evidence = 120;
  metric.pass_evidence = 0.1;
  GateMetric open = metric;
  open.metric = "op_latency.create";
  open.verdict = "";
  open.high = INFINITY;
  gate.metrics = {metric, open};
  gate.verdict = "fail";
  r.gate = gate;
  return r;
}

TEST(ResultJson, RoundTrip) {
  const reports::Result original = FullResult();
  const nlohmann::json j = ToJson(original);
  auto back = FromJson(j);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(*back == original);
  EXPECT_EQ(ToJson(*back), j);
  EXPECT_EQ(ToJson(original).dump(), j.dump());  // deterministic
}

TEST(ResultJson, OptionalFieldsOmitted) {
  const nlohmann::json j = ToJson(FullResult());
  EXPECT_EQ(j["density_outcomes"][0]["knee"], 45);
  EXPECT_FALSE(j["density_outcomes"][1].contains("knee"));
  EXPECT_FALSE(j["samples"][1].contains("error"));
  EXPECT_FALSE(j["samples"][1].contains("phases"));
  EXPECT_EQ(j["aggregates"][0]["unit"], "s");
  EXPECT_FALSE(j["aggregates"][0].contains("repetition"));
  EXPECT_EQ(j["repetition_aggregates"][0]["repetition"], 1);
  EXPECT_EQ(j["slo"][0]["unit"], "s");
  EXPECT_EQ(j["samples"][0]["duration_ns"], 27'400'000);
  EXPECT_EQ(j["samples"][0]["scheduled_ns"], 8'999'000'000'000);
  EXPECT_FALSE(j["samples"][1].contains("scheduled_ns"));  // closed loop
  EXPECT_EQ(j["samples"][0]["cpu_ns"], 1'200'000);
  EXPECT_FALSE(j["samples"][1].contains("cpu_ns"));  // not measured
  // Where each sample's timing came from: phases without a user exec do not make it kernel-timed.
  EXPECT_EQ(j["samples"][0]["timing"], "wall");
  reports::Result joined = FullResult();
  joined.samples[0].phases["user_exec"] = 20'000;
  EXPECT_EQ(ToJson(joined)["samples"][0]["timing"], "kernel");
  EXPECT_EQ(ToJson(joined)["samples"][1]["timing"], "wall");
  EXPECT_EQ(j["host_speed"]["probes"][0]["cpu_pressure_10s_percent"], 12.5);
  EXPECT_FALSE(j["host_speed"]["probes"][1].contains("cpu_pressure_10s_percent"));
  reports::Result without = FullResult();
  without.host_speed.reset();
  EXPECT_FALSE(ToJson(without).contains("host_speed"));
}

TEST(ResultJson, AGatesOpenBoundIsNullAndReadsBackOpen) {
  reports::Result open = FullResult();
  open.gate->metrics[0].low = 0;
  open.gate->metrics[0].high = INFINITY;
  const nlohmann::json j = ToJson(open);
  EXPECT_TRUE(j["gate"]["metrics"][0]["high"].is_null());
  EXPECT_EQ(j["gate"]["metrics"][0]["quads"][0]["medians"].size(), 4u);
  auto back = FromJson(j);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(std::isinf(back->gate->metrics[0].high));
  EXPECT_TRUE(*back == open);
  reports::Result none = FullResult();
  none.gate.reset();
  EXPECT_FALSE(ToJson(none).contains("gate"));
}

TEST(ResultJson, FaultsCarryImpactAndNullWhenUnmeasured) {
  const nlohmann::json j = ToJson(FullResult());
  ASSERT_EQ(j["faults"].size(), 2u);
  EXPECT_EQ(j["faults"][0]["recovery_time_s"], 1.25);
  EXPECT_EQ(j["faults"][0]["during"]["failed"], 2);
  EXPECT_EQ(j["faults"][0]["params"]["for"], "2s");
  EXPECT_TRUE(j["faults"][1]["recovery_time_s"].is_null());
  EXPECT_TRUE(j["faults"][1]["baseline"].is_null());
  EXPECT_EQ(j["faults"][1]["ok"], false);
  EXPECT_EQ(j["fault_seed"], 42);
}

TEST(ResultJson, MissingSamplesNamesThePath) {
  nlohmann::json j = ToJson(FullResult());
  j.erase("samples");
  auto back = FromJson(j);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(back.error().message.find("samples"), std::string::npos) << back.error().message;
}

TEST(ResultJson, NestedErrorsNameThePath) {
  nlohmann::json j = ToJson(FullResult());
  j["samples"][1].erase("ok");
  auto back = FromJson(j);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().message.rfind("samples[1].ok:", 0), 0u) << back.error().message;

  j = ToJson(FullResult());
  j["context"]["targets"][0]["runtime"]["version"] = 5;
  back = FromJson(j);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().message.rfind("context.targets[0].runtime.version: expected a string", 0),
            0u)
      << back.error().message;

  j = ToJson(FullResult());
  j["density"][0]["containers"] = -1;
  back = FromJson(j);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().message.rfind("density[0].containers:", 0), 0u) << back.error().message;
}

TEST(ResultJson, IgnoresUnknownFields) {
  nlohmann::json j = ToJson(FullResult());
  j["future_section"] = {{"x", 1}};
  j["samples"][0]["future_field"] = 123;
  j["context"]["new_thing"] = "y";
  auto back = FromJson(j);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(*back == FullResult());
}

TEST(ResultJson, DocumentsWithoutRepetitionAggregatesStillRead) {
  nlohmann::json j = ToJson(FullResult());
  j.erase("repetition_aggregates");
  auto back = FromJson(j);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(back->repetition_aggregates.empty());
  EXPECT_EQ(back->aggregates, FullResult().aggregates);

  j = ToJson(FullResult());
  j["repetition_aggregates"][0]["repetition"] = "one";
  back = FromJson(j);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().message.rfind("repetition_aggregates[0].repetition:", 0), 0u)
      << back.error().message;
}

TEST(ResultJson, RejectsNewerSchema) {
  nlohmann::json j = ToJson(FullResult());
  j["schema_version"] = kResultSchemaVersion + 1;
  auto back = FromJson(j);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(back.error().message.rfind("schema_version:", 0), 0u) << back.error().message;
  EXPECT_FALSE(FromJson(nlohmann::json::array()).ok());
  EXPECT_FALSE(FromJson(nlohmann::json::object()).ok());
}

TEST(ResultJson, InvalidUtf8IsReplaced) {
  reports::Result r = FullResult();
  r.samples[0].error = std::string("bad \xff byte");
  const nlohmann::json j = ToJson(r);
  EXPECT_EQ(j["samples"][0]["error"], "bad \xEF\xBF\xBD byte");
  EXPECT_NO_THROW(j.dump());
}

TEST(ResultJson, FileRoundTrip) {
  char dir[] = "/tmp/fl-result-json-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/result.json";
  ASSERT_TRUE(WriteResultFile(FullResult(), path).ok());
  // Overwriting keeps a single complete file and leaves no temp file behind.
  ASSERT_TRUE(WriteResultFile(FullResult(), path).ok());
  auto back = ReadResultFile(path);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(*back == FullResult());

  ASSERT_TRUE(WriteFileAtomic(std::string(dir) + "/broken.json", "{\"schema_version\": 1,").ok());
  auto broken = ReadResultFile(std::string(dir) + "/broken.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ReadResultFile(std::string(dir) + "/missing.json").ok());
  ASSERT_TRUE(RemoveTree(dir).ok());
}

TEST(ResultJson, WriteIntoMissingDirectoryFails) {
  EXPECT_FALSE(WriteResultFile(FullResult(), "/nonexistent-faultline-dir/result.json").ok());
}

}  // namespace
}  // namespace faultline::reports
