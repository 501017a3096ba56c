#include "harness/core/systemd.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

TEST(Systemd, UnitNamePartsEscapeWhatSystemdEscapes) {
  EXPECT_EQ(EscapeUnitNamePart("node-1"), "node\\x2d1");
  EXPECT_EQ(EscapeUnitNamePart("ab12_x.y:z"), "ab12_x.y:z");
  EXPECT_EQ(EscapeUnitNamePart("a b/c"), "a\\x20b\\x2fc");
}

TEST(Systemd, ASlicesDashesNameItsParents) {
  EXPECT_EQ(SliceCgroupPath("faultline_ab12.slice"), "faultline_ab12.slice");
  EXPECT_EQ(SliceCgroupPath("faultline_ab12-node\\x2d1.slice"),
            "faultline_ab12.slice/faultline_ab12-node\\x2d1.slice");
  EXPECT_EQ(SliceCgroupPath("a-b-c.slice"), "a.slice/a-b.slice/a-b-c.slice");
}

TEST(Systemd, MalformedSliceNamesHaveNoCgroup) {
  for (const char* unit : {"", ".slice", "x.scope", "-a.slice", "a-.slice", "a--b.slice",
                           "a/b.slice", "x.slice.bak"}) {
    EXPECT_EQ(SliceCgroupPath(unit), "") << unit;
  }
}

}  // namespace
}  // namespace faultline
