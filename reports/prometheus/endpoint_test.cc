#include "reports/prometheus/endpoint.h"

#include <gtest/gtest.h>

namespace faultline::reports::prometheus {
namespace {

TEST(Endpoint, AcceptsLoopbackAndOwnRange) {
  for (const char* ok :
       {"127.0.0.1:9464", "127.1.2.3:0", "198.18.0.1:80", "198.19.255.255:65535"}) {
    auto parsed = ParseListenAddress(ok);
    ASSERT_TRUE(parsed.ok()) << ok << ": " << parsed.error().message;
  }
  EXPECT_EQ(ParseListenAddress("127.0.0.1:9464")->port, 9464);
  // Pushes go over IPv6 loopback too; the metrics server cannot listen there, and says why.
  EXPECT_EQ(ParsePushUrl("http://[::1]:9091")->endpoint.ToString(), "[::1]:9091");
  auto v6 = ParseListenAddress("[::1]:9464");
  ASSERT_FALSE(v6.ok());
  EXPECT_NE(v6.error().message.find("IPv4 only"), std::string::npos) << v6.error().message;
}

TEST(Endpoint, RefusesEverythingElseWithAReason) {
  for (const char* bad : {"0.0.0.0:9464", "10.0.0.1:9464", "198.20.0.1:1", "[::]:1",
                          "[2001:db8::1]:1", "localhost:9464", "example.com:80"}) {
    auto parsed = ParseListenAddress(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message.find("198.18.0.0/15"), std::string::npos) << bad;
  }
  EXPECT_FALSE(ParseListenAddress("127.0.0.1").ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:99999").ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:9x").ok());
  EXPECT_FALSE(ParseListenAddress("::1:9464").ok());
}

TEST(Endpoint, PushUrls) {
  auto target = ParsePushUrl("http://127.0.0.1:9091/");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->endpoint.port, 9091);
  EXPECT_EQ(target->path_prefix, "");
  EXPECT_EQ(ParsePushUrl("http://[::1]:9091/gw/")->path_prefix, "/gw");
  EXPECT_FALSE(ParsePushUrl("https://127.0.0.1:9091").ok());
  EXPECT_FALSE(ParsePushUrl("http://192.168.1.1:9091").ok());
  EXPECT_FALSE(ParsePushUrl("http://127.0.0.1:0").ok());
}

}  // namespace
}  // namespace faultline::reports::prometheus
