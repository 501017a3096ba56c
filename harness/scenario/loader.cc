#include "harness/scenario/loader.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "chaos/registry.h"
#include "harness/drivers/catalog.h"
#include "harness/scenario/schema_validator.h"
#include "harness/scenario/units.h"

namespace faultline::scenario {
namespace {

namespace fs = std::filesystem;

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

// Only blanks and comments: nothing a reader would call a scenario.
bool IsBlank(std::string_view text) {
  bool in_comment = false;
  for (char c : text) {
    if (c == '\n') {
      in_comment = false;
    } else if (c == '#') {
      in_comment = true;
    } else if (!in_comment && c != ' ' && c != '\t' && c != '\r') {
      return false;
    }
  }
  return true;
}

Error JoinErrors(std::vector<SchemaError> errors, const std::string& file) {
  std::stable_sort(errors.begin(), errors.end(), [](const SchemaError& a, const SchemaError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  std::string message;
  for (std::size_t i = 0; i < errors.size() && i < kMaxReportedErrors; ++i) {
    if (i) message += "\n";
    message += errors[i].ToString();
  }
  if (errors.size() > kMaxReportedErrors) {
    const std::size_t more = errors.size() - kMaxReportedErrors;
    message += "\n" + file + ": " + std::to_string(more) + " more error" + (more == 1 ? "" : "s") +
               " not shown";
  }
  return InvalidArgument(std::move(message));
}

SourceLocation Where(const std::string& file, const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0) return {file, 1, 1};
  return {file, mark.line + 1, mark.column + 1};
}

// Builds the model from a document the schema accepted, and reports what the schema cannot
// express (cross references, uniqueness).
class Builder {
 public:
  Builder(std::string file, fs::path base_dir)
      : file_(std::move(file)), base_(std::move(base_dir)) {}

  std::vector<SchemaError>& errors() { return errors_; }

  Scenario Build(const YAML::Node& doc) {
    Scenario s;
    s.version = static_cast<int>(ScalarInteger(doc["version"]).value_or(1));
    s.name = doc["name"].Scalar();
    if (const YAML::Node d = doc["description"]) s.description = d.Scalar();
    if (const YAML::Node t = doc["target"]) {
      s.targets.push_back(BuildTarget(t, "target"));
    } else if (const YAML::Node ts = doc["targets"]) {
      std::map<std::string, std::size_t> names;
      for (std::size_t i = 0; i < ts.size(); ++i) {
        const std::string path = "targets[" + std::to_string(i) + "]";
        s.targets.push_back(BuildTarget(ts[i], path));
        const YAML::Node name = ts[i]["name"];
        if (auto [it, fresh] = names.emplace(s.targets.back().name, i); !fresh) {
          Report(name ? name.Mark() : ts[i].Mark(), name ? path + ".name" : path,
                 "duplicate target name '" + it->first + "' (also used by targets[" +
                     std::to_string(it->second) + "])" +
                     (name ? "" : "; set 'name' to tell targets with the same runtime apart"));
        }
      }
    }
    if (const YAML::Node r = doc["repetitions"]) s.repetitions = U32(r);
    const YAML::Node steps = doc["steps"];
    std::map<std::string, std::size_t> step_index;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const std::string path = "steps[" + std::to_string(i) + "]";
      s.steps.push_back(BuildStep(steps[i]));
      if (auto [it, fresh] = step_index.emplace(s.steps.back().name, i); !fresh) {
        Report(steps[i]["name"].Mark(), path + ".name",
               "duplicate step name '" + it->first + "' (also used by steps[" +
                   std::to_string(it->second) + "])");
      }
    }
    if (const YAML::Node slo = doc["slo"]) {
      for (std::size_t i = 0; i < slo.size(); ++i) {
        s.slo.push_back(BuildSlo(slo[i], "slo[" + std::to_string(i) + "]", s));
      }
    }
    if (const YAML::Node seed = doc["seed"]) {
      s.seed = static_cast<std::uint64_t>(ScalarInteger(seed).value_or(0));
    }
    // Before the faults, which name its nodes.
    if (const YAML::Node c = doc["cluster"]) s.cluster = BuildCluster(c);
    CheckEndpoints(doc, s);
    if (const YAML::Node faults = doc["faults"]) {
      for (std::size_t i = 0; i < faults.size(); ++i) {
        s.faults.push_back(BuildFault(faults[i], "faults[" + std::to_string(i) + "]", s));
      }
    }
    if (const YAML::Node t = doc["timeouts"]) {
      s.timeouts.create = DurationOr(t["create"], s.timeouts.create);
      s.timeouts.start = DurationOr(t["start"], s.timeouts.start);
      s.timeouts.exit = DurationOr(t["exit"], s.timeouts.exit);
      s.timeouts.remove = DurationOr(t["delete"], s.timeouts.remove);
    }
    if (const YAML::Node r = doc["max_failed_ratio"]) {
      s.max_failed_ratio = ScalarNumber(r).value_or(s.max_failed_ratio);
    }
    CheckPlacement(doc, s);
    CheckCgroupDriver(doc, s);
    if (const YAML::Node g = doc["gate"]) s.gate = BuildGate(g, s);
    return s;
  }

 private:
  void Report(const YAML::Mark& mark, const std::string& path, std::string message) {
    const SourceLocation at = Where(file_, mark);
    errors_.push_back({file_, at.line, at.column, path, std::move(message)});
  }

  static std::uint32_t U32(const YAML::Node& node) {
    return static_cast<std::uint32_t>(ScalarInteger(node).value_or(0));
  }

  static Nanos DurationOr(const YAML::Node& node, Nanos fallback) {
    if (!node) return fallback;
    auto parsed = ParseDuration(node.Scalar());
    return parsed.ok() ? *parsed : fallback;
  }

  static std::vector<std::string> Strings(const YAML::Node& node) {
    std::vector<std::string> out;
    for (const auto& item : node) out.push_back(item.Scalar());
    return out;
  }

  // A target's `endpoint` is a daemon running on this host, outside any virtual node; a cni pod
  // network's bridge must stay inside a virtual node's network namespace.
  void CheckEndpoints(const YAML::Node& doc, const Scenario& s) {
    const bool virtual_cluster = s.cluster.kind == Cluster::Kind::kVirtual;
    for (std::size_t i = 0; i < s.targets.size(); ++i) {
      const bool one = static_cast<bool>(doc["target"]);
      const YAML::Node node = one ? doc["target"] : doc["targets"][i];
      const std::string path = one ? std::string("target") : "targets[" + std::to_string(i) + "]";
      if (virtual_cluster && s.targets[i].options.count("endpoint")) {
        Report(node["endpoint"].Mark(), path + ".endpoint",
               "an existing daemon runs on this host, not inside a virtual cluster's nodes: use "
               "cluster: {kind: local} with it");
      }
      auto network = s.targets[i].options.find("network");
      if (!virtual_cluster && network != s.targets[i].options.end() && network->second == "cni") {
        Report(node["network"].Mark(), path + ".network",
               "a cni pod network puts a bridge in each node's network namespace, which on "
               "cluster: {kind: local} is the host's: use a virtual cluster, or network: host");
      }
    }
  }

  Target BuildTarget(const YAML::Node& node, const std::string& path) {
    Target t;
    t.driver = node["driver"].Scalar();
    if (const YAML::Node runtime = node["runtime"]) {
      if (runtime.IsMap()) {
        t.runtime = runtime["name"].Scalar();
        if (const YAML::Node binary = runtime["path"]) t.runtime_path = Resolve(binary.Scalar());
        if (const YAML::Node args = runtime["args"]) t.runtime_args = Strings(args);
      } else {
        t.runtime = runtime.Scalar();
      }
    }
    t.name = node["name"] ? node["name"].Scalar() : !t.runtime.empty() ? t.runtime : t.driver;
    if (const YAML::Node env = node["env"]) {
      for (const auto& item : env) t.env[item.first.Scalar()] = item.second.Scalar();
    }
    if (const YAML::Node daemon = node["daemon"]) {
      if (const YAML::Node binary = daemon["path"]) t.daemon.path = Resolve(binary.Scalar());
      if (const YAML::Node args = daemon["args"]) t.daemon.args = Strings(args);
      if (const YAML::Node config = daemon["config"]) t.daemon.config = ToJson(config).dump();
    }
    CheckDriverFields(node, path, t.driver, t.options);
    CheckSettings(node, path, t);
    t.where = Where(file_, node.Mark());
    if (const YAML::Node image = node["image"]) t.image = BuildImage(image.Scalar());
    if (const YAML::Node r = node["resources"]) {
      if (const YAML::Node cpus = r["cpus"]) t.resources.cpus = ScalarNumber(cpus);
      if (const YAML::Node memory = r["memory"]) {
        if (auto bytes = ParseSize(memory.Scalar()); bytes.ok()) t.resources.memory_bytes = *bytes;
      }
      if (const YAML::Node pids = r["pids"]) t.resources.pids = U32(pids);
    }
    if (const YAML::Node n = node["node"]) t.node = n.Scalar();
    if (const YAML::Node security = node["security"]) {
      t.security = security.Scalar() == "unconfined" ? Security::kUnconfined : Security::kDefault;
    }
    return t;
  }

  // What the schema cannot say per driver: which fields each one takes, and their values
  // (the driver table, harness/drivers/catalog.h). Fills OPTIONS with the driver's fields.
  void CheckDriverFields(const YAML::Node& node, const std::string& path, const std::string& driver,
                         std::map<std::string, std::string>& options) {
    const drivers::DriverSpec* spec = drivers::FindDriverSpec(driver);
    if (!spec) {
      std::vector<std::string> names;
      for (const auto& entry : drivers::DriverCatalog()) names.push_back(entry.name);
      Report(node["driver"].Mark(), path + ".driver", Unknown("driver", driver, names));
      return;
    }
    const auto& common = drivers::CommonTargetFields();
    for (const auto& item : node) {
      const std::string key = item.first.Scalar();
      if (std::find(common.begin(), common.end(), key) != common.end()) continue;
      if (spec->FindField(key)) continue;
      std::string takes;
      for (const auto& field : spec->fields) takes += (takes.empty() ? "" : ", ") + field.name;
      Report(item.first.Mark(), path + "." + key,
             "driver '" + driver + "' takes no field '" + key + "'" +
                 (takes.empty() ? "" : " (its own fields: " + takes + ")"));
    }
    for (const auto& field : spec->fields) {
      const YAML::Node written = node[field.name];
      std::string allowed;
      for (const auto& v : field.values) allowed += (allowed.empty() ? "" : " or ") + v;
      if (field.name == "daemon") continue;  // typed: BuildTarget and CheckSettings
      if (written && written.IsMap() && field.name != "runtime") {
        // A mapping (pod: {containers: 2}) as dotted keys: pod.containers.
        for (const auto& item : written) {
          options[field.name + "." + item.first.Scalar()] = item.second.Scalar();
        }
        continue;
      }
      if (written && field.name != "runtime") options[field.name] = written.Scalar();
      // runtime: {name, path, args}: the name is checked as the plain form is.
      const bool by_path = written && written.IsMap() && field.name == "runtime";
      if (by_path && written["args"] && !spec->runtime_args) {
        Report(written["args"].Mark(), path + ".runtime.args",
               "driver '" + driver +
                   "' cannot pass arguments to its runtime (containerd's runc shim calls it with "
                   "its own); runtime args work with the oci, docker and podman drivers");
      }
      const YAML::Node value = by_path ? written["name"] : written;
      if (!value) {
        if (field.required) {
          Report(node.Mark(), path + "." + field.name,
                 "driver '" + driver + "' needs '" + field.name + "'" +
                     (allowed.empty() ? "" : " (" + allowed + ")"));
        }
        continue;
      }
      if (!field.values.empty() && std::find(field.values.begin(), field.values.end(),
                                             value.Scalar()) == field.values.end()) {
        Report(value.Mark(), path + "." + field.name,
               "driver '" + driver + "' takes " + field.name + " " + allowed + ", got '" +
                   value.Scalar() + "'");
      }
    }
  }

  // What the driver table says of runtime args, env and daemon: flags and daemon.json keys that
  // faultline sets itself cannot be set again (a second --data-root would move the platform's
  // state where faultline does not clean up), and someone else's daemon is not ours to set.
  void CheckSettings(const YAML::Node& node, const std::string& path, const Target& t) {
    const drivers::DriverSpec* spec = drivers::FindDriverSpec(t.driver);
    if (!spec) return;
    if (const YAML::Node env = node["env"]) {
      for (const auto& item : env) {
        const std::string name = item.first.Scalar();
        const bool variable = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                              std::all_of(name.begin(), name.end(), [](unsigned char c) {
                                return std::isalnum(c) || c == '_';
                              });
        if (variable) continue;
        Report(item.first.Mark(), path + ".env",
               "'" + name + "' is not a variable name (letters, digits and _, not first a digit)");
      }
    }
    if (t.options.count("endpoint")) {
      for (const char* field : {"env", "daemon", "runtime"}) {
        if (!node[field] || (std::string(field) == "runtime" && !node[field].IsMap())) continue;
        Report(node[field].Mark(), path + "." + field,
               std::string("an existing daemon (endpoint) runs as its owner set it up: faultline "
                           "sets no ") +
                   (std::string(field) == "runtime" ? "runtime path or args" : field) + " for it");
      }
      return;
    }
    const YAML::Node daemon = node["daemon"];
    if (!daemon) return;
    const std::string at = path + ".daemon";
    if (const YAML::Node args = daemon["args"]) {
      for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string arg = args[i].Scalar();
        const std::string flag = arg.substr(0, arg.find('='));
        if (std::find(spec->owned_flags.begin(), spec->owned_flags.end(), flag) ==
            spec->owned_flags.end()) {
          continue;
        }
        Report(args[i].Mark(), at + ".args[" + std::to_string(i) + "]",
               "faultline sets " + flag + " itself for the " + t.driver +
                   " driver (its state stays where faultline cleans up); flags it sets: " +
                   Join(spec->owned_flags));
      }
    }
    if (const YAML::Node config = daemon["config"]) {
      if (!spec->daemon_config) {
        Report(config.Mark(), at + ".config",
               "driver '" + t.driver +
                   "' takes no daemon config (faultline writes its configuration whole); config "
                   "works with the docker driver (daemon.json)");
        return;
      }
      for (const auto& item : config) {
        const std::string key = item.first.Scalar();
        if (std::find(spec->owned_config.begin(), spec->owned_config.end(), key) ==
            spec->owned_config.end()) {
          continue;
        }
        Report(item.first.Mark(), at + ".config." + key,
               "faultline sets '" + key + "' itself for the " + t.driver +
                   " driver (use the target's runtime and live_restore fields); keys it sets: " +
                   Join(spec->owned_config));
      }
    }
  }

