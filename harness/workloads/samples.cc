#include "harness/workloads/samples.h"

namespace faultline::workloads {

void SampleSink::Add(const std::string& container, const std::string& op, std::int64_t start_ns,
                     std::int64_t end_ns, const Status& status, std::int64_t scheduled_ns,
                     std::int64_t cpu_ns) {
  reports::Sample sample;
  sample.step = context_.step;
  sample.target = context_.target;
  sample.repetition = context_.repetition;
  sample.container = container;
  sample.op = op;
  sample.start_ns = start_ns;
  sample.duration_ns = end_ns - start_ns;
  sample.scheduled_ns = scheduled_ns;
  sample.cpu_ns = cpu_ns;
  sample.ok = status.ok();
  if (!status.ok()) sample.error = status.error().ToString();
  {
    std::lock_guard lock(mu_);
    auto node = nodes_.find(container);
    sample.node = node != nodes_.end() ? node->second : context_.nodes.front().name;
  }
  if (context_.observer) {
    context_.observer->OnSample(sample, status.ok() ? nullptr : ErrorCodeName(status.error().code));
  }
  std::lock_guard lock(mu_);
  samples_.push_back(std::move(sample));
}

void SampleSink::Add(reports::Sample sample) {
  sample.step = context_.step;
  sample.target = context_.target;
  sample.repetition = context_.repetition;
  std::lock_guard lock(mu_);
  samples_.push_back(std::move(sample));
}

void SampleSink::SetNode(const std::string& container, const std::string& node) {
  std::lock_guard lock(mu_);
  nodes_[container] = node;
}

Result<std::size_t> PlaceOnNode(const StepContext& context, drivers::ContainerSpec& spec,
                                SampleSink& sink) {
  std::size_t index = 0;
  if (context.placer) {
    FL_ASSIGN_OR_RETURN(index, context.placer->Place(context.pinned_node));
  }
  const cluster::Node& node = context.nodes.at(index);
  spec.node = node.name;
  spec.netns = node.netns;
  spec.cgroup_parent = node.cgroup;
  sink.SetNode(spec.id, node.name);
  return index;
}

void Unplace(const StepContext& context, std::size_t node) {
  if (context.placer) context.placer->Release(node);
}

std::vector<reports::Sample> SampleSink::Take() {
  std::lock_guard lock(mu_);
  return std::move(samples_);
}

Launched Launch(drivers::Driver& driver, const drivers::ContainerSpec& spec,
                const StepContext& context, SampleSink& sink, bool via_run,
                std::int64_t scheduled_ns) {
  Launched launched;
  if (context.node_unavailable) {
    const std::string& node =
        spec.cgroup_parent.empty() ? context.nodes.front().cgroup : spec.cgroup_parent;
    if (std::string why = context.node_unavailable(node); !why.empty()) {
      const std::int64_t now = BootNowNs();
      launched.failure = Unavailable(why);
      launched.begin_ns = now;
      sink.Add(spec.id, "run", now, now, launched.failure, scheduled_ns);
      return launched;
    }
  }
  drivers::Created created =
      via_run ? driver.Run(spec, context.timeouts.create + context.timeouts.start)
              : driver.Create(spec, context.timeouts.create);
  launched.container = std::move(created.container);
  launched.begin_ns = created.prepare.start_ns;
  const drivers::OpNames names = driver.op_names();
  sink.Add(spec.id, names.prepare, created.prepare);
  if (!created.prepare.status.ok()) {
    sink.Add(spec.id, "run", created.prepare.start_ns, created.prepare.end_ns,
             created.prepare.status, scheduled_ns, created.prepare.cpu_ns);
    launched.failure = created.prepare.status;
    return launched;
  }
  sink.Add(spec.id, via_run ? "run_detached" : names.create, created.create);
  if (via_run || !created.create.status.ok()) {
    sink.Add(spec.id, "run", created.prepare.start_ns, created.create.end_ns, created.create.status,
             scheduled_ns, created.prepare.cpu_ns + created.create.cpu_ns);
    launched.failure = created.create.status;
    launched.running = created.create.status.ok();
    if (launched.running) sink.ContainersRunning(+1);
    launched.run_ns = created.create.end_ns - created.prepare.start_ns;
    launched.start_issued_ns = created.create.start_ns;
    if (launched.running && context.on_running) context.on_running(*launched.container);
    return launched;
  }
  drivers::OpResult start = launched.container->Start(context.timeouts.start);
  sink.Add(spec.id, names.start, start);
  sink.Add(spec.id, "run", created.prepare.start_ns, start.end_ns, start.status, scheduled_ns,
           created.prepare.cpu_ns + created.create.cpu_ns + start.cpu_ns);
  launched.running = start.status.ok();
  if (launched.running) sink.ContainersRunning(+1);
  launched.failure = start.status;
  launched.run_ns = start.end_ns - created.prepare.start_ns;
  launched.start_issued_ns = start.start_ns;
  if (launched.running && context.on_running) context.on_running(*launched.container);
  return launched;
}

}  // namespace faultline::workloads
