// The platforms a daemon driver runs, one per node, looked up from the workloads' threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "chaos/fault.h"
#include "harness/core/clock.h"
#include "harness/core/result.h"
#include "harness/drivers/driver.h"

namespace faultline::drivers {

// A driver call timed as an operation span.
inline OpResult TimedCall(const std::function<Status()>& call) {
  OpResult op;
  const std::int64_t cpu_before = ThreadCpuNs();
  op.start_ns = BootNowNs();
  op.status = call();
  op.end_ns = BootNowNs();
  op.cpu_ns = ThreadCpuNs() - cpu_before;
  return op;
}

// STATUS, or OK when it says that the thing is not there (anymore): removing what is gone.
inline Status UnlessGone(Status status) {
  if (!status.ok() && status.error().code == ErrorCode::kNotFound) return OkStatus();
  return status;
}

// PLATFORM has Stop() and ResidentBytes().
template <typename Platform>
class NodePlatforms {
 public:
  ~NodePlatforms() {
    std::lock_guard lock(mu_);
    daemons_.clear();
    platforms_.clear();  // each stops what is still running
  }

  // DAEMON (optional) acts on PLATFORM's daemon, for platform.* faults.
  void Add(const std::string& node, std::unique_ptr<Platform> platform,
           std::unique_ptr<chaos::PlatformDaemon> daemon = nullptr) {
    std::lock_guard lock(mu_);
    if (daemon) daemons_[node] = std::move(daemon);
    platforms_[node] = std::move(platform);
  }
  // Stops and forgets NODE's platform; OK when there is none.
  Status Stop(const std::string& node) {
    std::unique_ptr<Platform> stopping;
    {
      std::lock_guard lock(mu_);
      auto it = platforms_.find(node);
      if (it == platforms_.end()) return OkStatus();
      stopping = std::move(it->second);
      platforms_.erase(it);
      daemons_.erase(node);
    }
    return stopping->Stop();
  }
  // NODE's platform (node "" is the local one), or null.
  Platform* Find(const std::string& node) const {
    std::lock_guard lock(mu_);
    auto it = platforms_.find(node.empty() ? "local" : node);
    return it == platforms_.end() ? nullptr : it->second.get();
  }
  chaos::PlatformDaemon* Daemon(const std::string& node) const {
    std::lock_guard lock(mu_);
    auto it = daemons_.find(node.empty() ? "local" : node);
    return it == daemons_.end() ? nullptr : it->second.get();
  }
  void ForEach(const std::function<void(const Platform&)>& visit) const {
    std::lock_guard lock(mu_);
    for (const auto& [name, platform] : platforms_) visit(*platform);
  }
  // The resident memory of every node's platform.
  Result<std::uint64_t> ResidentBytes() const {
    std::lock_guard lock(mu_);
    std::uint64_t total = 0;
    for (const auto& [name, platform] : platforms_) {
      FL_ASSIGN_OR_RETURN(std::uint64_t bytes, platform->ResidentBytes());
      total += bytes;
    }
    return total;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<chaos::PlatformDaemon>> daemons_;
  std::map<std::string, std::unique_ptr<Platform>> platforms_;
};

// A Created for a container whose node has no platform: nothing was attempted.
inline Created NoPlatform(const std::string& driver, const std::string& node) {
  Created created;
  created.prepare.start_ns = created.prepare.end_ns = BootNowNs();
  created.prepare.status =
      FailedPrecondition(driver + " is not running on node " + (node.empty() ? "local" : node));
  created.create.start_ns = created.create.end_ns = created.prepare.end_ns;
  created.create.status = Cancelled("not attempted: no platform on the node");
  return created;
}

}  // namespace faultline::drivers
