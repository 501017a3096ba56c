#include "harness/drivers/cri/cri_kind.h"

#include "harness/core/files.h"
#include "harness/drivers/containerd/containerd_driver.h"
#include "harness/drivers/containerd/containerd_kind.h"
#include "harness/drivers/cri/cri_driver.h"
#include "harness/drivers/oci/oci_driver.h"

namespace faultline::drivers::cri {
namespace {

constexpr const char* kCniDir = "/usr/lib/cni";
// The CNI plugins a cni pod network runs (the CRI plugin adds loopback to every pod's own).
constexpr const char* kCniPlugins[] = {"bridge", "host-local", "loopback"};

std::string RuntimeOf(const scenario::Target& target) {
  return target.runtime.empty() ? "runc" : target.runtime;
}

std::string Option(const scenario::Target& target, const std::string& name,
                   const std::string& otherwise) {
  auto found = target.options.find(name);
  return found == target.options.end() ? otherwise : found->second;
}

bool HostNetwork(const scenario::Target& target) {
  return Option(target, "network", "host") == "host";
}

class CriKind : public DriverKind {
 public:
  const DriverSpec& spec() const override { return *FindDriverSpec("cri"); }

  Status Preflight(const scenario::Target& target, const HostInfo&) const override {
    FL_RETURN_IF_ERROR(containerd::PreflightContainerd(target, RuntimeOf(target)));
    if (PauseProgram().empty()) {
      return FailedPrecondition("target " + target.name +
                                ": faultline-pause not found beside faultline (build it with "
                                "faultline, or set FAULTLINE_PAUSE)");
    }
    if (!HostNetwork(target)) {
      for (const char* plugin : kCniPlugins) {
        if (access((std::string(kCniDir) + "/" + plugin).c_str(), X_OK) != 0) {
          return FailedPrecondition("target " + target.name + ": the CNI plugin " + kCniDir + "/" +
                                    plugin +
                                    " is missing (install the Debian package "
                                    "containernetworking-plugins)");
        }
      }
    }
    return OkStatus();
  }

  bool NeedsPrivateV1View(const scenario::Target& target, CgroupMode mode) const override {
    return mode == CgroupMode::kHybrid && RuntimeOf(target) == "crun";
  }

  std::vector<DriverCheck> Describe(const HostInfo&, const std::string&) const override {
    std::vector<DriverCheck> checks;
    auto containerd = containerd::ProbeContainerd();
    if (!containerd.ok()) {
      checks.push_back({"cri", false, containerd.error().message});
      return checks;
    }
    checks.push_back({"cri", true,
                      "containerd " + containerd->version +
                          " with its CRI plugin, a private one per node; pods through the CRI "
                          "(RunPodSandbox with a local pause image, CreateContainer, "
                          "StartContainer)"});
    if (PauseProgram().empty()) {
      checks.push_back({"faultline-pause", false, "not found beside faultline (build it)"});
    }
    std::string missing;
    for (const char* plugin : kCniPlugins) {
      if (access((std::string(kCniDir) + "/" + plugin).c_str(), X_OK) != 0) {
        missing += std::string(missing.empty() ? "" : ", ") + plugin;
      }
    }
    checks.push_back({"cni plugins", missing.empty(),
                      missing.empty() ? std::string("bridge, host-local and loopback in ") +
                                            kCniDir + " (network: cni)"
                                      : "missing " + missing + " in " + kCniDir +
                                            " (install containernetworking-plugins; network: "
                                            "host works without)"});
    return checks;
  }

  Result<std::unique_ptr<Driver>> Open(const scenario::Target& target,
                                       const DriverEnvironment& env) const override {
    CriDriverConfig config;
    config.target = target.name;
    config.runtime = RuntimeOf(target);
    config.runtime_path = target.runtime_path;
    config.daemon = target.daemon;
    config.env = EnvAssignments(target);
    config.security = target.security;
    config.run_id = env.journal->run_id();
    config.run_dir = env.run_dir;
    config.journal = env.journal;
    config.self_exe = env.self_exe;
    config.host_network = HostNetwork(target);
    config.containers_per_pod = std::stoi(Option(target, "pod.containers", "1"));
    FL_ASSIGN_OR_RETURN(auto driver, CriDriver::Open(std::move(config)));
    return std::unique_ptr<Driver>(std::move(driver));
  }

  // Its nodes are containerd's platform records, undone by the containerd driver.
  std::vector<std::string> JournalKinds() const override { return {}; }
  Status Undo(const JournalEntry& entry, const UndoContext&) const override {
    return FailedPrecondition("the cri driver journals no records of its own: " + entry.kind);
  }
};

}  // namespace

const DriverKind& Kind() {
  static const CriKind kind;
  return kind;
}

}  // namespace faultline::drivers::cri
