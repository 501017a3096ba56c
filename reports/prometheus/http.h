// Serving /metrics and pushing to a Pushgateway over HTTP/1.1 (Boost.Beast). Adapters: no
// exception leaves this module.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "harness/core/clock.h"
#include "harness/core/result.h"
#include "reports/prometheus/endpoint.h"

namespace faultline::reports::prometheus {

inline constexpr const char* kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Answers GET /metrics with BODY() (text format 0.0.4) on its own thread; 404 elsewhere.
class MetricsServer {
 public:
  static faultline::Result<std::unique_ptr<MetricsServer>> Start(const Endpoint& endpoint,
                                                                 std::function<std::string()> body);
  virtual ~MetricsServer() = default;
  virtual std::uint16_t port() const = 0;  // the bound port (useful with port 0)
};

// HTTP PUT of BODY to <prefix>/metrics/job/<job>/instance/<instance>: replaces that group's
// metrics. Unavailable with the reason when the gateway does not answer 2xx within TIMEOUT.
Status PushMetrics(const PushTarget& target, const std::string& job, const std::string& instance,
                   const std::string& body, Nanos timeout);

// GET http://ENDPOINT/PATH, for tests and checks: the body when the status is 200.
faultline::Result<std::string> HttpGet(const Endpoint& endpoint, const std::string& path,
                                       Nanos timeout);

}  // namespace faultline::reports::prometheus
