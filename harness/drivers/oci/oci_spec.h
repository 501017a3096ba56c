// Builds the OCI runtime config (config.json) for one container.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "harness/drivers/driver.h"
#include "harness/drivers/oci/security.h"

namespace faultline::drivers::oci {

// SPEC's command, resources and network namespace (SPEC.netns joined, else a new one), confined
// by SECURITY; CGROUPS_PATH is absolute within the hierarchy ("/faultline/<run>/<id>"); the
// rootfs is "rootfs" beside config.json.
nlohmann::json MakeRuntimeConfig(const ContainerSpec& spec, const std::string& cgroups_path,
                                 const ContainerSecurity& security);

}  // namespace faultline::drivers::oci
