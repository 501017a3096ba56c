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
  auto config = MakeRuntimeConfig(spec, "/faultline/abc/fl-abc-storm-0-1");
  EXPECT_EQ(config["process"]["args"], nlohmann::json({"sleep", "3600"}));
  EXPECT_FALSE(config["process"]["terminal"]);
  EXPECT_EQ(config["linux"]["cgroupsPath"], "/faultline/abc/fl-abc-storm-0-1");
  EXPECT_EQ(config["linux"]["resources"]["memory"]["limit"], 64 << 20);
  EXPECT_EQ(config["linux"]["resources"]["cpu"]["quota"], 50000);
  EXPECT_EQ(config["linux"]["resources"]["cpu"]["period"], 100000);
  EXPECT_EQ(config["linux"]["resources"]["pids"]["limit"], 32);
  EXPECT_EQ(config["root"]["path"], "rootfs");
}

TEST(RuntimeConfig, JoinsAGivenNetworkNamespace) {
  ContainerSpec spec;
  spec.id = "c";
  spec.command = {"true"};
  auto isolated = MakeRuntimeConfig(spec, "/x");
  bool has_path = false;
  for (const auto& ns : isolated["linux"]["namespaces"]) has_path |= ns.contains("path");
  EXPECT_FALSE(has_path);
  EXPECT_FALSE(isolated["linux"]["resources"].contains("memory"));

  spec.netns_path = "/run/netns/fl-node-1";
  auto joined = MakeRuntimeConfig(spec, "/x");
  bool found = false;
  for (const auto& ns : joined["linux"]["namespaces"]) {
    if (ns["type"] == "network") found = ns.value("path", "") == "/run/netns/fl-node-1";
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace faultline::drivers::oci