  GateDefaults BuildGate(const YAML::Node& node, const Scenario& s) {
    GateDefaults gate;
    gate.where = Where(file_, node.Mark());
    for (auto [field, name] : {std::pair{"base", &gate.base}, {"candidate", &gate.candidate}}) {
      const YAML::Node value = node[field];
      if (!value) continue;
      *name = value.Scalar();
      const bool known = std::any_of(s.targets.begin(), s.targets.end(),
                                     [&](const Target& t) { return t.name == *name; });
      if (!known) {
        Report(value.Mark(), std::string("gate.") + field, "no target named '" + *name + "'");
      }
    }
    if (!gate.base.empty() && gate.base == gate.candidate) {
      Report(node["candidate"].Mark(), "gate.candidate",
             "the candidate must be another target than the base");
    }
    if (const YAML::Node step = node["step"]) {
      gate.step = step.Scalar();
      const auto it = std::find_if(s.steps.begin(), s.steps.end(),
                                   [&](const Step& st) { return st.name == gate.step; });
      if (it == s.steps.end() || it->kind != Step::Kind::kStart || !it->record) {
        Report(step.Mark(), "gate.step",
               "expected a recorded start step (each slot of the gate is one run of it), got '" +
                   gate.step + "'");
      }
    }
    for (auto [field, value] : {std::pair{"tolerance", &gate.tolerance},
                                {"detection", &gate.detection},
                                {"alpha", &gate.alpha}}) {
      if (const YAML::Node n = node[field]) *value = ScalarNumber(n);
    }
    if (const YAML::Node n = node["max_quads"]) gate.max_quads = U32(n);
    if (const YAML::Node metrics = node["metrics"]) {
      gate.metrics = Strings(metrics);
      for (std::size_t i = 0; i < metrics.size(); ++i) {
        const auto first = std::find(gate.metrics.begin(), gate.metrics.end(), gate.metrics[i]);
        if (first != gate.metrics.begin() + static_cast<std::ptrdiff_t>(i)) {
          Report(metrics[i].Mark(), "gate.metrics[" + std::to_string(i) + "]",
                 "'" + gate.metrics[i] + "' is gated twice");
        }
      }
    }
    if (gate.tolerance.value_or(0.03) >= gate.detection.value_or(0.10)) {
      Report(node.Mark(), "gate",
             "tolerance (the slowdown that FAILs) must be below detection (the size a PASS "
             "rules out)");
    }
    return gate;
  }

