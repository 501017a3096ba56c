#include "harness/measure/host_speed.h"

#include <gtest/gtest.h>

namespace faultline::measure {
namespace {

TEST(HostSpeedTest, TimesEveryReferenceOperation) {
  const HostSpeedSample sample = ProbeHostSpeed(3);
  ASSERT_EQ(sample.durations_ns.size(), 3u);
  for (std::int64_t ns : sample.durations_ns) {
    EXPECT_GT(ns, 0);
    EXPECT_LT(ns, 5'000'000'000);  // the per-operation deadline
  }
  EXPECT_GT(sample.at_ns, 0);
  EXPECT_GE(sample.load_average_1m, 0);
  EXPECT_EQ(HostSpeedOperation().rfind("fork+exec /", 0), 0u) << HostSpeedOperation();
}

}  // namespace
}  // namespace faultline::measure
