#include "harness/cluster/addressing.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "harness/core/files.h"
#include "harness/core/systemd.h"

namespace faultline::cluster {

std::string NodeName(int number) {
  return "node-" + std::to_string(number);
}

std::string NodeNetnsName(const std::string& id, const std::string& node) {
  return "fl-" + id + "-" + node;
}

std::string BridgeNetnsName(const std::string& id) {
  return "fl-" + id + "-br";
}

std::string BridgeName(const std::string& id) {
  return "fl-" + id + "-br";
}

std::string BridgePortName(const std::string& id, int number) {
  return "fl-" + id + "-" + std::to_string(number);
}

std::string NodeSliceName(const std::string& id, const std::string& node) {
  return "faultline_" + EscapeUnitNamePart(id) + "-" + EscapeUnitNamePart(node) + ".slice";
}

std::string NetnsPath(const std::string& netns_name) {
  return "/run/netns/" + netns_name;
}

std::string SubnetCidr(int index) {
  return "198." + std::to_string(18 + index / 256) + "." + std::to_string(index % 256) + ".0/24";
}

Result<std::string> NodeAddress(int index, int number) {
  if (index < 0 || index >= kSubnetCount) {
    return InvalidArgument("subnet index " + std::to_string(index) + " outside 198.18.0.0/15");
  }
  if (number < 1 || number > kMaxNodes) {
    return InvalidArgument("node number " + std::to_string(number) + " outside 1.." +
                           std::to_string(kMaxNodes));
  }
  return "198." + std::to_string(18 + index / 256) + "." + std::to_string(index % 256) + "." +
         std::to_string(number);
}

int PreferredSubnet(const std::string& id) {
  return static_cast<int>(std::strtoul(id.c_str(), nullptr, 16) % kSubnetCount);
}

std::string SubnetLeasePath(int index) {
  return StateRoot() + "/subnets/" + std::to_string(index);
}

Result<SubnetLease> LeaseSubnet(const std::string& id, Journal& journal) {
  FL_RETURN_IF_ERROR(MakeDirs(StateRoot() + "/subnets", 0700));
  const int first = PreferredSubnet(id);
  for (int k = 0; k < kSubnetCount; ++k) {
    SubnetLease lease;
    lease.index = (first + k) % kSubnetCount;
    lease.path = SubnetLeasePath(lease.index);
    if (PathExists(lease.path)) continue;
    FL_ASSIGN_OR_RETURN(lease.seq, journal.Acquire(journal_kind::kSubnet,
                                                   {{"path", lease.path}, {"index", lease.index}}));
    const int fd = open(lease.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      const int error = errno;
      journal.Release(lease.seq);
      if (error == EEXIST) continue;  // taken between the check and the create
      return ErrnoError("cannot create subnet lease " + lease.path, error);
    }
    const bool written =
        write(fd, id.data(), id.size()) == static_cast<ssize_t>(id.size()) && fsync(fd) == 0;
    const int error = errno;
    close(fd);
    if (!written) {
      unlink(lease.path.c_str());
      journal.Release(lease.seq);
      return ErrnoError("cannot write subnet lease " + lease.path, error);
    }
    return lease;
  }
  return Unavailable("every /24 subnet of 198.18.0.0/15 is leased (" +
                     std::to_string(kSubnetCount) + " clusters); remove standing clusters");
}

Status ReleaseSubnetLease(const std::string& path, const std::string& id) {
  auto holder = ReadFile(path);
  if (!holder.ok()) return OkStatus();  // gone already
  if (*holder != id) {
    return InvalidArgument("subnet lease " + path + " is held by '" + *holder + "', not " + id);
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError("cannot remove subnet lease " + path, errno);
  }
  return OkStatus();
}

}  // namespace faultline::cluster