  ImageRef BuildImage(const std::string& text) {
    ImageRef image;
    std::string path;
    if (text.rfind("oci:", 0) == 0) {
      image.kind = ImageRef::Kind::kOciLayout;
      path = text.substr(4);
    } else if (text.rfind("rootfs:", 0) == 0) {
      image.kind = ImageRef::Kind::kRootfs;
      path = text.substr(7);
    } else {
      return image;  // busybox
    }
    image.path = Resolve(path);
    return image;
  }

  // Relative to the scenario, so a scenario and what it names can move together.
  std::string Resolve(const std::string& path) const {
    fs::path p(path);
    if (p.is_relative()) p = base_ / p;
    return p.lexically_normal().string();
  }

  Step BuildStep(const YAML::Node& node) {
    Step step;
    step.name = node["name"].Scalar();
    step.where = Where(file_, node.Mark());
    if (const YAML::Node r = node["record"]) step.record = ScalarBoolean(r).value_or(true);
    if (const YAML::Node n = node["node"]) step.node = n.Scalar();
    const YAML::Node w = node["workload"];
    if (w["kind"].Scalar() == "steady") {
      step.kind = Step::Kind::kSteady;
      SteadyWorkload& st = step.steady;
      st.duration = DurationOr(w["duration"], st.duration);
      if (const YAML::Node v = w["churn_rate"]) {
        if (auto rate = ParseRate(v.Scalar()); rate.ok()) st.churn_rate_per_second = *rate;
      }
      if (const YAML::Node v = w["churn_keep"]) st.churn_keep = U32(v);
      if (const YAML::Node v = w["command"]) st.command = Strings(v);
      if (const YAML::Node v = w["rr_rate"]) {
        if (auto rate = ParseRate(v.Scalar()); rate.ok()) st.rr_rate_per_second = *rate;
      }
      if (const YAML::Node v = w["rr_size"]) st.rr_size = U32(v);
      st.rr_timeout = DurationOr(w["rr_timeout"], st.rr_timeout);
    } else if (w["kind"].Scalar() == "density") {
      step.kind = Step::Kind::kDensity;
      DensityWorkload& d = step.density;
      d.max = U32(w["max"]);
      if (const YAML::Node v = w["step"]) d.step = U32(v);
      if (const YAML::Node v = w["concurrency"]) d.concurrency = U32(v);
      if (const YAML::Node v = w["command"]) d.command = Strings(v);
      if (const YAML::Node v = w["memory_budget"]) {
        if (auto bytes = ParseSize(v.Scalar()); bytes.ok()) d.memory_budget_bytes = *bytes;
      }
      if (const YAML::Node v = w["start_p99_max"]) {
        if (auto ns = ParseDuration(v.Scalar()); ns.ok()) d.start_p99_max = *ns;
      }
      d.settle = DurationOr(w["settle"], d.settle);
    } else {
      step.kind = Step::Kind::kStart;
      StartWorkload& st = step.start;
      st.count = U32(w["count"]);
      if (const YAML::Node v = w["concurrency"]) st.concurrency = U32(v);
      if (const YAML::Node v = w["rate"]) {
        if (auto rate = ParseRate(v.Scalar()); rate.ok()) st.rate_per_second = *rate;
      }
      if (const YAML::Node v = w["command"]) st.command = Strings(v);
      if (const YAML::Node v = w["via"]) {
        st.via = v.Scalar() == "run" ? StartWorkload::Via::kRun : StartWorkload::Via::kCreateStart;
      }
    }
    return step;
  }

