#include "harness/scenario/loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "harness/drivers/catalog.h"
#include "harness/scenario/schema_validator.h"

namespace faultline::scenario {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Prefix for the table rows: a valid header that rows extend.
constexpr char kHead[] =
    "version: 1\n"
    "name: t\n"
    "target: {driver: oci, runtime: runc}\n";

struct BadCase {
  const char* label;
  std::string file;
  std::string text;
  std::string message;  // the whole error message, every line
};

std::vector<BadCase> BadCases() {
  const std::string head = kHead;
  const std::string ok_steps = "steps: [{name: a, workload: {kind: start, count: 1}}]\n";
  return {
      {"unknown top-level field", "bad.yaml", head + ok_steps + "chaos: []\n",
       "bad.yaml:5:1: (root): unknown field 'chaos' (expected one of: cluster, description, "
       "faults, gate, max_failed_ratio, name, repetitions, seed, slo, steps, target, targets, "
       "timeouts, version)"},
      {"typo in a nested field", "bad.yaml",
       head + "steps:\n  - name: a\n    workload: {kind: start, count: 1, concurency: 4}\n",
       "bad.yaml:6:39: steps[0].workload: unknown field 'concurency'; did you mean "
       "'concurrency'?"},
      {"wrong type", "bad.yaml", head + "steps: {name: a}\n",
       "bad.yaml:4:8: steps: expected a list, got a mapping"},
      {"integer out of range", "bad.yaml",
       head + "steps:\n  - name: a\n    workload: {kind: start, count: 1, concurrency: 0}\n",
       "bad.yaml:6:52: steps[0].workload.concurrency: expected an integer between 1 and 256, "
       "got 0"},
      {"quoted number where an integer is expected", "bad.yaml",
       head + "steps:\n  - name: a\n    workload: {kind: start, count: \"20\"}\n",
       "bad.yaml:6:36: steps[0].workload.count: expected an integer between 1 and 100000, got "
       "'20' (a quoted string; remove the quotes)"},
      {"bad duration unit", "bad.yaml", head + ok_steps + "timeouts: {create: 10sec}\n",
       "bad.yaml:5:20: timeouts.create: duration '10sec' has unknown unit 'sec' (expected one of "
       "ns, us, ms, s, m, h)"},
      {"duration without unit", "bad.yaml",
       head + "steps:\n  - name: a\n    workload: {kind: density, max: 5, settle: 200}\n",
       "bad.yaml:6:47: steps[0].workload.settle: expected a duration such as 250ms or 1.5s, got "
       "200"},
      {"bad size", "bad.yaml",
       "version: 1\nname: t\ntarget:\n  driver: oci\n  runtime: runc\n  resources: {memory: "
       "2GB}\n" +
           ok_steps,
       "bad.yaml:6:23: target.resources.memory: size '2GB' has unknown unit 'GB' (expected B, k, "
       "M, G, T, Ki, Mi, Gi or Ti)"},
      {"bad rate", "bad.yaml",
       head + "steps:\n  - name: a\n    workload: {kind: start, count: 5, rate: 50/sec}\n",
       "bad.yaml:6:45: steps[0].workload.rate: rate '50/sec' has unknown unit 'sec' (expected s, "
       "m or h)"},
      {"unknown workload kind", "bad.yaml",
       head + "steps:\n  - {name: a, workload: {kind: start, count: 1}}\n"
              "  - {name: b, workload: {kind: strat, count: 1}}\n",
       "bad.yaml:6:32: steps[1].workload: unknown kind 'strat' (expected one of: start, density, "
       "steady)"},
      {"invalid UTF-8", "bad.yaml",
       head + "steps:\n  - name: a\n    workload: {kind: start, count: 1, command: [\"a\xff"
              "b\"]}\n",
       "bad.yaml:6:51: (root): byte 0xff is not valid UTF-8; scenario files must be UTF-8 text"},
      {"unknown start method", "bad.yaml",
       head + "steps:\n  - name: a\n    workload: {kind: start, count: 1, via: rnu}\n",
       "bad.yaml:6:44: steps[0].workload.via: expected one of: create-start, run, got 'rnu'; "
       "did you mean 'run'?"},
      {"missing required field", "bad.yaml",
       head + "steps:\n  - name: a\n    workload:\n      kind: density\n      step: 5\n",
       "bad.yaml:6:5: steps[0].workload: missing required field 'max'"},
      {"both target and targets", "bad.yaml",
       head + "targets: [{driver: oci, runtime: crun}]\n" + ok_steps,
       "bad.yaml:4:1: (root): fields 'target' and 'targets' cannot be used together; set only "
       "one"},
      {"neither target nor targets", "bad.yaml", "version: 1\nname: t\n" + ok_steps,
       "bad.yaml:1:1: (root): missing required field 'target' or 'targets'"},
      {"duplicate step name", "bad.yaml",
       head + "steps:\n  - {name: storm, workload: {kind: start, count: 1}}\n"
              "  - {name: storm, workload: {kind: start, count: 2}}\n",
       "bad.yaml:6:12: steps[1].name: duplicate step name 'storm' (also used by steps[0])"},
      {"slo naming an unknown step", "bad.yaml",
       head + "steps: [{name: storm, workload: {kind: start, count: 1}}]\n"
              "slo:\n  - {metric: start_latency.p99, max: 250ms, step: strom}\n",
       "bad.yaml:6:51: slo[0].step: unknown step 'strom'; did you mean 'storm'?"},
      {"slo naming an unknown target", "bad.yaml",
       head + ok_steps + "slo: [{metric: start_latency.p99, max: 1s, target: crun}]\n",
       "bad.yaml:5:52: slo[0].target: unknown target 'crun' (targets: runc)"},
      {"duplicate target names", "bad.yaml",
       "version: 1\nname: t\ntargets:\n  - {driver: oci, runtime: runc}\n"
       "  - {driver: oci, runtime: runc}\n" +
           ok_steps,
       "bad.yaml:5:5: targets[1]: duplicate target name 'runc' (also used by targets[0]); set "
       "'name' to tell targets with the same runtime apart"},
      {"duplicate key", "bad.yaml", head + "repetitions: 2\n" + ok_steps + "repetitions: 3\n",
       "bad.yaml:6:1: (root): duplicate field 'repetitions' (first set at line 4, column 1)"},
      {"enum typo", "bad.yaml",
       "version: 1\nname: t\ntarget: {driver: oci, runtime: rnuc}\n" + ok_steps,
       "bad.yaml:3:32: target.runtime: expected one of: runc, crun, got 'rnuc'; did you mean "
       "'runc'?"},
      {"a field the driver needs is missing", "bad.yaml",
       "version: 1\nname: t\ntarget: {driver: oci}\n" + ok_steps,
       "bad.yaml:3:9: target.runtime: driver 'oci' needs 'runtime' (runc or crun)"},
      {"a field of another driver", "bad.yaml",
       "version: 1\nname: t\ntarget: {driver: oci, runtime: runc, live_restore: true}\n" + ok_steps,
       "bad.yaml:3:38: target.live_restore: driver 'oci' takes no field 'live_restore' (its own "
       "fields: runtime)"},
      {"unquoted boolean in a command", "bad.yaml",
       head + "steps:\n  - name: a\n    workload: {kind: start, count: 1, command: [true]}\n",
       "bad.yaml:6:49: steps[0].workload.command[0]: expected a string, got true (quote it to make "
       "it a string)"},
      {"quoted version", "bad.yaml",
       "version: '1'\nname: t\ntarget: {driver: oci, runtime: runc}\n" + ok_steps,
       "bad.yaml:1:10: version: expected 1, got '1' (a quoted string; remove the quotes)"},
      {"bad name and metric", "bad.yaml",
       "version: 1\nname: My_Scenario\ntarget: {driver: oci, runtime: runc}\n" + ok_steps +
           "slo: [{metric: start_latency.p98, max: 1s}]\n",
       "bad.yaml:2:7: name: expected a name of lowercase letters, digits and '-' (starting with a "
       "letter or digit, at most 63 characters), got 'My_Scenario'\n"
       "bad.yaml:5:16: slo[0].metric: expected a metric and statistic such as start_latency.p99 "
       "(metrics: start_latency, "
       "op_latency.prepare|create|start|run_detached|exit|stop|delete|lifecycle|tcp_rr|"
       "churn_stop, recovery_time, recovery_time.KIND; statistics: p50, "
       "p90, p99, max, mean, min), got 'start_latency.p98'"},
      {"several errors, in file order", "bad.yaml",
       "version: 2\nname: t\ntarget: {driver: oci, runtime: runc}\nrepetitions: 0\n"
       "steps: []\nmax_failed_ratio: 2\n",
       "bad.yaml:1:10: version: expected 1, got 2\n"
       "bad.yaml:4:14: repetitions: expected an integer between 1 and 1000, got 0\n"
       "bad.yaml:5:8: steps: expected a list of at least 1 item, got an empty list\n"
       "bad.yaml:6:19: max_failed_ratio: expected a number between 0 and 1, got 2"},
      {"YAML syntax error", "bad.yaml", head + "steps: [{name: a, workload: {kind: start}\n",
       "bad.yaml:5:1: syntax error: end of map flow not found"},
      {"JSON with an error", "bad.json",
       "{\n"
       "  \"version\": 1,\n"
       "  \"name\": \"t\",\n"
       "  \"target\": {\"driver\": \"oci\", \"runtime\": \"runc\"},\n"
       "  \"steps\": [\n"
       "    {\"name\": \"a\", \"workload\": {\"kind\": \"start\", \"count\": \"5\"}}\n"
       "  ]\n"
       "}\n",
       "bad.json:6:58: steps[0].workload.count: expected an integer between 1 and 100000, got '5' "
       "(a quoted string; remove the quotes)"},
      {"JSON syntax error", "bad.json", "{\"version\": 1\n \"name\": \"t\"}\n",
       "bad.json:2:8: syntax error: end of map flow not found"},
      {"empty file", "empty.yaml", "",
       "empty.yaml:1:1: (root): the file is empty; expected a scenario with version, name, target "
       "and steps"},
      {"only comments", "empty.yaml", "# nothing yet\n\n",
       "empty.yaml:1:1: (root): the file is empty; expected a scenario with version, name, target "
       "and steps"},
      {"unknown cluster kind", "bad.yaml", head + ok_steps + "cluster: {kind: vm}\n",
       "bad.yaml:5:17: cluster.kind: expected one of: virtual, local, got 'vm'"},
      {"too many nodes", "bad.yaml", head + ok_steps + "cluster: {nodes: 65}\n",
       "bad.yaml:5:18: cluster.nodes: expected an integer between 1 and 64, got 65"},
      {"node memory without unit pattern", "bad.yaml",
       head + ok_steps + "cluster: {nodes: 2, node: {memory: lots}}\n",
       "bad.yaml:5:36: cluster.node.memory: invalid size 'lots' (expected a number and an optional "
       "unit, e.g. 512Mi or 2G)"},
      {"a local cluster takes no nodes", "bad.yaml",
       head + ok_steps + "cluster: {kind: local, nodes: 3}\n",
       "bad.yaml:5:31: cluster.nodes: a local cluster is this host alone and takes no 'nodes'; "
       "set kind: virtual for a cluster of nodes"},
      {"an unknown cgroup driver", "bad.yaml",
       head + ok_steps + "cluster: {cgroup_driver: systemdd}\n",
       "bad.yaml:5:26: cluster.cgroup_driver: expected one of: cgroupfs, systemd, got "
       "'systemdd'; did you mean 'systemd'?"},
      {"the systemd cgroup driver with a daemon's target", "bad.yaml",
       "version: 1\nname: x\ntarget: {driver: docker}\n" + ok_steps +
           "cluster: {kind: local, cgroup_driver: systemd}\n",
       "bad.yaml:5:39: cluster.cgroup_driver: the systemd cgroup driver is for targets of the oci "
       "driver (runc, crun); target 'docker' uses docker"},
      {"step pinned to a node that does not exist", "bad.yaml",
       head + "cluster: {nodes: 3}\nsteps:\n  - {name: a, node: node-4, workload: {kind: start, "
              "count: 1}}\n",
       "bad.yaml:6:21: steps[0].node: unknown node 'node-4'; did you mean 'node-1'?"},
      {"node without a virtual cluster", "bad.yaml",
       head + "steps:\n  - {name: a, node: node-1, workload: {kind: start, count: 1}}\n",
       "bad.yaml:5:21: steps[0].node: 'node' needs a virtual cluster (add cluster: {kind: "
       "virtual, nodes: N})"},
      {"pinned placement with a step that names no node", "bad.yaml",
       head + "cluster: {nodes: 2, placement: pinned}\nsteps:\n  - {name: a, workload: {kind: "
              "start, count: 1}}\n",
       "bad.yaml:6:5: steps[0]: placement pinned: step 'a' names no node and target 'runc' has "
       "none either; add node: node-1 to the step or the target"},
      {"binpack without a capacity", "bad.yaml",
       head + ok_steps + "cluster: {nodes: 2, placement: binpack}\n",
       "bad.yaml:5:32: cluster.placement: binpack fills a node to its capacity, but target 'runc' "
       "gives none: set cluster.node.containers, or node cpus/memory together with the target's "
       "resources"},
      {"steady traffic without a virtual cluster", "bad.yaml",
       head + "steps:\n  - {name: s, workload: {kind: steady, duration: 5s, rr_rate: 10/s}}\n",
       "bad.yaml:5:63: steps[0].workload.rr_rate: TCP traffic between nodes needs a virtual "
       "cluster (add cluster: {kind: virtual, nodes: N})"},
      {"steady workload over an hour", "bad.yaml",
       head + "steps:\n  - {name: s, workload: {kind: steady, duration: 2h}}\n",
       "bad.yaml:5:50: steps[0].workload.duration: a steady workload runs at most 1h, got 2h"},
      {"runtime args where the shim passes none", "bad.yaml",
       "version: 1\nname: x\ntarget: {driver: containerd, runtime: {name: runc, args: "
       "[--debug]}}\n" +
           ok_steps,
       "bad.yaml:3:58: target.runtime.args: driver 'containerd' cannot pass arguments to its "
       "runtime (containerd's runc shim calls it with its own); runtime args work with the oci, "
       "docker and podman drivers"},
      {"a daemon flag faultline sets", "bad.yaml",
       "version: 1\nname: x\ntarget: {driver: docker, daemon: {args: [--debug, "
       "--data-root=/var/lib/x]}}\n" +
           ok_steps,
       "bad.yaml:3:51: target.daemon.args[1]: faultline sets --data-root itself for the docker "
       "driver (its state stays where faultline cleans up); flags it sets: --config-file, "
       "--containerd, --data-root, --exec-root, --pidfile, -p, -H, --host, --bridge, -b, "
       "--iptables, --ip6tables, --ip-forward, --ip-masq, --userland-proxy, --storage-driver, -s, "
       "--exec-opt, --cgroup-parent, --live-restore, --add-runtime, --default-runtime"},
      {"a daemon.json key faultline sets", "bad.yaml",
       "version: 1\nname: x\ntarget: {driver: docker, daemon: {config: {debug: true, "
       "live-restore: true}}}\n" +
           ok_steps,
       "bad.yaml:3:57: target.daemon.config.live-restore: faultline sets 'live-restore' itself "
       "for the docker driver (use the target's runtime and live_restore fields); keys it sets: "
       "containerd, data-root, exec-root, pidfile, hosts, bridge, iptables, ip6tables, "
       "ip-forward, ip-masq, userland-proxy, storage-driver, exec-opts, cgroup-parent, "
       "live-restore, runtimes, default-runtime"},
      {"daemon config for containerd", "bad.yaml",
       "version: 1\nname: x\ntarget: {driver: containerd, daemon: {config: {a: 1}}}\n" + ok_steps,
       "bad.yaml:3:47: target.daemon.config: driver 'containerd' takes no daemon config "
       "(faultline writes its configuration whole); config works with the docker driver "
       "(daemon.json)"},
      {"no daemon for the oci driver", "bad.yaml",
       "version: 1\nname: x\ntarget: {driver: oci, runtime: runc, daemon: {args: [-x]}}\n" +
           ok_steps,
       "bad.yaml:3:38: target.daemon: driver 'oci' takes no field 'daemon' (its own fields: "
       "runtime)"},
      {"settings for someone else's daemon", "bad.yaml",
       "version: 1\nname: x\ncluster: {kind: local}\ntarget: {driver: docker, endpoint: "
       "'unix:///run/docker.sock', env: {A: b}}\n" +
           ok_steps,
       "bad.yaml:4:68: target.env: an existing daemon (endpoint) runs as its owner set it up: "
       "faultline sets no env for it"},
      {"not a variable name", "bad.yaml",
       "version: 1\nname: x\ntarget: {driver: oci, runtime: runc, env: {1A: b}}\n" + ok_steps,
       "bad.yaml:3:44: target.env: '1A' is not a variable name (letters, digits and _, not "
       "first a digit)"},
      {"an env value that is not a string", "bad.yaml",
       "version: 1\nname: x\ntarget: {driver: oci, runtime: runc, env: {GOMAXPROCS: 2}}\n" +
           ok_steps,
       "bad.yaml:3:56: target.env.GOMAXPROCS: expected a string, got 2 (quote it to make it a "
       "string)"},
      {"runtime by path without its name", "bad.yaml",
       "version: 1\nname: x\ntarget: {driver: oci, runtime: {path: /opt/runc}}\n" + ok_steps,
       "bad.yaml:3:23: target.runtime: missing required field 'name'"},
      {"gate of an unknown target", "bad.yaml",
       head + ok_steps + "gate: {base: runc, candidate: next}\n",
       "bad.yaml:5:31: gate.candidate: no target named 'next'"},
      {"gate of a step that is not a start step", "bad.yaml",
       head + "steps:\n  - {name: a, record: false, workload: {kind: start, count: 1}}\n" +
           "gate: {step: a}\n",
       "bad.yaml:6:14: gate.step: expected a recorded start step (each slot of the gate is one "
       "run of it), got 'a'"},
      {"gate tolerance above its detection size", "bad.yaml",
       head + ok_steps + "gate: {tolerance: 0.2}\n",
       "bad.yaml:5:7: gate: tolerance (the slowdown that FAILs) must be below detection (the size "
       "a PASS rules out)"},
      {"not a mapping", "bad.yaml", "- version: 1\n",
       "bad.yaml:1:1: (root): expected a mapping, got a list"},
      {"two documents", "bad.yaml", head + ok_steps + "---\nversion: 1\n",
       "bad.yaml:6:1: (root): expected one scenario per file, found 2 YAML documents"},
      {"unknown fault kind", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: node.paus, for: 1s, nodes: [local]}\n",

       "bad.yaml:6:12: faults[0].kind: unknown fault kind 'node.paus'; did you mean 'node.pause'?"},
      {"fault without for", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: node.pause, nodes: [local]}\n",
       "bad.yaml:6:5: faults[0]: missing required field 'for'"},
      {"zero ttl", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: node.pause, for: 0s, nodes: [local]}\n",
       "bad.yaml:6:29: faults[0].for: must be longer than 0s: a fault lasts for a while"},
      {"ttl over an hour", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: node.pause, for: 2h, nodes: [local]}\n",
       "bad.yaml:6:29: faults[0].for: at most 1h, got 2h (a drill's fault must end on its own)"},
      {"overlapping repeats", "bad.yaml",
       head + ok_steps +
           "faults:\n  - {kind: node.pause, for: 2s, every: 2s, jitter: 1s, nodes: [local]}\n",
       "bad.yaml:6:40: faults[0].every: must be at least for + jitter (3s) so occurrences never "
       "overlap, got 2s"},
      {"unknown node", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: node.kill, for: 1s, nodes: [node-4]}\n",
       "bad.yaml:6:40: faults[0].nodes[0]: unknown node 'node-4' (nodes: local); the cluster has 1 "
       "node"},
      {"node fault without nodes", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: node.kill, for: 1s}\n",
       "bad.yaml:6:5: faults[0]: node.kill needs 'nodes' (the nodes it acts on, e.g. [local])"},
      {"parameter of another kind", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: node.pause, for: 1s, nodes: [local], delay: 5ms}\n",
       "bad.yaml:6:56: faults[0].delay: does not apply to node.pause (it is a parameter of "
       "network.delay)"},
      {"container fault without a count", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: container.kill, for: 1s, step: a}\n",
       "bad.yaml:6:5: faults[0]: container.kill needs 'containers' (how many running containers it "
       "acts on)"},
      {"container fault given nodes", "bad.yaml",
       head + ok_steps +
           "faults:\n  - {kind: container.oom, for: 1s, containers: 1, nodes: [local]}\n",
       "bad.yaml:6:58: faults[0].nodes: does not apply to container.oom: it acts on 'containers'"},
      {"platform fault on a daemonless target", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: platform.daemon_kill, for: 1s, nodes: [local]}\n",
       "bad.yaml:6:5: faults[0]: platform.daemon_kill acts on a platform daemon faultline runs; "
       "target 'runc' (driver oci) has none: name a target that does with 'target'"},
      {"platform fault on a podman target without a service", "bad.yaml",
       "version: 1\nname: t\ntargets:\n  - {name: p, driver: podman, via: cli}\n" + ok_steps +
           "faults:\n  - {kind: platform.daemon_restart, for: 1s, nodes: [local], target: p}\n",
       "bad.yaml:7:70: faults[0].target: platform.daemon_restart acts on a platform daemon "
       "faultline runs; target 'p' (driver podman with via: cli) has none"},
      {"run-level platform fault among several targets", "bad.yaml",
       "version: 1\nname: t\ntargets:\n  - {name: d, driver: docker}\n"
       "  - {name: e, driver: docker, live_restore: true}\n" +
           ok_steps + "faults:\n  - {kind: platform.daemon_kill, for: 1s, nodes: [local]}\n",
       "bad.yaml:8:5: faults[0]: platform.daemon_kill needs 'target' (whose platform daemon it "
       "kills) when it is not bound to a step and the scenario has several targets"},
      {"docker endpoint that is no socket", "bad.yaml",
       "version: 1\nname: t\ntarget: {driver: docker, endpoint: /run/docker.sock}\n" + ok_steps,
       "bad.yaml:3:36: target.endpoint: expected a daemon's socket such as "
       "unix:///run/docker.sock, got '/run/docker.sock'"},
      {"docker endpoint on a virtual cluster", "bad.yaml",
       "version: 1\nname: t\ntarget: {driver: docker, endpoint: unix:///run/docker.sock}\n" +
           ok_steps + "cluster: {nodes: 2}\n",
       "bad.yaml:3:36: target.endpoint: an existing daemon runs on this host, not inside a "
       "virtual cluster's nodes: use cluster: {kind: local} with it"},
      {"cni pods on the host's own network namespace", "bad.yaml",
       "version: 1\nname: t\ntarget: {driver: cri, network: cni}\n" + ok_steps +
           "cluster: {kind: local}\n",
       "bad.yaml:3:32: target.network: a cni pod network puts a bridge in each node's network "
       "namespace, which on cluster: {kind: local} is the host's: use a virtual cluster, or "
       "network: host"},
      {"pod of no containers", "bad.yaml",
       "version: 1\nname: t\ntarget: {driver: cri, pod: {containers: 0}}\n" + ok_steps,
       "bad.yaml:3:41: target.pod.containers: expected an integer between 1 and 16, got 0"},
      {"platform fault on a daemon faultline did not start", "bad.yaml",
       "version: 1\nname: t\ntarget: {driver: docker, endpoint: unix:///run/docker.sock}\n" +
           ok_steps + "faults:\n  - {kind: platform.daemon_kill, for: 1s, nodes: [local]}\n",
       "bad.yaml:6:5: faults[0]: platform.daemon_kill acts on a platform daemon faultline runs; "
       "target 'docker' (driver docker with endpoint: unix:///run/docker.sock) has none: name a "
       "target that does with 'target'"},
      {"fault naming an unknown target", "bad.yaml",
       head + ok_steps +
           "faults:\n  - {kind: node.pause, for: 1s, nodes: [local], step: a, target: x}\n",
       "bad.yaml:6:66: faults[0].target: unknown target 'x' (targets: runc)"},
      {"run-level node fault naming a target", "bad.yaml",
       "version: 1\nname: t\ntargets:\n  - {name: d, driver: docker}\n" + ok_steps +
           "faults:\n  - {kind: node.pause, for: 1s, nodes: [local], target: d}\n",
       "bad.yaml:7:57: faults[0].target: applies to platform.* faults and to faults bound to a "
       "step ('step'); node.pause here acts on the run's nodes whatever runs on them"},
      {"fault bound to an unknown step", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: node.pause, for: 1s, nodes: [local], step: b}\n",
       "bad.yaml:6:55: faults[0].step: unknown step 'b' (steps: a)"},
      {"bad fault duration", "bad.yaml",
       head + ok_steps + "faults:\n  - {kind: node.pause, for: 1sec, nodes: [local]}\n",
       "bad.yaml:6:29: faults[0].for: duration '1sec' has unknown unit 'sec' (expected one of ns, "
       "us, ms, s, m, h)"},
      {"recovery_time slo with a bad statistic", "bad.yaml",
       head + ok_steps + "slo:\n  - {metric: recovery_time.p95, max: 5s}\n",
       "bad.yaml:6:14: slo[0].metric: expected a metric and statistic such as start_latency.p99 "
       "(metrics: start_latency, "
       "op_latency.prepare|create|start|run_detached|exit|stop|delete|lifecycle|tcp_rr|churn_stop, "
       "recovery_time, recovery_time.KIND; statistics: p50, p90, p99, max, mean, min), got "
       "'recovery_time.p95'"},
  };
}

