#include "harness/drivers/oci/security.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>

#include "harness/core/files.h"

namespace faultline::drivers::oci {
namespace {

struct Arch {
  const char* machine;  // uname -m
  const char* seccomp;  // libseccomp's name, as archMap spells it
  const char* go;       // the name includes/excludes use (Go's GOARCH)
};
constexpr Arch kArches[] = {{"x86_64", "SCMP_ARCH_X86_64", "amd64"},
                            {"aarch64", "SCMP_ARCH_AARCH64", "arm64"}};

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<std::string> StringsAt(const nlohmann::json& object, const char* key) {
  std::vector<std::string> out;
  if (!object.is_object() || !object.contains(key) || !object[key].is_array()) return out;
  for (const auto& item : object[key]) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

// "6.1" <= "6.18.44-fc"? Compares major, then minor.
bool KernelAtLeast(const std::string& kernel, const std::string& minimum) {
  int have_major = 0, have_minor = 0, want_major = 0, want_minor = 0;
  if (std::sscanf(kernel.c_str(), "%d.%d", &have_major, &have_minor) < 1) return false;
  if (std::sscanf(minimum.c_str(), "%d.%d", &want_major, &want_minor) < 1) return false;
  return have_major != want_major ? have_major > want_major : have_minor >= want_minor;
}

// Whether a rule applies: every included condition holds, no excluded one does.
bool RuleApplies(const nlohmann::json& rule, const Arch& arch, const std::string& kernel,
                 const std::vector<std::string>& caps) {
  const nlohmann::json none = nlohmann::json::object();
  const nlohmann::json& includes = rule.value("includes", none);
  const nlohmann::json& excludes = rule.value("excludes", none);
  const auto arches = StringsAt(includes, "arches");
  if (!arches.empty() && !Contains(arches, arch.go)) return false;
  for (const std::string& cap : StringsAt(includes, "caps")) {
    if (!Contains(caps, cap)) return false;
  }
  if (includes.is_object() && includes.contains("minKernel") &&
      !KernelAtLeast(kernel, includes["minKernel"].get<std::string>())) {
    return false;
  }
  if (Contains(StringsAt(excludes, "arches"), arch.go)) return false;
  for (const std::string& cap : StringsAt(excludes, "caps")) {
    if (Contains(caps, cap)) return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& DefaultCapabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  return caps;
}

namespace {

Result<nlohmann::json> Convert(const nlohmann::json& profile, const std::string& machine,
                               const std::string& kernel, const std::vector<std::string>& caps) {
  const Arch* arch = nullptr;
  for (const Arch& a : kArches) {
    if (machine == a.machine) arch = &a;
  }
  if (!arch) return FailedPrecondition("no seccomp architecture known for machine " + machine);
  if (!profile.is_object() || !profile.contains("defaultAction") || !profile.contains("syscalls") ||
      !profile.at("syscalls").is_array()) {
    return InvalidArgument("not a seccomp profile: needs defaultAction and syscalls");
  }
  nlohmann::json out = {{"defaultAction", profile["defaultAction"]}};
  if (profile.contains("defaultErrnoRet")) out["defaultErrnoRet"] = profile["defaultErrnoRet"];
  nlohmann::json architectures = nlohmann::json::array();
  for (const auto& entry : profile.value("archMap", nlohmann::json::array())) {
    if (entry.value("architecture", "") != arch->seccomp) continue;
    architectures.push_back(arch->seccomp);
    for (const auto& sub : StringsAt(entry, "subArchitectures")) architectures.push_back(sub);
  }
  if (architectures.empty()) architectures.push_back(arch->seccomp);
  out["architectures"] = architectures;
  nlohmann::json syscalls = nlohmann::json::array();
  for (const auto& rule : profile["syscalls"]) {
    if (!RuleApplies(rule, *arch, kernel, caps)) continue;
    std::vector<std::string> names = StringsAt(rule, "names");
    if (rule.contains("name") && rule["name"].is_string()) names.push_back(rule["name"]);
    if (names.empty() || !rule.contains("action")) continue;
    nlohmann::json call = {{"names", names}, {"action", rule["action"]}};
    if (rule.contains("errnoRet")) call["errnoRet"] = rule["errnoRet"];
    if (rule.contains("args") && rule["args"].is_array() && !rule["args"].empty()) {
      call["args"] = rule["args"];
    }
    syscalls.push_back(std::move(call));
  }
  out["syscalls"] = std::move(syscalls);
  return out;
}

}  // namespace

Result<nlohmann::json> SeccompForOci(const nlohmann::json& profile, const std::string& machine,
                                     const std::string& kernel,
                                     const std::vector<std::string>& caps) {
  try {
    return Convert(profile, machine, kernel, caps);
  } catch (const nlohmann::json::exception& e) {  // a field of the wrong type
    return InvalidArgument(std::string("not a seccomp profile: ") + e.what());
  }
}

Result<ContainerSecurity> LoadContainerSecurity(scenario::Security security,
                                                const std::string& profile_path) {
  ContainerSecurity out;
  out.capabilities = DefaultCapabilities();
  out.masked_paths = {"/proc/acpi",          "/proc/asound",
                      "/proc/kcore",         "/proc/keys",
                      "/proc/latency_stats", "/proc/timer_list",
                      "/proc/timer_stats",   "/proc/sched_debug",
                      "/sys/firmware",       "/sys/devices/virtual/powercap",
                      "/proc/scsi"};
  out.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  if (security == scenario::Security::kUnconfined) return out;
  auto text = ReadFile(profile_path);
  if (!text.ok()) {
    return FailedPrecondition(
        "security: default needs the seccomp profile " + profile_path +
        " (Debian package golang-github-containers-common; ci/setup installs it): " +
        text.error().message + "; or set security: unconfined");
  }
  const auto profile = nlohmann::json::parse(*text, nullptr, false);
  if (profile.is_discarded()) return FailedPrecondition(profile_path + " is not JSON");
  utsname host{};
  uname(&host);
  auto seccomp = SeccompForOci(profile, host.machine, host.release, out.capabilities);
  if (!seccomp.ok()) {
    return FailedPrecondition(profile_path + ": " + seccomp.error().message);
  }
  out.seccomp = std::move(*seccomp);
  return out;
}

}  // namespace faultline::drivers::oci
