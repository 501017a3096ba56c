#include "harness/core/clock.h"
#include "harness/workloads/pacing.h"
#include "harness/workloads/samples.h"
#include "harness/workloads/workload.h"

namespace faultline::workloads {

StepOutput RunStartStorm(drivers::Driver& driver, const scenario::StartWorkload& workload,
                         const StepContext& context) {
  SampleSink sink(context);
  std::atomic<int> finished{0};
  RunPaced(workload.count, {workload.concurrency, workload.rate_per_second}, context.cancel,
           [&](std::uint32_t i) {
             drivers::ContainerSpec spec;
             spec.id = context.id_prefix + "-" + std::to_string(i);
             spec.command = workload.command;
             spec.resources = context.resources;
             Launched launched = Launch(driver, spec, context, sink,
                                        workload.via == scenario::StartWorkload::Via::kRun);
             if (launched.container) {
               if (launched.running) {
                 // Short-lived by definition: delete what finished, not what still runs (a
                 // runtime deletes a running container by killing it, a different operation).
                 const std::int64_t started = launched.begin_ns + launched.run_ns;
                 auto exited = launched.container->WaitExit(context.timeouts.exit);
                 sink.Add(spec.id, "exit", started, exited.ok() ? *exited : BootNowNs(),
                          exited.ok() ? OkStatus() : Status(exited.error()));
               }
               drivers::OpResult removed = launched.container->Delete(context.timeouts.remove);
               sink.Add(spec.id, "delete", removed);
               // The whole life: bundle preparation to the container being gone.
               sink.Add(spec.id, "lifecycle", launched.begin_ns, removed.end_ns,
                        launched.running ? removed.status : launched.failure);
             }
             if (context.on_progress) context.on_progress(++finished);
           });
  return {sink.Take(), {}, std::nullopt};
}

}  // namespace faultline::workloads