  Cluster BuildCluster(const YAML::Node& node) {
    Cluster c;
    c.where = Where(file_, node.Mark());
    // A cluster: block means a virtual cluster unless it says otherwise.
    c.kind = node["kind"] && node["kind"].Scalar() == "local" ? Cluster::Kind::kLocal
                                                              : Cluster::Kind::kVirtual;
    if (const YAML::Node n = node["nodes"]) c.nodes = U32(n);
    if (const YAML::Node n = node["node"]) {
      if (const YAML::Node cpus = n["cpus"]) c.node_cpus = ScalarNumber(cpus);
      if (const YAML::Node memory = n["memory"]) {
        if (auto bytes = ParseSize(memory.Scalar()); bytes.ok()) c.node_memory_bytes = *bytes;
      }
      if (const YAML::Node count = n["containers"]) c.node_containers = U32(count);
    }
    if (const YAML::Node p = node["placement"]) {
      c.placement = p.Scalar() == "binpack"  ? Cluster::Placement::kBinpack
                    : p.Scalar() == "pinned" ? Cluster::Placement::kPinned
                                             : Cluster::Placement::kSpread;
    }
    if (const YAML::Node d = node["cgroup_driver"]) {
      c.cgroup_driver = d.Scalar() == "systemd" ? Cluster::CgroupDriver::kSystemd
                                                : Cluster::CgroupDriver::kCgroupfs;
    }
    if (c.kind == Cluster::Kind::kLocal) {
      for (const char* field : {"nodes", "node", "placement"}) {
        if (const YAML::Node f = node[field]) {
          Report(f.Mark(), std::string("cluster.") + field,
                 "a local cluster is this host alone and takes no '" + std::string(field) +
                     "'; set kind: virtual for a cluster of nodes");
        }
      }
    }
    return c;
  }

