#include <signal.h>

#include <cmath>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "harness/cluster/node_cgroup.h"
#include "harness/core/cgroup.h"
#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/workloads/pacing.h"
#include "harness/workloads/samples.h"
#include "harness/workloads/tcp_rr.h"
#include "harness/workloads/workload.h"

namespace faultline::workloads {
namespace {

using std::chrono::steady_clock;

constexpr auto kHelperGrace = std::chrono::seconds(30);  // beyond the duration, then killed
constexpr auto kReadyWait = std::chrono::seconds(10);
constexpr std::uint16_t kEchoPort = 7;  // each node's own namespace: no other user of it

std::string Seconds(Nanos duration) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count() + 1);
}

// Container start/stop churn: starts go to the nodes in turn; each node keeps the newest KEEP
// containers and stops the oldest.
class Churn {
 public:
  Churn(drivers::Driver& driver, const scenario::SteadyWorkload& workload,
        const StepContext& context, SampleSink& sink)
      : driver_(driver),
        workload_(workload),
        context_(context),
        sink_(sink),
        kept_(context.nodes.size()) {}

  // Returns the validity warning when the churn fell behind its rate, else empty.
  std::string Run(steady_clock::time_point end) {
    const double seconds = std::chrono::duration<double>(workload_.duration).count();
    const auto count =
        static_cast<std::uint32_t>(std::ceil(*workload_.churn_rate_per_second * seconds));
    const Pacing pacing{2, workload_.churn_rate_per_second};
    auto start_one = [&](std::uint32_t i, std::int64_t scheduled_ns) {
      if (steady_clock::now() >= end) return;
      const std::size_t node = i % context_.nodes.size();
      drivers::ContainerSpec spec;
      spec.id = context_.id_prefix + "-c" + std::to_string(i);
      spec.command = workload_.command;
      spec.resources = context_.resources;
      spec.node = context_.nodes[node].name;
      spec.netns = context_.nodes[node].netns;
      spec.cgroup_parent = context_.nodes[node].cgroup;
      sink_.SetNode(spec.id, context_.nodes[node].name);
      Launched launched = Launch(driver_, spec, context_, sink_, false, scheduled_ns);
      std::unique_ptr<drivers::Container> oldest;
      if (launched.running) {
        std::lock_guard lock(mu_);
        kept_[node].push_back(std::move(launched.container));
        if (kept_[node].size() > workload_.churn_keep) {
          oldest = std::move(kept_[node].front());
          kept_[node].pop_front();
        }
      } else if (launched.container) {
        oldest = std::move(launched.container);  // never ran: removed, not measured
        drivers::OpResult removed = oldest->Delete(context_.timeouts.remove);
        if (!removed.status.ok()) sink_.Add(oldest->id(), "delete", removed);
        oldest.reset();
      }
      if (oldest) Stop(*oldest);
    };
    const PacedRun paced = RunPaced(count, pacing, context_.cancel, start_one);
    return RateNotSustained(paced, pacing, "churn starts");
  }

  // Stops what is still kept, at the end of the step.
  void StopAll() {
    for (auto& node : kept_) {
      for (auto& container : node) Stop(*container);
      node.clear();
    }
  }

 private:
  // churn_stop: SIGKILL issued -> the init reaped -> the container deleted.
  void Stop(drivers::Container& container) {
    const std::int64_t cpu_before = ThreadCpuNs();
    drivers::OpResult killed = container.Kill(SIGKILL, context_.timeouts.remove);
    Status status = killed.status;
    if (status.ok()) {
      auto exited = container.WaitExit(context_.timeouts.remove, nullptr);
      if (!exited.ok()) status = exited.error();
    }
    drivers::OpResult removed = container.Delete(context_.timeouts.remove);
    if (status.ok()) status = removed.status;
    sink_.Add(container.id(), "churn_stop", killed.start_ns, removed.end_ns, status, 0,
              ThreadCpuNs() - cpu_before);
    sink_.ContainersRunning(-1);
  }

  drivers::Driver& driver_;
  const scenario::SteadyWorkload& workload_;
  const StepContext& context_;
  SampleSink& sink_;
  std::mutex mu_;
  std::vector<std::deque<std::unique_ptr<drivers::Container>>> kept_;
};

