// The confinement faultline gives containers whose OCI config it writes (oci, containerd): the
// defaults Docker and containerd apply, so runc and crun numbers compare fairly with the daemon
// platforms'. The seccomp profile is read from the file Debian's golang-github-containers-common
// installs (the Docker profile format) and converted for this host's architecture, kernel and
// the container's capabilities, as those platforms convert theirs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/result.h"
#include "harness/scenario/model.h"

namespace faultline::drivers::oci {

inline constexpr const char* kDefaultSeccompProfile = "/usr/share/containers/seccomp.json";

struct ContainerSecurity {
  std::vector<std::string> capabilities;  // bounding, effective and permitted
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  nlohmann::json seccomp;  // linux.seccomp of the OCI config; null: no filter
};

// Docker's and containerd's default capability set.
const std::vector<std::string>& DefaultCapabilities();

// The confinement of SECURITY on this host (machine and kernel from uname); kDefault reads and
// converts PROFILE_PATH. Done once per driver, not per container: bundle preparation is measured.
Result<ContainerSecurity> LoadContainerSecurity(
    scenario::Security security, const std::string& profile_path = kDefaultSeccompProfile);

// PROFILE (the Docker format: archMap, syscalls with includes/excludes) as the OCI config's
// linux.seccomp for a container with CAPS on a MACHINE (uname -m) running KERNEL (uname -r): only
// the rules whose conditions hold, the architectures of MACHINE's archMap entry.
Result<nlohmann::json> SeccompForOci(const nlohmann::json& profile, const std::string& machine,
                                     const std::string& kernel,
                                     const std::vector<std::string>& caps);

}  // namespace faultline::drivers::oci
