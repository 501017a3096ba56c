#include "chaos/node_state.h"

#include <map>
#include <mutex>

namespace faultline::chaos {
namespace {

std::mutex g_mu;
std::map<std::string, std::string>& Down() {
  static std::map<std::string, std::string> down;
  return down;
}

}  // namespace

void MarkNodeDown(const std::string& node_cgroup, const std::string& reason) {
  std::lock_guard lock(g_mu);
  Down()[node_cgroup] = reason;
}

void MarkNodeUp(const std::string& node_cgroup) {
  std::lock_guard lock(g_mu);
  Down().erase(node_cgroup);
}

std::string NodeDownReason(const std::string& node_cgroup) {
  std::lock_guard lock(g_mu);
  auto it = Down().find(node_cgroup);
  return it == Down().end() ? "" : it->second;
}

}  // namespace faultline::chaos
