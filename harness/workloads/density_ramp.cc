#include <signal.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/clock.h"
#include "harness/measure/summary.h"
#include "harness/workloads/pacing.h"
#include "harness/workloads/samples.h"
#include "harness/workloads/workload.h"

namespace faultline::workloads {
namespace {

struct RampMeasurement {
  double usage_per_container = 0;
  double resident_per_container = 0;
  double total_usage = 0;
};

struct Running {
  std::unique_ptr<drivers::Container> container;
  std::size_t node = 0;
};

// Memory of the running containers, of one node when ONLY_NODE is set.
RampMeasurement MeasureMemory(const std::vector<Running>& running,
                              std::optional<std::size_t> only_node = std::nullopt) {
  RampMeasurement m;
  double resident = 0;
  std::size_t read = 0;
  for (const auto& [container, node] : running) {
    if (only_node && node != *only_node) continue;
    auto memory = ReadCgroupMemory(container->Identity().cgroup);
    if (!memory.ok()) continue;
    m.total_usage += static_cast<double>(memory->usage_bytes);
    resident += static_cast<double>(memory->resident_bytes);
    ++read;
  }
  if (read > 0) {
    m.usage_per_container = m.total_usage / static_cast<double>(read);
    m.resident_per_container = resident / static_cast<double>(read);
  }
  return m;
}

// One node's share of a ramp point: its containers, their memory and start latency.
reports::DensityPoint NodePoint(const reports::DensityPoint& whole,
                                const std::vector<Running>& running, std::size_t node,
                                const std::vector<double>& starts, std::uint32_t failed) {
  reports::DensityPoint point = whole;
  point.containers = static_cast<std::uint32_t>(std::count_if(
      running.begin(), running.end(), [&](const Running& r) { return r.node == node; }));
  point.failed = failed;
  RampMeasurement memory = MeasureMemory(running, node);
  point.memory_per_container_bytes = memory.usage_per_container;
  point.rss_per_container_bytes = memory.resident_per_container;
  measure::Summary latency = measure::Summarize(starts);
  point.start_p50_s = latency.p50;
  point.start_p99_s = latency.p99;
  return point;
}

}  // namespace

StepOutput RunDensityRamp(drivers::Driver& driver, const scenario::DensityWorkload& workload,
                          const StepContext& context) {
  SampleSink sink(context);
  StepOutput output;
  reports::DensityOutcome outcome;
  outcome.step = context.step;
  outcome.target = context.target;
  outcome.repetition = context.repetition;
  outcome.stopped_by = "max";

  std::vector<Running> running;
  std::mutex running_mu;
  std::uint32_t next_index = 0;
  // A cluster of nodes also reports each node: its containers, start latency and knee.
  const std::size_t node_count = context.nodes.size();
  const bool per_node = node_count > 1 || !context.nodes.front().netns.empty();
  std::vector<std::optional<std::uint32_t>> node_knee(node_count);
  std::vector<std::uint32_t> node_reached(node_count, 0);

  while (running.size() < workload.max) {
    if (context.cancelled()) {
      outcome.stopped_by = "cancelled";
      break;
    }
    const std::uint32_t batch = std::min<std::uint32_t>(
        workload.step, workload.max - static_cast<std::uint32_t>(running.size()));
    std::vector<double> starts;
    std::vector<std::vector<double>> node_starts(node_count);
    std::vector<std::uint32_t> node_failed(node_count, 0);
    std::uint32_t failed = 0, unplaced = 0;
    std::vector<Running> broken;
    const std::uint32_t first = next_index;
    next_index += batch;
    auto start_one = [&](std::uint32_t i, std::int64_t) {
      drivers::ContainerSpec spec;
      spec.id = context.id_prefix + "-" + std::to_string(first + i);
      spec.command = workload.command;
      spec.resources = context.resources;
      auto placed = PlaceOnNode(context, spec, sink);
      if (!placed.ok()) {
        const std::int64_t now = BootNowNs();
        sink.Add(spec.id, "run", now, now, placed.error());
        std::lock_guard lock(running_mu);
        ++failed;
        ++unplaced;
        if (context.on_progress) context.on_progress();
        return;
      }
      Launched launched = Launch(driver, spec, context, sink);
      std::lock_guard lock(running_mu);
      if (launched.running) {
        const double seconds = static_cast<double>(launched.run_ns) / 1e9;
        starts.push_back(seconds);
        node_starts[*placed].push_back(seconds);
        running.push_back({std::move(launched.container), *placed});
      } else {
        ++failed;
        ++node_failed[*placed];
        if (launched.container) {
          broken.push_back({std::move(launched.container), *placed});
        } else {
          Unplace(context, *placed);
        }
      }
      if (context.on_progress) context.on_progress();
    };
    RunPaced(batch, {workload.concurrency, std::nullopt}, context.cancel, start_one);
    for (auto& [container, node] : broken) {
      // Cleanup of what never ran: recorded only when it fails.
      drivers::OpResult removed = container->Delete(context.timeouts.remove);
      if (!removed.status.ok()) sink.Add(container->id(), "delete", removed);
      Unplace(context, node);
    }

    // Settle, but answer a Ctrl-C promptly.
    const auto settled = std::chrono::steady_clock::now() + workload.settle;
    while (std::chrono::steady_clock::now() < settled && !context.cancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    RampMeasurement memory = MeasureMemory(running);
    auto overhead = driver.ResidentOverheadBytes();
    const std::string unmeasured = "platform overhead not measured: ";
    if (!overhead.ok() &&
        std::none_of(output.warnings.begin(), output.warnings.end(),
                     [&](const std::string& w) { return w.rfind(unmeasured, 0) == 0; })) {
      // Reported as 0 per container then: say why, once.
      output.warnings.push_back(unmeasured + overhead.error().ToString());
    }
    measure::Summary latency = measure::Summarize(starts);

    reports::DensityPoint point;
    point.step = context.step;
    point.target = context.target;
    point.repetition = context.repetition;
    point.containers = static_cast<std::uint32_t>(running.size());
    point.failed = failed;
    point.memory_per_container_bytes = memory.usage_per_container;
    point.rss_per_container_bytes = memory.resident_per_container;
    point.runtime_overhead_per_container_bytes =
        overhead.ok() && !running.empty()
            ? static_cast<double>(*overhead) / static_cast<double>(running.size())
            : 0;
    point.start_p50_s = latency.p50;
    point.start_p99_s = latency.p99;
    point.at_ns = BootNowNs();
    output.density.push_back(point);
    outcome.reached = std::max(outcome.reached, point.containers);
    for (std::size_t n = 0; per_node && n < node_count; ++n) {
      reports::DensityPoint at_node = NodePoint(point, running, n, node_starts[n], node_failed[n]);
      at_node.node = context.nodes[n].name;
      node_reached[n] = std::max(node_reached[n], at_node.containers);
      if (workload.start_p99_max && !node_starts[n].empty() && !node_knee[n] &&
          at_node.start_p99_s > std::chrono::duration<double>(*workload.start_p99_max).count()) {
        node_knee[n] = at_node.containers;
      }
      output.density.push_back(std::move(at_node));
    }

    if (unplaced == batch) {
      outcome.stopped_by = "capacity";  // every node of the cluster is full
      break;
    }
    if (failed == batch) {
      outcome.stopped_by = "failures";
      break;
    }
    if (workload.memory_budget_bytes &&
        memory.total_usage > static_cast<double>(*workload.memory_budget_bytes)) {
      outcome.stopped_by = "memory_budget";
      break;
    }
    if (workload.start_p99_max && latency.count > 0 &&
        latency.p99 > std::chrono::duration<double>(*workload.start_p99_max).count()) {
      outcome.stopped_by = "slo";
      outcome.knee = point.containers;
      break;
    }
  }
  if (context.cancelled()) outcome.stopped_by = "cancelled";

  // Tear down everything this step started, at the step's concurrency: stop (SIGKILL until the
  // init is gone), then delete the stopped container.
  std::vector<Running> to_remove = std::move(running);
  RunPaced(static_cast<std::uint32_t>(to_remove.size()), {workload.concurrency, std::nullopt},
           nullptr, [&](std::uint32_t i, std::int64_t) {
             drivers::Container& container = *to_remove[i].container;
             const std::int64_t cpu_before = ThreadCpuNs();
             drivers::OpResult killed = container.Kill(SIGKILL, context.timeouts.remove);
             Status stopped = killed.status;
             std::int64_t stopped_ns = killed.end_ns;
             if (stopped.ok()) {
               auto exited = container.WaitExit(context.timeouts.remove, nullptr);
               stopped_ns = exited.ok() ? *exited : BootNowNs();
               if (!exited.ok()) stopped = exited.error();
             }
             sink.Add(container.id(), "stop", killed.start_ns, stopped_ns, stopped, 0,
                      ThreadCpuNs() - cpu_before);
             sink.Add(container.id(), "delete", container.Delete(context.timeouts.remove));
             sink.ContainersRunning(-1);
             Unplace(context, to_remove[i].node);
           });
  output.samples = sink.Take();
  output.outcome = outcome;
  for (std::size_t n = 0; per_node && n < node_count; ++n) {
    reports::DensityOutcome at_node = outcome;
    at_node.node = context.nodes[n].name;
    at_node.reached = node_reached[n];
    at_node.knee = node_knee[n];
    output.node_outcomes.push_back(std::move(at_node));
  }
  return output;
}

}  // namespace faultline::workloads
