// The result document of one run (schema_version 1). One JSON file per run; readers
// ignore unknown fields. Times are CLOCK_BOOTTIME nanoseconds for samples and RFC 3339
// UTC strings for wall-clock run boundaries.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/gate_outcome.h"

namespace faultline::reports {

inline constexpr int kResultSchemaVersion = 1;

struct RuntimeInfo {
  std::string name;     // "runc"
  std::string version;  // first line of `runc --version`, e.g. "1.1.5"
  std::string path;     // resolved binary path
  std::string sha256;   // of the binary

  bool operator==(const RuntimeInfo&) const = default;
};

struct ImageInfo {
  std::string reference;  // as written in the scenario ("busybox", "oci:./img")
  std::string digest;     // "sha256:<hex>"
  std::string digest_of;  // what the digest covers: "oci-manifest" | "rootfs-tree"

  bool operator==(const ImageInfo&) const = default;
};

struct TargetInfo {
  std::string name;
  std::string driver;
  RuntimeInfo runtime;
  ImageInfo image;
  // Every binary of the platform (the daemon's program, the OCI runtime behind it), as probed.
  std::vector<RuntimeInfo> components;
  // What the scenario set beyond the binaries, as written: "runtime.args", "env.NAME",
  // "daemon.args", "daemon.config" (lists and mappings as JSON text).
  std::map<std::string, std::string> settings;

  bool operator==(const TargetInfo&) const = default;
};

struct RunContext {
  std::string faultline_version;
  std::string git_sha;
  std::string run_id;
  std::string hostname;
  std::string kernel;       // uname -r
  std::string cgroup_mode;  // "v1" | "v2" | "hybrid"
  std::string cpu_model;
  int cpu_count = 0;
  double cpu_mhz = 0;        // as /proc/cpuinfo says; 0 unknown
  bool cpu_scaling = false;  // a cpufreq governor other than "performance"
  std::string build_type;    // the measuring faultline's: "release" or "debug"
  std::uint64_t memory_bytes = 0;
  std::vector<TargetInfo> targets;
  std::string scenario_name;
  std::string scenario_path;
  std::string scenario_sha256;
  std::string started_at;  // RFC 3339 UTC
  std::string ended_at;
  std::vector<std::string> notes;  // how the host was used, e.g. crun's private mount namespace

  bool operator==(const RunContext&) const = default;
};

// One operation on one container. Durations in nanoseconds.
struct Sample {
  std::string step;
  std::string target;
  int repetition = 0;
  std::string container;
  std::string node;  // "local" on this host; "node-1"... in a virtual cluster (tcp_rr: the source)
  std::string peer;  // tcp_rr: the node at the other end; empty for container operations
  std::string
      op;  // "create" | "start" | "delete" | "run" (create issued -> start returned) | "lifecycle"
  std::int64_t start_ns = 0;  // CLOCK_BOOTTIME when the operation was issued
  std::int64_t duration_ns = 0;
  // With an open-loop rate: CLOCK_BOOTTIME when the schedule released the operation ("run"
  // samples), 0 otherwise. Issued later than that means it waited behind the platform.
  std::int64_t scheduled_ns = 0;
  // CPU time the harness's calling thread spent in the operation (driver::OpResult::cpu_ns; a
  // "run" sums its calls); -1 where no single call was measured (waits, round trips).
  std::int64_t cpu_ns = -1;
  std::map<std::string, std::int64_t> phases;  // phase name -> ns from start_ns (eBPF)
  // The platform's own stamps of this operation's steps, as its events reported them
  // (containerd's task events, stamped in the shim): name -> ns from start_ns.
  std::map<std::string, std::int64_t> events;
  bool ok = true;
  std::string error;  // reason when !ok

  bool operator==(const Sample&) const = default;
};

// The latency of SAMPLE as every aggregate, SLO, gate and export counts it: from its scheduled
// release when an open-loop rate released it (a start that waited behind a slow platform is
// slow by that much: no coordinated omission), else from its issue.
inline std::int64_t LatencyNs(const Sample& sample) {
  const std::int64_t waited = sample.scheduled_ns > 0 ? sample.start_ns - sample.scheduled_ns : 0;
  return sample.duration_ns + std::max<std::int64_t>(0, waited);
}

// Where SAMPLE's timing came from: "kernel" when its duration ends at the probes' timestamp of
// the user process exec (a `run` sample the probes joined), "wall" when it ends at the
// controller's clock as a call returned (every other sample, and `run` without probes).
inline const char* SampleTiming(const Sample& sample) {
  return sample.op == "run" && sample.phases.count("user_exec") ? "kernel" : "wall";
}

// One ramp point of a density step.
struct DensityPoint {
  std::string step;
  std::string target;
  int repetition = 0;
  std::string node;  // empty: the whole cluster; else this node's share (virtual clusters)
  std::uint32_t containers = 0;                     // running after this ramp step
  std::uint32_t failed = 0;                         // starts that failed in this ramp step
  double memory_per_container_bytes = 0;            // mean cgroup memory usage
  double rss_per_container_bytes = 0;               // mean anonymous+file-mapped resident memory
  double runtime_overhead_per_container_bytes = 0;  // resident runtime processes (daemons, shims)
  double start_p50_s = 0;
  double start_p99_s = 0;
  std::int64_t at_ns = 0;

