#include "harness/drivers/registry.h"

#include <algorithm>

#include "harness/core/files.h"
#include "harness/drivers/docker/docker_kind.h"
#include "harness/drivers/oci/oci_kind.h"
#include "harness/drivers/podman/podman_kind.h"

namespace faultline::drivers {

Status RequireInPath(const scenario::Target& target, const std::vector<std::string>& programs,
                     const std::string& packages) {
  for (const auto& program : programs) {
    if (FindExecutable(program).empty()) {
      return FailedPrecondition("target " + target.name + ": " + program +
                                " not found in PATH (install the Debian packages " + packages +
                                ")");
    }
  }
  return OkStatus();
}

const std::vector<const DriverKind*>& DriverKinds() {
  static const std::vector<const DriverKind*> kinds = {&oci::Kind(), &docker::Kind(),
                                                       &podman::Kind()};
  return kinds;
}

const DriverKind* FindDriverKind(const std::string& name) {
  for (const DriverKind* kind : DriverKinds()) {
    if (kind->spec().name == name) return kind;
  }
  return nullptr;
}

const DriverKind* FindDriverKindForRecord(const std::string& kind) {
  for (const DriverKind* driver : DriverKinds()) {
    const auto kinds = driver->JournalKinds();
    if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) return driver;
  }
  return nullptr;
}

Result<std::unique_ptr<Driver>> OpenDriver(const scenario::Target& target,
                                           const DriverEnvironment& env) {
  const DriverKind* kind = FindDriverKind(target.driver);
  if (!kind) return InvalidArgument("unknown driver '" + target.driver + "'");
  return kind->Open(target, env);
}

}  // namespace faultline::drivers
