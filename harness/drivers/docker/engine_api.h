// The Docker Engine API calls the docker driver makes, over the daemon's unix socket, at the
// version negotiated with the daemon (at most the one faultline was written against).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/core/clock.h"
#include "harness/core/result.h"
#include "harness/drivers/driver.h"

namespace faultline::drivers::docker {

// The Engine API version faultline speaks: Debian 12's dockerd 20.10.
inline constexpr const char* kApiVersion = "1.41";

struct ContainerState {
  std::string id;      // the full id
  std::string status;  // "created", "running", "exited", ...
};

// The body of POST /containers/create for SPEC: IMAGE, its command, the run's label, the
// node's network (NetworkMode host inside the node), RUNTIME, the resource limits, the engine's
// default confinement or, for SECURITY unconfined, no seccomp filter, and, when not empty,
// CGROUP_PARENT (else the daemon's --cgroup-parent applies).
nlohmann::json CreateBody(const ContainerSpec& spec, const std::string& image,
                          const std::string& runtime, const std::string& run_id,
                          scenario::Security security, const std::string& cgroup_parent = "");

// The label every container faultline makes carries: faultline.run=<run id>.
inline constexpr const char* kRunLabel = "faultline.run";

// For a query string: everything but unreserved characters as %XX.
std::string PercentEncode(const std::string& text);

class EngineApi {
 public:
  explicit EngineApi(std::string socket) : socket_(std::move(socket)) {}

  // Asks the daemon its versions and settles on the lower of its API version and ours.
  // Unavailable while the daemon does not answer.
  Result<nlohmann::json> Negotiate(Nanos timeout);
  // POST /images/load of an image archive; the loaded names.
  Status LoadImage(const std::string& archive_path, Nanos timeout);
  // POST /containers/create?name=NAME; the full id.
  Result<std::string> Create(const std::string& name, const nlohmann::json& body, Nanos timeout);
  Status Start(const std::string& id, Nanos timeout);
  Status Kill(const std::string& id, int signal, Nanos timeout);
  // DELETE with force (kills a running one) and its anonymous volumes. A container the daemon
  // does not know is gone already: not an error.
  Status Remove(const std::string& id, Nanos timeout);
  Result<ContainerState> Inspect(const std::string& id, Nanos timeout);
  // GET /info: the daemon's configuration (CgroupDriver, ...).
  Result<nlohmann::json> Info(Nanos timeout);
  // The ids of every container, running or not, whose label kRunLabel is RUN_ID.
  Result<std::vector<std::string>> ContainersOfRun(const std::string& run_id, Nanos timeout);
  // DELETE /images/REFERENCE (the tag; the image goes with its last tag). Gone already: OK.
  Status RemoveImage(const std::string& reference, Nanos timeout);

  const std::string& socket() const { return socket_; }
  const std::string& version() const { return version_; }

 private:
  std::string Path(const std::string& rest) const { return "/v" + version_ + rest; }

  std::string socket_;
  std::string version_ = kApiVersion;
};

}  // namespace faultline::drivers::docker
