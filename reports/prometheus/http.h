// Serving /metrics (prometheus-cpp's pull exposer) and pushing to a Pushgateway over HTTP/1.1
// (Boost.Beast: prometheus-cpp's push client sets no timeout, and a stalled gateway must not hold
// a finished run). Adapters: no exception leaves this module.
#pragma once

#include <prometheus/collectable.h>

#include <functional>
#include <memory>
#include <string>

#include "harness/core/clock.h"
#include "harness/core/result.h"
#include "reports/prometheus/endpoint.h"

namespace prometheus {
class Exposer;
}

namespace faultline::reports::prometheus {

inline constexpr const char* kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Serves METRICS on GET /metrics (prometheus-cpp's Exposer, on threads of its own) at ENDPOINT.
class MetricsServer {
 public:
  static faultline::Result<std::unique_ptr<MetricsServer>> Start(
      const Endpoint& endpoint, std::weak_ptr<::prometheus::Collectable> metrics);
  MetricsServer(std::unique_ptr<::prometheus::Exposer> exposer, std::uint16_t port);
  ~MetricsServer();
  std::uint16_t port() const { return port_; }  // the bound port (useful with port 0)

 private:
  std::unique_ptr<::prometheus::Exposer> exposer_;
  std::uint16_t port_;
};

// HTTP PUT of BODY to <prefix>/metrics/job/<job>/instance/<instance>: replaces that group's
// metrics. Unavailable with the reason when the gateway does not answer 2xx within TIMEOUT.
Status PushMetrics(const PushTarget& target, const std::string& job, const std::string& instance,
                   const std::string& body, Nanos timeout);

// GET http://ENDPOINT/PATH, for tests and checks: the body when the status is 200.
faultline::Result<std::string> HttpGet(const Endpoint& endpoint, const std::string& path,
                                       Nanos timeout);

}  // namespace faultline::reports::prometheus
