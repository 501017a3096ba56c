#include "harness/drivers/catalog.h"

namespace faultline::drivers {

const DriverField* DriverSpec::FindField(const std::string& field) const {
  for (const DriverField& f : fields) {
    if (f.name == field) return &f;
  }
  return nullptr;
}

std::string DaemonOf(const DriverSpec& spec, const std::map<std::string, std::string>& options,
                     std::string* why_not) {
  for (const std::string& when : spec.no_daemon_when) {
    const auto equals = when.find('=');
    auto field = options.find(when.substr(0, equals));
    if (field == options.end()) continue;
    if (equals == std::string::npos || field->second == when.substr(equals + 1)) {
      if (why_not) *why_not = field->first + ": " + field->second;
      return "";
    }
  }
  return spec.daemon;
}

const std::vector<DriverSpec>& DriverCatalog() {
  static const std::vector<DriverSpec> catalog = {
      {"oci",
       "calls an OCI runtime binary directly, one process per operation (no daemon)",
       {{"runtime", {"runc", "crun"}, true}},
       "",
       {},
       /*runtime_args=*/true},
      {"docker",
       "Docker Engine: a private dockerd with its own containerd per node, inside the node, "
       "driven through the Engine API on its unix socket",
       {{"runtime", {"runc", "crun"}, false},
        {"live_restore", {"true", "false"}, false},
        // An existing daemon's socket instead (cluster: local only): faultline then touches
        // only the containers and the image it made, and starts or kills no daemon.
        // (the schema checks that it is unix:///PATH)
        {"endpoint", {}, false},
        {"daemon", {}, false}},
       "dockerd",
       {"endpoint"},
       /*runtime_args=*/true,
       {"--config-file",
        "--containerd",
        "--data-root",
        "--exec-root",
        "--pidfile",
        "-p",
        "-H",
        "--host",
        "--bridge",
        "-b",
        "--iptables",
        "--ip6tables",
        "--ip-forward",
        "--ip-masq",
        "--userland-proxy",
        "--storage-driver",
        "-s",
        "--exec-opt",
        "--cgroup-parent",
        "--live-restore",
        "--add-runtime",
        "--default-runtime"},
       /*daemon_config=*/true,
       {"containerd", "data-root", "exec-root", "pidfile", "hosts", "bridge", "iptables",
        "ip6tables", "ip-forward", "ip-masq", "userland-proxy", "storage-driver", "exec-opts",
        "cgroup-parent", "live-restore", "runtimes", "default-runtime"}},
      {"podman",
       "Podman: per node its own store and configuration, through the libpod API service "
       "started inside the node (via: service) or one podman command per operation (via: cli)",
       {{"runtime", {"runc", "crun"}, false},
        {"via", {"service", "cli"}, false},
        {"daemon", {}, false}},
       "podman system service",
       {"via=cli"},
       /*runtime_args=*/true,
       {"--root", "--runroot", "--runtime", "--cgroup-manager", "--storage-driver", "--tmpdir",
        "--url", "--remote", "-r", "--connection", "-c", "--events-backend", "--network-config-dir",
        "--volumepath", "--cni-config-dir"}},
      {"containerd",
       "containerd through its gRPC API: a private containerd per node, inside the node, "
       "containers made as its own client makes them (snapshot, container, task) in namespace "
       "faultline",
       {{"runtime", {"runc", "crun"}, false}, {"daemon", {}, false}},
       "containerd",
       {},
       /*runtime_args=*/false,
       {"--config", "-c", "--address", "-a", "--root", "--state"}},
      {"cri",
       "the kubelet's path: containerd's CRI plugin, a private containerd per node inside the "
       "node, pods started through the CRI as the kubelet starts them (RunPodSandbox with a "
       "local pause image, CreateContainer, StartContainer)",
       {{"runtime", {"runc", "crun"}, false},
        {"network", {"host", "cni"}, false},
        // {containers: N}: each pod's containers (the schema checks the mapping)
        {"pod", {}, false},
        {"daemon", {}, false}},
       "containerd",
       {},
       /*runtime_args=*/false,
       {"--config", "-c", "--address", "-a", "--root", "--state"}},
  };
  return catalog;
}

const DriverSpec* FindDriverSpec(const std::string& name) {
  for (const DriverSpec& spec : DriverCatalog()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const std::vector<std::string>& CommonTargetFields() {
  static const std::vector<std::string> fields = {"name", "driver", "image",   "resources",
                                                  "node", "env",    "security"};
  return fields;
}

}  // namespace faultline::drivers