TEST(LoadScenario, BadInputsGiveExactMessages) {
  for (const BadCase& c : BadCases()) {
    SCOPED_TRACE(c.label);
    auto result = LoadScenarioText(c.text, c.file, "/tmp");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().message, c.message);
  }
}

TEST(LoadScenario, ErrorsAreCapped) {
  std::string text = kHead;
  text += "steps:\n";
  for (int i = 0; i < 25; ++i) text += "  - {name: s" + std::to_string(i) + ", workload: 1}\n";
  auto result = LoadScenarioText(text, "many.yaml", "/tmp");
  ASSERT_FALSE(result.ok());
  const std::string& message = result.error().message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 20);
  EXPECT_NE(message.find("\nmany.yaml: 5 more errors not shown"), std::string::npos) << message;
}

constexpr char kFullYaml[] = R"(# Every field set.
version: 1
name: start-latency
description: Start latency of crun vs runc.
targets:
  - {driver: oci, runtime: runc}
  - driver: oci
    runtime: crun
    name: crun-limited
    image: "oci:images/alpine"
    resources: {cpus: 0.5, memory: 256Mi, pids: 100}
cluster: {kind: local}
repetitions: 10
steps:
  - {name: warmup, workload: {kind: start, count: 20}, record: false}
  - {name: storm,  workload: {kind: start, count: 200, concurrency: 4, rate: 50/s, command: ["true"]}}
  - name: ramp
    workload:
      kind: density
      max: 1000
      step: 50
      concurrency: 2
      command: [sleep, "3600"]
      memory_budget: 2Gi
      start_p99_max: 500ms
      settle: 1s
