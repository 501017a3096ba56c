#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "chaos/registry.h"
#include "harness/cli/commands.h"
#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/host.h"
#include "harness/core/process.h"
#include "harness/core/systemd.h"
#include "harness/drivers/oci/security.h"
#include "harness/drivers/registry.h"
#include "harness/images/image.h"
#include "probes/probe_set.h"

namespace faultline::cli {
namespace {

constexpr const char* kHelp = R"(usage: faultline doctor

Reports what this host can do for faultline, each item with the reason: privileges, cgroup
mode, overlayfs, images, runtimes and their versions, network namespaces, BPF, and the kernel
mechanisms faults rely on (each probed for real in a throwaway network namespace).
Exit 0 when running as root with at least one usable runtime, 3 otherwise.
)";

enum class Verdict { kOk, kNo, kInfo };

void Line(Verdict verdict, const std::string& what, const std::string& detail) {
  static constexpr const char* kTags[] = {"ok", "no", "--"};
  std::printf("  [%s] %-24s %s\n", kTags[static_cast<int>(verdict)], what.c_str(), detail.c_str());
}

// Runs ARGV inside a fresh network namespace: a real probe that leaves nothing behind.
bool WorksInThrowawayNetns(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"unshare", "--net"});
  auto outcome = RunProcess({argv, std::chrono::seconds(10), ""});
  return outcome.ok() && outcome->ok();
}

}  // namespace

