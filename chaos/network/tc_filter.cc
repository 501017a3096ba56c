#include "chaos/network/tc_filter.h"

#include <random>

#include "chaos/support/netns_command.h"
#include "chaos/support/ownership.h"
#include "harness/core/files.h"
#include "harness/core/process.h"

namespace faultline::chaos {
namespace {

constexpr std::uint32_t kFirstPriority = 0xfa01;
constexpr std::uint32_t kLastPriority = 0xfaff;

// Output of a tc/ip listing in NETNS; NotFound when the link is gone.
Result<std::string> Listing(const std::string& netns, std::vector<std::string> argv) {
  FL_ASSIGN_OR_RETURN(ProcessOutcome shown,
                      RunProcess({InNetns(netns, std::move(argv)), std::chrono::seconds(20), ""}));
  if (!shown.ok()) {
    if (shown.err.find("Cannot find device") != std::string::npos ||
        shown.err.find("does not exist") != std::string::npos) {
      return NotFound("link gone in " + netns);
    }
    return Unavailable("listing failed in " + netns + ": " + shown.Describe());
  }
  return shown.out;
}

std::vector<std::string> FilterShow(const OwnedFilter& f, const std::string& direction) {
  return {"tc", "filter", "show", "dev", f.link, direction};
}

}  // namespace

bool IsOwnedPriority(std::uint32_t priority) {
  return priority >= kFirstPriority && priority <= kLastPriority;
}

std::uint32_t PickOwnedPriority() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return kFirstPriority + rng() % (kLastPriority - kFirstPriority + 1);
}

Result<OwnedFilter> NewOwnedFilter(const std::string& netns, const std::string& link) {
  OwnedFilter filter{netns, link, PickOwnedPriority(), false, 0};
  FL_ASSIGN_OR_RETURN(std::string qdiscs, Listing(netns, {"tc", "qdisc", "show", "dev", link}));
  filter.created_clsact = qdiscs.find("clsact") == std::string::npos;
  FL_ASSIGN_OR_RETURN(std::string details,
                      Listing(netns, {"ip", "-j", "-d", "link", "show", "dev", link}));
  try {
    filter.gso_max_segs = nlohmann::json::parse(details).at(0).at("gso_max_segs").get<uint32_t>();
  } catch (const nlohmann::json::exception& e) {
    return Internal(std::string("unexpected `ip -j -d link show` output: ") + e.what());
  }
  return filter;
}

nlohmann::json FiltersToJson(const std::vector<OwnedFilter>& filters) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : filters) {
    out.push_back({{"netns", f.netns},
                   {"link", f.link},
                   {"priority", f.priority},
                   {"created_clsact", f.created_clsact},
                   {"gso_max_segs", f.gso_max_segs}});
  }
  return out;
}

Result<std::vector<OwnedFilter>> FiltersFromJson(const std::string& run_id,
                                                 const nlohmann::json& json) {
  std::vector<OwnedFilter> filters;
  try {
    for (const auto& item : json) {
      OwnedFilter f{item.at("netns").get<std::string>(), item.at("link").get<std::string>(),
                    item.at("priority").get<std::uint32_t>(), item.at("created_clsact").get<bool>(),
                    item.at("gso_max_segs").get<std::uint32_t>()};
      if (!IsRunNetns(run_id, f.netns)) {
        return InvalidArgument("filter in namespace " + f.netns + " not owned by run " + run_id);
      }
      if (!IsLinkName(f.link)) return InvalidArgument("bad interface name '" + f.link + "'");
      if (!IsOwnedPriority(f.priority)) {
        return InvalidArgument("filter priority " + std::to_string(f.priority) +
                               " is not one faultline owns");
      }
      filters.push_back(std::move(f));
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed filter record: ") + e.what());
  }
  return filters;
}

Status SetSingleSegment(const OwnedFilter& filter) {
  return RunChecked(
      InNetns(filter.netns, {"ip", "link", "set", "dev", filter.link, "gso_max_segs", "1"}));
}

Status DeleteFilter(const OwnedFilter& f) {
  if (!PathExists(f.netns)) return OkStatus();
  const std::string priority = std::to_string(f.priority);
  auto ours = Listing(f.netns, {"tc", "filter", "show", "dev", f.link, "egress", "pref", priority});
  if (!ours.ok() && ours.error().code == ErrorCode::kNotFound) return OkStatus();
  if (ours.ok() && !ours->empty()) {
    FL_RETURN_IF_ERROR(RunChecked(
        InNetns(f.netns, {"tc", "filter", "del", "dev", f.link, "egress", "pref", priority})));
  }
  if (f.created_clsact) {
    FL_ASSIGN_OR_RETURN(std::string qdiscs,
                        Listing(f.netns, {"tc", "qdisc", "show", "dev", f.link}));
    if (qdiscs.find("clsact") != std::string::npos) {
      FL_ASSIGN_OR_RETURN(std::string egress, Listing(f.netns, FilterShow(f, "egress")));
      FL_ASSIGN_OR_RETURN(std::string ingress, Listing(f.netns, FilterShow(f, "ingress")));
      if (egress.empty() && ingress.empty()) {
        FL_RETURN_IF_ERROR(
            RunChecked(InNetns(f.netns, {"tc", "qdisc", "del", "dev", f.link, "clsact"})));
      }
    }
  }
  if (f.gso_max_segs == 0) return OkStatus();
  return RunChecked(InNetns(f.netns, {"ip", "link", "set", "dev", f.link, "gso_max_segs",
                                      std::to_string(f.gso_max_segs)}));
}

}  // namespace faultline::chaos