// TCP request/response between every ordered pair of nodes: an echo server in each node and
// a probe in each node sending to the others in turn, both as helper processes inside the
// node (its network namespace and a cgroup below its parent), so node faults reach them.
class RequestResponse {
 public:
  RequestResponse(const scenario::SteadyWorkload& workload, const StepContext& context,
                  SampleSink& sink, std::vector<std::string>& warnings)
      : workload_(workload), context_(context), sink_(sink), warnings_(warnings) {}

  void Run(steady_clock::time_point end) {
    const std::string stop = context_.scratch_dir + "/stop";
    for (const auto& node : context_.nodes) {
      // Journaled: in a standing cluster the node's own entry belongs to the cluster.
      auto seq = context_.journal->Acquire(journal_kind::kCgroup, {{"path", HelperCgroup(node)}});
      if (!seq.ok()) {
        Warn("cannot journal the helper cgroup: " + seq.error().ToString());
        return;
      }
      seqs_.push_back(*seq);
    }
    std::vector<std::thread> servers;
    for (std::size_t n = 0; n < context_.nodes.size(); ++n) {
      servers.emplace_back([this, n, stop, end] {
        const cluster::Node& node = context_.nodes[n];
        // A node fault (node.kill) kills the server with the node: it comes back when the node
        // does, so the load runs on through the fault.
        HelperRun run;
        do {
          run = Helper("echo " + node.name,
                       {context_.helper_exe, "_tcp-echo", "--netns", node.netns, "--cgroup",
                        HelperCgroup(node), "--address", node.address, "--port",
                        std::to_string(kEchoPort), "--stop-file", stop, "--ready-file",
                        ReadyFile(n), "--max-seconds", Seconds(workload_.duration + kHelperGrace)},
                       node);
        } while (run.killed_by_fault && WaitUntilNodeUp(node, stop, end));
      });
    }
    WaitReady();
    std::vector<std::thread> probes;
    const double per_source =
        *workload_.rr_rate_per_second / static_cast<double>(context_.nodes.size());
    const double seconds = std::chrono::duration<double>(end - steady_clock::now()).count();
    const auto count = static_cast<std::uint32_t>(std::ceil(per_source * std::max(0.0, seconds)));
    for (std::size_t n = 0; n < context_.nodes.size() && count > 0; ++n) {
      probes.emplace_back([this, n, stop, end, per_source, count] {
        const cluster::Node& source = context_.nodes[n];
        std::string peers;
        for (const auto& node : context_.nodes) {
          if (node.name != source.name || context_.nodes.size() == 1) {
            peers += (peers.empty() ? "" : ",") + node.address;
          }
        }
        // Restarted, like the server, for what is left of its count and time when a node fault
        // killed it.
        std::uint32_t left = count;
        HelperRun run;
        do {
          const double seconds = std::chrono::duration<double>(end - steady_clock::now()).count();
          if (seconds <= 0) break;
          run = Helper("probe " + source.name,
                       {context_.helper_exe,
                        "_tcp-probe",
                        "--netns",
                        source.netns,
                        "--cgroup",
                        HelperCgroup(source),
                        "--peers",
                        peers,
                        "--port",
                        std::to_string(kEchoPort),
                        "--rate",
                        std::to_string(per_source),
                        "--count",
                        std::to_string(left),
                        "--max-seconds",
                        std::to_string(static_cast<long>(std::ceil(seconds))),
                        "--size",
                        std::to_string(workload_.rr_size),
                        "--timeout-ms",
                        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           workload_.rr_timeout)
                                           .count()),
                        "--stop-file",
                        stop},
                       source);
          left -= std::min(left, Record(source, run.out));
        } while (left > 0 && run.killed_by_fault && WaitUntilNodeUp(source, stop, end));
      });
    }
    // Ctrl-C stops the helpers early through the stop file.
    while (steady_clock::now() < end && !context_.cancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (context_.cancelled()) std::ofstream(stop).put('x');
    for (auto& probe : probes) probe.join();
    std::ofstream(stop).put('x');
    for (auto& server : servers) server.join();
  }

  // The helpers' cgroups (below each node's parent), removed after the step.
  void RemoveCgroups() {
    for (std::size_t n = 0; n < seqs_.size(); ++n) {
      if (RemoveCgroupTree(HelperCgroup(context_.nodes[n])).ok()) {
        context_.journal->Release(seqs_[n]);
      }
    }
  }

 private:
  std::string HelperCgroup(const cluster::Node& node) const {
    return node.cgroup + "/" + context_.id_prefix + "-rr";
  }
  std::string ReadyFile(std::size_t n) const {
    return context_.scratch_dir + "/ready-" + std::to_string(n);
  }

  void WaitReady() {
    const auto deadline = steady_clock::now() + kReadyWait;
    for (std::size_t n = 0; n < context_.nodes.size(); ++n) {
      while (!PathExists(ReadyFile(n)) && steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (!PathExists(ReadyFile(n))) {
        Warn("echo server of " + context_.nodes[n].name + " not listening after 10 s");
      }
    }
  }

  struct HelperRun {
    std::string out;
    bool killed_by_fault = false;  // SIGKILLed while a fault had its node down (node.kill)
  };
  // Runs a helper inside NODE. A helper killed by a fault on its node is the fault's doing,
  // not a flaw of the run: no warning then.
  HelperRun Helper(const std::string& what, std::vector<std::string> argv,
                   const cluster::Node& node) {
    HelperRun run;
    auto outcome = RunProcess({std::move(argv), workload_.duration + kHelperGrace * 2, ""});
    if (!outcome.ok()) {
      Warn(what + ": " + outcome.error().ToString());
      return run;
    }
    run.out = outcome->out;
    run.killed_by_fault = outcome->term_signal == SIGKILL && NodeFaulted(node);
    if (!outcome->ok() && !run.killed_by_fault) Warn(what + ": " + outcome->Describe());
    return run;
  }

  bool NodeFaulted(const cluster::Node& node) const {
    return context_.node_unavailable && !context_.node_unavailable(node.cgroup).empty();
  }

  // After a fault killed a helper of NODE: waits while the fault keeps the node down. True when
  // the helper should run again (the load is not over).
  bool WaitUntilNodeUp(const cluster::Node& node, const std::string& stop,
                       steady_clock::time_point end) const {
    auto over = [&] {
      return PathExists(stop) || steady_clock::now() >= end || context_.cancelled();
    };
    while (!over() && NodeFaulted(node)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return !over();
  }

  // Adds the round trips in OUT; how many.
  std::uint32_t Record(const cluster::Node& source, const std::string& out) {
    std::map<std::string, std::string> names;  // address -> node
    for (const auto& node : context_.nodes) names[node.address] = node.name;
    std::istringstream lines(out);
    std::string line;
    std::uint32_t recorded = 0;
    while (std::getline(lines, line)) {
      auto trip = ParseRoundTrip(line);
      if (!trip.ok()) continue;
      reports::Sample sample;
      sample.node = source.name;
      sample.peer = names.count(trip->peer) ? names[trip->peer] : trip->peer;
      sample.op = "tcp_rr";
      sample.start_ns = trip->start_ns;
      sample.duration_ns = trip->duration_ns;
      sample.ok = trip->ok;
      sample.error = trip->error;
      sink_.Add(std::move(sample));
      ++recorded;
    }
    return recorded;
  }

  void Warn(const std::string& text) {
    std::lock_guard lock(mu_);
    warnings_.push_back(text);
  }

  const scenario::SteadyWorkload& workload_;
  const StepContext& context_;
  SampleSink& sink_;
  std::vector<std::string>& warnings_;
  std::vector<std::uint64_t> seqs_;
  std::mutex mu_;
};

}  // namespace

StepOutput RunSteady(drivers::Driver& driver, const scenario::SteadyWorkload& workload,
                     const StepContext& context) {
  SampleSink sink(context);
  StepOutput output;
  const auto end = steady_clock::now() + workload.duration;
  output.window_begin_ns = BootNowNs();
  if (context.on_window) {
    context.on_window(output.window_begin_ns, output.window_begin_ns + workload.duration.count());
  }
  Churn churn(driver, workload, context, sink);
  RequestResponse traffic(workload, context, sink, output.warnings);
  std::thread churning;
  std::string churn_behind;
  if (workload.churn_rate_per_second) {
    churning = std::thread([&] { churn_behind = churn.Run(end); });
  }
  if (workload.rr_rate_per_second) {
    traffic.Run(end);
  } else {
    while (steady_clock::now() < end && !context.cancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (churning.joinable()) churning.join();
  if (!churn_behind.empty()) output.warnings.push_back(std::move(churn_behind));
  output.window_end_ns = BootNowNs();
  churn.StopAll();
  if (workload.rr_rate_per_second) traffic.RemoveCgroups();
  output.samples = sink.Take();
  return output;
}

}  // namespace faultline::workloads
