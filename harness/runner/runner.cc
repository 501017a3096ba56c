#include "harness/runner/runner.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>

#include "chaos/node_state.h"
#include "chaos/timeline.h"
#include "chaos/watchdog.h"
#include "harness/cluster/local/local_cluster.h"
#include "harness/cluster/placement.h"
#include "harness/cluster/virtual/virtual_cluster.h"
#include "harness/core/cgroup.h"
#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/host.h"
#include "harness/core/journal.h"
#include "harness/core/systemd.h"
#include "harness/core/version.h"
#include "harness/drivers/registry.h"
#include "harness/images/image.h"
#include "harness/measure/host_speed.h"
#include "harness/measure/node_pressure.h"
#include "harness/runner/fault_plan.h"
#include "harness/runner/platform_set.h"
#include "harness/runner/progress.h"
#include "harness/workloads/workload.h"
#include "probes/live_join.h"
#include "probes/probe_log.h"
#include "probes/probe_report.h"
#include "probes/probe_set.h"
#include "probes/start_phases.h"
#include "reports/aggregate.h"
#include "reports/fault_impact.h"
#include "reports/phases.h"
#include "reports/slo.h"
#include "reports/validity.h"

namespace faultline::runner {
namespace {

// A new run id (8 hex digits) and its journal; another id when one is taken.
Result<std::unique_ptr<Journal>> OpenNewRunJournal() {
  std::random_device random;
  for (int attempt = 0;; ++attempt) {
    char id[16];
    std::snprintf(id, sizeof id, "%08x", static_cast<unsigned>(random()));
    auto journal = Journal::Open(id);
    if (journal.ok() || journal.error().code != ErrorCode::kUnavailable || attempt == 4) {
      return journal;
    }
  }
}

// What TARGET sets beyond its binaries, for the result (reports::TargetInfo::settings).
std::map<std::string, std::string> TargetSettings(const scenario::Target& target) {
  std::map<std::string, std::string> settings;
  if (!target.runtime_args.empty()) {
    settings["runtime.args"] = nlohmann::json(target.runtime_args).dump();
  }
  for (const auto& [name, value] : target.env) settings["env." + name] = value;
  if (!target.daemon.args.empty()) {
    settings["daemon.args"] = nlohmann::json(target.daemon.args).dump();
  }
  if (!target.daemon.config.empty()) settings["daemon.config"] = target.daemon.config;
  return settings;
}

// Everything a run owns, torn down in reverse order of creation whatever happened.
struct RunResources {
  std::unique_ptr<Journal> journal;
  std::uint64_t cgroup_seq = 0;
  std::string cgroup_parent;
  std::vector<std::unique_ptr<drivers::Driver>> drivers;  // by plan target
  PlatformSet platforms;  // stopped before the drivers and the nodes go
  std::unique_ptr<cluster::Cluster> cluster;
  int standing_lock = -1;  // shared lock on a standing cluster while the run uses it

