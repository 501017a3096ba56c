#include <cstdio>

#include "harness/core/clock.h"
#include "harness/workloads/pacing.h"
#include "harness/workloads/samples.h"
#include "harness/workloads/workload.h"

namespace faultline::workloads {

StepOutput RunStartStorm(drivers::Driver& driver, const scenario::StartWorkload& workload,
                         const StepContext& context) {
  SampleSink sink(context);
  PacedRun paced = RunPaced(
      workload.count, {workload.concurrency, workload.rate_per_second}, context.cancel,
      [&](std::uint32_t i) {
        drivers::ContainerSpec spec;
        spec.id = context.id_prefix + "-" + std::to_string(i);
        spec.command = workload.command;
        spec.resources = context.resources;
        auto placed = PlaceOnNode(context, spec, sink);
        if (!placed.ok()) {
          const std::int64_t now = BootNowNs();
          sink.Add(spec.id, "run", now, now, placed.error());
          if (context.on_progress) context.on_progress();
          return;
        }
        Launched launched =
            Launch(driver, spec, context, sink, workload.via == scenario::StartWorkload::Via::kRun);
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
          sink.Add(spec.id, "lifecycle", launched.begin_ns, removed.end_ns, ended);
        }
        Unplace(context, *placed);
        if (context.on_progress) context.on_progress();
      });
  StepOutput output{sink.Take(), {}, std::nullopt, {}};
  // Open-loop pacing only means something while the platform keeps up: a start issued a whole
  // interval late measures a saturated platform, not the requested rate.
  if (workload.rate_per_second &&
      std::chrono::duration<double>(paced.max_lateness).count() > 1.0 / *workload.rate_per_second) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "rate %.4g/s not sustained at concurrency %u: starts were issued up to %.0f ms "
                  "after their scheduled time",
                  *workload.rate_per_second, workload.concurrency,
                  std::chrono::duration<double, std::milli>(paced.max_lateness).count());
    output.warnings.push_back(text);
  }
  return output;
}

}  // namespace faultline::workloads
