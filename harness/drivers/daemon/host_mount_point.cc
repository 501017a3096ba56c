#include "harness/drivers/daemon/host_mount_point.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <mutex>

#include "harness/core/files.h"

namespace faultline::drivers {
namespace {

struct Use {
  int users = 0;
  Journal* journal = nullptr;  // set when this process made the directory
  std::uint64_t record = 0;
};

std::mutex g_mu;
std::map<std::string, Use> g_uses;  // by path

}  // namespace

Result<HostMountPoint> HostMountPoint::Acquire(const std::string& path, Journal* journal) {
  std::lock_guard lock(g_mu);
  Use& use = g_uses[path];
  if (use.users == 0 && !PathExists(path)) {
    auto record = journal->Acquire(kHostMountPointRecord, {{"path", path}});
    if (!record.ok()) {
      g_uses.erase(path);
      return std::move(record).error();
    }
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      const int error = errno;
      journal->Release(*record);
      g_uses.erase(path);
      return ErrnoError("cannot make the mount point " + path, error);
    }
    use.journal = journal;
    use.record = *record;
  }
  ++use.users;
  return HostMountPoint(path);
}

HostMountPoint& HostMountPoint::operator=(HostMountPoint&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

void HostMountPoint::Release() {
  if (path_.empty()) return;
  std::lock_guard lock(g_mu);
  auto use = g_uses.find(path_);
  if (use != g_uses.end() && --use->second.users == 0) {
    if (use->second.journal) {
      rmdir(path_.c_str());  // fails, and leaves it, when something else is in it now
      use->second.journal->Release(use->second.record);
    }
    g_uses.erase(use);
  }
  path_.clear();
}

Status UndoHostMountPoint(const nlohmann::json& data) {
  const std::string path = data.at("path").get<std::string>();
  if (path != kRunContainerd && path != kVarLibContainers && path != kVarLibCni) {
    return InvalidArgument("refusing to remove " + path + ": not a platform mount point");
  }
  if (rmdir(path.c_str()) != 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EBUSY) {
    return ErrnoError("cannot remove " + path, errno);
  }
  return OkStatus();
}

}  // namespace faultline::drivers