  bool operator==(const DensityPoint&) const = default;
};

// A density step's outcome for one target and repetition.
struct DensityOutcome {
  std::string step;
  std::string target;
  int repetition = 0;
  std::string node;           // empty: the whole cluster; else one node of it
  std::uint32_t reached = 0;  // most containers running at once
  std::string
      stopped_by;  // "max" | "memory_budget" | "slo" | "failures" | "capacity" | "cancelled"
  std::optional<std::uint32_t> knee;  // container count at which start p99 broke its bound

  bool operator==(const DensityOutcome&) const = default;
};

struct Aggregate {
  std::string step;
  std::string target;
  std::string metric;  // "start_latency", "op_latency.create", "density.memory_per_container"...
  std::string unit;    // "s" | "bytes" | "count"
  std::uint64_t count = 0;   // successful samples
  std::uint64_t failed = 0;  // failed samples (not in the statistics)
  double mean = 0, stddev = 0, min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  std::optional<int> repetition;  // set in repetition_aggregates; absent: over all repetitions

  bool operator==(const Aggregate&) const = default;
};

struct SloVerdict {
  std::string rule;  // as written: "start_latency.p99 <= 250ms"
  std::string step;
  std::string target;
  double observed = 0;
  double limit = 0;
  std::string unit;
  bool pass = true;
  std::string reason;  // why it failed or could not be evaluated

  bool operator==(const SloVerdict&) const = default;
};

// A reference operation independent of the runtime under test (fork+exec of a small program
// through the harness's own process machinery), timed before each repetition and after the
// last: how fast the host itself was at that point of the run. `faultline compare` refuses to
// call a change when this control moved between the two runs (docs/METRICS.md).
struct HostSpeedProbe {
  int repetition = 0;      // measured before this repetition; the repetition count: after the last
  std::int64_t at_ns = 0;  // CLOCK_BOOTTIME when the probe began
  std::vector<std::int64_t> durations_ns;          // one per reference operation
  std::optional<double> cpu_pressure_10s_percent;  // PSI cpu "some avg10", when the kernel has it
  double load_average_1m = 0;

  bool operator==(const HostSpeedProbe&) const = default;
};

struct HostSpeed {
  std::string operation;  // what was timed, e.g. "fork+exec /usr/bin/true"
  std::vector<HostSpeedProbe> probes;

  bool operator==(const HostSpeed&) const = default;
};

// How the run's eBPF probes fared.
struct ProbeReport {
  std::string mode;    // "ebpf" | "degraded" (wall-clock spans only)
  std::string reason;  // why degraded
  std::string attach;  // "tp_btf+fexit" | "tp_btf" | "raw_tp" (skeleton.h)
  std::uint64_t events = 0;
  std::uint64_t drops = 0;             // events lost to a full ring buffer
  std::uint64_t samples_joined = 0;    // run samples that got phases
  std::uint64_t samples_unjoined = 0;  // successful run samples without a user exec timestamp

  bool operator==(const ProbeReport&) const = default;
};

// Node and fault signals of one step, target and repetition (eBPF; absent in degraded mode).
struct SignalWindow {
  std::string step;
  std::string target;
  int repetition = 0;
  std::int64_t from_ns = 0;  // CLOCK_BOOTTIME, half-open [from, to)
  std::int64_t to_ns = 0;
  std::uint64_t oom_kills = 0;
  std::uint64_t tcp_retransmits = 0;
  std::uint64_t packet_drops = 0;
  std::uint64_t signal_exits = 0;
  std::map<std::string, std::uint64_t> drop_reasons;
  std::map<std::string, std::uint64_t> retransmits_by_netns;  // netns inode -> count
  std::map<std::string, std::uint64_t> drops_by_netns;
  std::map<std::string, std::uint64_t> oom_kills_by_container;
  std::map<std::string, std::uint64_t> signal_exits_by_container;

  bool operator==(const SignalWindow&) const = default;
};

// Pressure stall information of one node in one step, target and repetition (cgroup v2 PSI of
// the node's cgroup): the share of the window in which some of the node's tasks (or all of
// them at once: full) waited for CPU, memory or I/O. Absent where the kernel keeps no PSI.
struct NodePressure {
  std::string step;
  std::string target;
  int repetition = 0;
  std::string node;
  std::int64_t from_ns = 0;  // CLOCK_BOOTTIME, half-open [from, to)
  std::int64_t to_ns = 0;
  std::map<std::string, double> stalled;  // "cpu.some", "memory.full", "io.some" ... -> 0..1

