#include "harness/drivers/daemon/daemon_control.h"

#include <dirent.h>

#include <algorithm>

#include "harness/core/cgroup.h"
#include "harness/drivers/http/unix_http.h"

namespace faultline::drivers {

std::function<Status(Nanos)> HttpPing(const std::string& name, const std::string& socket) {
  return [name, socket](Nanos timeout) -> Status {
    FL_ASSIGN_OR_RETURN(http::Response answer, http::Call(socket, {"GET", "/_ping", ""}, timeout));
    if (answer.status != 200) {
      return Unavailable(name + " answered /_ping with " + std::to_string(answer.status));
    }
    return OkStatus();
  };
}

Status DaemonControl::StartOne(const std::string& name, Nanos timeout) {
  ContainerSpec spec;
  spec.id = name;
  spec.command = spec_.command;
  spec.node = spec_.node;
  Created created = spec_.driver->Run(spec, timeout);
  Status started = created.prepare.status.ok() ? created.create.status : created.prepare.status;
  // Removed whether it started or not: it was only there to show the platform takes starts.
  if (created.container) (void)created.container->Delete(timeout);
  return started;
}

std::vector<std::string> DaemonControl::ContainerCgroups() const {
  std::vector<std::string> cgroups;
  const std::string dir = MemoryCgroupDir(spec_.containers_cgroup);
  DIR* d = dir.empty() ? nullptr : opendir(dir.c_str());
  if (!d) return cgroups;
  while (dirent* entry = readdir(d)) {
    const std::string child = entry->d_name;
    if (entry->d_type != DT_DIR || child[0] == '.') continue;
    const auto& helpers = spec_.helper_cgroups;
    if (std::find(helpers.begin(), helpers.end(), child) != helpers.end()) continue;
    cgroups.push_back(spec_.containers_cgroup + "/" + child);
  }
  closedir(d);
  std::sort(cgroups.begin(), cgroups.end());
  return cgroups;
}

}  // namespace faultline::drivers
