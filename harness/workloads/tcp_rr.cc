#include "harness/workloads/tcp_rr.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <sstream>
#include <thread>

#include "harness/core/files.h"

namespace faultline::workloads {
namespace {

std::chrono::steady_clock::time_point Deadline(Nanos after) {
  return std::chrono::steady_clock::now() + after;
}

int MillisLeft(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Waits until FD is ready for EVENTS; false on timeout or error.
bool WaitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, MillisLeft(deadline));
    if (n > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

// Moves SIZE bytes through FD (send when WRITING, else receive), by DEADLINE.
Status Transfer(int fd, char* data, std::size_t size, bool writing,
                std::chrono::steady_clock::time_point deadline) {
  std::size_t done = 0;
  while (done < size) {
    if (!WaitFor(fd, writing ? POLLOUT : POLLIN, deadline)) {
      return DeadlineExceeded(writing ? "send timed out" : "no response before the timeout");
    }
    const ssize_t n = writing ? send(fd, data + done, size - done, MSG_NOSIGNAL)
                              : recv(fd, data + done, size - done, 0);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n == 0) {
      return Unavailable("connection closed by the peer");
    } else if (errno != EAGAIN && errno != EINTR) {
      return ErrnoError(writing ? "send" : "recv", errno);
    }
  }
  return OkStatus();
}

Result<int> Connect(const std::string& address, std::uint16_t port,
                    std::chrono::steady_clock::time_point deadline) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &to.sin_addr) != 1) {
    return InvalidArgument("not an IPv4 address: " + address);
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoError("socket", errno);
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    close(fd);
    return ErrnoError("connect to " + address, error);
  }
  if (!WaitFor(fd, POLLOUT, deadline)) {
    close(fd);
    return DeadlineExceeded("connect to " + address + " timed out");
  }
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    close(fd);
    return ErrnoError("connect to " + address, error);
  }
  return fd;
}

void EchoConnection(int fd, std::chrono::steady_clock::time_point end) {
  char buffer[65536];
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    if (!Transfer(fd, buffer, static_cast<std::size_t>(n), true, Deadline(std::chrono::seconds(5)))
             .ok()) {
      break;
    }
  }
  close(fd);
}

}  // namespace

bool AllowedTrafficAddress(const std::string& address) {
  in_addr parsed{};
  if (inet_pton(AF_INET, address.c_str(), &parsed) != 1) return false;
  const std::uint32_t host = ntohl(parsed.s_addr);
  return (host & 0xfffe0000u) == 0xc6120000u      // 198.18.0.0/15
         || (host & 0xff000000u) == 0x7f000000u;  // 127.0.0.0/8
}

Status ServeEcho(const EchoOptions& options) {
  if (!AllowedTrafficAddress(options.address)) {
    return InvalidArgument("refusing to listen on " + options.address +
                           ": not in 198.18.0.0/15 or loopback");
  }
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_port = htons(options.port);
  inet_pton(AF_INET, options.address.c_str(), &at.sin_addr);
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return ErrnoError("socket", errno);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 ||
      listen(listener, 64) != 0) {
    const int error = errno;
    close(listener);
    return ErrnoError("cannot listen on " + options.address + ":" + std::to_string(options.port),
                      error);
  }
  socklen_t length = sizeof at;
  getsockname(listener, reinterpret_cast<sockaddr*>(&at), &length);
  if (options.on_listening) options.on_listening(ntohs(at.sin_port));
  const auto end = Deadline(options.max_time);
  while (std::chrono::steady_clock::now() < end &&
         (options.stop_file.empty() || !PathExists(options.stop_file))) {
    pollfd p{listener, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // One thread per connection: a probe keeps one connection per peer, so few exist.
    std::thread(EchoConnection, fd, end).detach();
  }
  close(listener);
  return OkStatus();
}

std::string FormatRoundTrip(const RoundTrip& trip) {
  std::ostringstream line;
  line << trip.peer << ' ' << trip.start_ns << ' ' << trip.duration_ns << ' '
       << (trip.ok ? "ok" : "error");
  if (!trip.ok) line << ' ' << trip.error;
  return line.str();
}

Result<RoundTrip> ParseRoundTrip(const std::string& line) {
  std::istringstream in(line);
  RoundTrip trip;
  std::string verdict;
  if (!(in >> trip.peer >> trip.start_ns >> trip.duration_ns >> verdict) ||
      (verdict != "ok" && verdict != "error")) {
    return InvalidArgument("unreadable round trip line '" + line + "'");
  }
  trip.ok = verdict == "ok";
  if (!trip.ok) {
    std::getline(in >> std::ws, trip.error);
    if (trip.error.empty()) trip.error = "failed";
  }
  return trip;
}

Status ProbePeers(const ProbeOptions& options, const std::function<void(const RoundTrip&)>& emit) {
  if (options.peers.empty()) return InvalidArgument("no peers to probe");
  for (const auto& peer : options.peers) {
    if (!AllowedTrafficAddress(peer)) {
      return InvalidArgument("refusing to send traffic to " + peer +
                             ": not in 198.18.0.0/15 or loopback");
    }
  }
  if (options.rate_per_second <= 0) return InvalidArgument("rate must be positive");
  std::map<std::string, int> connections;
  std::vector<char> request(options.size, 'r'), response(options.size);
  const auto begin = std::chrono::steady_clock::now();
  const auto end = begin + options.max_time;
  for (std::uint32_t i = 0; i < options.count; ++i) {
    const auto release = begin + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(i / options.rate_per_second));
    if (release >= end) break;
    std::this_thread::sleep_until(release);
    if (!options.stop_file.empty() && PathExists(options.stop_file)) break;
    RoundTrip trip;
    trip.peer = options.peers[i % options.peers.size()];
    trip.start_ns = BootNowNs();
    const auto deadline = Deadline(options.timeout);
    Status status = OkStatus();
    int& fd = connections[trip.peer];
    if (fd <= 0) {
      auto connected = Connect(trip.peer, options.port, deadline);
      if (connected.ok()) {
        fd = *connected;
      } else {
        status = std::move(connected).error();
      }
    }
    if (status.ok()) status = Transfer(fd, request.data(), request.size(), true, deadline);
    if (status.ok()) status = Transfer(fd, response.data(), response.size(), false, deadline);
    trip.duration_ns = BootNowNs() - trip.start_ns;
    if (!status.ok()) {
      trip.ok = false;
      trip.error = status.error().ToString();
      // A late response would be read as the next one: start over on a new connection.
      if (fd > 0) close(fd);
      fd = 0;
    }
    emit(trip);
  }
  for (auto& [peer, fd] : connections) {
    if (fd > 0) close(fd);
  }
  return OkStatus();
}

}  // namespace faultline::workloads
