#include "chaos/support/ownership.h"

#include <cctype>
#include <cstdio>
#include <random>

#include "harness/core/systemd.h"

namespace faultline::chaos {
namespace {

bool HasDotDot(const std::string& path) {
  return path.find("..") != std::string::npos;
}

}  // namespace

std::string NewFaultTag(const std::string& run_id, const std::string& what) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rng()));
  return "fl-" + run_id + "-" + what + "-" + suffix;
}

bool IsRunTag(const std::string& run_id, const std::string& tag) {
  const std::string prefix = "fl-" + run_id + "-";
  if (run_id.empty() || tag.rfind(prefix, 0) != 0 || tag.size() < prefix.size() + 10) {
    return false;
  }
  for (char c : tag) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

bool IsRunNetns(const std::string& run_id, const std::string& path) {
  if (run_id.empty() || path.empty() || path[0] != '/' || HasDotDot(path)) return false;
  const std::string name = path.substr(path.rfind('/') + 1);
  return name.rfind("fl-" + run_id + "-", 0) == 0;
}

bool IsRunCgroup(const std::string& run_id, const std::string& rel) {
  auto below = [&](const std::string& prefix) {
    return rel.rfind(prefix, 0) == 0 && rel.size() > prefix.size();
  };
  return !run_id.empty() &&
         (below("faultline/" + run_id + "/") || below(OwnerSliceName(run_id) + "/")) &&
         !HasDotDot(rel) && rel.find("//") == std::string::npos && rel.back() != '/';
}

bool IsLinkName(const std::string& name) {
  if (name.empty() || name.size() > 15) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace faultline::chaos
