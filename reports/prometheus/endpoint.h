// Where metrics may be served or pushed. Only literal loopback (127.0.0.0/8, ::1) and
// faultline's own 198.18.0.0/15 addresses are accepted: metrics never leave the host.
#pragma once

#include <cstdint>
#include <string>

#include "harness/core/result.h"

namespace faultline::reports::prometheus {

struct Endpoint {
  std::string address;  // literal IP, e.g. "127.0.0.1" or "::1"
  std::uint16_t port = 0;
  std::string ToString() const;  // "127.0.0.1:9464", "[::1]:9464"
};

// "ADDR:PORT" to listen on ("127.0.0.1:9464"; IPv4 only: the exposer's civetweb has no IPv6);
// port 0 picks a free one. InvalidArgument with the reason otherwise.
faultline::Result<Endpoint> ParseListenAddress(const std::string& text);

struct PushTarget {
  Endpoint endpoint;
  std::string path_prefix;  // "" or "/prefix" (no trailing slash)
};
// "http://ADDR:PORT[/prefix]"; https and host names are refused (names could resolve anywhere).
faultline::Result<PushTarget> ParsePushUrl(const std::string& url);

}  // namespace faultline::reports::prometheus