  // Node references, pinned placement and binpack capacity: what the schema cannot check.
  void CheckPlacement(const YAML::Node& doc, const Scenario& s) {
    const bool is_virtual = s.cluster.kind == Cluster::Kind::kVirtual;
    const std::vector<std::string> names = NodeNames(s.cluster);
    auto check_node = [&](const YAML::Node& at, const std::string& path, const std::string& name) {
      if (!is_virtual) {
        Report(at.Mark(), path,
               "'node' needs a virtual cluster (add cluster: {kind: virtual, nodes: N})");
      } else if (std::find(names.begin(), names.end(), name) == names.end()) {
        Report(at.Mark(), path, Unknown("node", name, names));
      }
    };
    const YAML::Node targets = doc["target"] ? doc["target"] : doc["targets"];
    for (std::size_t i = 0; i < s.targets.size(); ++i) {
      const YAML::Node t = doc["target"] ? targets : targets[i];
      const std::string path = doc["target"] ? "target" : "targets[" + std::to_string(i) + "]";
      if (s.targets[i].node) check_node(t["node"], path + ".node", *s.targets[i].node);
    }
    const YAML::Node steps = doc["steps"];
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
      const Step& step = s.steps[i];
      const std::string path = "steps[" + std::to_string(i) + "]";
      if (step.node) check_node(steps[i]["node"], path + ".node", *step.node);
      if (step.kind == Step::Kind::kSteady) {
        const YAML::Node w = steps[i]["workload"];
        if (step.steady.duration > std::chrono::hours(1)) {
          Report(w["duration"].Mark(), path + ".workload.duration",
                 "a steady workload runs at most 1h, got " + w["duration"].Scalar());
        }
        if (step.steady.rr_rate_per_second && !is_virtual) {
          Report(w["rr_rate"].Mark(), path + ".workload.rr_rate",
                 "TCP traffic between nodes needs a virtual cluster (add cluster: {kind: "
                 "virtual, nodes: N})");
        }
        continue;  // steady load runs on every node
      }
      if (s.cluster.placement != Cluster::Placement::kPinned || step.node) continue;
      for (const Target& target : s.targets) {
        if (target.node) continue;
        Report(steps[i].Mark(), path,
               "placement pinned: step '" + step.name + "' names no node and target '" +
                   target.name + "' has none either; add node: " + names.front() +
                   " to the step or the target");
        break;
      }
    }
    if (s.cluster.placement == Cluster::Placement::kBinpack && !s.cluster.node_containers) {
      for (const Target& target : s.targets) {
        const bool by_cpu = s.cluster.node_cpus && target.resources.cpus;
        const bool by_memory = s.cluster.node_memory_bytes && target.resources.memory_bytes;
        if (by_cpu || by_memory) continue;
        const YAML::Node placement = doc["cluster"]["placement"];
        Report(placement.Mark(), "cluster.placement",
               "binpack fills a node to its capacity, but target '" + target.name +
                   "' gives none: set cluster.node.containers, or node cpus/memory together "
                   "with the target's resources");
        break;
      }
    }
  }

  // The daemons keep a cgroup driver of their own configuration; faultline passes its driver
  // only to the runtimes it calls itself.
  void CheckCgroupDriver(const YAML::Node& doc, const Scenario& s) {
    if (s.cluster.cgroup_driver != Cluster::CgroupDriver::kSystemd) return;
    for (const Target& target : s.targets) {
      if (target.driver == "oci") continue;
      Report(doc["cluster"]["cgroup_driver"].Mark(), "cluster.cgroup_driver",
             "the systemd cgroup driver is for targets of the oci driver (runc, crun); target '" +
                 target.name + "' uses " + target.driver);
      return;
    }
  }

