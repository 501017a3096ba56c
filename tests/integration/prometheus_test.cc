// Live metrics against Debian's real Prometheus server and Pushgateway: a real runc run serves
// /metrics, Prometheus (1 s scrape interval, temp config and storage, 127.0.0.1 only) scrapes
// it, the run pushes its final metrics to the Pushgateway, and promtool checks the served text.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/core/files.h"
#include "reports/prometheus/http.h"
#include "reports/result.h"
#include "tests/integration/host_state.h"

extern char** environ;

namespace faultline::testing {
namespace {

using reports::prometheus::Endpoint;
using reports::prometheus::HttpGet;

// A free loopback port (bound, read, released: a small race the test accepts).
std::uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A server process started for one test and stopped (by its pid) when it ends.
class Daemon {
 public:
  Daemon(const std::vector<std::string>& argv, const std::string& log, const std::string& in = "") {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in.empty() ? "/dev/null" : in.c_str(), O_RDONLY,
                                     0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Daemon() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      (void)WaitExit(pid_, 20);
    }
  }
  pid_t pid() const { return pid_; }
  // Waits for it to exit on its own; its exit code.
  int Wait(int seconds) {
    int code = WaitExit(pid_, seconds);
    pid_ = -1;
    return code;
  }

 private:
  pid_t pid_ = -1;
};

bool WaitReady(const Endpoint& endpoint, const std::string& path, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (HttpGet(endpoint, path, std::chrono::seconds(1)).ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// Prometheus hands new targets to its scrape loops only every few seconds: wait until it has
// tried the (not yet listening) metrics address once, so the run's whole span gets scraped.
bool WaitScrapeAttempted(const Endpoint& prometheus, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    auto targets = HttpGet(prometheus, "/api/v1/targets", std::chrono::seconds(1));
    if (targets.ok()) {
      auto doc = nlohmann::json::parse(*targets, nullptr, false);
      if (!doc.is_discarded()) {
        for (const auto& target : doc["data"]["activeTargets"]) {
          if (target.value("health", "unknown") != "unknown") return true;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(PrometheusLive, ScrapedByPrometheusPushedToPushgatewayCheckedByPromtool) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  for (const char* tool : {"prometheus", "prometheus-pushgateway", "promtool"}) {
    if (FindExecutable(tool).empty()) {
      FL_SKIP_LACKING("root", std::string(tool) +
                                  " not installed (Debian packages prometheus, "
                                  "prometheus-pushgateway)");
    }
  }
  const std::string dir = TempDir("prom");
  const std::string state = TempDir("state");
  const Endpoint metrics{"127.0.0.1", FreePort()};
  const Endpoint prometheus{"127.0.0.1", FreePort()};
  const Endpoint gateway{"127.0.0.1", FreePort()};
  std::ofstream(dir + "/prometheus.yml")
      << "global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}\n"
         "scrape_configs:\n  - job_name: faultline\n    static_configs:\n"
         "      - targets: ['"
      << metrics.ToString() << "']\n";
  Daemon prom(
      {FindExecutable("prometheus"), "--config.file=" + dir + "/prometheus.yml",
       "--storage.tsdb.path=" + dir + "/data", "--web.listen-address=" + prometheus.ToString()},
      dir + "/prometheus.log");
  Daemon gw(
      {FindExecutable("prometheus-pushgateway"), "--web.listen-address=" + gateway.ToString()},
      dir + "/pushgateway.log");
  ASSERT_TRUE(WaitReady(prometheus, "/-/ready", 30)) << Slurp(dir + "/prometheus.log");
  ASSERT_TRUE(WaitReady(gateway, "/-/ready", 30)) << Slurp(dir + "/pushgateway.log");
  ASSERT_TRUE(WaitScrapeAttempted(prometheus, 30)) << Slurp(dir + "/prometheus.log");

  std::ofstream(dir + "/storm.yaml")
      << "version: 1\nname: metrics-live\ntarget: {driver: oci, runtime: runc, image: busybox}\n"
         "steps:\n  - {name: storm, workload: {kind: start, count: 60, concurrency: 1, rate: 15/s, "
         "command: [\"true\"]}}\n";  // paced: at least 4 s, several 1 s scrapes
  Spawned run =
      SpawnFaultline({"run", dir + "/storm.yaml", "--out", dir + "/out", "--metrics-listen",
                      metrics.ToString(), "--pushgateway", "http://" + gateway.ToString()},
                     state, dir + "/run.log");
  // Scrapes of our own while it runs (the last for promtool), until the kernel's start phases
  // show: they are joined while the run goes, not after it.
  const std::string user_exec_phase =
      "faultline_start_phase_seconds_count{node=\"local\",phase=\"user_exec\","
      "runtime=\"runc\",target=\"runc\"}";
  std::string served;
  bool phases_while_running = false;
  for (int i = 0; i < 300 && !phases_while_running; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto got = HttpGet(metrics, "/metrics", std::chrono::seconds(2));
    if (got.ok()) served = *got;
    phases_while_running =
        served.find(user_exec_phase) != std::string::npos && !PathExists(dir + "/out/result.json");
  }
  const int code = WaitExit(run.pid, 300);
  ASSERT_EQ(code, 0) << Slurp(dir + "/run.log");
  EXPECT_TRUE(phases_while_running) << served;
  ASSERT_NE(served.find("faultline_start_latency_seconds_count"), std::string::npos) << served;
  EXPECT_NE(served.find("# TYPE faultline_workload_running_containers gauge"), std::string::npos);

  // promtool reads the exposition on stdin; exit 0 means it parsed and found no lint problem.
  std::ofstream(dir + "/served.txt") << served;
  Daemon promtool({FindExecutable("promtool"), "check", "metrics"}, dir + "/promtool.log",
                  dir + "/served.txt");
  EXPECT_EQ(promtool.Wait(60), 0) << Slurp(dir + "/promtool.log");

  // Prometheus scraped the live run: the largest start count it saw is above zero. (After the
  // run the series are stale, hence max_over_time.)
  auto queried =
      HttpGet(prometheus,
              "/api/v1/query?query=max(max_over_time("
              "faultline_start_latency_seconds_count%7Bjob%3D%22faultline%22%7D%5B5m%5D))",
              std::chrono::seconds(5));
  ASSERT_TRUE(queried.ok()) << queried.error().ToString();
  auto answer = nlohmann::json::parse(*queried, nullptr, false);
  ASSERT_EQ(answer.value("status", ""), "success") << *queried;
  ASSERT_EQ(answer["data"]["result"].size(), 1u) << *queried;
  const double scraped = std::stod(answer["data"]["result"][0]["value"][1].get<std::string>());
  EXPECT_GT(scraped, 0) << *queried;

  // The push at the end: the gateway holds the final count under job/instance = run id.
  auto result = nlohmann::json::parse(Slurp(dir + "/out/result.json"), nullptr, false);
  const std::string run_id = result["context"]["run_id"].get<std::string>();
  auto pushed = HttpGet(gateway, "/metrics", std::chrono::seconds(5));
  ASSERT_TRUE(pushed.ok()) << pushed.error().ToString();
  const std::string series = "faultline_start_latency_seconds_count{instance=\"" + run_id +
                             "\",job=\"faultline\",node=\"local\",runtime=\"runc\",step=\"storm\","
                             "target=\"runc\"} 60";
  EXPECT_NE(pushed->find(series), std::string::npos) << *pushed;
  // One definition: the live histogram's sum is the result's start_latency, kernel-timed.
  double result_sum = 0;
  for (const auto& sample : result["samples"]) {
    if (sample["op"] != "run" || !sample["ok"].get<bool>()) continue;
    reports::Sample s;
    s.start_ns = sample["start_ns"];
    s.duration_ns = sample["duration_ns"];
    s.scheduled_ns = sample.value("scheduled_ns", std::int64_t{0});
    EXPECT_TRUE(sample.contains("phases")) << sample.dump();
    result_sum += static_cast<double>(reports::LatencyNs(s)) / 1e9;
  }
  const std::string sum_series = "faultline_start_latency_seconds_sum{instance=\"" + run_id +
                                 "\",job=\"faultline\",node=\"local\",runtime=\"runc\","
                                 "step=\"storm\",target=\"runc\"} ";
  const std::size_t at = pushed->find(sum_series);
  ASSERT_NE(at, std::string::npos) << *pushed;
  EXPECT_NEAR(std::stod(pushed->substr(at + sum_series.size())), result_sum, 1e-6 * result_sum);
  EXPECT_NE(pushed->find("faultline_start_phase_seconds_count{instance=\"" + run_id +
                         "\",job=\"faultline\",node=\"local\",phase=\"user_exec\","
                         "runtime=\"runc\",target=\"runc\"} 60"),
            std::string::npos)
      << *pushed;
  EXPECT_NE(pushed->find("faultline_workload_running_containers{instance=\"" + run_id +
                         "\",job=\"faultline\"} 0"),
            std::string::npos)
      << *pushed;

  EXPECT_TRUE(Leftovers(state).empty());
  (void)RemoveTree(dir);
  (void)RemoveTree(state);
}

TEST(PrometheusLive, RefusesAddressesOffTheHost) {
  const std::string state = TempDir("state");
  auto [code, output] =
      RunFaultline({"run", "scenario.yaml", "--metrics-listen", "0.0.0.0:9464"}, state);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("198.18.0.0/15"), std::string::npos) << output;
  auto [push_code, push_output] =
      RunFaultline({"run", "scenario.yaml", "--pushgateway", "http://10.1.2.3:9091"}, state);
  EXPECT_EQ(push_code, 2) << push_output;
  (void)RemoveTree(state);
}

}  // namespace
}  // namespace faultline::testing
