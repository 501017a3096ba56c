#include "harness/drivers/oci/oci_spec.h"

#include <gtest/gtest.h>

namespace faultline::drivers::oci {
namespace {

TEST(RuntimeConfig, CarriesCommandCgroupAndLimits) {
  ContainerSpec spec;
  spec.id = "fl-abc-storm-0-1";
  spec.command = {"sleep", "3600"};
  spec.resources.memory_bytes = 64 << 20;
  spec.resources.cpus = 0.5;
  spec.resources.pids = 32;
  auto config = MakeRuntimeConfig(spec, "/faultline/abc/fl-abc-storm-0-1", {});
  EXPECT_EQ(config["process"]["args"], nlohmann::json({"sleep", "3600"}));
  EXPECT_FALSE(config["process"]["terminal"]);
  EXPECT_EQ(config["linux"]["cgroupsPath"], "/faultline/abc/fl-abc-storm-0-1");
  EXPECT_EQ(config["linux"]["resources"]["memory"]["limit"], 64 << 20);
  EXPECT_EQ(config["linux"]["resources"]["cpu"]["quota"], 50000);
  EXPECT_EQ(config["linux"]["resources"]["cpu"]["period"], 100000);
  EXPECT_EQ(config["linux"]["resources"]["pids"]["limit"], 32);
  EXPECT_EQ(config["root"]["path"], "rootfs");
}

TEST(RuntimeConfig, LeavesOutLimitsNotAskedFor) {
  ContainerSpec spec;
  spec.id = "c";
  spec.command = {"true"};
  auto config = MakeRuntimeConfig(spec, "/x", {});
  EXPECT_FALSE(config["linux"]["resources"].contains("memory"));
  EXPECT_FALSE(config["linux"]["resources"].contains("cpu"));
  EXPECT_FALSE(config["linux"]["resources"].contains("pids"));
  std::vector<std::string> namespaces;
  for (const auto& ns : config["linux"]["namespaces"]) namespaces.push_back(ns["type"]);
  EXPECT_EQ(namespaces, (std::vector<std::string>{"pid", "network", "ipc", "uts", "mount"}));
}

TEST(RuntimeConfig, JoinsTheNodeNetworkNamespace) {
  ContainerSpec spec;
  spec.id = "c";
  spec.command = {"true"};
  spec.netns = "/run/netns/fl-abc-node-2";
  auto config = MakeRuntimeConfig(spec, "/x", {});
  bool joined = false;
  for (const auto& ns : config["linux"]["namespaces"]) {
    if (ns["type"] == "network") joined = ns.value("path", "") == spec.netns;
  }
  EXPECT_TRUE(joined) << config["linux"]["namespaces"].dump();
  spec.netns.clear();
  const auto own = MakeRuntimeConfig(spec, "/x", {});  // named: the loop must not outlive it
  for (const auto& ns : own["linux"]["namespaces"]) {
    EXPECT_FALSE(ns.contains("path"));  // a new namespace of its own
  }
}

TEST(RuntimeConfig, CarriesTheConfinementGiven) {
  ContainerSpec spec;
  spec.id = "c";
  spec.command = {"true"};
  ContainerSecurity security;
  security.capabilities = {"CAP_KILL", "CAP_CHOWN"};
  security.masked_paths = {"/proc/kcore"};
  security.readonly_paths = {"/proc/sys"};
  security.seccomp = {{"defaultAction", "SCMP_ACT_ERRNO"}, {"syscalls", nlohmann::json::array()}};
  auto config = MakeRuntimeConfig(spec, "/x", security);
  const auto& caps = config["process"]["capabilities"];
  for (const char* set : {"bounding", "effective", "permitted"}) {
    EXPECT_EQ(caps[set], nlohmann::json({"CAP_KILL", "CAP_CHOWN"})) << set;
  }
  EXPECT_FALSE(caps.contains("ambient"));
  EXPECT_FALSE(caps.contains("inheritable"));
  EXPECT_FALSE(config["process"]["noNewPrivileges"]);
  EXPECT_EQ(config["linux"]["maskedPaths"], nlohmann::json({"/proc/kcore"}));
  EXPECT_EQ(config["linux"]["readonlyPaths"], nlohmann::json({"/proc/sys"}));
  EXPECT_EQ(config["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
  security.seccomp = nullptr;  // unconfined
  EXPECT_FALSE(MakeRuntimeConfig(spec, "/x", security)["linux"].contains("seccomp"));
}

}  // namespace
}  // namespace faultline::drivers::oci