int DoctorCommand(const Args& args) {
  auto parsed = ParseDoctorArguments(args);
  if (!parsed.ok()) return UsageError("doctor", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  const HostInfo host = ProbeHost();
  std::printf("faultline doctor: %s, kernel %s, %d CPUs (%s)\n\n", host.hostname.c_str(),
              host.kernel.c_str(), host.cpu_count, host.cpu_model.c_str());

  std::printf("Host\n");
  Line(host.is_root ? Verdict::kOk : Verdict::kNo, "root",
       host.is_root ? "running as root" : "containers, mounts and cgroups need root");
  switch (host.cgroup_mode) {
    case CgroupMode::kV2: Line(Verdict::kOk, "cgroups", "v2 (unified)"); break;
    case CgroupMode::kV1: Line(Verdict::kOk, "cgroups", "v1"); break;
    case CgroupMode::kHybrid:
      Line(Verdict::kOk, "cgroups",
           "hybrid: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified; runs using crun "
           "execute runtimes in a private mount namespace without the cgroup2 mount (pure v1)");
      break;
    case CgroupMode::kNone: Line(Verdict::kNo, "cgroups", "no cgroup filesystem mounted"); break;
  }
  const bool systemd = SystemdIsInit();
  Line(systemd ? Verdict::kOk : Verdict::kInfo, "init",
       systemd ? "systemd: both cgroup drivers (cluster.cgroup_driver); under cgroupfs "
                 "faultline's cgroups sit beside systemd's slices at the cgroup root, as "
                 "Docker's and containerd's with their cgroupfs drivers; under systemd each node "
                 "is a transient slice"
               : "not systemd: the cgroupfs cgroup driver only; faultline's cgroups are the "
                 "only ones it manages");
  Line(host.has_overlay ? Verdict::kOk : Verdict::kNo, "overlayfs",
       host.has_overlay ? "containers share one image layer, each with its own upper layer"
                        : "not in /proc/filesystems: per-container rootfs impossible");
  auto busybox = images::FindStaticBusybox();
  Line(busybox.ok() ? Verdict::kOk : Verdict::kNo, "image: busybox",
       busybox.ok() ? "static busybox at " + *busybox : busybox.error().message);
  const bool netns = WorksInThrowawayNetns({"true"});
  Line(netns ? Verdict::kOk : Verdict::kNo, "network namespaces",
       netns ? "can create network namespaces" : "unshare --net failed");

  std::printf("\nVirtual cluster (cluster: {kind: virtual})\n");
  {
    const bool ip = !FindExecutable("ip").empty();
    const bool veth = ip && WorksInThrowawayNetns({"ip", "link", "add", "fl-probe-a", "type",
                                                   "veth", "peer", "name", "fl-probe-b"});
    const bool bridge =
        ip && WorksInThrowawayNetns({"ip", "link", "add", "fl-probe-br", "type", "bridge"});
    Line(ip ? Verdict::kOk : Verdict::kNo, "ip (iproute2)",
         ip ? "named network namespaces via `ip netns` (/run/netns)"
            : "not installed: install the Debian package iproute2");
    Line(veth ? Verdict::kOk : Verdict::kNo, "veth",
         veth ? "veth pairs work" : "cannot create a veth pair");
    Line(bridge ? Verdict::kOk : Verdict::kNo, "bridge",
         bridge ? "Linux bridges work" : "cannot create a bridge (module bridge missing?)");
    bool cpu = false, memory = false;
    for (const auto& root : CgroupHierarchies()) {
      cpu = cpu || PathExists(root + "/cpu.cfs_quota_us");
      memory = memory || PathExists(root + "/memory.limit_in_bytes");
      auto controllers = ReadFile(root + "/cgroup.controllers");
      if (controllers.ok() && host.cgroup_mode == CgroupMode::kV2) {
        cpu = cpu || controllers->find("cpu") != std::string::npos;
        memory = memory || controllers->find("memory") != std::string::npos;
      }
    }
    Line(cpu && memory ? Verdict::kOk : Verdict::kNo, "node limits",
         cpu && memory ? "cpu and memory cgroup controllers available"
                       : std::string("missing cgroup controller(s):") + (cpu ? "" : " cpu") +
                             (memory ? "" : " memory"));
    // Not needed by a virtual cluster; Swarm's routing mesh and kube-proxy's IPVS mode need it.
    // Looked up, not loaded: doctor changes nothing on the host.
    auto lookup =
        RunProcess({{"modprobe", "--dry-run", "--quiet", "ip_vs"}, std::chrono::seconds(10), ""});
    const bool ipvs = PathExists("/proc/net/ip_vs") || (lookup.ok() && lookup->ok());
    Line(ipvs ? Verdict::kOk : Verdict::kInfo, "IPVS",
         ipvs
             ? "ip_vs in the kernel (Swarm's routing mesh, kube-proxy's IPVS mode)"
             : "no ip_vs in this kernel (Swarm's routing mesh and kube-proxy's IPVS mode need it)");
    const bool can = host.is_root && netns && ip && veth && bridge && cpu && memory;
    Line(can ? Verdict::kOk : Verdict::kNo, "verdict",
         can ? "a virtual cluster can be built here"
             : "a virtual cluster cannot be built here (see the items above)");
  }

  std::printf("\nDrivers: each platform faultline drives, and what it needs here\n");
  bool any_runtime = false;
  for (const drivers::DriverKind* kind : drivers::DriverKinds()) {
    std::printf("  %s: %s\n", kind->spec().name.c_str(), kind->spec().summary.c_str());
    for (const auto& check : kind->Describe(host, SelfExe())) {
      Line(check.usable ? Verdict::kOk : Verdict::kNo, check.name, check.detail);
      any_runtime = any_runtime || check.usable;
    }
  }
  {
    auto confined = drivers::oci::LoadContainerSecurity(scenario::Security::kDefault);
    Line(confined.ok() ? Verdict::kOk : Verdict::kNo, "security: default",
         confined.ok() ? std::string("seccomp profile ") + drivers::oci::kDefaultSeccompProfile +
                             ", " + std::to_string(confined->seccomp["syscalls"].size()) +
                             " rules for this host (oci, containerd)"
                       : confined.error().message);
  }
  for (const std::string name : {"kubectl"}) {
    std::string path = FindExecutable(name);
    Line(Verdict::kInfo, name,
         (path.empty() ? std::string("not installed") : "found at " + path) +
             "; no faultline driver yet");
  }

  std::printf("\nProbes\n");
  Line(host.has_btf ? Verdict::kOk : Verdict::kNo, "BTF",
       host.has_btf ? "/sys/kernel/btf/vmlinux present (CO-RE possible)"
                    : "no /sys/kernel/btf/vmlinux: eBPF probes cannot be relocated");
  if (!probes::ProbesBuiltIn()) {
    Line(Verdict::kNo, "eBPF probes",
         "not in this build (no clang, bpftool or libbpf when built): runs report degraded mode "
         "with wall-clock spans");
  } else if (geteuid() != 0 || !host.has_btf) {
    Line(Verdict::kNo, "eBPF probes",
         std::string("built in, but ") + (geteuid() ? "not root" : "no BTF") +
             ": runs report degraded mode with wall-clock spans");
  } else {
    Line(Verdict::kOk, "eBPF probes",
         "built in (tp_btf, with fexit on unshare() where allowed, or raw_tp where tp_btf is "
         "refused; no tracefs or bpffs needed): start phases and node signals");
  }

  std::printf("\nFault kinds: the mechanism of each, and whether this host supports it\n");
  for (const auto& probe : chaos::ProbeMechanisms()) {
    Line(probe.usable.ok() ? Verdict::kOk : Verdict::kNo, probe.kind,
         probe.mechanism + (probe.usable.ok() ? "" : ": " + probe.usable.error().message));
  }

  std::printf("\n%s\n", any_runtime ? "verdict: this host can run faultline scenarios"
                                    : "verdict: no usable driver (see Drivers above)");
  return any_runtime && host.is_root ? 0 : 3;
}

}  // namespace faultline::cli
