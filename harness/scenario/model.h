// The validated, typed form of a scenario file. Produced only by the loader.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faultline::scenario {

using Nanos = std::chrono::nanoseconds;

// Where a value came from in the scenario file, for messages after loading.
struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based

  bool operator==(const SourceLocation&) const = default;
};

struct ImageRef {
  enum class Kind {
    kBusybox,    // "busybox": a rootfs faultline builds from busybox-static
    kOciLayout,  // "oci:PATH": an OCI image layout directory
    kRootfs,     // "rootfs:PATH": a ready root filesystem directory
  };
  Kind kind = Kind::kBusybox;
  std::string path;  // absolute, resolved against the scenario's directory

  bool operator==(const ImageRef&) const = default;
};

// Per-container resource limits, written into the OCI config.
struct Resources {
  std::optional<double> cpus;                 // CFS quota in CPUs
  std::optional<std::uint64_t> memory_bytes;  // memory limit
  std::optional<std::uint32_t> pids;          // pids.max

  bool operator==(const Resources&) const = default;
};

// The confinement of a target's containers. kDefault: what Docker and containerd give a container
// by default (their capability set, seccomp profile, masked and read-only /proc paths), so the
// drivers start comparable containers; kUnconfined: the same without the seccomp filter (as
// `--security-opt seccomp=unconfined`).
enum class Security { kDefault, kUnconfined };

// `daemon:` of a target whose driver runs a platform program per node (dockerd, containerd,
// podman): what a platform team changes between a baseline and a candidate.
struct DaemonSettings {
  std::string path;               // its binary, absolute; empty: found in PATH
  std::vector<std::string> args;  // flags added to faultline's own
  std::string config;             // docker: a JSON object merged into daemon.json; empty: none

  bool operator==(const DaemonSettings&) const = default;
};

struct Target {
  std::string name;     // unique; defaults to the runtime ("runc")
  std::string driver;   // an entry of the driver table: "oci", "docker"
  std::string runtime;  // the OCI runtime: "runc" | "crun"; empty: the driver's default
  // Its binary ({name, path}: a build being upgraded to), absolute; empty: found in PATH.
  std::string runtime_path;
  std::vector<std::string> runtime_args;  // global options before every runtime command
  // NAME=VALUE over the controller's environment, for what faultline starts for this target:
  // the runtime (oci) or the platform's program (dockerd, containerd, podman).
  std::map<std::string, std::string> env;
  DaemonSettings daemon;
  // The driver's other fields as written (the driver table says which), e.g. live_restore.
  std::map<std::string, std::string> options;
  ImageRef image;
  Resources resources;
  Security security = Security::kDefault;
  std::optional<std::string> node;  // pins the target's containers to this cluster node
  SourceLocation where;             // the target's mapping in the scenario file

  bool operator==(const Target&) const = default;
};

struct StartWorkload {
  std::uint32_t count = 1;
  std::uint32_t concurrency = 1;
  // Open-loop pacing; absent = as fast as concurrency allows.
  std::optional<double> rate_per_second;
  std::vector<std::string> command = {"true"};
  // kCreateStart: the runtime's create then start, each timed; kRun: one detached run call.
  enum class Via { kCreateStart, kRun } via = Via::kCreateStart;

  bool operator==(const StartWorkload&) const = default;
};

struct DensityWorkload {
  std::uint32_t max = 10;  // stop after this many running containers
  std::uint32_t step = 1;  // containers added per ramp step
  std::uint32_t concurrency = 1;
  std::vector<std::string> command = {"sleep", "3600"};
  std::optional<std::uint64_t> memory_budget_bytes;  // stop when containers use more
  std::optional<Nanos> start_p99_max;                // stop at the knee: a step's p99 above this
  Nanos settle = std::chrono::milliseconds(200);  // wait after a ramp step before sampling memory

  bool operator==(const DensityWorkload&) const = default;
};

// Steady load for drills, on every node at once: container start/stop churn and TCP
// request/response traffic between node pairs, for a bounded time.
struct SteadyWorkload {
  Nanos duration = std::chrono::seconds(30);
  std::optional<double> churn_rate_per_second;  // container starts per second, all nodes
  std::uint32_t churn_keep = 2;  // containers kept running per node; the oldest is stopped
  std::vector<std::string> command = {"sleep", "3600"};  // what churned containers run
  std::optional<double> rr_rate_per_second;              // TCP round trips per second, all pairs
  std::uint32_t rr_size = 64;                            // request and response bytes
  Nanos rr_timeout = std::chrono::seconds(1);            // a round trip slower than this failed

  bool operator==(const SteadyWorkload&) const = default;
};

struct Step {
  std::string name;
  enum class Kind { kStart, kDensity, kSteady } kind = Kind::kStart;
  StartWorkload start;              // valid when kind == kStart
  DensityWorkload density;          // valid when kind == kDensity
  SteadyWorkload steady;            // valid when kind == kSteady
  bool record = true;               // false: run but keep no samples (warmup)
  std::optional<std::string> node;  // pins the step's containers to this node (over the target's)
  SourceLocation where;

  bool operator==(const Step&) const = default;
};

