#include "harness/core/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include "harness/core/files.h"

namespace faultline {
namespace {

TEST(RunProcess, CapturesStdoutAndExitStatus) {
  auto outcome = RunProcess({{"echo", "hello", "world"}});
  ASSERT_TRUE(outcome.ok()) << outcome.error().ToString();
  EXPECT_TRUE(outcome->ok());
  EXPECT_EQ(outcome->out, "hello world\n");
  EXPECT_GT(outcome->end_ns, outcome->start_ns);
}

TEST(RunProcess, NonZeroExitIsAnOutcomeWithStderr) {
  auto outcome = RunProcess({{"ls", "/definitely/not/here"}});
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->ok());
  EXPECT_NE(outcome->exit_code, 0);
  EXPECT_NE(outcome->err.find("/definitely/not/here"), std::string::npos);
  EXPECT_NE(outcome->Describe().find("exited with status"), std::string::npos);
}

TEST(RunProcess, DeadlineKillsTheProgram) {
  auto outcome = RunProcess({{"sleep", "30"}, std::chrono::milliseconds(200)});
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->timed_out);
  EXPECT_FALSE(outcome->ok());
  EXPECT_LT(outcome->elapsed(), std::chrono::seconds(5));
}

TEST(RunProcess, MissingProgramIsAnError) {
  auto outcome = RunProcess({{"faultline-no-such-program"}});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::kFailedPrecondition);
}

TEST(RunProcess, FileModeWritesOutputAndReportsItsTail) {
  char dir[] = "/tmp/fl-process-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string file = std::string(dir) + "/out.log";
  // A program that forks a long-lived child holding its stdio must not block the caller.
  auto outcome = RunProcess({{"cat", "/no/such/file"}, std::chrono::seconds(5), file});
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->ok());
  EXPECT_NE(outcome->err.find("/no/such/file"), std::string::npos);
  EXPECT_TRUE(RemoveTree(dir).ok());
}

TEST(RunForOutput, ErrorCarriesStderr) {
  auto out = RunForOutput({"cat", "/no/such/file"});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("/no/such/file"), std::string::npos);
}

}  // namespace
}  // namespace faultline
