// TCP request/response between cluster nodes: a small echo server and a paced client that
// times each round trip. Both run inside a node (see `faultline _tcp-echo` / `_tcp-probe`,
// which enter the node's network namespace and cgroup first), so node faults reach them.
// Addresses only in 198.18.0.0/15 or loopback; every loop is bounded in count and time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"

namespace faultline::workloads {

// True for IPv4 addresses faultline may send traffic to: 198.18.0.0/15 and 127.0.0.0/8.
bool AllowedTrafficAddress(const std::string& address);

struct EchoOptions {
  std::string address;  // to listen on
  std::uint16_t port = 0;
  std::string stop_file;  // the server stops once this file exists
  Nanos max_time{std::chrono::minutes(70)};
  std::function<void(std::uint16_t)> on_listening;  // the bound port (for port 0)
};
// Echoes every request back until the stop file appears or MAX_TIME passes.
Status ServeEcho(const EchoOptions& options);

struct RoundTrip {
  std::string peer;
  std::int64_t start_ns = 0;  // CLOCK_BOOTTIME when the request was sent (or connect began)
  std::int64_t duration_ns = 0;
  bool ok = true;
  std::string error;
};
std::string FormatRoundTrip(const RoundTrip& trip);  // one line, no newline
Result<RoundTrip> ParseRoundTrip(const std::string& line);

struct ProbeOptions {
  std::vector<std::string> peers;  // addresses, used in turn
  std::uint16_t port = 0;
  double rate_per_second = 10;  // open loop: round trip i is sent at start + i / rate
  std::uint32_t count = 0;      // round trips in all
  Nanos max_time{std::chrono::minutes(70)};
  std::uint32_t size = 64;  // request and response bytes
  Nanos timeout{std::chrono::seconds(1)};
  std::string stop_file;  // stops early once this file exists
};
// Times COUNT round trips over persistent connections (one per peer, opened again after a
// failure); calls EMIT for each. InvalidArgument for a peer outside the allowed ranges.
Status ProbePeers(const ProbeOptions& options, const std::function<void(const RoundTrip&)>& emit);

}  // namespace faultline::workloads
