#include "harness/drivers/daemon/platform_footprint.h"

#include "harness/core/cgroup.h"
#include "harness/core/files.h"

namespace faultline::drivers {

PlatformFootprint::PlatformFootprint(Journal* journal, const PlatformNode& node,
                                     const std::string& run_id, const std::string& target,
                                     std::string dir)
    : journal_(journal),
      target_(target),
      node_(node.name),
      dir_(std::move(dir)),
      platform_cgroup_(node.cgroup + "/fl-" + run_id + "-" + target + "-platform"),
      containers_cgroup_(node.cgroup + "/fl-" + run_id + "-" + target + "-containers") {}

Status PlatformFootprint::Claim(const char* kind, nlohmann::json data) {
  // The record first: `recover` undoes newest first, so the cgroups (with every process of the
  // platform, its mount namespace's holder too) go before the directory.
  data["dir"] = dir_;
  data["target"] = target_;
  data["node"] = node_;
  FL_ASSIGN_OR_RETURN(std::uint64_t record, journal_->Acquire(kind, std::move(data)));
  records_.push_back(record);
  for (const std::string* cgroup : {&platform_cgroup_, &containers_cgroup_}) {
    FL_ASSIGN_OR_RETURN(std::uint64_t seq,
                        journal_->Acquire(journal_kind::kCgroup, {{"path", *cgroup}}));
    records_.push_back(seq);
  }
  return MakeDirs(dir_, 0700);
}

Status PlatformFootprint::Remove(const std::function<Status(const std::string& dir)>& remove_dir) {
  if (!claimed()) return OkStatus();
  Status status = RemoveCgroupTree(containers_cgroup_);
  Status platform = RemoveCgroupTree(platform_cgroup_);
  if (status.ok()) status = platform;
  Status removed = remove_dir ? remove_dir(dir_) : RemoveDirAndMounts(dir_);
  if (status.ok()) status = removed;
  if (!status.ok()) return status;
  for (auto it = records_.rbegin(); it != records_.rend(); ++it) journal_->Release(*it);
  records_.clear();
  return OkStatus();
}

Status RemoveDirAndMounts(const std::string& dir) {
  FL_RETURN_IF_ERROR(UnmountAllBelow(dir));
  return RemoveTree(dir);
}

Result<std::string> RecordedPlatformDir(const nlohmann::json& data, const std::string& run_id,
                                        const std::string& run_dir, const std::string& what) {
  const std::string dir = data.at("dir").get<std::string>();
  if (run_id.empty() || !PathInside(dir, run_dir, false)) {
    return InvalidArgument("refusing to remove " + what + " " + dir + ": not inside run " + run_id);
  }
  return dir;
}

}  // namespace faultline::drivers
