// What a private dockerd is told beyond faultline's own flags: the runtime its containers use
// and the target's daemon.json keys (a platform team's configuration under test).
#pragma once

#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline::drivers::docker {

struct EngineRuntime {
  std::string name;               // "runc" | "crun"
  std::string path;               // its binary (resolved)
  bool given_by_path = false;     // the target named the binary ({name, path})
  std::vector<std::string> args;  // the target's global options for it
};

// The runtime's name in dockerd: docker's own "runc" when the target asks for plain runc, else
// the target's runtime registered under faultline's name in daemon.json.
std::string EngineRuntimeName(const EngineRuntime& runtime);

// daemon.json: CONFIG (a JSON object as text, or empty) with, unless docker's own runc serves,
// a `runtimes` entry for RUNTIME. InvalidArgument when CONFIG is not a JSON object.
Result<std::string> DaemonJson(const std::string& config, const EngineRuntime& runtime);

}  // namespace faultline::drivers::docker
