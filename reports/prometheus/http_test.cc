// The server and the push client against each other over real loopback sockets.
#include "reports/prometheus/http.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <memory>

namespace faultline::reports::prometheus {
namespace {

// A registry of one counter, as the run's metrics are kept.
std::shared_ptr<::prometheus::Registry> Counted(::prometheus::Counter** counter) {
  auto registry = std::make_shared<::prometheus::Registry>();
  *counter =
      &::prometheus::BuildCounter().Name("faultline_x_total").Help("x").Register(*registry).Add({});
  return registry;
}

TEST(MetricsHttp, ServesTheRegistryLiveAndRefusesOtherPaths) {
  ::prometheus::Counter* counter = nullptr;
  auto registry = Counted(&counter);
  auto server = MetricsServer::Start({"127.0.0.1", 0}, registry);
  ASSERT_TRUE(server.ok()) << server.error().ToString();
  const Endpoint where{"127.0.0.1", (*server)->port()};
  EXPECT_NE(where.port, 0);
  counter->Increment();
  auto first = HttpGet(where, "/metrics", std::chrono::seconds(5));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_NE(first->find("\nfaultline_x_total 1\n"), std::string::npos) << *first;
  counter->Increment();
  auto second = HttpGet(where, "/metrics", std::chrono::seconds(5));
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->find("\nfaultline_x_total 2\n"), std::string::npos) << *second;
  auto other = HttpGet(where, "/", std::chrono::seconds(5));
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("404"), std::string::npos) << other.error().message;
}

TEST(MetricsHttp, PortInUseIsAnError) {
  ::prometheus::Counter* counter = nullptr;
  auto registry = Counted(&counter);
  auto first = MetricsServer::Start({"127.0.0.1", 0}, registry);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  auto second = MetricsServer::Start({"127.0.0.1", (*first)->port()}, registry);
  EXPECT_FALSE(second.ok());
}

TEST(MetricsHttp, PushToNothingListeningFailsWithTheReason) {
  ::prometheus::Counter* counter = nullptr;
  auto registry = Counted(&counter);
  auto server = MetricsServer::Start({"127.0.0.1", 0}, registry);
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
