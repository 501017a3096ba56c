#include "harness/workloads/tcp_rr.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <future>
#include <thread>

namespace faultline::workloads {
namespace {

using namespace std::chrono_literals;

TEST(TcpRr, OnlyBenchmarkAndLoopbackAddressesAreAllowed) {
  EXPECT_TRUE(AllowedTrafficAddress("198.18.0.1"));
  EXPECT_TRUE(AllowedTrafficAddress("198.19.255.254"));
  EXPECT_TRUE(AllowedTrafficAddress("127.0.0.1"));
  EXPECT_FALSE(AllowedTrafficAddress("198.20.0.1"));
  EXPECT_FALSE(AllowedTrafficAddress("198.17.255.255"));
  EXPECT_FALSE(AllowedTrafficAddress("8.8.8.8"));
  EXPECT_FALSE(AllowedTrafficAddress("10.0.0.1"));
  EXPECT_FALSE(AllowedTrafficAddress("not-an-address"));
}

TEST(TcpRr, RoundTripLinesSurviveFormatting) {
  RoundTrip ok{"198.18.0.2", 123, 456, true, ""};
  auto parsed = ParseRoundTrip(FormatRoundTrip(ok));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->peer, "198.18.0.2");
  EXPECT_EQ(parsed->start_ns, 123);
  EXPECT_EQ(parsed->duration_ns, 456);
  EXPECT_TRUE(parsed->ok);
  RoundTrip failed{"198.18.0.3", 1, 2, false, "DeadlineExceeded: no response before the timeout"};
  parsed = ParseRoundTrip(FormatRoundTrip(failed));
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->ok);
  EXPECT_EQ(parsed->error, failed.error);
  EXPECT_FALSE(ParseRoundTrip("garbage").ok());
}

TEST(TcpRr, RefusesPeersOutsideTheAllowedRanges) {
  ProbeOptions options;
  options.peers = {"8.8.8.8"};
  options.port = 7;
  options.count = 1;
  int emitted = 0;
  Status status = ProbePeers(options, [&](const RoundTrip&) { ++emitted; });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(emitted, 0);
}

// Real sockets on loopback: the server echoes, the probe times every round trip.
TEST(TcpRr, ProbeTimesRoundTripsAgainstAnEchoServer) {
  char dir[] = "/tmp/fl-echo-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string stop = std::string(dir) + "/stop";
  std::promise<std::uint16_t> bound;
  EchoOptions echo;
  echo.address = "127.0.0.1";
  echo.stop_file = stop;
  echo.max_time = 30s;
  echo.on_listening = [&](std::uint16_t port) { bound.set_value(port); };
  std::thread server([&] { EXPECT_TRUE(ServeEcho(echo).ok()); });
  const std::uint16_t port = bound.get_future().get();

  ProbeOptions options;
  options.peers = {"127.0.0.1"};
  options.port = port;
  options.count = 20;
  options.rate_per_second = 200;
  options.size = 512;
  std::vector<RoundTrip> trips;
  ASSERT_TRUE(ProbePeers(options, [&](const RoundTrip& t) { trips.push_back(t); }).ok());
  ASSERT_EQ(trips.size(), 20u);
  for (const auto& trip : trips) {
    EXPECT_TRUE(trip.ok) << trip.error;
    EXPECT_GT(trip.duration_ns, 0);
  }
  // Paced: 20 round trips at 200/s take at least 95 ms.
  EXPECT_GE(trips.back().start_ns - trips.front().start_ns, 90'000'000);

  std::ofstream(stop).put('x');
  server.join();
  // Nobody listens any more: every round trip fails, and is still reported.
  options.count = 3;
  options.timeout = 200ms;
  trips.clear();
  ASSERT_TRUE(ProbePeers(options, [&](const RoundTrip& t) { trips.push_back(t); }).ok());
  ASSERT_EQ(trips.size(), 3u);
  for (const auto& trip : trips) EXPECT_FALSE(trip.ok);
  unlink(stop.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace faultline::workloads