slo:
  - {metric: start_latency.p99, max: 250ms, step: storm, target: runc}
  - {metric: op_latency.create.p50, max: 1.5s}
timeouts: {create: 10s, start: 5s, delete: 1m}
max_failed_ratio: 0.05
)";

constexpr char kFullJson[] = R"({
  "version": 1,
  "name": "start-latency",
  "description": "Start latency of crun vs runc.",
  "targets": [
    {"driver": "oci", "runtime": "runc"},
    {"driver": "oci", "runtime": "crun", "name": "crun-limited", "image": "oci:images/alpine",
     "resources": {"cpus": 0.5, "memory": "256Mi", "pids": 100}}
  ],
  "cluster": {"kind": "local"},
  "repetitions": 10,
  "steps": [
    {"name": "warmup", "workload": {"kind": "start", "count": 20}, "record": false},
    {"name": "storm", "workload": {"kind": "start", "count": 200, "concurrency": 4,
                                   "rate": "50/s", "command": ["true"]}},
    {"name": "ramp", "workload": {"kind": "density", "max": 1000, "step": 50, "concurrency": 2,
                                  "command": ["sleep", "3600"], "memory_budget": "2Gi",
                                  "start_p99_max": "500ms", "settle": "1s"}}
  ],
  "slo": [
    {"metric": "start_latency.p99", "max": "250ms", "step": "storm", "target": "runc"},
    {"metric": "op_latency.create.p50", "max": "1.5s"}
  ],
  "timeouts": {"create": "10s", "start": "5s", "delete": "1m"},
  "max_failed_ratio": 0.05
}
)";

