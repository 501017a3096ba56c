#include "harness/drivers/registry.h"

#include "harness/drivers/oci/oci_driver.h"

namespace faultline::drivers {

std::vector<std::string> RegisteredDrivers() {
  return {"oci"};
}

Result<std::unique_ptr<Driver>> OpenDriver(const scenario::Target& target,
                                           const DriverEnvironment& env) {
  if (target.driver == "oci") {
    FL_ASSIGN_OR_RETURN(auto driver,
                        oci::OciDriver::Open({target.runtime, env.run_dir, env.cgroup_parent,
                                              env.lower_rootfs, env.journal}));
    return std::unique_ptr<Driver>(std::move(driver));
  }
  return InvalidArgument("unknown driver '" + target.driver + "'");
}

}  // namespace faultline::drivers
