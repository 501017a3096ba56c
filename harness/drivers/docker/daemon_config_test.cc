#include "harness/drivers/docker/daemon_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace faultline::drivers::docker {
namespace {

TEST(EngineRuntimeName, DockersOwnRuncOnlyForPlainRunc) {
  EXPECT_EQ(EngineRuntimeName({"runc", "/usr/sbin/runc", false, {}}), "runc");
  EXPECT_EQ(EngineRuntimeName({"runc", "/opt/runc-next/runc", true, {}}), "faultline-runc");
  EXPECT_EQ(EngineRuntimeName({"runc", "/usr/sbin/runc", false, {"--debug"}}), "faultline-runc");
  EXPECT_EQ(EngineRuntimeName({"crun", "/usr/bin/crun", false, {}}), "faultline-crun");
}

TEST(DaemonJson, PlainRuncWritesOnlyTheTargetsKeys) {
  auto written = DaemonJson(R"({"debug": true, "max-concurrent-uploads": 3})",
                            {"runc", "/usr/sbin/runc", false, {}});
  ASSERT_TRUE(written.ok()) << written.error().ToString();
  EXPECT_EQ(nlohmann::json::parse(*written),
            nlohmann::json::parse(R"({"debug": true, "max-concurrent-uploads": 3})"));
  auto empty = DaemonJson("", {"runc", "/usr/sbin/runc", false, {}});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(nlohmann::json::parse(*empty), nlohmann::json::object());
}

TEST(DaemonJson, RegistersARuntimeByPathWithItsOptions) {
  auto written =
      DaemonJson(R"({"debug": true})",
                 {"runc", "/opt/runc-next/runc", true, {"--debug", "--log-format=json"}});
  ASSERT_TRUE(written.ok()) << written.error().ToString();
  const auto json = nlohmann::json::parse(*written);
  EXPECT_EQ(json["debug"], true);
  EXPECT_EQ(json["runtimes"]["faultline-runc"]["path"], "/opt/runc-next/runc");
  EXPECT_EQ(json["runtimes"]["faultline-runc"]["runtimeArgs"],
            nlohmann::json::parse(R"(["--debug", "--log-format=json"])"));
  EXPECT_EQ(json["runtimes"].size(), 1u);
}

TEST(DaemonJson, RefusesWhatIsNotAnObject) {
  EXPECT_FALSE(DaemonJson("[1]", {"runc", "/usr/sbin/runc", false, {}}).ok());
  EXPECT_FALSE(DaemonJson("{", {"runc", "/usr/sbin/runc", false, {}}).ok());
}

}  // namespace
}  // namespace faultline::drivers::docker