// Positions and provenance differ between two files with the same content.
Scenario WithoutProvenance(Scenario s) {
  s.source_path.clear();
  s.sha256.clear();
  for (Target& t : s.targets) t.where = {};
  for (Step& st : s.steps) st.where = {};
  for (SloRule& r : s.slo) r.where = {};
  s.cluster.where = {};
  return s;
}

TEST(LoadScenario, FullScenarioFillsTheModel) {
  auto loaded = LoadScenarioText(kFullYaml, "full.yaml", "/scenarios");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Scenario& s = *loaded;
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.name, "start-latency");
  EXPECT_EQ(s.description, "Start latency of crun vs runc.");
  ASSERT_EQ(s.targets.size(), 2u);
  EXPECT_EQ(s.targets[0].name, "runc");
  EXPECT_EQ(s.targets[0].driver, "oci");
  EXPECT_EQ(s.targets[0].image.kind, ImageRef::Kind::kBusybox);
  EXPECT_EQ(s.targets[0].where, (SourceLocation{"full.yaml", 6, 5}));
  EXPECT_EQ(s.targets[1].name, "crun-limited");
  EXPECT_EQ(s.targets[1].runtime, "crun");
  EXPECT_EQ(s.targets[1].image.kind, ImageRef::Kind::kOciLayout);
  EXPECT_EQ(s.targets[1].image.path, "/scenarios/images/alpine");
  EXPECT_EQ(s.targets[1].resources.cpus, 0.5);
  EXPECT_EQ(s.targets[1].resources.memory_bytes, 256ull << 20);
  EXPECT_EQ(s.targets[1].resources.pids, 100u);
  EXPECT_EQ(s.cluster.kind, Cluster::Kind::kLocal);
  EXPECT_EQ(s.repetitions, 10u);
  ASSERT_EQ(s.steps.size(), 3u);
  EXPECT_FALSE(s.steps[0].record);
  EXPECT_EQ(s.steps[0].where, (SourceLocation{"full.yaml", 15, 5}));
  EXPECT_EQ(s.steps[1].kind, Step::Kind::kStart);
  EXPECT_EQ(s.steps[1].start.count, 200u);
  EXPECT_EQ(s.steps[1].start.concurrency, 4u);
  EXPECT_EQ(s.steps[1].start.rate_per_second, 50.0);
  EXPECT_EQ(s.steps[1].start.command, std::vector<std::string>{"true"});
  EXPECT_EQ(s.steps[2].kind, Step::Kind::kDensity);
  EXPECT_EQ(s.steps[2].density.max, 1000u);
  EXPECT_EQ(s.steps[2].density.step, 50u);
  EXPECT_EQ(s.steps[2].density.concurrency, 2u);
  EXPECT_EQ(s.steps[2].density.command, (std::vector<std::string>{"sleep", "3600"}));
  EXPECT_EQ(s.steps[2].density.memory_budget_bytes, 2ull << 30);
  EXPECT_EQ(s.steps[2].density.start_p99_max, 500ms);
  EXPECT_EQ(s.steps[2].density.settle, 1s);
  ASSERT_EQ(s.slo.size(), 2u);
  EXPECT_EQ(s.slo[0].metric, "start_latency");
  EXPECT_EQ(s.slo[0].statistic, "p99");
  EXPECT_EQ(s.slo[0].step, "storm");
  EXPECT_EQ(s.slo[0].target, "runc");
  EXPECT_DOUBLE_EQ(s.slo[0].max, 0.25);
  EXPECT_EQ(s.slo[0].text, "start_latency.p99 <= 250ms");
  EXPECT_EQ(s.slo[1].metric, "op_latency.create");
  EXPECT_EQ(s.slo[1].statistic, "p50");
  EXPECT_DOUBLE_EQ(s.slo[1].max, 1.5);
  EXPECT_EQ(s.slo[1].step, std::nullopt);
  EXPECT_EQ(s.timeouts.create, 10s);
  EXPECT_EQ(s.timeouts.start, 5s);
  EXPECT_EQ(s.timeouts.remove, 1min);
  EXPECT_DOUBLE_EQ(s.max_failed_ratio, 0.05);
  EXPECT_EQ(s.source_path, "full.yaml");
}

