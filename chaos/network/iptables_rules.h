// iptables rules a fault adds inside a node's network namespace. Every rule carries the fault's
// tag as a comment, so a rule read back from a journal is deleted only when it is ours.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline::chaos {

struct IptablesRule {
  std::string netns;  // path of the node's network namespace
  std::string table;  // "filter"
  std::string chain;  // "INPUT"
  // Match, "-m comment --comment <tag>", then "-j TARGET ...".
  std::vector<std::string> spec;

  bool operator==(const IptablesRule&) const = default;
};

// MATCH + the tag comment + "-j" TARGET.
std::vector<std::string> TaggedSpec(std::vector<std::string> match, const std::string& tag,
                                    const std::vector<std::string>& target);

// The comment tag of SPEC ("" when none).
std::string RuleTag(const std::vector<std::string>& spec);

nlohmann::json RulesToJson(const std::vector<IptablesRule>& rules);
// Parses and validates: namespaces and tags of RUN_ID, known tables and chains, and specs
// that are rule specifications only (no command of their own).
Result<std::vector<IptablesRule>> RulesFromJson(const std::string& run_id,
                                                const nlohmann::json& json);

// argv that inserts RULE at the top of its chain / checks for it / deletes one copy of it.
std::vector<std::string> IptablesArgv(const IptablesRule& rule, const std::string& command);

Status InsertRule(const IptablesRule& rule);
// Deletes every copy of RULE; done when its namespace is gone already. Idempotent.
Status DeleteRule(const IptablesRule& rule);
// Deletes RULES in reverse order; keeps going after a failure and returns the first one.
Status DeleteRules(const std::vector<IptablesRule>& rules);

}  // namespace faultline::chaos
