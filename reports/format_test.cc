#include "reports/format.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

TEST(Format, Seconds) {
  EXPECT_EQ(FormatSeconds(0), "0s");
  EXPECT_EQ(FormatSeconds(250e-9), "250ns");
  EXPECT_EQ(FormatSeconds(812e-6), "812us");
  EXPECT_EQ(FormatSeconds(8.123e-6), "8.12us");
  EXPECT_EQ(FormatSeconds(0.0274), "27.4ms");
  EXPECT_EQ(FormatSeconds(0.25), "250ms");
  EXPECT_EQ(FormatSeconds(1.2), "1.20s");
  EXPECT_EQ(FormatSeconds(12.345), "12.3s");
  EXPECT_EQ(FormatSeconds(999.96e-6), "1.00ms");  // never "1000us"
}

TEST(Format, Bytes) {
  EXPECT_EQ(FormatBytes(512), "512B");
  EXPECT_EQ(FormatBytes(2048), "2.0KiB");
  EXPECT_EQ(FormatBytes(3.1 * 1024 * 1024), "3.1MiB");
  EXPECT_EQ(FormatBytes(300.0 * 1024 * 1024), "300MiB");
  EXPECT_EQ(FormatBytes(1.5 * 1024 * 1024 * 1024), "1.5GiB");
}

TEST(Format, ByUnit) {
  EXPECT_EQ(FormatValue(0.0274, "s"), "27.4ms");
  EXPECT_EQ(FormatValue(2048, "bytes"), "2.0KiB");
  EXPECT_EQ(FormatValue(40, "count"), "40");
  EXPECT_EQ(FormatValue(12.5, "count"), "12.5");
}

}  // namespace
}  // namespace faultline::reports
