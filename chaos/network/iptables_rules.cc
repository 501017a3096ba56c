#include "chaos/network/iptables_rules.h"

#include <algorithm>

#include "chaos/support/netns_command.h"
#include "chaos/support/ownership.h"
#include "harness/core/files.h"

namespace faultline::chaos {
namespace {

const std::vector<std::string> kTables = {"filter", "raw", "mangle"};
const std::vector<std::string> kChains = {"INPUT", "PREROUTING", "OUTPUT", "FORWARD"};
// Options that are iptables commands or change the table: a spec carrying one would turn an
// undo into something else.
const std::vector<std::string> kCommandOptions = {"-A",           "-C",
                                                  "-D",           "-E",
                                                  "-F",           "-I",
                                                  "-L",           "-N",
                                                  "-P",           "-R",
                                                  "-S",           "-X",
                                                  "-Z",           "-t",
                                                  "--append",     "--check",
                                                  "--delete",     "--rename-chain",
                                                  "--flush",      "--insert",
                                                  "--list",       "--new-chain",
                                                  "--policy",     "--replace",
                                                  "--list-rules", "--delete-chain",
                                                  "--zero",       "--table"};

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

std::vector<std::string> TaggedSpec(std::vector<std::string> match, const std::string& tag,
                                    const std::vector<std::string>& target) {
  match.insert(match.end(), {"-m", "comment", "--comment", tag, "-j"});
  match.insert(match.end(), target.begin(), target.end());
  return match;
}

std::string RuleTag(const std::vector<std::string>& spec) {
  for (size_t i = 0; i + 1 < spec.size(); ++i) {
    if (spec[i] == "--comment") return spec[i + 1];
  }
  return "";
}

nlohmann::json RulesToJson(const std::vector<IptablesRule>& rules) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& rule : rules) {
    out.push_back(
        {{"netns", rule.netns}, {"table", rule.table}, {"chain", rule.chain}, {"spec", rule.spec}});
  }
  return out;
}

Result<std::vector<IptablesRule>> RulesFromJson(const std::string& run_id,
                                                const nlohmann::json& json) {
  std::vector<IptablesRule> rules;
  try {
    for (const auto& item : json) {
      IptablesRule rule{item.at("netns").get<std::string>(), item.at("table").get<std::string>(),
                        item.at("chain").get<std::string>(),
                        item.at("spec").get<std::vector<std::string>>()};
      if (!IsRunNetns(run_id, rule.netns)) {
        return InvalidArgument("rule in namespace " + rule.netns + " not owned by run " + run_id);
      }
      if (!Contains(kTables, rule.table) || !Contains(kChains, rule.chain)) {
        return InvalidArgument("rule in unexpected table/chain " + rule.table + "/" + rule.chain);
      }
      if (!IsRunTag(run_id, RuleTag(rule.spec))) {
        return InvalidArgument("rule without a tag of run " + run_id);
      }
      for (const auto& arg : rule.spec) {
        if (Contains(kCommandOptions, arg)) {
          return InvalidArgument("rule spec carries the command option " + arg);
        }
      }
      rules.push_back(std::move(rule));
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed iptables rule record: ") + e.what());
  }
  return rules;
}

std::vector<std::string> IptablesArgv(const IptablesRule& rule, const std::string& command) {
  std::vector<std::string> argv = {"iptables", "-w", "5", "-t", rule.table, command, rule.chain};
  if (command == "-I") argv.push_back("1");
  argv.insert(argv.end(), rule.spec.begin(), rule.spec.end());
  return InNetns(rule.netns, std::move(argv));
}

Status InsertRule(const IptablesRule& rule) {
  return RunChecked(IptablesArgv(rule, "-I"));
}

Status DeleteRule(const IptablesRule& rule) {
  // A namespace that is gone took its rules with it.
  for (int copies = 0; copies < 64 && PathExists(rule.netns); ++copies) {
    FL_ASSIGN_OR_RETURN(bool present, RunSucceeds(IptablesArgv(rule, "-C")));
    if (!present) return OkStatus();
    Status deleted = RunChecked(IptablesArgv(rule, "-D"));
    if (!deleted.ok()) {
      // Another undo may have taken it since the check: the fault's watchdog at its TTL while
      // `recover` runs. Gone is what was asked.
      FL_ASSIGN_OR_RETURN(bool still, RunSucceeds(IptablesArgv(rule, "-C")));
      if (still && PathExists(rule.netns)) return deleted;
      return OkStatus();
    }
  }
  return OkStatus();
}

Status DeleteRules(const std::vector<IptablesRule>& rules) {
  Status first = OkStatus();
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    Status deleted = DeleteRule(*it);
    if (!deleted.ok() && first.ok()) first = std::move(deleted);
  }
  return first;
}

}  // namespace faultline::chaos
