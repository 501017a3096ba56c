#include "harness/runner/platform_set.h"

namespace faultline::runner {

Status PlatformSet::Start(const std::vector<TargetPlatform>& targets,
                          const std::vector<drivers::PlatformNode>& nodes) {
  for (const TargetPlatform& target : targets) {
    for (const drivers::PlatformNode& node : nodes) {
      const std::string where = "target " + target.name + " on " + node.name;
      attempted_.emplace_back(target.driver, node);
      if (Status started = target.driver->StartPlatform(node); !started.ok()) {
        return std::move(started).error().With(where);
      }
      auto imported = target.driver->ImportImage(node, target.image);
      if (!imported.ok()) return std::move(imported).error().With(where);
    }
  }
  return OkStatus();
}

Status PlatformSet::Stop() {
  Status status = OkStatus();
  for (auto it = attempted_.rbegin(); it != attempted_.rend(); ++it) {
    Status stopped = it->first->StopPlatform(it->second);
    if (status.ok()) status = stopped;
  }
  attempted_.clear();
  return status;
}

}  // namespace faultline::runner