  bool operator==(const NodePressure&) const = default;
};

// The workload's samples in one interval around a fault: count, failures, latency quantiles.
struct WindowStats {
  std::uint64_t samples = 0;
  std::uint64_t failed = 0;
  double error_rate = 0;  // failed / samples
  double p50_s = 0;       // of the successful samples
  double p99_s = 0;

  bool operator==(const WindowStats&) const = default;
};

// What a platform.* fault did to one node's daemon and the containers it ran.
struct DaemonOutcome {
  std::string node;
  std::string daemon;                    // "dockerd"
  std::int64_t killed_ns = 0;            // when it was gone (CLOCK_BOOTTIME); 0 if never killed
  std::int64_t restarted_ns = 0;         // when its process ran again; 0 if never started again
  std::uint32_t running_before = 0;      // the platform's containers with processes before the kill
  std::uint32_t survived = 0;            // of those, still running after the restart answered
  std::uint32_t lost = 0;                // running_before - survived
  std::optional<double> api_answered_s;  // restarted -> its API answered again
  std::optional<double> start_succeeded_s;  // restarted -> a new container started through it
  std::string error;  // why a step failed (restart, API never answered, no start succeeded)

  bool operator==(const DaemonOutcome&) const = default;
};

// One occurrence of a fault: what was applied, when, and what it did to the workload.
struct FaultRecord {
  std::string kind;       // "node.pause"
  std::string mechanism;  // "cgroup freezer"
  std::string step;       // the step it was bound to; empty for run-level faults
  std::string target;     // with step: the target the step ran against
  int repetition = 0;
  std::uint32_t occurrence = 0;  // 0 for the first of a repeating (`every`) fault
  std::vector<std::string> nodes;
  // network.partition: each cut it made, as the node sets it separated (isolate: one cut,
  // [[node-1], [node-2, node-3]]; ring: a cut per pair of non-neighbours).
  std::vector<std::vector<std::vector<std::string>>> cuts;
  std::vector<std::string> containers;
  std::map<std::string, std::string> params;  // as written in the scenario, e.g. loss: "10%"
  std::int64_t scheduled_ns = 0;              // planned injection (CLOCK_BOOTTIME), jitter included
  std::int64_t jitter_ns = 0;                 // the random offset drawn for this occurrence
  std::int64_t inject_ns = 0;                 // when the injection began; 0 if it never happened
  std::int64_t revert_ns = 0;                 // when the revert completed; 0 if it never completed
  std::string ended_by;                       // "ttl" | "scope_end" | "cancelled" | "failed"
  bool ok = true;
  std::string error;  // why the injection or the revert failed
  // Impact on the workload (reports/fault_impact.h): which samples (those on the paths the fault
  // touched), the interval before injection, the fault window, and the time from revert until
  // the workload met its bound again.
  std::string impact_metric;  // "start_latency" | "op_latency.tcp_rr"
  std::optional<WindowStats> baseline;
  std::optional<WindowStats> during;
  // The same metric in the same window on the paths the fault did not touch: the control.
  std::optional<WindowStats> control;
  std::optional<double> recovery_bound_s;  // latency a sample must meet to count as recovered
  std::optional<double> recovery_time_s;   // null: not recovered before the scope's samples ended
  // The kernel's counts in the window (eBPF: oom_kills, tcp_retransmits, packet_drops,
  // signal_exits, over the whole host); empty without probes.
  std::map<std::string, std::uint64_t> signals;
  // Request/response traffic lost in the window: the round trips that failed (timeout, reset,
  // refused) in the window.
  std::optional<std::uint64_t> drops;
  std::string drops_from;  // "tcp_rr_failures"
  // platform.* faults: per node, the daemon's story. Their recovery_time_s is the slowest
  // node's start_succeeded_s, not the workload's bound regained.
  std::vector<DaemonOutcome> daemons;

  bool operator==(const FaultRecord&) const = default;
};

struct Result {
  int schema_version = kResultSchemaVersion;
  RunContext context;
  std::vector<Sample> samples;
  std::vector<DensityPoint> density;
  std::vector<DensityOutcome> density_outcomes;
  std::vector<Aggregate> aggregates;
  // The same metrics per repetition (repetition set): what `faultline compare` tests when both
  // runs have enough repetitions. Optional in the document.
  std::vector<Aggregate> repetition_aggregates;
  std::vector<SloVerdict> slo;
  std::optional<HostSpeed> host_speed;  // absent in results of older builds
  std::vector<FaultRecord> faults;
  std::uint64_t fault_seed = 0;       // seeds fault jitter and container picks; replays them
  std::vector<std::string> validity;  // warnings that make the run untrustworthy
  std::optional<ProbeReport> probes;  // absent in results of older builds
  std::vector<SignalWindow> signals;
  std::vector<NodePressure> pressure;
  bool interrupted = false;         // Ctrl-C: partial result
  std::optional<GateOutcome> gate;  // `faultline gate`: the verdict and its quads

  bool operator==(const Result&) const = default;
};

}  // namespace faultline::reports
