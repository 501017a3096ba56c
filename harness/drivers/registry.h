// Drivers are registered here by name; a scenario naming an unknown one fails validation.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/core/journal.h"
#include "harness/drivers/driver.h"
#include "harness/scenario/model.h"

namespace faultline::drivers {

// What a run hands every driver it opens.
struct DriverEnvironment {
  std::string run_dir;
  std::string cgroup_parent;  // relative cgroup of the run: "faultline/<run id>"
  std::string lower_rootfs;   // the target's prepared image
  Journal* journal = nullptr;
};

std::vector<std::string> RegisteredDrivers();

Result<std::unique_ptr<Driver>> OpenDriver(const scenario::Target& target,
                                           const DriverEnvironment& env);

}  // namespace faultline::drivers
