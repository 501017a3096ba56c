// The server and the push client against each other over real loopback sockets.
#include "reports/prometheus/http.h"

#include <gtest/gtest.h>

#include <atomic>

namespace faultline::reports::prometheus {
namespace {

TEST(MetricsHttp, ServesMetricsAndRefusesOtherPaths) {
  std::atomic<int> scrapes{0};
  auto server = MetricsServer::Start(
      {"127.0.0.1", 0}, [&] { return "faultline_x " + std::to_string(++scrapes) + "\n"; });
  ASSERT_TRUE(server.ok()) << server.error().ToString();
  const Endpoint where{"127.0.0.1", (*server)->port()};
  EXPECT_NE(where.port, 0);
  auto first = HttpGet(where, "/metrics", std::chrono::seconds(5));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(*first, "faultline_x 1\n");
  EXPECT_EQ(*HttpGet(where, "/metrics", std::chrono::seconds(5)), "faultline_x 2\n");
  auto other = HttpGet(where, "/", std::chrono::seconds(5));
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("404"), std::string::npos);
}

TEST(MetricsHttp, PortInUseIsAnError) {
  auto first = MetricsServer::Start({"127.0.0.1", 0}, [] { return std::string(); });
  ASSERT_TRUE(first.ok());
  auto second = MetricsServer::Start({"127.0.0.1", (*first)->port()}, [] { return std::string(); });
  EXPECT_FALSE(second.ok());
}

TEST(MetricsHttp, PushToNothingListeningFailsWithTheReason) {
  auto server = MetricsServer::Start({"127.0.0.1", 0}, [] { return std::string(); });
  ASSERT_TRUE(server.ok());
  const std::uint16_t port = (*server)->port();
  server->reset();  // closed: nothing listens there now
  Status pushed =
      PushMetrics({{"127.0.0.1", port}, ""}, "faultline", "r1", "x 1\n", std::chrono::seconds(2));
  ASSERT_FALSE(pushed.ok());
  EXPECT_NE(pushed.error().message.find("connect"), std::string::npos) << pushed.error().message;
}

}  // namespace
}  // namespace faultline::reports::prometheus
