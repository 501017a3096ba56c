#include "reports/prometheus/endpoint.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace faultline::reports::prometheus {
namespace {

constexpr const char* kAllowed =
    "only loopback (127.0.0.0/8, ::1) or 198.18.0.0/15 addresses are allowed, so metrics "
    "never leave this host";

bool Allowed(const boost::asio::ip::address& address) {
  if (address.is_loopback()) return true;
  if (!address.is_v4()) return false;
  const auto bits = address.to_v4().to_uint();
  return (bits & 0xFFFE0000u) == 0xC6120000u;  // 198.18.0.0/15
}

}  // namespace

std::string Endpoint::ToString() const {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

namespace {

// ADDR:PORT under the endpoint policy, IPv4 or IPv6.
faultline::Result<Endpoint> ParseAddress(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return InvalidArgument("'" + text + "': expected ADDR:PORT, e.g. 127.0.0.1:9464");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return InvalidArgument("'" + text + "': write IPv6 addresses in brackets, e.g. [::1]:9464");
  }
  const std::string port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgument("'" + text + "': port '" + port_text + "' is not a number 0-65535");
  }
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(host, error);
  if (error) {
    return InvalidArgument("'" + text + "': '" + host + "' is not a literal IP address (" +
                           kAllowed + ")");
  }
  if (!Allowed(address)) return InvalidArgument("'" + text + "': " + kAllowed);
  return Endpoint{address.to_string(), static_cast<std::uint16_t>(port)};
}

}  // namespace

faultline::Result<Endpoint> ParseListenAddress(const std::string& text) {
  FL_ASSIGN_OR_RETURN(Endpoint endpoint, ParseAddress(text));
  if (endpoint.address.find(':') != std::string::npos) {
    return InvalidArgument("'" + text +
                           "': the metrics server (prometheus-cpp's exposer over Debian's "
                           "civetweb, built without IPv6) listens on IPv4 only: use 127.0.0.1");
  }
  return endpoint;
}

faultline::Result<PushTarget> ParsePushUrl(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    return InvalidArgument("'" + url + "': expected http://ADDR:PORT[/prefix]");
  }
  std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  rest = rest.substr(0, slash);
  while (!path.empty() && path.back() == '/') path.pop_back();
  auto endpoint = ParseAddress(rest);
  if (!endpoint.ok()) return std::move(endpoint).error();
  if (endpoint->port == 0) return InvalidArgument("'" + url + "': needs a port");
  return PushTarget{*endpoint, path};
}

}  // namespace faultline::reports::prometheus
