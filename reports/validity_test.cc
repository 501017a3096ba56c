#include "reports/validity.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

// One container per run sample; each also gets a successful prepare sample.
void AddRuns(Result& r, const std::string& step, const std::string& target, int ok, int failed) {
  for (int i = 0; i < ok + failed; ++i) {
    Sample s;
    s.step = step;
    s.target = target;
    s.container = step + "-" + target + "-" + std::to_string(i);
    s.op = "prepare";
    r.samples.push_back(s);
    s.op = "run";
    s.ok = i < ok;
    r.samples.push_back(s);
  }
}

TEST(Validity, CleanRunHasNoWarnings) {
  Result r;
  AddRuns(r, "storm", "runc", 100, 0);
  EXPECT_TRUE(ValidityWarnings(r, 0.01).empty());
}

TEST(Validity, FailedRatioAboveThreshold) {
  Result r;
  AddRuns(r, "storm", "runc", 97, 3);
  AddRuns(r, "storm", "crun", 100, 1);  // 0.99%: within 1%
  auto warnings = ValidityWarnings(r, 0.01);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "step storm target runc: 3 of 100 containers had a failed operation (3.0%, threshold "
            "1.0%)");
}

TEST(Validity, TooFewSamples) {
  Result r;
  AddRuns(r, "storm", "runc", 4, 0);
  // Many other successful ops do not make up for few measured starts.
  for (int i = 0; i < 10; ++i) {
    Sample s;
    s.step = "storm";
    s.target = "runc";
    s.op = "delete";
    r.samples.push_back(s);
  }
  auto warnings = ValidityWarnings(r, 0.5);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("step storm target runc: too few samples for p99 (4 successful"),
            std::string::npos)
      << warnings[0];
}

TEST(Validity, AllFailedReportsBoth) {
  Result r;
  AddRuns(r, "storm", "runc", 0, 6);
  auto warnings = ValidityWarnings(r, 0.01);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("6 of 6 containers had a failed operation"), std::string::npos);
  EXPECT_NE(warnings[1].find("too few samples for p99 (0 successful"), std::string::npos);
}

TEST(Validity, Interrupted) {
  Result r;
  AddRuns(r, "storm", "runc", 10, 0);
  r.interrupted = true;
  auto warnings = ValidityWarnings(r, 0.01);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("interrupted"), std::string::npos);
}

TEST(Validity, StepsInRunOrder) {
  Result r;
  AddRuns(r, "zeta", "runc", 1, 0);
  AddRuns(r, "alpha", "runc", 1, 0);
  auto warnings = ValidityWarnings(r, 0.01);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].rfind("step zeta", 0), 0u);
  EXPECT_EQ(warnings[1].rfind("step alpha", 0), 0u);
}

}  // namespace
}  // namespace faultline::reports
