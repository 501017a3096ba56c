#include "harness/core/process.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "harness/core/files.h"

extern char** environ;

namespace faultline {
namespace {

std::string ReadOrEmpty(const std::string& path) {
  auto text = ReadFile(path);
  return text.ok() ? *text : "";
}

// Pids of live (not zombie) processes whose arguments after argv[0] are exactly ARGS (argv[0]
// may be a name or the path it was found at).
std::vector<pid_t> LiveProcessesWithArguments(const std::vector<std::string>& args) {
  std::string wanted;
  for (const auto& arg : args) wanted += arg + '\0';
  std::vector<pid_t> found;
  DIR* proc = opendir("/proc");
  while (dirent* entry = proc ? readdir(proc) : nullptr) {
    const std::string dir = std::string("/proc/") + entry->d_name;
    const std::string cmdline = ReadOrEmpty(dir + "/cmdline");
    if (cmdline.substr(cmdline.find('\0') + 1) != wanted) continue;
    const std::string stat = ReadOrEmpty(dir + "/stat");
    if (stat.find(") Z") == std::string::npos) found.push_back(std::atoi(entry->d_name));
  }
  if (proc) closedir(proc);
  return found;
}

bool Eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

pid_t Spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  // A group of its own, so the cleanup reaches what it forked.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  const int error = posix_spawnp(&pid, argv[0], nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  return error == 0 ? pid : -1;
}

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

TEST(RunProcess, TheProgramDiesWithTheThreadWaitingForIt) {
  // A SIGKILLed controller must not leave a runtime call running on its own.
  const std::string seconds = "30." + std::to_string(getpid());
  const pid_t waiter = fork();
  if (waiter == 0) {
    (void)RunProcess({{"sleep", seconds}});
    _exit(0);
  }
  ASSERT_TRUE(Eventually([&] { return !LiveProcessesWithArguments({seconds}).empty(); }));
  kill(waiter, SIGKILL);
  waitpid(waiter, nullptr, 0);
  EXPECT_TRUE(Eventually([&] { return LiveProcessesWithArguments({seconds}).empty(); }));
}

TEST(KillProcessesWithPathsUnder, KillsOnlyProcessesNamingAPathBelowTheDirectory) {
  char dir[] = "/tmp/fl-process-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string inside = std::string(dir) + "/log", beside = std::string(dir) + "x";
  std::ofstream(inside).put('\n');
  std::ofstream(beside).put('\n');
  const pid_t below = Spawn({"tail", "-f", inside});
  const pid_t sibling = Spawn({"tail", "-f", beside});  // shares the prefix, not the directory
  const pid_t itself = Spawn({"flock", dir, "sleep", "30"});  // names the directory itself
  ASSERT_GT(below, 0);
  ASSERT_GT(sibling, 0);
  ASSERT_GT(itself, 0);
  ASSERT_TRUE(Eventually([&] {
    return !LiveProcessesWithArguments({"-f", inside}).empty() &&
           !LiveProcessesWithArguments({"-f", beside}).empty() &&
           !LiveProcessesWithArguments({dir, "sleep", "30"}).empty();
  }));

  EXPECT_EQ(KillProcessesWithPathsUnder(dir, std::chrono::seconds(5)), 1);
  int status = 0;
  ASSERT_EQ(waitpid(below, &status, 0), below);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_EQ(waitpid(sibling, &status, WNOHANG), 0) << "the sibling directory's process was hit";
  EXPECT_EQ(waitpid(itself, &status, WNOHANG), 0) << "the directory's own process was hit";
  kill(-sibling, SIGKILL);
  kill(-itself, SIGKILL);
  waitpid(sibling, nullptr, 0);
  waitpid(itself, nullptr, 0);
  (void)RemoveTree(dir);
  (void)RemoveTree(beside);
}

TEST(RunForOutput, ErrorCarriesStderr) {
  auto out = RunForOutput({"cat", "/no/such/file"});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("/no/such/file"), std::string::npos);
}

}  // namespace
}  // namespace faultline
