#include "harness/drivers/oci/oci_spec.h"

#include <cmath>

namespace faultline::drivers::oci {
namespace {

constexpr std::int64_t kCpuPeriodUs = 100'000;

nlohmann::json Mounts() {
  using nlohmann::json;
  return json::array({
      {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
      {{"destination", "/dev"},
       {"type", "tmpfs"},
       {"source", "tmpfs"},
       {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/dev/pts"},
       {"type", "devpts"},
       {"source", "devpts"},
       {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
      {{"destination", "/dev/shm"},
       {"type", "tmpfs"},
       {"source", "shm"},
       {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
      {{"destination", "/dev/mqueue"},
       {"type", "mqueue"},
       {"source", "mqueue"},
       {"options", {"nosuid", "noexec", "nodev"}}},
      {{"destination", "/sys"},
       {"type", "sysfs"},
       {"source", "sysfs"},
       {"options", {"nosuid", "noexec", "nodev", "ro"}}},
  });
}

}  // namespace

nlohmann::json MakeRuntimeConfig(const ContainerSpec& spec, const std::string& cgroups_path,
                                 const ContainerSecurity& security) {
  using nlohmann::json;
  const json caps = security.capabilities;
  json resources = {{"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  if (spec.resources.memory_bytes) {
    resources["memory"] = {{"limit", *spec.resources.memory_bytes}};
  }
  if (spec.resources.cpus) {
    resources["cpu"] = {
        {"quota", static_cast<std::int64_t>(std::llround(*spec.resources.cpus * kCpuPeriodUs))},
        {"period", kCpuPeriodUs}};
  }
  if (spec.resources.pids) resources["pids"] = {{"limit", *spec.resources.pids}};
  json network = {{"type", "network"}};
  if (!spec.netns.empty()) network["path"] = spec.netns;  // the node's namespace

  json config = {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", spec.command},
        {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
        {"cwd", "/"},
        // As Docker and containerd: no inheritable or ambient set, no_new_privs off.
        {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
        {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
        {"noNewPrivileges", false}}},
      {"root", {{"path", "rootfs"}, {"readonly", false}}},
      {"hostname", spec.id.substr(0, 63)},
      {"mounts", Mounts()},
      {"linux",
       {{"cgroupsPath", cgroups_path},
        {"resources", resources},
        {"namespaces",
         {{{"type", "pid"}}, network, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}}},
        {"maskedPaths", security.masked_paths},
        {"readonlyPaths", security.readonly_paths}}},
  };
  if (!security.seccomp.is_null()) config["linux"]["seccomp"] = security.seccomp;
  return config;
}

}  // namespace faultline::drivers::oci