TEST(LoadScenario, YamlAndJsonGiveEqualModels) {
  auto yaml = LoadScenarioText(kFullYaml, "full.yaml", "/scenarios");
  auto json = LoadScenarioText(kFullJson, "full.json", "/scenarios");
  ASSERT_TRUE(yaml.ok()) << yaml.error().message;
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_TRUE(WithoutProvenance(*yaml) == WithoutProvenance(*json));
  EXPECT_NE(yaml->sha256, json->sha256);
}

TEST(LoadScenario, DefaultsAreFilled) {
  auto loaded = LoadScenarioText(std::string(kHead) +
                                     "steps:\n"
                                     "  - {name: s, workload: {kind: start, count: 3}}\n"
                                     "  - {name: d, workload: {kind: density, max: 7}}\n",
                                 "min.yaml", "/tmp");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Scenario& s = *loaded;
  ASSERT_EQ(s.targets.size(), 1u);
  EXPECT_EQ(s.targets[0].name, "runc");
  EXPECT_EQ(s.targets[0].image, ImageRef{});
  EXPECT_EQ(s.targets[0].resources, Resources{});
  EXPECT_EQ(s.targets[0].security, Security::kDefault);
  EXPECT_EQ(s.cluster.kind, Cluster::Kind::kLocal);
  EXPECT_EQ(s.repetitions, 1u);
  EXPECT_TRUE(s.steps[0].record);
  EXPECT_EQ(s.steps[0].start.count, 3u);
  EXPECT_EQ(s.steps[0].start.concurrency, 1u);
  EXPECT_EQ(s.steps[0].start.rate_per_second, std::nullopt);
  EXPECT_EQ(s.steps[0].start.command, std::vector<std::string>{"true"});
  EXPECT_EQ(s.steps[1].density.max, 7u);
  EXPECT_EQ(s.steps[1].density.step, 1u);
  EXPECT_EQ(s.steps[1].density.concurrency, 1u);
  EXPECT_EQ(s.steps[1].density.command, (std::vector<std::string>{"sleep", "3600"}));
  EXPECT_EQ(s.steps[1].density.memory_budget_bytes, std::nullopt);
  EXPECT_EQ(s.steps[1].density.start_p99_max, std::nullopt);
  EXPECT_EQ(s.steps[1].density.settle, 200ms);
  EXPECT_TRUE(s.slo.empty());
  EXPECT_EQ(s.timeouts, Timeouts{});
  EXPECT_DOUBLE_EQ(s.max_failed_ratio, 0.01);
}