  SloRule BuildSlo(const YAML::Node& node, const std::string& path, const Scenario& s) {
    SloRule rule;
    const std::string metric = node["metric"].Scalar();
    const std::size_t dot = metric.rfind('.');
    rule.metric = metric.substr(0, dot);
    rule.statistic = dot == std::string::npos ? "" : metric.substr(dot + 1);
    const std::string max = node["max"].Scalar();
    if (auto ns = ParseDuration(max); ns.ok()) {
      rule.max = std::chrono::duration<double>(*ns).count();
    }
    rule.text = metric + " <= " + max;
    rule.where = Where(file_, node.Mark());
    if (const YAML::Node step = node["step"]) {
      rule.step = step.Scalar();
      std::vector<std::string> names;
      const Step* found = nullptr;
      for (const Step& st : s.steps) {
        names.push_back(st.name);
        if (st.name == *rule.step) found = &st;
      }
      if (!found) {
        Report(step.Mark(), path + ".step", Unknown("step", *rule.step, names));
      } else if (!found->record) {
        Report(step.Mark(), path + ".step",
               "step '" + found->name + "' has record: false, so it has no samples to check");
      }
    }
    if (const YAML::Node target = node["target"]) {
      rule.target = target.Scalar();
      std::vector<std::string> names;
      for (const Target& t : s.targets) names.push_back(t.name);
      if (std::find(names.begin(), names.end(), *rule.target) == names.end()) {
        Report(target.Mark(), path + ".target", Unknown("target", *rule.target, names));
      }
    }
    return rule;
  }

  // `target:` names a target; platform.* faults need one that runs a daemon, and name it
  // unless the fault is bound to a step or the scenario has one target.
  void CheckFaultTarget(const YAML::Node& node, const std::string& path, const Scenario& s,
                        Fault& f) {
    const bool platform = f.kind.rfind("platform.", 0) == 0;
    const YAML::Node target = node["target"];
    std::vector<const Target*> acted_on;
    if (target) {
      f.target = target.Scalar();
      f.written["target"] = *f.target;
      std::vector<std::string> names;
      for (const Target& t : s.targets) {
        names.push_back(t.name);
        if (t.name == *f.target) acted_on.push_back(&t);
      }
      if (acted_on.empty()) {
        Report(target.Mark(), path + ".target", Unknown("target", *f.target, names));
        return;
      }
      if (!platform && !f.step) {
        Report(target.Mark(), path + ".target",
               "applies to platform.* faults and to faults bound to a step ('step'); " + f.kind +
                   " here acts on the run's nodes whatever runs on them");
        return;
      }
    } else if (platform) {
      if (!f.step && s.targets.size() > 1) {
        Report(node.Mark(), path,
               f.kind +
                   " needs 'target' (whose platform daemon it kills) when it is not bound "
                   "to a step and the scenario has several targets");
        return;
      }
      for (const Target& t : s.targets) acted_on.push_back(&t);
    }
    if (!platform) return;
    for (const Target* t : acted_on) {
      const drivers::DriverSpec* spec = drivers::FindDriverSpec(t->driver);
      std::string why_not;
      if (spec && drivers::DaemonOf(*spec, t->options, &why_not).empty()) {
        const std::string why = "driver " + t->driver + (why_not.empty() ? "" : " with " + why_not);
        Report(target ? target.Mark() : node.Mark(), target ? path + ".target" : path,
               f.kind + " acts on a platform daemon faultline runs; target '" + t->name + "' (" +
                   why + ") has none" + (target ? "" : ": name a target that does with 'target'"));
      }
    }
  }