  Status Teardown() {
    Status status = platforms.Stop();
    drivers.clear();
    if (cluster) {
      Status down = cluster->Teardown();
      if (status.ok()) status = down;
    }
    cluster.reset();
    if (standing_lock >= 0) close(standing_lock);
    standing_lock = -1;
    if (!cgroup_parent.empty()) {
      Status removed = RemoveCgroupTree(cgroup_parent);
      if (removed.ok()) journal->Release(cgroup_seq);
      if (status.ok()) status = removed;
      RemoveFaultlineCgroupIfEmpty();
    }
    if (journal) {
      Status closed = journal->Close();
      if (status.ok()) status = closed;
    }
    return status;
  }
};

reports::RunContext MakeContext(const scenario::Scenario& scenario, const std::string& run_id,
                                const HostInfo& host) {
  reports::RunContext context;
  context.faultline_version = Version();
  context.git_sha = GitSha();
  context.run_id = run_id;
  context.hostname = host.hostname;
  context.kernel = host.kernel;
  context.cgroup_mode = CgroupModeName(host.cgroup_mode);
  context.cpu_model = host.cpu_model;
  context.cpu_count = host.cpu_count;
  context.cpu_mhz = host.cpu_mhz;
  context.cpu_scaling = host.cpu_scaling;
  context.build_type = BuildType();
  context.memory_bytes = host.memory_bytes;
  context.scenario_name = scenario.name;
  context.scenario_path = scenario.source_path;
  context.scenario_sha256 = scenario.sha256;
  context.started_at = Rfc3339Now();
  return context;
}

// A host already busy when the run begins measures its other load as much as the platform.
std::string HostBusyWarning(const HostInfo& host) {
  std::ostringstream warning;
  if (host.cpu_pressure_10s_percent) {
    if (*host.cpu_pressure_10s_percent > 10) {
      warning << "host was busy before the run: tasks waited for a CPU "
              << *host.cpu_pressure_10s_percent << "% of the last 10 s";
    }
  } else if (host.load_average_1m > 0.5 * host.cpu_count) {
    warning << "host was busy before the run: load average " << host.load_average_1m << " on "
            << host.cpu_count << " CPUs";
  }
  return warning.str();
}

// Reference operations per host-speed probe: ~20 ms of fork+exec, small next to a repetition.
constexpr int kHostSpeedOperations = 15;

void ProbeHostSpeed(int repetition, reports::HostSpeed& into) {
  measure::HostSpeedSample sample = measure::ProbeHostSpeed(kHostSpeedOperations);
  into.probes.push_back({repetition, sample.at_ns, std::move(sample.durations_ns),
                         sample.cpu_pressure_10s_percent, sample.load_average_1m});
}

template <typename T>
void AddUnique(std::vector<T>& to, const T& value) {
  if (std::find(to.begin(), to.end(), value) == to.end()) to.push_back(value);
}

template <typename T>
void Append(std::vector<T>& to, std::vector<T>&& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// The standing cluster NAME (`faultline cluster up`), held with a shared lock so it cannot be
// taken down while the run uses it.
Status AttachStandingCluster(const std::string& name, RunResources& resources) {
  const std::string dir = ClustersDir() + "/" + name;
  if (!PathExists(dir + "/ready")) {
    return FailedPrecondition("no standing cluster named '" + name +
                              "' (faultline cluster up --name " + name + " creates one)");
  }
  resources.standing_lock = open((dir + "/lock").c_str(), O_RDWR | O_CLOEXEC);
  if (resources.standing_lock < 0 || flock(resources.standing_lock, LOCK_SH | LOCK_NB) != 0) {
    return Unavailable("cluster " + name + " is busy (being created or removed)");
  }
  FL_ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/state.json"));
  auto state = nlohmann::json::parse(text, nullptr, false);
  if (state.is_discarded()) return Internal("unreadable " + dir + "/state.json");
  FL_ASSIGN_OR_RETURN(resources.cluster, cluster::VirtualCluster::Attach(state));
  return OkStatus();
}

cluster::CgroupDriver CgroupDriverOf(const scenario::Scenario& scenario) {
  return scenario.cluster.cgroup_driver == scenario::Cluster::CgroupDriver::kSystemd
             ? cluster::CgroupDriver::kSystemd
             : cluster::CgroupDriver::kCgroupfs;
}

Status OpenCluster(const scenario::Scenario& scenario, const RunOptions& options,
                   RunResources& resources) {
  if (!options.cluster_name.empty()) {
    FL_RETURN_IF_ERROR(AttachStandingCluster(options.cluster_name, resources));
  } else if (scenario.cluster.kind == scenario::Cluster::Kind::kVirtual) {
    cluster::VirtualClusterSpec spec;
    spec.nodes = static_cast<int>(scenario.cluster.nodes);
    spec.node = {scenario.cluster.node_cpus, scenario.cluster.node_memory_bytes};
    spec.cgroup_driver = CgroupDriverOf(scenario);
    FL_ASSIGN_OR_RETURN(
        resources.cluster,
        cluster::VirtualCluster::Create(resources.journal->run_id(), spec, *resources.journal));
  } else {
    FL_ASSIGN_OR_RETURN(resources.cluster, cluster::LocalCluster::Create(
                                               resources.journal->run_id(), resources.cgroup_parent,
                                               CgroupDriverOf(scenario), *resources.journal));
  }
  if (resources.cluster->cgroup_driver() != CgroupDriverOf(scenario)) {
    return FailedPrecondition(std::string("the scenario's cgroup driver is ") +
                              cluster::CgroupDriverName(CgroupDriverOf(scenario)) +
                              ", and standing cluster " + options.cluster_name + " was built for " +
                              cluster::CgroupDriverName(resources.cluster->cgroup_driver()) +
                              " (faultline cluster up --cgroup-driver)");
  }
  // Pinned nodes must exist in the cluster actually used.
  auto check = [&](const std::optional<std::string>& node) -> Status {
    if (node && !cluster::FindNode(*resources.cluster, *node)) {
      return FailedPrecondition("the scenario pins containers to " + *node +
                                ", which the cluster does not have");
    }
    return OkStatus();
  };
  for (const auto& step : scenario.steps) FL_RETURN_IF_ERROR(check(step.node));
  for (const auto& target : scenario.targets) FL_RETURN_IF_ERROR(check(target.node));
  return OkStatus();
}

std::string DescribeCluster(const cluster::Cluster& cluster, bool standing) {
  std::ostringstream text;
  text << (standing ? "standing " : "") << cluster.kind() << " cluster of "
       << cluster.nodes().size() << " node(s), cgroup driver "
       << cluster::CgroupDriverName(cluster.cgroup_driver()) << ":";
  for (const auto& node : cluster.nodes()) {
    text << " " << node.name;
    if (!node.address.empty()) text << " " << node.address;
    if (node.limits.cpus) text << " cpus=" << *node.limits.cpus;
    if (node.limits.memory_bytes) text << " memory=" << *node.limits.memory_bytes;
    text << ";";
  }
  return text.str();
}

}  // namespace

namespace {

// Host checks that make a run impossible here, before anything is created: FailedPrecondition
// with the reason. (Drivers check their runtimes in full when they open.)
Status Preflight(const Plan& plan, const RunOptions& options, const HostInfo& host) {
  const scenario::Scenario& scenario = *plan.scenario;
  if (!host.is_root)
    return FailedPrecondition("faultline run needs root (containers, mounts, cgroups)");
  if (host.cgroup_mode == CgroupMode::kNone)
    return FailedPrecondition("no cgroup filesystem at /sys/fs/cgroup");
  if (!host.has_overlay) return FailedPrecondition("the kernel has no overlay filesystem");
  if (CgroupDriverOf(scenario) == cluster::CgroupDriver::kSystemd && !SystemdIsInit()) {
    return FailedPrecondition(
        "cluster.cgroup_driver systemd needs systemd as init, and this host runs without it");
  }
  for (const auto& planned : plan.targets) {
    FL_RETURN_IF_ERROR(planned.kind->Preflight(*planned.target, host));
  }
  const bool needs_cluster =
      scenario.cluster.kind == scenario::Cluster::Kind::kVirtual || !options.cluster_name.empty();
  if (needs_cluster) {
    if (FindExecutable("ip").empty()) {
      return FailedPrecondition(
          "a virtual cluster needs `ip` (install the Debian package iproute2)");
    }
    if (!host.has_netns) return FailedPrecondition("the kernel has no network namespaces");
  }
  if (plan.needs_private_v1_view && !options.private_v1_view) {
    return FailedPrecondition(
        "a target's runtime refuses hybrid cgroups and the private v1 cgroup view was not "
        "entered");
  }
  return OkStatus();
}

}  // namespace

Result<RunOutcome> RunScenario(const Plan& plan, const RunOptions& options) {
  const scenario::Scenario& scenario = *plan.scenario;
  // The gate's request is input: refused before the host is looked at.
  std::optional<GateSession> gate;
  if (options.gate) {
    FL_ASSIGN_OR_RETURN(GateSession session, GateSession::Create(plan, *options.gate));
    gate.emplace(std::move(session));
  }
  const HostInfo host = ProbeHost();
  FL_RETURN_IF_ERROR(Preflight(plan, options, host));
  RunResources resources;
  FL_ASSIGN_OR_RETURN(resources.journal, OpenNewRunJournal());
  const std::string run_id = resources.journal->run_id();
  reports::Result result;
  result.context = MakeContext(scenario, run_id, host);
  if (options.private_v1_view) {
    // The view hides the cgroup2 mount from this process too; the host itself is hybrid.
    result.context.cgroup_mode = CgroupModeName(CgroupMode::kHybrid);
    result.context.notes.push_back(
        "runtimes ran in a private mount namespace without the cgroup2 mount (pure v1 view), "
        "because a target's runtime refuses hybrid cgroups");
  }
  if (std::string busy = HostBusyWarning(host); !busy.empty()) result.validity.push_back(busy);

  const std::string run_dir = resources.journal->run_dir();
  resources.cgroup_parent = "faultline/" + run_id;
  auto cgroup_seq =
      resources.journal->Acquire(journal_kind::kCgroup, {{"path", resources.cgroup_parent}});
  if (!cgroup_seq.ok()) {
    (void)resources.Teardown();
    return std::move(cgroup_seq).error();
  }
  resources.cgroup_seq = *cgroup_seq;

  // Open everything before the first measurement, so a bad image or runtime fails fast: the
  // images, each target's driver, the cluster, then every node's platform with the images.
  std::vector<images::PreparedImage> prepared;
  Status opened = [&]() -> Status {
    for (std::size_t i = 0; i < plan.images.size(); ++i) {
      FL_ASSIGN_OR_RETURN(auto image, images::PrepareImage(plan.images[i], run_dir + "/images/" +
                                                                               std::to_string(i)));
      prepared.push_back(std::move(image));
    }
    const drivers::DriverEnvironment env{
        run_dir, resources.cgroup_parent, resources.journal.get(), options.self_exe,
        CgroupDriverOf(scenario) == cluster::CgroupDriver::kSystemd};
    for (const auto& planned : plan.targets) {
      FL_ASSIGN_OR_RETURN(auto driver, planned.kind->Open(*planned.target, env));
      resources.drivers.push_back(std::move(driver));
    }
    FL_RETURN_IF_ERROR(OpenCluster(scenario, options, resources));
    std::vector<TargetPlatform> targets;
    for (std::size_t t = 0; t < plan.targets.size(); ++t) {
      const images::PreparedImage& image = prepared[plan.targets[t].image];
      targets.push_back({plan.targets[t].target->name,
                         resources.drivers[t].get(),
                         {image.reference, image.rootfs, image.digest}});
    }
    std::vector<drivers::PlatformNode> platform_nodes;
    for (const auto& node : resources.cluster->nodes()) {
      platform_nodes.push_back({node.name, node.netns, node.cgroup, node.address});
    }
    FL_RETURN_IF_ERROR(resources.platforms.Start(targets, platform_nodes));
    for (std::size_t t = 0; t < plan.targets.size(); ++t) {
      const images::PreparedImage& image = prepared[plan.targets[t].image];
      const drivers::RuntimeInfo& runtime = resources.drivers[t]->runtime();
      auto info = [](const drivers::RuntimeInfo& r) {
        return reports::RuntimeInfo{r.name, r.version, r.path, r.sha256};
      };
      std::vector<reports::RuntimeInfo> components;
      for (const auto& component : resources.drivers[t]->components()) {
        components.push_back(info(component));
      }
      result.context.targets.push_back({plan.targets[t].target->name,
                                        plan.targets[t].target->driver,
                                        info(runtime),
                                        {image.reference, image.digest, image.digest_of},
                                        std::move(components),
                                        TargetSettings(*plan.targets[t].target)});
    }
    return OkStatus();
  }();
  if (!opened.ok()) {
    (void)resources.Teardown();
    return std::move(opened).error();
  }
  const std::vector<cluster::Node> nodes = resources.cluster->nodes();
  std::vector<measure::NodeCgroup> node_cgroups;
  for (const auto& node : nodes) node_cgroups.push_back({node.name, node.cgroup});
  result.context.notes.push_back(
      DescribeCluster(*resources.cluster, !options.cluster_name.empty()));

  // Faults: the watchdog first (it reverts them if this process dies), then one timeline for the
  // run and one per step execution.
  result.fault_seed = scenario.seed
                          ? *scenario.seed
                          : (std::uint64_t{std::random_device{}()} << 32 | std::random_device{}());
  std::vector<chaos::NodeRef> fault_nodes;
  for (const auto& node : nodes) fault_nodes.push_back(node.Ref());
  chaos::ContainerRoster roster;
  // Containers whose platform names them otherwise (a daemon's id): how probes find them.
  std::mutex platform_ids_mu;
  std::map<std::string, std::string> platform_ids;
  if (!scenario.faults.empty()) {
    auto watchdog = chaos::StartWatchdog(options.self_exe, run_dir);
    if (!watchdog.ok()) {
      (void)resources.Teardown();
      return std::move(watchdog).error();
    }
  }
  const DaemonLookup daemons = [&](const std::string& target,
                                   const std::string& node) -> chaos::PlatformDaemon* {
    for (std::size_t t = 0; t < plan.targets.size(); ++t) {
      if (plan.targets[t].target->name == target) return resources.drivers[t]->Daemon(node);
    }
    return nullptr;
  };
  chaos::Timeline run_faults(PlanFaults(scenario, std::nullopt, fault_nodes, roster, run_id,
                                        result.fault_seed, {}, daemons),
                             *resources.journal, result.fault_seed, options.cancel);
  // Live exporters see faults come and go (the `faults active` gauge).
  std::function<void(int)> on_faults_active;
  if (options.observer) {
    on_faults_active = [observer = options.observer](int delta) {
      observer->OnFaultsActive(delta);
    };
  }
  run_faults.on_active_change = on_faults_active;

  // Probes follow what each driver says starts its runtimes (this process for oci), asked
  // before any fault can restart a daemon.
  probes::ProbeSetOptions probe_options;
  for (const auto& driver : resources.drivers) {
    const drivers::ProbeScope scope = driver->Probes();
    for (pid_t root : scope.roots) AddUnique(probe_options.roots, root);
    for (pid_t root : scope.daemon_roots) AddUnique(probe_options.daemon_roots, root);
    for (const auto& runtime : scope.runtimes) AddUnique(probe_options.runtimes, runtime);
    for (const auto& helper : scope.helpers) AddUnique(probe_options.helpers, helper);
  }
  probe_options.disabled = !options.probes;
  const Nanos longest_start = scenario.timeouts.create + scenario.timeouts.start;
  // The run keeps each container's timeline and the node signals, not every event.
  probes::ProbeLog probe_log(longest_start + std::chrono::seconds(2));
  probe_options.keep_events = false;
  // Live exporters get each start as the result will have it: held until the probes' events
  // give it its phases (fed from the probes' polling thread).
  std::unique_ptr<probes::LivePhaseJoin> live_join;
  if (options.observer && options.probes) {
    live_join = std::make_unique<probes::LivePhaseJoin>(
        options.observer,
        [&] {
          std::lock_guard lock(platform_ids_mu);
          return platform_ids;
        },
        longest_start);
    probe_options.on_polled = [live = live_join.get()] { live->Pump(BootNowNs()); };
  }
  probe_options.on_event = [&probe_log, live = live_join.get()](const probes::ProbeEvent& e) {
    probe_log.Add(e);
    if (live) live->OnEvent(e);
  };
  auto probe_set = probes::ProbeSet::Start(probe_options);
  if (!probe_set->active()) live_join.reset();  // no phases to wait for: straight through
  reports::RunObserver* const observer = live_join ? live_join.get() : options.observer;
  std::vector<probes::StepWindow> windows;
  run_faults.Start(BootNowNs());

  ProgressBar progress(plan.containers, options.progress);
  reports::HostSpeed host_speed{measure::HostSpeedOperation(), {}};
  // One execution of a step against a target; its samples are appended to the result.
  const auto execute = [&](const Execution& execution) {
    const std::uint32_t rep = execution.repetition;
    const scenario::Step& step = *execution.step;
    const scenario::Target& target = *plan.targets[execution.target].target;
    workloads::StepContext context;
    context.step = step.name;
    context.target = target.name;
    context.repetition = static_cast<int>(rep);
    context.id_prefix =
        "fl-" + run_id + "-" + step.name + "-" + target.name + "-r" + std::to_string(rep);
    context.timeouts = scenario.timeouts;
    context.resources = target.resources;
    context.cancel = options.cancel;
    context.on_progress = [&progress] { progress.Advance(); };
    context.observer = observer;
    context.nodes = nodes;
    std::vector<std::string> names;
    std::vector<std::optional<std::uint32_t>> capacity;
    for (const auto& node : nodes) {
      names.push_back(node.name);
      capacity.push_back(
          cluster::NodeCapacity(node.limits, target.resources, scenario.cluster.node_containers));
    }
    cluster::Placer placer(scenario.cluster.placement, names, capacity);
    context.placer = &placer;
    context.pinned_node = step.node ? *step.node : target.node.value_or("");
    context.helper_exe = options.self_exe;
    context.scratch_dir = run_dir + "/steps/" + context.id_prefix;
    context.journal = resources.journal.get();
    context.on_running = [&](const drivers::Container& c) {
      const drivers::ContainerIdentity identity = c.Identity();
      roster.Add({c.id(), identity.cgroup});
      if (identity.platform_id != c.id()) {
        std::lock_guard lock(platform_ids_mu);
        platform_ids[c.id()] = identity.platform_id;
      }
    };
    context.node_unavailable = [](const std::string& node_cgroup) {
      return chaos::NodeDownReason(node_cgroup);
    };
    if (Status made = MakeDirs(context.scratch_dir, 0700); !made.ok()) {
      result.validity.push_back("step " + step.name + ": " + made.error().ToString());
      return;
    }
    progress.SetLabel(step.name + " " + target.name + " rep " + std::to_string(rep + 1) + "/" +
                      std::to_string(scenario.repetitions));
    drivers::Driver& driver = *resources.drivers[execution.target];
    reports::FaultRecord scope;
    scope.step = step.name;
    scope.target = target.name;
    scope.repetition = static_cast<int>(rep);
    chaos::Timeline step_faults(PlanFaults(scenario, step.name, fault_nodes, roster, run_id,
                                           result.fault_seed, scope, daemons),
                                *resources.journal, result.fault_seed, options.cancel);
    step_faults.on_active_change = on_faults_active;
    const measure::PressureSnapshot pressure_from = measure::SnapshotPressure(node_cgroups);
    const std::int64_t window_from = BootNowNs();
    workloads::StepOutput output;
    switch (step.kind) {
      case scenario::Step::Kind::kStart:
        step_faults.Start(BootNowNs());
        output = workloads::RunStartStorm(driver, step.start, context);
        break;
      case scenario::Step::Kind::kDensity:
        step_faults.Start(BootNowNs());
        output = workloads::RunDensityRamp(driver, step.density, context);
        break;
      case scenario::Step::Kind::kSteady:
        // A steady step's faults count from when its load runs, not from its setup.
        context.on_window = [&step_faults](std::int64_t begin_ns, std::int64_t) {
          step_faults.Start(begin_ns);
        };
        output = workloads::RunSteady(driver, step.steady, context);
        break;
    }
    Append(result.faults, step_faults.Stop());
    if (!step.record) return;
    const std::int64_t window_to = BootNowNs();
    windows.push_back({step.name, target.name, static_cast<int>(rep), window_from, window_to});
    for (const auto& [node, totals] : measure::SnapshotPressure(node_cgroups)) {
      auto from = pressure_from.find(node);
      if (from == pressure_from.end()) continue;
      result.pressure.push_back(
          {step.name, target.name, static_cast<int>(rep), node, window_from, window_to,
           measure::StalledShares(from->second, totals, window_to - window_from)});
    }
    for (const auto& warning : output.warnings) {
      result.validity.push_back("step " + step.name + " target " + target.name + " repetition " +
                                std::to_string(rep + 1) + ": " + warning);
    }
    Append(result.samples, std::move(output.samples));
    result.density.insert(result.density.end(), output.density.begin(), output.density.end());
    if (output.outcome) result.density_outcomes.push_back(*output.outcome);
    result.density_outcomes.insert(result.density_outcomes.end(), output.node_outcomes.begin(),
                                   output.node_outcomes.end());
  };
  const auto cancelled = [&] { return options.cancel && options.cancel->load(); };
  if (gate) {
    for (const Execution& warmup : gate->preamble()) {
      if (cancelled()) break;
      execute(warmup);
    }
    // Each slot's start latencies as the run's result will have them: the kernel's phases of
    // what the probes saw so far, joined between slots (never while containers start).
    while (auto slot = gate->Next()) {
      // The host-speed control: a diagnostic before each quad.
      if (slot->repetition % 4 == 0) {
        ProbeHostSpeed(static_cast<int>(slot->repetition / 4), host_speed);
      }
      const std::size_t first = result.samples.size(), first_fault = result.faults.size();
      if (!cancelled()) execute(*slot);
      if (cancelled()) {
        gate->Stop("interrupted");
        break;
      }
      probe_set->Flush();
      std::vector<reports::Sample> samples(
          result.samples.begin() + static_cast<std::ptrdiff_t>(first), result.samples.end());
      if (probe_set->active()) {  // without probes start_latency is the wall span throughout
        std::lock_guard lock(platform_ids_mu);
        probes::JoinPhases(samples, probe_log.Timelines(), platform_ids);
      }
      gate->SlotDone(samples, std::vector<reports::FaultRecord>(
                                  result.faults.begin() + static_cast<std::ptrdiff_t>(first_fault),
                                  result.faults.end()));
    }
    result.gate = gate->outcome();
  } else {
    // The host-speed control is taken between repetitions.
    std::optional<std::uint32_t> repetition_begun;
    for (const Execution& execution : plan.executions) {
      if (cancelled()) break;
      if (repetition_begun != execution.repetition) {
        ProbeHostSpeed(static_cast<int>(execution.repetition), host_speed);
        repetition_begun = execution.repetition;
      }
      execute(execution);
    }
  }
  Append(result.faults, run_faults.Stop());
  result.interrupted = options.cancel && options.cancel->load();
  if (!result.interrupted) {
    ProbeHostSpeed(gate ? gate->outcome().quads : static_cast<int>(scenario.repetitions),
                   host_speed);
  }
  result.host_speed = std::move(host_speed);
  progress.Finish();

  reports::PlatformStamps platform_stamps;
  for (const auto& driver : resources.drivers) platform_stamps.merge(driver->PlatformStamps());
  Status torn_down = resources.Teardown();
  if (!torn_down.ok()) {
    result.validity.push_back("teardown incomplete: " + torn_down.error().ToString());
  }
  result.context.ended_at = Rfc3339Now();
  probe_set->Stop();
  if (live_join) live_join->Finish();
  probes::ApplyProbeEvents(probe_log, probe_set->Stats(), windows, result, platform_ids);
  // After the probes' join: its wall-clock copies of run samples carry no platform events.
  reports::AddPlatformEvents(result.samples, platform_stamps);
  reports::MeasureFaultImpact(result, scenario.slo);
  for (const auto& fault : result.faults) {
    if (!fault.ok) result.validity.push_back("fault " + fault.kind + " failed: " + fault.error);
  }
  result.aggregates = reports::ComputeAggregates(result);
  result.repetition_aggregates = reports::ComputeRepetitionAggregates(result);
  result.slo = reports::EvaluateSlo(scenario.slo, result.aggregates);
  for (auto& warning : reports::ValidityWarnings(result, scenario.max_failed_ratio)) {
    result.validity.push_back(std::move(warning));
  }
  return RunOutcome{std::move(result), std::move(torn_down)};
}

}  // namespace faultline::runner