// The published defaults and the model's must not drift apart.
TEST(LoadScenario, SchemaDefaultsMatchTheModel) {
  const nlohmann::json& defs = ScenarioSchema()["$defs"];
  const nlohmann::json& props = ScenarioSchema()["properties"];
  EXPECT_EQ(props["repetitions"]["default"], Scenario{}.repetitions);
  EXPECT_EQ(props["max_failed_ratio"]["default"], Scenario{}.max_failed_ratio);
  EXPECT_EQ(defs["concurrency"]["default"], StartWorkload{}.concurrency);
  EXPECT_EQ(defs["start_workload"]["properties"]["command"]["default"], StartWorkload{}.command);
  EXPECT_EQ(defs["density_workload"]["properties"]["command"]["default"],
            DensityWorkload{}.command);
  EXPECT_EQ(defs["density_workload"]["properties"]["step"]["default"], DensityWorkload{}.step);
  EXPECT_EQ(defs["density_workload"]["properties"]["settle"]["default"], "200ms");
  EXPECT_EQ(defs["step"]["properties"]["record"]["default"], Step{}.record);
  EXPECT_EQ(props["timeouts"]["properties"]["create"]["default"], "30s");
  EXPECT_EQ(defs["target"]["properties"]["security"]["default"], "default");
}

TEST(LoadScenario, ClusterBlockDefaultsToAVirtualCluster) {
  auto loaded = LoadScenarioText(
      std::string(kHead) +
          "cluster: {nodes: 3, node: {cpus: 1.5, memory: 1Gi, containers: 40}, placement: "
          "binpack}\n"
          "steps:\n"
          "  - {name: d, node: node-2, workload: {kind: density, max: 7}}\n"
          "  - name: drill\n"
          "    workload: {kind: steady, duration: 30s, churn_rate: 5/s, rr_rate: 50/s, "
          "rr_timeout: 200ms}\n",
      "c.yaml", "/tmp");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Cluster& c = loaded->cluster;
  EXPECT_EQ(c.kind, Cluster::Kind::kVirtual);
  EXPECT_EQ(c.nodes, 3u);
  EXPECT_EQ(c.node_cpus, 1.5);
  EXPECT_EQ(c.node_memory_bytes, 1ull << 30);
  EXPECT_EQ(c.node_containers, 40u);
  EXPECT_EQ(c.placement, Cluster::Placement::kBinpack);
  EXPECT_EQ(NodeNames(c), (std::vector<std::string>{"node-1", "node-2", "node-3"}));
  EXPECT_EQ(loaded->steps[0].node, "node-2");
  const Step& drill = loaded->steps[1];
  EXPECT_EQ(drill.kind, Step::Kind::kSteady);
  EXPECT_EQ(drill.steady.duration, 30s);
  EXPECT_EQ(drill.steady.churn_rate_per_second, 5.0);
  EXPECT_EQ(drill.steady.rr_rate_per_second, 50.0);
  EXPECT_EQ(drill.steady.rr_timeout, 200ms);
  EXPECT_EQ(drill.steady.churn_keep, 2u);
  EXPECT_EQ(drill.steady.rr_size, 64u);

  // Without a cluster block: this host, as before.
  auto plain = LoadScenarioText(
      std::string(kHead) + "steps: [{name: a, workload: {kind: start, count: 1}}]\n", "p.yaml",
      "/tmp");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->cluster.kind, Cluster::Kind::kLocal);
  EXPECT_EQ(NodeNames(plain->cluster), std::vector<std::string>{"local"});
}

TEST(LoadScenario, PinnedPlacementAcceptsNodesOnTargets) {
  auto loaded = LoadScenarioText(
      "version: 1\nname: t\ntarget: {driver: oci, runtime: runc, node: node-2}\n"
      "cluster: {nodes: 2, placement: pinned}\n"
      "steps: [{name: a, workload: {kind: start, count: 1}}]\n",
      "p.yaml", "/tmp");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->targets[0].node, "node-2");
  EXPECT_EQ(loaded->cluster.placement, Cluster::Placement::kPinned);
}

