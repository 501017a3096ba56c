#include "reports/prometheus/http.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace faultline::reports::prometheus {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// One request, one response, then close: scrapers open a connection per scrape.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const std::function<std::string()>& body)
      : stream_(std::move(socket)), body_(body) {}

  void Start() {
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->Respond();
                     });
  }

 private:
  void Respond() {
    response_.version(request_.version());
    response_.keep_alive(false);
    response_.set(http::field::server, "faultline");
    const std::string target(request_.target());
    if (request_.method() == http::verb::get &&
        (target == "/metrics" || target.rfind("/metrics?", 0) == 0)) {
      response_.result(http::status::ok);
      response_.set(http::field::content_type, kTextContentType);
      response_.body() = body_();
    } else {
      response_.result(http::status::not_found);
      response_.set(http::field::content_type, "text/plain; charset=utf-8");
      response_.body() = "faultline serves only GET /metrics\n";
    }
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  beast::tcp_stream stream_;
  const std::function<std::string()>& body_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

class BeastMetricsServer : public MetricsServer {
 public:
  explicit BeastMetricsServer(std::function<std::string()> body)
      : body_(std::move(body)), acceptor_(io_) {}
  ~BeastMetricsServer() override {
    net::post(io_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  Status Listen(const Endpoint& endpoint) {
    beast::error_code ec;
    const tcp::endpoint where(net::ip::make_address(endpoint.address, ec), endpoint.port);
    if (!ec) acceptor_.open(where.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(where, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Unavailable("cannot listen on " + endpoint.ToString() + ": " + ec.message());
    port_ = acceptor_.local_endpoint(ec).port();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
    return OkStatus();
  }
  std::uint16_t port() const override { return port_; }

 private:
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!ec) std::make_shared<Session>(std::move(socket), body_)->Start();
      if (acceptor_.is_open()) Accept();
    });
  }

  std::function<std::string()> body_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

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
    const Endpoint& endpoint, std::function<std::string()> body) {
  try {
    auto server = std::make_unique<BeastMetricsServer>(std::move(body));
    FL_RETURN_IF_ERROR(server->Listen(endpoint));
    return std::unique_ptr<MetricsServer>(std::move(server));
  } catch (const std::exception& e) {
    return Internal(std::string("metrics server: ") + e.what());
  }
}

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
