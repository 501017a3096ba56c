#include "harness/core/host.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "harness/core/files.h"

namespace faultline {

HostLoad ReadHostLoad() {
  HostLoad load;
  std::ifstream loadavg("/proc/loadavg");
  loadavg >> load.load_average_1m;
  std::ifstream pressure("/proc/pressure/cpu");
  std::string kind, avg10;
  if (pressure >> kind >> avg10 && kind == "some" && avg10.rfind("avg10=", 0) == 0) {
    load.cpu_pressure_10s_percent = std::strtod(avg10.c_str() + 6, nullptr);
  }
  return load;
}

HostInfo ProbeHost() {
  HostInfo info;
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  info.hostname = name;
  utsname uts{};
  if (uname(&uts) == 0) info.kernel = uts.release;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    if (line.rfind("model name", 0) == 0 && info.cpu_model.empty()) {
      info.cpu_model = line.substr(colon + 2);
    } else if (line.rfind("cpu MHz", 0) == 0 && info.cpu_mhz == 0) {
      info.cpu_mhz = std::strtod(line.c_str() + colon + 1, nullptr);
    }
  }
  info.cpu_count = static_cast<int>(std::thread::hardware_concurrency());
  for (int cpu = 0; cpu < info.cpu_count; ++cpu) {
    auto governor =
        ReadFile("/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cpufreq/scaling_governor");
    if (governor.ok() && governor->rfind("performance", 0) != 0) info.cpu_scaling = true;
  }
  info.memory_bytes = static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  const HostLoad load = ReadHostLoad();
  info.load_average_1m = load.load_average_1m;
  info.cpu_pressure_10s_percent = load.cpu_pressure_10s_percent;
  info.cgroup_mode = DetectCgroupMode();
  info.is_root = geteuid() == 0;
  info.has_btf = PathExists("/sys/kernel/btf/vmlinux");
  info.has_netns = PathExists("/proc/self/ns/net");
  auto filesystems = ReadFile("/proc/filesystems");
  info.has_overlay = filesystems.ok() && filesystems->find("\toverlay\n") != std::string::npos;
  return info;
}

namespace {
std::string g_host_mount_namespace;
}  // namespace

const std::string& HostMountNamespacePath() {
  return g_host_mount_namespace;
}

Status EnterPrivateV1CgroupView() {
  // Kept open (and inherited) so helpers can still reach the host's mount namespace.
  const int host_ns = open("/proc/self/ns/mnt", O_RDONLY);
  if (host_ns < 0) return ErrnoError("cannot open this process's mount namespace", errno);
  g_host_mount_namespace = "/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(host_ns);
  if (unshare(CLONE_NEWNS) != 0)
    return ErrnoError("cannot create a private mount namespace", errno);
  if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
    return ErrnoError("cannot make mounts slave", errno);
  }
  if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) != 0) {
    return ErrnoError("cannot unmount /sys/fs/cgroup/unified in the private namespace", errno);
  }
  return OkStatus();
}

}  // namespace faultline