TEST(LoadScenario, TheSystemdCgroupDriverIsTakenByLocalAndVirtualClusters) {
  for (const char* kind : {"local", "virtual"}) {
    auto loaded = LoadScenarioText(std::string(kHead) + "cluster: {kind: " + kind +
                                       ", cgroup_driver: systemd}\n"
                                       "steps: [{name: a, workload: {kind: start, count: 1}}]\n",
                                   "s.yaml", "/tmp");
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->cluster.cgroup_driver, Cluster::CgroupDriver::kSystemd) << kind;
  }
}

TEST(LoadScenario, SecurityIsTakenByEveryDriver) {
  for (const char* driver : {"oci", "docker", "podman", "containerd", "cri"}) {
    auto loaded = LoadScenarioText("version: 1\nname: t\ntarget: {driver: " + std::string(driver) +
                                       ", runtime: runc, security: unconfined}\n"
                                       "steps: [{name: a, workload: {kind: start, count: 1}}]\n",
                                   "s.yaml", "/tmp");
    ASSERT_TRUE(loaded.ok()) << driver << ": " << loaded.error().message;
    EXPECT_EQ(loaded->targets[0].security, Security::kUnconfined) << driver;
  }
}

TEST(LoadScenario, Sha256OfTheBytes) {
  const std::string text =
      std::string(kHead) + "steps: [{name: a, workload: {kind: start, count: 1}}]\n";
  auto loaded = LoadScenarioText(text, "x.yaml", "/tmp");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  // sha256sum of the same bytes.
  EXPECT_EQ(loaded->sha256, "54639187b9cded5618a97433680fcfb06c9e33670155f30cd58d11a7e2b40701");
}

class ScenarioFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("faultline-scenario-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "sub");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  fs::path dir_;
};

TEST_F(ScenarioFileTest, ImagePathsResolveAgainstTheFilesDirectory) {
  const fs::path p = Write("sub/s.yaml",
                           "version: 1\nname: t\n"
                           "targets:\n"
                           "  - {driver: oci, runtime: runc, image: 'rootfs:../roots/a'}\n"
                           "  - {driver: oci, runtime: crun, image: 'oci:/abs/layout'}\n"
                           "steps: [{name: a, workload: {kind: start, count: 1}}]\n");
  auto loaded = LoadScenarioFile(p.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->targets[0].image.kind, ImageRef::Kind::kRootfs);
  EXPECT_EQ(loaded->targets[0].image.path, (dir_ / "roots/a").string());
  EXPECT_EQ(loaded->targets[1].image.path, "/abs/layout");
  EXPECT_EQ(loaded->source_path, p.string());
  EXPECT_EQ(loaded->steps[0].where, (SourceLocation{p.string(), 6, 9}));
}

TEST_F(ScenarioFileTest, RuntimePathsResolveAgainstTheFilesDirectory) {
  const fs::path p =
      Write("sub/s.yaml",
            "version: 1\nname: t\n"
            "targets:\n"
            "  - {driver: oci, runtime: runc, name: base}\n"
            "  - {driver: oci, runtime: {name: runc, path: ../next/runc}, name: next}\n"
            "  - {driver: containerd, runtime: {name: crun, path: /opt/crun}}\n"
            "  - driver: docker\n"
            "    name: docker-next\n"
            "    runtime: {name: runc, path: ../next/runc, args: [--debug]}\n"
            "    env: {GOMAXPROCS: '1', HTTP_PROXY: ''}\n"
            "    daemon:\n"
            "      path: ../next/dockerd\n"
            "      args: [--log-level=debug]\n"
            "      config: {max-concurrent-uploads: 3, features: {buildkit: false}}\n"
            "steps: [{name: a, workload: {kind: start, count: 1}}]\n");
  auto loaded = LoadScenarioFile(p.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->targets[0].runtime_path, "");
  EXPECT_EQ(loaded->targets[1].runtime, "runc");
  EXPECT_EQ(loaded->targets[1].runtime_path, (dir_ / "next/runc").string());
  EXPECT_EQ(loaded->targets[2].runtime, "crun");
  EXPECT_EQ(loaded->targets[2].runtime_path, "/opt/crun");
  EXPECT_EQ(loaded->targets[2].name, "crun");
  const Target& docker = loaded->targets[3];
  EXPECT_EQ(docker.runtime_path, (dir_ / "next/runc").string());
  EXPECT_EQ(docker.runtime_args, std::vector<std::string>{"--debug"});
  EXPECT_EQ(docker.env,
            (std::map<std::string, std::string>{{"GOMAXPROCS", "1"}, {"HTTP_PROXY", ""}}));
  EXPECT_EQ(docker.daemon.path, (dir_ / "next/dockerd").string());
  EXPECT_EQ(docker.daemon.args, std::vector<std::string>{"--log-level=debug"});
  EXPECT_EQ(
      nlohmann::json::parse(docker.daemon.config),
      nlohmann::json::parse(R"({"max-concurrent-uploads": 3, "features": {"buildkit": false}})"));
}

TEST(LoadScenario, GateSectionFillsTheModel) {
  auto loaded = LoadScenarioText(
      "version: 1\nname: g\ntargets:\n"
      "  - {driver: oci, runtime: runc, name: base}\n"
      "  - {driver: oci, runtime: {name: runc, path: /opt/runc-next/runc}, name: next}\n"
      "steps: [{name: storm, workload: {kind: start, count: 5}}]\n"
      "gate: {base: base, candidate: next, step: storm, tolerance: 0.05, max_quads: 40}\n",
      "g.yaml", "/tmp");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_TRUE(loaded->gate.has_value());
  EXPECT_EQ(loaded->gate->base, "base");
  EXPECT_EQ(loaded->gate->candidate, "next");
  EXPECT_EQ(loaded->gate->step, "storm");
  EXPECT_EQ(loaded->gate->tolerance, 0.05);
  EXPECT_FALSE(loaded->gate->detection.has_value());
  EXPECT_EQ(loaded->gate->max_quads, 40u);
}

TEST_F(ScenarioFileTest, ErrorsNameTheFile) {
  const fs::path p = Write("bad.yaml", std::string(kHead) + "steps: 3\n");
  auto loaded = LoadScenarioFile(p.string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message, p.string() + ":4:8: steps: expected a list, got 3");
}

TEST_F(ScenarioFileTest, UnreadableFiles) {
  auto missing = LoadScenarioFile((dir_ / "nope.yaml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().message, "cannot read scenario file '" + (dir_ / "nope.yaml").string() +
                                         "': No such file or directory");
  auto directory = LoadScenarioFile(dir_.string());
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().message,
            "cannot read scenario file '" + dir_.string() + "': Is a directory");
  const fs::path empty = Write("empty.yaml", "");
  auto empty_result = LoadScenarioFile(empty.string());
  ASSERT_FALSE(empty_result.ok());
  EXPECT_EQ(empty_result.error().message,
            empty.string() +
                ":1:1: (root): the file is empty; expected a scenario with version, name, target "
                "and steps");
}

