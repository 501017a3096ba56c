#include "reports/prometheus/http.h"

#include <prometheus/exposer.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace faultline::reports::prometheus {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// One request with a deadline over a fresh connection; the response's status and body.
faultline::Result<http::response<http::string_body>> Exchange(
    const Endpoint& endpoint, http::request<http::string_body> request, Nanos timeout) {
  net::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code failure;
  std::string stage = "connect";
  beast::error_code ec;
  const tcp::endpoint where(net::ip::make_address(endpoint.address, ec), endpoint.port);
  if (ec) return InvalidArgument(endpoint.address + ": " + ec.message());
  request.set(http::field::host, endpoint.ToString());
  request.prepare_payload();
  stream.expires_after(timeout);
  stream.async_connect(where, [&](beast::error_code connect_ec) {
    if (connect_ec) {
      failure = connect_ec;
      return;
    }
    stage = "send";
    http::async_write(stream, request, [&](beast::error_code write_ec, std::size_t) {
      if (write_ec) {
        failure = write_ec;
        return;
      }
      stage = "receive";
      http::async_read(stream, buffer, response,
                       [&](beast::error_code read_ec, std::size_t) { failure = read_ec; });
    });
  });
  io.run();
  if (failure) {
    return Unavailable(endpoint.ToString() + ": " + stage + ": " + failure.message());
  }
  return response;
}

}  // namespace

faultline::Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const Endpoint& endpoint, std::weak_ptr<::prometheus::Collectable> metrics) {
  try {
    auto exposer = std::make_unique<::prometheus::Exposer>(endpoint.ToString());
    exposer->RegisterCollectable(metrics);
    const std::vector<int> ports = exposer->GetListeningPorts();
    if (ports.empty()) return Unavailable("cannot listen on " + endpoint.ToString());
    return std::make_unique<MetricsServer>(std::move(exposer),
                                           static_cast<std::uint16_t>(ports.front()));
  } catch (const std::exception& e) {  // civetweb could not bind: in use, or no such address
    return Unavailable("cannot listen on " + endpoint.ToString() + ": " + e.what());
  }
}

MetricsServer::MetricsServer(std::unique_ptr<::prometheus::Exposer> exposer, std::uint16_t port)
    : exposer_(std::move(exposer)), port_(port) {}

MetricsServer::~MetricsServer() = default;

Status PushMetrics(const PushTarget& target, const std::string& job, const std::string& instance,
                   const std::string& body, Nanos timeout) {
  try {
    http::request<http::string_body> request(
        http::verb::put, target.path_prefix + "/metrics/job/" + job + "/instance/" + instance, 11);
    request.set(http::field::content_type, kTextContentType);
    request.body() = body;
    FL_ASSIGN_OR_RETURN(auto response, Exchange(target.endpoint, std::move(request), timeout));
    const unsigned status = response.result_int();
    if (status < 200 || status > 299) {
      return Unavailable("push to " + target.endpoint.ToString() + " answered " +
                         std::to_string(status) + ": " + response.body());
    }
    return OkStatus();
  } catch (const std::exception& e) {
    return Internal(std::string("push: ") + e.what());
  }
}

faultline::Result<std::string> HttpGet(const Endpoint& endpoint, const std::string& path,
                                       Nanos timeout) {
  try {
    http::request<http::string_body> request(http::verb::get, path, 11);
    FL_ASSIGN_OR_RETURN(auto response, Exchange(endpoint, std::move(request), timeout));
    if (response.result() != http::status::ok) {
      return Unavailable("GET " + path + " answered " + std::to_string(response.result_int()));
    }
    return std::move(response.body());
  } catch (const std::exception& e) {
    return Internal(std::string("GET: ") + e.what());
  }
}

}  // namespace faultline::reports::prometheus
