#include <signal.h>

#include <algorithm>
#include <memory>
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

RampMeasurement MeasureMemory(const std::vector<std::unique_ptr<drivers::Container>>& running) {
  RampMeasurement m;
  double resident = 0;
  std::size_t read = 0;
  for (const auto& container : running) {
    auto memory = ReadCgroupMemory(container->cgroup());
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

  std::vector<std::unique_ptr<drivers::Container>> running;
  std::mutex running_mu;
  std::uint32_t next_index = 0;

  while (running.size() < workload.max) {
    if (context.cancelled()) {
      outcome.stopped_by = "cancelled";
      break;
    }
    const std::uint32_t batch = std::min<std::uint32_t>(
        workload.step, workload.max - static_cast<std::uint32_t>(running.size()));
    std::vector<double> starts;
    std::uint32_t failed = 0;
    std::vector<std::unique_ptr<drivers::Container>> broken;
    const std::uint32_t first = next_index;
    next_index += batch;
    RunPaced(batch, {workload.concurrency, std::nullopt}, context.cancel, [&](std::uint32_t i) {
      drivers::ContainerSpec spec;
      spec.id = context.id_prefix + "-" + std::to_string(first + i);
      spec.command = workload.command;
      spec.resources = context.resources;
      Launched launched = Launch(driver, spec, context, sink);
      std::lock_guard lock(running_mu);
      if (launched.running) {
        starts.push_back(static_cast<double>(launched.run_ns) / 1e9);
        running.push_back(std::move(launched.container));
      } else {
        ++failed;
        if (launched.container) broken.push_back(std::move(launched.container));
      }
      if (context.on_progress) context.on_progress();
    });
    for (auto& container : broken) {
      // Cleanup of what never ran: recorded only when it fails.
      drivers::OpResult removed = container->Delete(context.timeouts.remove);
      if (!removed.status.ok()) sink.Add(container->id(), "delete", removed);
    }

    // Settle, but answer a Ctrl-C promptly.
    const auto settled = std::chrono::steady_clock::now() + workload.settle;
    while (std::chrono::steady_clock::now() < settled && !context.cancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    RampMeasurement memory = MeasureMemory(running);
    auto overhead = driver.ResidentOverheadBytes();
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
  std::vector<std::unique_ptr<drivers::Container>> to_remove = std::move(running);
  RunPaced(static_cast<std::uint32_t>(to_remove.size()), {workload.concurrency, std::nullopt},
           nullptr, [&](std::uint32_t i) {
             drivers::Container& container = *to_remove[i];
             drivers::OpResult killed = container.Kill(SIGKILL, context.timeouts.remove);
             Status stopped = killed.status;
             std::int64_t stopped_ns = killed.end_ns;
             if (stopped.ok()) {
               auto exited = container.WaitExit(context.timeouts.remove, nullptr);
               stopped_ns = exited.ok() ? *exited : BootNowNs();
               if (!exited.ok()) stopped = exited.error();
             }
             sink.Add(container.id(), "stop", killed.start_ns, stopped_ns, stopped);
             sink.Add(container.id(), "delete", container.Delete(context.timeouts.remove));
             sink.ContainersRunning(-1);
           });
  output.samples = sink.Take();
  output.outcome = outcome;
  return output;
}

}  // namespace faultline::workloads