TEST(ShippedScenarios, AllLoad) {
  const fs::path dir = fs::path(FAULTLINE_SOURCE_DIR) / "scenarios";
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".yaml" || ext == ".yml") files.push_back(entry.path());
  }
  ASSERT_FALSE(files.empty()) << "no scenarios/*.yaml in " << dir.string();
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    auto loaded = LoadScenarioFile(file.string());
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().message);
  }
}

TEST(LoadScenario, PlatformFaultsNameTheTargetWhoseDaemonTheyKill) {
  auto loaded = LoadScenarioText(
      "version: 1\nname: t\ntargets:\n"
      "  - {name: plain, driver: docker}\n"
      "  - {name: restoring, driver: docker, live_restore: true}\n"
      "  - {name: daemonless, driver: podman, via: cli}\n"
      "cluster: {nodes: 2}\n"
      "steps: [{name: a, workload: {kind: start, count: 1}}]\n"
      "faults:\n"
      "  - {kind: platform.daemon_kill, at: 1s, for: 2s, nodes: [node-1], target: restoring}\n"
      "  - {kind: platform.daemon_restart, for: 1s, nodes: [node-2], step: a, target: plain}\n",
      "ok.yaml", "");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  ASSERT_EQ(loaded->faults.size(), 2u);
  EXPECT_EQ(loaded->faults[0].target, "restoring");
  EXPECT_FALSE(loaded->faults[0].step);
  EXPECT_EQ(loaded->faults[1].target, "plain");
  EXPECT_EQ(loaded->faults[1].written.at("target"), "plain");
  EXPECT_EQ(loaded->faults[1].nodes, std::vector<std::string>{"node-2"});
}

TEST(LoadScenario, FaultsLoadWithTheirTimingTargetsAndParameters) {
  auto loaded = LoadScenarioText(std::string(kHead) +
                                     "steps: [{name: a, workload: {kind: start, count: 1}}]\n"
                                     "seed: 7\n"
                                     "faults:\n"
                                     "  - {kind: node.pause, at: 1s, for: 2s, every: 5s, jitter: "
                                     "500ms, nodes: [local]}\n"
                                     "  - {kind: container.oom, for: 3s, step: a, containers: 2}\n",
                                 "ok.yaml", "");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  ASSERT_EQ(loaded->faults.size(), 2u);
  EXPECT_EQ(loaded->seed, 7u);
  const Fault& pause = loaded->faults[0];
  EXPECT_EQ(pause.kind, "node.pause");
  EXPECT_EQ(pause.at, 1s);
  EXPECT_EQ(pause.ttl, 2s);
  EXPECT_EQ(pause.every, 5s);
  EXPECT_EQ(pause.jitter, 500ms);
  EXPECT_EQ(pause.nodes, std::vector<std::string>{"local"});
  EXPECT_FALSE(pause.step);
  EXPECT_EQ(pause.written.at("for"), "2s");
  const Fault& oom = loaded->faults[1];
  EXPECT_EQ(oom.step, "a");
  EXPECT_EQ(oom.containers, 2u);
  EXPECT_EQ(oom.at, 0s);
  EXPECT_EQ(oom.where.line, 8);
}

// Fault targets are the cluster's nodes, wherever `cluster:` stands in the file.
TEST(LoadScenario, FaultsNameTheVirtualClustersNodes) {
  auto loaded = LoadScenarioText(std::string(kHead) +
                                     "steps: [{name: a, workload: {kind: start, count: 1}}]\n"
                                     "faults:\n"
                                     "  - {kind: node.kill, for: 1s, nodes: [node-3]}\n"
                                     "  - {kind: network.partition, for: 1s, partition: ring}\n"
                                     "cluster: {nodes: 4}\n",
                                 "ok.yaml", "");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->faults[0].nodes, std::vector<std::string>{"node-3"});
  EXPECT_EQ(loaded->faults[1].partition, Fault::Partition::kRing);
}

TEST(LoadScenario, RecoveryTimeSloRules) {
  auto loaded = LoadScenarioText(std::string(kHead) +
                                     "steps: [{name: a, workload: {kind: start, count: 1}}]\n"
                                     "slo:\n  - {metric: recovery_time.max, max: 5s}\n"
                                     "  - {metric: recovery_time.node.kill.p99, max: 2s}\n",
                                 "ok.yaml", "");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->slo[0].metric, "recovery_time");
  EXPECT_EQ(loaded->slo[0].statistic, "max");
  EXPECT_EQ(loaded->slo[1].metric, "recovery_time.node.kill");
  EXPECT_EQ(loaded->slo[1].statistic, "p99");
}

// The published schema and the driver table say the same: its driver enum lists every
// driver, and every driver field (with its values) is a target property there.
TEST(DriverTable, SchemaAgreesWithTheDriverCatalog) {
  const nlohmann::json& schema = ScenarioSchema();
  const auto& target = schema.at("$defs").at("target").at("properties");
  std::vector<std::string> names;
  for (const auto& spec : drivers::DriverCatalog()) names.push_back(spec.name);
  EXPECT_EQ(target.at("driver").at("enum").get<std::vector<std::string>>(), names);
  for (const auto& spec : drivers::DriverCatalog()) {
    for (const auto& field : spec.fields) {
      ASSERT_TRUE(target.contains(field.name)) << spec.name << "." << field.name;
      if (field.values.empty()) continue;
      const auto& property = target.at(field.name);
      if (property.value("type", "") == "boolean") {
        EXPECT_EQ(field.values, (std::vector<std::string>{"true", "false"})) << field.name;
        continue;
      }
      // runtime: its name, or {name, path} with the same names.
      const auto allowed = (property.contains("enum") ? property : property.at("oneOf").at(0))
                               .at("enum")
                               .get<std::vector<std::string>>();
      if (property.contains("oneOf")) {
        EXPECT_EQ(property.at("oneOf").at(1).at("properties").at("name").at("enum"),
                  nlohmann::json(allowed));
      }
      for (const auto& value : field.values) {
        EXPECT_NE(std::find(allowed.begin(), allowed.end(), value), allowed.end())
            << spec.name << "." << field.name << " " << value;
      }
    }
  }
  for (const auto& common : drivers::CommonTargetFields()) {
    EXPECT_TRUE(target.contains(common)) << common;
  }
}

}  // namespace
}  // namespace faultline::scenario
