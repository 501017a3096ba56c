#include "chaos/network/tc_qdisc.h"

#include <algorithm>

#include "chaos/support/netns_command.h"
#include "chaos/support/ownership.h"
#include "harness/core/files.h"
#include "harness/core/process.h"

namespace faultline::chaos {

nlohmann::json QdiscsToJson(const std::vector<OwnedQdisc>& qdiscs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& q : qdiscs) {
    out.push_back({{"netns", q.netns}, {"link", q.link}, {"handle", q.handle}});
  }
  return out;
}

Result<std::vector<OwnedQdisc>> QdiscsFromJson(const std::string& run_id,
                                               const nlohmann::json& json) {
  std::vector<OwnedQdisc> qdiscs;
  try {
    for (const auto& item : json) {
      OwnedQdisc q{item.at("netns").get<std::string>(), item.at("link").get<std::string>(),
                   item.at("handle").get<std::string>()};
      if (!IsRunNetns(run_id, q.netns)) {
        return InvalidArgument("qdisc in namespace " + q.netns + " not owned by run " + run_id);
      }
      if (!IsLinkName(q.link)) return InvalidArgument("bad interface name '" + q.link + "'");
      if (q.handle != kBandwidthHandle && q.handle != kDelayHandle) {
        return InvalidArgument("qdisc handle " + q.handle + " is not one faultline owns");
      }
      qdiscs.push_back(std::move(q));
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed qdisc record: ") + e.what());
  }
  return qdiscs;
}

Status AddRootQdisc(const OwnedQdisc& qdisc, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"tc", "qdisc", "add", "dev", qdisc.link, "root", "handle",
                                   qdisc.handle};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunChecked(InNetns(qdisc.netns, std::move(argv)));
}

Status DeleteRootQdisc(const OwnedQdisc& qdisc) {
  if (!PathExists(qdisc.netns)) return OkStatus();
  FL_ASSIGN_OR_RETURN(
      ProcessOutcome shown,
      RunProcess({InNetns(qdisc.netns, {"tc", "-j", "qdisc", "show", "dev", qdisc.link}),
                  std::chrono::seconds(20), ""}));
  if (!shown.ok()) {
    if (shown.err.find("Cannot find device") != std::string::npos) return OkStatus();
    return Unavailable("cannot list qdiscs of " + qdisc.link + ": " + shown.Describe());
  }
  bool ours = false;
  try {
    for (const auto& q : nlohmann::json::parse(shown.out)) {
      if (q.value("root", false) && q.value("handle", "") == qdisc.handle) ours = true;
    }
  } catch (const nlohmann::json::exception& e) {
    return Internal(std::string("unexpected `tc -j qdisc show` output: ") + e.what());
  }
  if (!ours) return OkStatus();
  return RunChecked(InNetns(qdisc.netns, {"tc", "qdisc", "del", "dev", qdisc.link, "root"}));
}

std::vector<std::string> TbfArgs(std::uint64_t rate_bits_per_second) {
  const std::uint64_t bytes_per_second = rate_bits_per_second / 8;
  const std::uint64_t burst = std::max<std::uint64_t>(bytes_per_second / 100, 2 * 1514);
  return {"tbf", "rate", std::to_string(rate_bits_per_second) + "bit", "burst",
          std::to_string(burst), "latency", "100ms"};
}

}  // namespace faultline::chaos
