#include "harness/core/clock.h"
#include "harness/workloads/pacing.h"
#include "harness/workloads/samples.h"
#include "harness/workloads/workload.h"

namespace faultline::workloads {

StepOutput RunStartStorm(drivers::Driver& driver, const scenario::StartWorkload& workload,
                         const StepContext& context) {
  SampleSink sink(context);
  const Pacing pacing{workload.concurrency, workload.rate_per_second};
  auto start_one = [&](std::uint32_t i, std::int64_t scheduled_ns) {
    drivers::ContainerSpec spec;
    spec.id = context.id_prefix + "-" + std::to_string(i);
    spec.command = workload.command;
    spec.resources = context.resources;
    auto placed = PlaceOnNode(context, spec, sink);
    if (!placed.ok()) {
      const std::int64_t now = BootNowNs();
      sink.Add(spec.id, "run", now, now, placed.error(), scheduled_ns);
      if (context.on_progress) context.on_progress();
      return;
    }
    const std::int64_t cpu_before = ThreadCpuNs();
    Launched launched = Launch(driver, spec, context, sink,
                               workload.via == scenario::StartWorkload::Via::kRun, scheduled_ns);
    if (launched.container) {
      Status ended = launched.failure;
      if (launched.running) {
        // Short-lived by definition: delete what finished, not what still runs. Timed from
        // the start call issued: a short command may exit (and be reaped) before the
        // runtime's start call has even returned.
        auto exited = launched.container->WaitExit(context.timeouts.exit, context.cancel);
        sink.Add(spec.id, "exit", launched.start_issued_ns, exited.ok() ? *exited : BootNowNs(),
                 exited.ok() ? OkStatus() : Status(exited.error()));
        if (!exited.ok()) ended = exited.error();
      }
      drivers::OpResult removed = launched.container->Delete(context.timeouts.remove);
      if (launched.running) sink.ContainersRunning(-1);
      // Removing a container that never ran or still runs (killed first) is not the
      // operation `delete` measures; it is cleanup, recorded only when it fails.
      if (ended.ok() || !removed.status.ok()) sink.Add(spec.id, "delete", removed);
      if (ended.ok()) ended = removed.status;
      // The whole life: bundle preparation to the container being gone.
      sink.Add(spec.id, "lifecycle", launched.begin_ns, removed.end_ns, ended, 0,
               ThreadCpuNs() - cpu_before);
    }
    Unplace(context, *placed);
    if (context.on_progress) context.on_progress();
  };
  const PacedRun paced = RunPaced(workload.count, pacing, context.cancel, start_one);
  StepOutput output{sink.Take(), {}, std::nullopt, {}};
  // Open-loop pacing only means something while the platform keeps up: a start issued a whole
  // interval late measures a saturated platform, not the requested rate.
  if (std::string behind = RateNotSustained(paced, pacing, "starts"); !behind.empty()) {
    output.warnings.push_back(std::move(behind));
  }
  return output;
}

}  // namespace faultline::workloads
