#include "harness/cluster/resources.h"

#include "harness/cluster/addressing.h"
#include "harness/core/files.h"
#include "harness/core/host.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/core/systemd.h"

namespace faultline::cluster {
namespace {

constexpr auto kIpTimeout = std::chrono::seconds(20);

// A name faultline gave to something of owner ID: fl-<id>-<suffix>, suffix of [a-z0-9-].
bool CarriesId(const std::string& name, const std::string& id) {
  const std::string prefix = "fl-" + id + "-";
  if (id.empty() || name.size() <= prefix.size() || name.rfind(prefix, 0) != 0) return false;
  for (char c : name.substr(prefix.size())) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Error Refuse(const std::string& what, const std::string& id) {
  return InvalidArgument("refusing to remove " + what + ": not created by " + id);
}

// ip's own words for something that is not there.
bool SaysMissing(const std::string& text) {
  return text.find("Cannot find device") != std::string::npos ||
         text.find("No such file") != std::string::npos ||
         text.find("does not exist") != std::string::npos;
}

Result<ProcessOutcome> Ip(std::vector<std::string>& args) {
  args.insert(args.begin(), "ip");
  if (const std::string& host = HostMountNamespacePath(); !host.empty()) {
    args.insert(args.begin(), {"nsenter", "--mount=" + host});
  }
  return RunProcess({args, kIpTimeout, ""});
}

Status DeleteLinkIn(const std::string& netns, const std::string& link) {
  if (!NetnsExists(netns)) return OkStatus();  // went with its namespace
  std::vector<std::string> args = {"-n", netns, "link", "del", link};
  FL_ASSIGN_OR_RETURN(ProcessOutcome outcome, Ip(args));
  if (outcome.ok() || SaysMissing(outcome.err)) return OkStatus();
  return Unavailable("cannot delete " + link + " in " + netns + ": " + outcome.Describe());
}

}  // namespace

Status RunIp(std::vector<std::string> args) {
  FL_ASSIGN_OR_RETURN(ProcessOutcome outcome, Ip(args));
  if (outcome.ok()) return OkStatus();
  std::string command;
  for (const auto& arg : args) command += (command.empty() ? "" : " ") + arg;
  return Unavailable(command + " " + outcome.Describe());
}

bool NetnsExists(const std::string& netns_name) {
  return PathExists(NetnsPath(netns_name));
}

bool IsClusterResourceKind(const std::string& kind) {
  return kind == journal_kind::kNetns || kind == journal_kind::kVeth ||
         kind == journal_kind::kBridge || kind == journal_kind::kSubnet ||
         kind == journal_kind::kSlice;
}

Status UndoClusterResource(const std::string& kind, const nlohmann::json& data,
                           const std::string& id) {
  try {
    if (kind == journal_kind::kNetns) {
      const std::string name = data.at("name").get<std::string>();
      if (!CarriesId(name, id)) return Refuse("network namespace " + name, id);
      if (!NetnsExists(name)) return OkStatus();
      return RunIp({"netns", "delete", name});
    }
    if (kind == journal_kind::kVeth || kind == journal_kind::kBridge) {
      const std::string netns = data.at("netns").get<std::string>();
      const std::string name = data.at("name").get<std::string>();
      if (!CarriesId(netns, id) || (kind == journal_kind::kBridge && !CarriesId(name, id))) {
        return Refuse(kind + " " + name + " in " + netns, id);
      }
      // A veth's bridge end carries the id; its node end ("eth0") lives in a netns that does.
      if (kind == journal_kind::kVeth && !CarriesId(name, id) && name != kNodeLink) {
        return Refuse("veth " + name, id);
      }
      return DeleteLinkIn(netns, name);
    }
    if (kind == journal_kind::kSubnet) {
      const int index = data.at("index").get<int>();
      const std::string path = data.at("path").get<std::string>();
      if (index < 0 || index >= kSubnetCount || path != SubnetLeasePath(index)) {
        return Refuse("subnet lease " + path, id);
      }
      return ReleaseSubnetLease(path, id);
    }
    if (kind == journal_kind::kSlice) {
      // The owner's slice or one nested in it, as systemd nests them by name.
      const std::string unit = data.at("unit").get<std::string>();
      const std::string owner = OwnerSliceName(id);
      const std::string cgroup = SliceCgroupPath(unit);
      if (id.empty() || (cgroup != owner && cgroup.rfind(owner + "/", 0) != 0)) {
        return Refuse("slice " + unit, id);
      }
      return StopSlice(unit);
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed journal entry: ") + e.what());
  }
  return InvalidArgument("not a cluster resource kind '" + kind + "'");
}

}  // namespace faultline::cluster