  Fault BuildFault(const YAML::Node& node, const std::string& path, const Scenario& s) {
    Fault f;
    f.where = Where(file_, node.Mark());
    const YAML::Node kind = node["kind"];
    f.kind = kind.Scalar();
    const std::vector<std::string> kinds = chaos::RegisteredKinds();
    const chaos::FaultKindInfo* info = chaos::FindFaultKind(f.kind);
    if (std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) {
      Report(kind.Mark(), path + ".kind", Unknown("fault kind", f.kind, kinds));
      return f;
    }
    auto duration = [&](const char* key, Nanos fallback) {
      const YAML::Node v = node[key];
      if (!v) return fallback;
      f.written[key] = v.Scalar();
      return DurationOr(v, fallback);
    };
    f.at = duration("at", f.at);
    f.ttl = duration("for", f.ttl);
    f.jitter = duration("jitter", f.jitter);
    if (node["every"]) f.every = duration("every", Nanos(0));
    const YAML::Node ttl = node["for"];
    if (f.ttl <= Nanos(0)) {
      Report(ttl.Mark(), path + ".for", "must be longer than 0s: a fault lasts for a while");
    } else if (f.ttl > std::chrono::hours(1)) {
      Report(ttl.Mark(), path + ".for",
             "at most 1h, got " + ttl.Scalar() + " (a drill's fault must end on its own)");
    }
    if (f.every && *f.every < f.ttl + f.jitter) {
      Report(node["every"].Mark(), path + ".every",
             "must be at least for + jitter (" + FormatDuration(f.ttl + f.jitter) +
                 ") so occurrences never overlap, got " + node["every"].Scalar());
    }
    if (const YAML::Node step = node["step"]) {
      f.step = step.Scalar();
      std::vector<std::string> names;
      for (const Step& st : s.steps) names.push_back(st.name);
      if (std::find(names.begin(), names.end(), *f.step) == names.end()) {
        Report(step.Mark(), path + ".step", Unknown("step", *f.step, names));
      }
    }

    CheckFaultTarget(node, path, s, f);

    // Targets.
    const std::vector<std::string> node_names = NodeNames(s.cluster);
    auto check_nodes = [&](const YAML::Node& list, const std::string& at,
                           std::vector<std::string>& out) {
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string name = list[i].Scalar();
        if (std::find(node_names.begin(), node_names.end(), name) == node_names.end()) {
          Report(list[i].Mark(), at + "[" + std::to_string(i) + "]",
                 Unknown("node", name, node_names) + "; the cluster has " +
                     std::to_string(node_names.size()) + " node" +
                     (node_names.size() == 1 ? "" : "s"));
        } else if (std::find(out.begin(), out.end(), name) != out.end()) {
          Report(list[i].Mark(), at + "[" + std::to_string(i) + "]",
                 "node '" + name + "' appears twice");
        }
        out.push_back(name);
      }
    };
    const YAML::Node nodes = node["nodes"], between = node["between"],
                     partition = node["partition"], containers = node["containers"];
    auto forbid = [&](const YAML::Node& v, const char* key, const std::string& why) {
      if (v) Report(v.Mark(), path + "." + key, "does not apply to " + f.kind + ": " + why);
    };
    switch (info->target) {
      case chaos::FaultTarget::kNodes:
        forbid(between, "between", "it acts on 'nodes'");
        forbid(partition, "partition", "it acts on 'nodes'");
        forbid(containers, "containers", "it acts on 'nodes'");
        if (!nodes) {
          Report(
              node.Mark(), path,
              f.kind + " needs 'nodes' (the nodes it acts on, e.g. [" + node_names.front() + "])");
        } else {
          check_nodes(nodes, path + ".nodes", f.nodes);
          f.written["nodes"] = Join(f.nodes);
        }
        break;
      case chaos::FaultTarget::kGroups: {
        forbid(nodes, "nodes", "partitions take 'between' or 'partition'");
        forbid(containers, "containers", "partitions take 'between' or 'partition'");
        if (!between == !partition) {
          Report(node.Mark(), path,
                 f.kind +
                     " needs exactly one of 'between' (groups of nodes) and 'partition' "
                     "(isolate, majority-minority or ring)");
        } else if (between) {
          std::vector<std::string> seen;
          for (std::size_t g = 0; g < between.size(); ++g) {
            std::vector<std::string> group;
            const std::size_t before = seen.size();
            check_nodes(between[g], path + ".between[" + std::to_string(g) + "]", seen);
            group.assign(seen.begin() + static_cast<std::ptrdiff_t>(before), seen.end());
            f.between.push_back(group);
          }
          std::string text;
          for (const auto& g : f.between) text += (text.empty() ? "[" : " | [") + Join(g) + "]";
          f.written["between"] = text;
        } else {
          const std::string p = partition.Scalar();
          f.partition = p == "isolate" ? Fault::Partition::kIsolate
                        : p == "ring"  ? Fault::Partition::kRing
                                       : Fault::Partition::kMajorityMinority;
          f.written["partition"] = p;
          const std::size_t minimum = f.partition == Fault::Partition::kRing ? 4 : 2;
          if (node_names.size() < minimum) {
            Report(partition.Mark(), path + ".partition",
                   "partition '" + p + "' needs at least " + std::to_string(minimum) +
                       " nodes; the cluster has " + std::to_string(node_names.size()));
          }
        }
        break;
      }
      case chaos::FaultTarget::kContainers:
        forbid(nodes, "nodes", "it acts on 'containers'");
        forbid(between, "between", "it acts on 'containers'");
        forbid(partition, "partition", "it acts on 'containers'");
        if (!containers) {
          Report(node.Mark(), path,
                 f.kind + " needs 'containers' (how many running containers it acts on)");
        } else {
          f.containers = U32(containers);
          f.written["containers"] = containers.Scalar();
        }
        break;
    }

    // Parameters: the ones a kind requires must be there; others must belong to the kind.
    static const std::map<std::string, std::vector<std::string>> kAppliesTo = {
        {"probability", {"network.loss", "network.corrupt", "network.duplicate"}},
        {"delay", {"network.delay"}},
        {"delay_jitter", {"network.delay"}},
        {"rate", {"network.bandwidth"}},
        {"workers", {"node.cpu_stress", "node.memory_stress"}},
        {"memory", {"node.memory_stress"}},
        {"size", {"node.disk_fill"}},
    };
    for (const auto& [key, applies] : kAppliesTo) {
      const YAML::Node v = node[key];
      if (!v) {
        if (std::find(info->required.begin(), info->required.end(), key) != info->required.end()) {
          Report(node.Mark(), path, f.kind + " needs '" + key + "'");
        }
        continue;
      }
      if (std::find(applies.begin(), applies.end(), f.kind) == applies.end()) {
        Report(v.Mark(), path + "." + key,
               "does not apply to " + f.kind + " (it is a parameter of " + Join(applies) + ")");
        continue;
      }
      f.written[key] = v.Scalar();
      if (key == "probability") {
        const std::string text = v.Scalar();
        if (!text.empty() && text.back() == '%') {
          const double percent = std::strtod(text.c_str(), nullptr);
          if (percent <= 0 || percent > 100) {
            Report(v.Mark(), path + ".probability",
                   "expected a percentage above 0% and at most 100%, got " + text);
          }
          f.probability = percent / 100;
        } else {
          f.probability = ScalarNumber(v);
        }
      } else if (key == "delay") {
        f.delay = DurationOr(v, Nanos(0));
      } else if (key == "delay_jitter") {
        f.delay_jitter = DurationOr(v, Nanos(0));
      } else if (key == "rate") {
        auto bits = ParseBitRate(v.Scalar());
        if (bits.ok()) {
          f.rate_bits_per_second = *bits;
        } else {
          Report(v.Mark(), path + ".rate", bits.error().message);
        }
      } else if (key == "workers") {
        f.workers = U32(v);
      } else if (auto bytes = ParseSize(v.Scalar()); bytes.ok()) {
        (key == "memory" ? f.memory_bytes : f.size_bytes) = *bytes;
      }
    }
    return f;
  }

  static std::string Join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
  }

  static std::string Unknown(const std::string& what, const std::string& name,
                             const std::vector<std::string>& names) {
    const std::string guess = ClosestMatch(name, names);
    if (!guess.empty()) return "unknown " + what + " '" + name + "'; did you mean '" + guess + "'?";
    std::string list;
    std::vector<std::string> listed;
    for (const auto& n : names) {
      if (std::find(listed.begin(), listed.end(), n) != listed.end()) continue;
      listed.push_back(n);
      list += (list.empty() ? "" : ", ") + n;
    }
    return "unknown " + what + " '" + name + "' (" + what + "s: " + list + ")";
  }

  std::string file_;
  fs::path base_;
  std::vector<SchemaError> errors_;
};

