#include "chaos/network/tc_qdisc.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>

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
      if (!IsOwnedHandle(q.handle)) {
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
  std::vector<std::string> argv = {"tc",       "qdisc", "add",    "dev",
                                   qdisc.link, "root",  "handle", qdisc.handle};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunChecked(InNetns(qdisc.netns, std::move(argv)));
}

Result<std::string> RootHandle(const std::string& netns, const std::string& link) {
  FL_ASSIGN_OR_RETURN(ProcessOutcome shown,
                      RunProcess({InNetns(netns, {"tc", "-j", "qdisc", "show", "dev", link}),
                                  std::chrono::seconds(20), ""}));
  if (!shown.ok()) {
    if (shown.err.find("Cannot find device") != std::string::npos) {
      return NotFound("no link " + link + " in " + netns);
    }
    return Unavailable("cannot list qdiscs of " + link + ": " + shown.Describe());
  }
  try {
    for (const auto& q : nlohmann::json::parse(shown.out)) {
      if (q.value("root", false)) return q.value("handle", "");
    }
  } catch (const nlohmann::json::exception& e) {
    return Internal(std::string("unexpected `tc -j qdisc show` output: ") + e.what());
  }
  return std::string("0:");
}

bool IsOwnedHandle(const std::string& handle) {
  auto lower_hex = [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
  };
  return handle.size() == 5 && handle.rfind("fa", 0) == 0 && lower_hex(handle[2]) &&
         lower_hex(handle[3]) && handle[4] == ':' && handle != "fa00:";
}

std::string PickOwnedHandle(const std::string& current_root) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  for (;;) {
    char handle[8];
    std::snprintf(handle, sizeof handle, "fa%02x:", static_cast<unsigned>(rng() % 255 + 1));
    if (handle != current_root) return handle;
  }
}

Status DeleteRootQdisc(const OwnedQdisc& qdisc) {
  if (!PathExists(qdisc.netns)) return OkStatus();
  auto root = RootHandle(qdisc.netns, qdisc.link);
  if (!root.ok() && root.error().code == ErrorCode::kNotFound) return OkStatus();
  FL_RETURN_IF_ERROR(root);
  if (*root != qdisc.handle) return OkStatus();
  return RunChecked(InNetns(qdisc.netns, {"tc", "qdisc", "del", "dev", qdisc.link, "root"}));
}

std::vector<std::string> TbfArgs(std::uint64_t rate_bits_per_second) {
  const std::uint64_t bytes_per_second = rate_bits_per_second / 8;
  const std::uint64_t burst = std::max<std::uint64_t>(bytes_per_second / 100, 2 * 1514);
  return {"tbf",
          "rate",
          std::to_string(rate_bits_per_second) + "bit",
          "burst",
          std::to_string(burst),
          "latency",
          "100ms"};
}

}  // namespace faultline::chaos