// "start_latency.p99 <= 250ms": metric + statistic, bound in the metric's unit.
struct SloRule {
  std::string metric;                 // e.g. "start_latency", "op_latency.create"
  std::string statistic;              // "p50" | "p90" | "p99" | "max" | "mean" | "min"
  std::optional<std::string> step;    // restrict to one step; absent = every step with the metric
  std::optional<std::string> target;  // restrict to one target
  double max = 0;                     // in the metric's SI base unit (seconds for latencies)
  std::string text;                   // as written, for reports
  SourceLocation where;

  bool operator==(const SloRule&) const = default;
};

struct Timeouts {
  Nanos create = std::chrono::seconds(30);
  Nanos start = std::chrono::seconds(30);
  Nanos exit = std::chrono::seconds(30);    // a start storm's container running to completion
  Nanos remove = std::chrono::seconds(30);  // `delete` in the scenario file

  bool operator==(const Timeouts&) const = default;
};

// Where the containers run. Without `cluster:` in the file: this host (kLocal). With it, the
// kind defaults to kVirtual: N nodes built on this host from network namespaces and cgroups.
struct Cluster {
  enum class Kind { kLocal, kVirtual } kind = Kind::kLocal;
  std::uint32_t nodes = 1;                         // kVirtual
  std::optional<double> node_cpus;                 // each node's CPU limit (CFS quota)
  std::optional<std::uint64_t> node_memory_bytes;  // each node's memory limit
  std::optional<std::uint32_t> node_containers;    // most containers a node takes
  // spread: least loaded node first; binpack: fill a node to capacity before the next;
  // pinned: every step or target names its node.
  enum class Placement { kSpread, kBinpack, kPinned } placement = Placement::kSpread;
  // Who makes containers' cgroups: the runtime (cgroupfs) or systemd, each node then being a
  // transient slice and runc/crun running with --systemd-cgroup.
  enum class CgroupDriver { kCgroupfs, kSystemd } cgroup_driver = CgroupDriver::kCgroupfs;
  SourceLocation where;

  bool operator==(const Cluster&) const = default;
};

// Node names of a virtual cluster with N nodes: node-1 .. node-N; "local" for kLocal.
std::vector<std::string> NodeNames(const Cluster& cluster);

// One fault of the scenario (`faults:`): what, when, on what, with which parameters.
struct Fault {
  std::string kind;  // a registered mechanism kind, e.g. "node.pause"
  Nanos at{0};       // first injection, from the start of its step (`step:`) or of the run
  Nanos ttl{0};      // `for`: how long each occurrence lasts; reverted then at the latest
  std::optional<Nanos> every;  // repeat period; at least ttl + jitter, so occurrences never overlap
  Nanos jitter{0};             // random extra offset per occurrence in [0, jitter] (seeded)
  std::optional<std::string> step;  // bind to this step: scheduled in every execution of it
  // A target's name: with `step`, only that target's executions of it; platform.* faults act
  // on this target's daemon (needed when the fault is not bound to a step and several targets
  // exist).
  std::optional<std::string> target;

  // Targets: nodes by name, two or more groups of nodes (partitions), a generated partition, or
  // a number of the step's running containers.
  std::vector<std::string> nodes;
  std::vector<std::vector<std::string>> between;
  enum class Partition { kNone, kIsolate, kMajorityMinority, kRing } partition = Partition::kNone;
  std::uint32_t containers = 0;

  // Parameters, set when written (which ones a kind needs: chaos/registry.h).
  std::optional<double> probability;  // (0, 1]; written as 0.1 or "10%"
  std::optional<Nanos> delay;
  std::optional<Nanos> delay_jitter;
  std::optional<std::uint64_t> rate_bits_per_second;
  std::optional<std::uint32_t> workers;
  std::optional<std::uint64_t> memory_bytes;
  std::optional<std::uint64_t> size_bytes;
  std::map<std::string, std::string> written;  // parameters and targets as written, for reports

  SourceLocation where;

  bool operator==(const Fault&) const = default;
};

// `gate:`: what `faultline gate SCENARIO` compares and how, unless its options say otherwise.
struct GateDefaults {
  std::string base, candidate;       // target names; empty: given on the command line
  std::string step;                  // a recorded start step; empty: the only one there is
  std::vector<std::string> metrics;  // gated together; empty: start_latency
  std::optional<double> tolerance, detection, alpha;  // fractions
  std::optional<std::uint32_t> max_quads;
  SourceLocation where;

  bool operator==(const GateDefaults&) const = default;
};

struct Scenario {
  int version = 1;
  std::string name;
  std::string description;
  std::vector<Target> targets;  // from `target:` or `targets:`; never empty
  Cluster cluster;
  std::uint32_t repetitions = 1;
  std::vector<Step> steps;
  std::vector<SloRule> slo;
  std::vector<Fault> faults;
  std::optional<std::uint64_t> seed;  // fault jitter and container picks; absent = random, recorded
  Timeouts timeouts;
  // Validity threshold: more failed samples than this fraction makes the run untrustworthy.
  double max_failed_ratio = 0.01;
  std::optional<GateDefaults> gate;

  std::string source_path;  // the file it was loaded from
  std::string sha256;       // hex digest of the file's bytes

  bool operator==(const Scenario&) const = default;
};

}  // namespace faultline::scenario
