#include "harness/runner/platform_set.h"

#include <gtest/gtest.h>

#include "harness/drivers/fake/fake_driver.h"

namespace faultline::runner {
namespace {

using drivers::fake::FakeBehaviour;
using drivers::fake::FakeDriver;

std::vector<drivers::PlatformNode> TwoNodes() {
  return {{"node-1", "/run/netns/n1", "faultline/r/node-1", "198.18.0.2"},
          {"node-2", "/run/netns/n2", "faultline/r/node-2", "198.18.0.3"}};
}

// Fake drivers (unit-test doubles) record every call: the order across targets and nodes is
// what the runner did.
TEST(PlatformSetOnFakeDrivers, StartsEachTargetOnEveryNodeThenStopsNewestFirst) {
  FakeDriver a, b;
  PlatformSet platforms;
  ASSERT_TRUE(platforms
                  .Start({{"a", &a, {"busybox", "/r", "sha256:1"}},
                          {"b", &b, {"busybox", "/r", "sha256:1"}}},
                         TwoNodes())
                  .ok());
  EXPECT_EQ(a.Calls(), (std::vector<std::string>{"start_platform node-1", "import_image node-1",
                                                 "start_platform node-2", "import_image node-2"}));
  EXPECT_EQ(b.Calls(), a.Calls());
  ASSERT_TRUE(platforms.Stop().ok());
  EXPECT_EQ(b.Calls().size(), 6u);
  EXPECT_EQ(b.Calls()[4], "stop_platform node-2");
  EXPECT_EQ(b.Calls()[5], "stop_platform node-1");
  EXPECT_EQ(a.Calls()[4], "stop_platform node-2");
  EXPECT_TRUE(platforms.Stop().ok());
  EXPECT_EQ(a.Calls().size(), 6u) << "a second Stop stops nothing again";
}

TEST(PlatformSetOnFakeDrivers, AFailedStartStopsEverythingAttemptedAndNothingMore) {
  FakeDriver a;
  FakeBehaviour failing;
  failing.fail = [](const std::string& op, const std::string& id) {
    return op == "start_platform" && id == "node-2" ? Unavailable("dockerd exited while starting")
                                                    : OkStatus();
  };
  FakeDriver b(failing), c;
  PlatformSet platforms;
  Status started = platforms.Start({{"a", &a, {}}, {"b", &b, {}}, {"c", &c, {}}}, TwoNodes());
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().ToString(), "target b on node-2: dockerd exited while starting");
  EXPECT_TRUE(c.Calls().empty()) << "nothing after the failure";
  ASSERT_TRUE(platforms.Stop().ok());
  // b's half-started platform on node-2 is stopped too, before the rest, newest first.
  EXPECT_EQ(b.Calls(), (std::vector<std::string>{"start_platform node-1", "import_image node-1",
                                                 "start_platform node-2", "stop_platform node-2",
                                                 "stop_platform node-1"}));
  EXPECT_EQ(a.Calls().back(), "stop_platform node-1");
  EXPECT_EQ(a.Calls().size(), 6u);
}

TEST(PlatformSetOnFakeDrivers, AFailedImportAndAFailedStopAreReportedAfterStoppingTheRest) {
  FakeBehaviour bad_import;
  bad_import.fail = [](const std::string& op, const std::string& id) -> Status {
    if (op == "import_image" && id == "node-1") return InvalidArgument("no such image");
    if (op == "stop_platform" && id == "node-1") return Internal("cgroup busy");
    return OkStatus();
  };
  FakeDriver a, b(bad_import);
  {
    PlatformSet platforms;
    Status started = platforms.Start({{"a", &a, {}}, {"b", &b, {}}}, TwoNodes());
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, ErrorCode::kInvalidArgument);
    Status stopped = platforms.Stop();
    ASSERT_FALSE(stopped.ok());
    EXPECT_EQ(stopped.error().code, ErrorCode::kInternal);
  }
  EXPECT_EQ(a.Calls().back(), "stop_platform node-1") << "stopped although b's stop failed";
}

TEST(PlatformSetOnFakeDrivers, DestroyedUnstoppedItStopsWhatItStarted) {
  FakeDriver a;
  {
    PlatformSet platforms;
    ASSERT_TRUE(platforms.Start({{"a", &a, {}}}, TwoNodes()).ok());
  }
  EXPECT_EQ(a.Calls().back(), "stop_platform node-1");
}

}  // namespace
}  // namespace faultline::runner