Result<Scenario> Load(std::string_view text, const std::string& file, const std::string& base_dir) {
  const nlohmann::json& schema = ScenarioSchema();
  if (schema.empty()) return Internal("the built-in scenario schema is not valid JSON");
  if (IsBlank(text)) {
    return InvalidArgument(file +
                           ":1:1: (root): the file is empty; expected a scenario with version, "
                           "name, target and steps");
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    const SourceLocation at = Where(file, e.mark);
    return InvalidArgument(file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                           ": syntax error: " + e.msg);
  }
  if (docs.empty() || docs[0].IsNull()) {
    return InvalidArgument(file +
                           ":1:1: (root): the file is empty; expected a scenario with version, "
                           "name, target and steps");
  }
  if (docs.size() > 1) {
    const SourceLocation at = Where(file, docs[1].Mark());
    return InvalidArgument(file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                           ": (root): expected one scenario per file, found " +
                           std::to_string(docs.size()) + " YAML documents");
  }
  std::vector<SchemaError> errors = ValidateAgainstSchema(docs[0], schema, file);
  if (!errors.empty()) return JoinErrors(std::move(errors), file);

  fs::path base = base_dir.empty() ? fs::path(".") : fs::path(base_dir);
  std::error_code ec;
  if (fs::path absolute = fs::absolute(base, ec); !ec) base = absolute;
  Builder builder(file, base);
  Scenario scenario = builder.Build(docs[0]);
  if (!builder.errors().empty()) return JoinErrors(std::move(builder.errors()), file);
  scenario.source_path = file;
  scenario.sha256 = Sha256Hex(text);
  return scenario;
}

// The whole file, or an InvalidArgument naming the path and the reason.
Result<std::string> ReadFile(const std::string& path) {
  auto fail = [&](int err) {
    return InvalidArgument("cannot read scenario file '" + path + "': " + std::strerror(err));
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return fail(err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return fail(EISDIR);
  }
  std::string bytes;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return fail(err);
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return bytes;
}

}  // namespace

namespace {

// Where the first byte that is not valid UTF-8 is (0-based offset), if any. Scenario text ends up
// in JSON documents (runtime configs, results), which must be UTF-8.
std::optional<std::size_t> FirstInvalidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const std::size_t length = byte < 0x80           ? 1
                               : (byte >> 5) == 0x6  ? 2
                               : (byte >> 4) == 0xe  ? 3
                               : (byte >> 3) == 0x1e ? 4
                                                     : 0;
    if (length == 0 || i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return i;
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> NodeNames(const Cluster& cluster) {
  if (cluster.kind == Cluster::Kind::kLocal) return {"local"};
  std::vector<std::string> names;
  for (std::uint32_t i = 1; i <= cluster.nodes; ++i) names.push_back("node-" + std::to_string(i));
  return names;
}

Result<Scenario> LoadScenarioText(std::string_view text, const std::string& display_name,
                                  const std::string& base_dir) {
  if (auto bad = FirstInvalidUtf8(text)) {
    const std::string_view before = text.substr(0, *bad);
    const std::size_t line =
        static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
    const std::size_t line_start = before.rfind('\n');
    const std::size_t column =
        *bad - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[*bad]));
    return InvalidArgument(display_name + ":" + std::to_string(line) + ":" +
                           std::to_string(column) + ": (root): byte " + hex +
                           " is not valid UTF-8; scenario files must be UTF-8 text");
  }
  try {
    return Load(text, display_name, base_dir);
  } catch (const std::exception& e) {
    // Library exceptions stop here; callers only ever see Result.
    return Internal("loading " + display_name + ": " + e.what());
  }
}

Result<Scenario> LoadScenarioFile(const std::string& path) {
  FL_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(path), ec).parent_path();
  if (ec) dir = fs::path(path).parent_path();
  return LoadScenarioText(bytes, path, dir.string());
}

}  // namespace faultline::scenario
