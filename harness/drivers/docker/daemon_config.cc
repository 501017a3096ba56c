#include "harness/drivers/docker/daemon_config.h"

#include <nlohmann/json.hpp>

namespace faultline::drivers::docker {

std::string EngineRuntimeName(const EngineRuntime& runtime) {
  // dockerd reserves "runc" for its own entry, which runs runc from PATH without options.
  if (runtime.name == "runc" && !runtime.given_by_path && runtime.args.empty()) return "runc";
  return "faultline-" + runtime.name;
}

Result<std::string> DaemonJson(const std::string& config, const EngineRuntime& runtime) {
  nlohmann::json json =
      config.empty() ? nlohmann::json::object() : nlohmann::json::parse(config, nullptr, false);
  if (!json.is_object()) return InvalidArgument("daemon config is not a JSON object: " + config);
  const std::string name = EngineRuntimeName(runtime);
  if (name != "runc") {
    nlohmann::json entry = {{"path", runtime.path}};
    if (!runtime.args.empty()) entry["runtimeArgs"] = runtime.args;
    json["runtimes"] = {{name, entry}};
  }
  return json.dump(2) + "\n";
}

}  // namespace faultline::drivers::docker
