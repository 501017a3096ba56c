#include "tests/integration/test_topology.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "chaos/support/helper_process.h"
#include "chaos/support/netns_command.h"
#include "harness/cluster/node_cgroup.h"
#include "harness/core/cgroup.h"
#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/process.h"

namespace faultline::testing {
namespace {

constexpr std::uint16_t kUdpPort = 9001;
constexpr std::uint16_t kEchoPort = 9002;
constexpr std::uint16_t kTcpPort = 9003;

Status Ip(std::vector<std::string> args) {
  args.insert(args.begin(), "ip");
  return chaos::RunChecked(args);
}

sockaddr_in Address(const std::string& ip, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  return addr;
}

// Closes its descriptor.
struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

Result<int> BoundSocket(const chaos::NodeRef& node, int type, std::uint16_t port) {
  const int fd = SocketIn(node.netns, type);
  if (fd < 0) return ErrnoError("socket in " + node.netns, errno);
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  const int buffer = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
  const sockaddr_in addr = Address(node.address, port);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int saved = errno;
    close(fd);
    return ErrnoError("bind " + node.address, saved);
  }
  return fd;
}

bool Readable(int fd, int timeout_ms) {
  pollfd pfd{fd, POLLIN, 0};
  return poll(&pfd, 1, timeout_ms) > 0;
}

}  // namespace

int SocketIn(const std::string& netns, int type) {
  int result = -1, error = 0;
  std::thread([&] {
    const int ns = open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
      error = errno;
    } else {
      result = socket(AF_INET, type | SOCK_CLOEXEC, 0);
      error = errno;
    }
    if (ns >= 0) close(ns);
  }).join();
  errno = error;
  return result;
}

Result<std::unique_ptr<TestTopology>> TestTopology::Create(int nodes) {
  std::mt19937 rng{std::random_device{}()};
  char id[16];
  std::snprintf(id, sizeof id, "t%06x", static_cast<unsigned>(rng() & 0xffffff));
  auto topology = std::unique_ptr<TestTopology>(new TestTopology());
  topology->run_id_ = id;
  FL_ASSIGN_OR_RETURN(topology->journal_, Journal::Open(id));
  TestTopology& t = *topology;
  const std::string cgroup = "faultline/" + t.run_id_;
  FL_ASSIGN_OR_RETURN(t.cgroup_seq_,
                      t.journal_->Acquire(journal_kind::kCgroup, {{"path", cgroup}}));
  FL_RETURN_IF_ERROR(chaos::CreateChildCgroup("faultline"));
  FL_RETURN_IF_ERROR(chaos::CreateChildCgroup(cgroup));

  auto add_netns = [&](const std::string& name) -> Status {
    FL_ASSIGN_OR_RETURN(std::uint64_t seq, t.journal_->Acquire("netns", {{"name", name}}));
    t.namespaces_.push_back({seq, name});
    return Ip({"netns", "add", name});
  };
  const std::string bridge_ns = "fl-" + t.run_id_ + "-bridge";
  FL_RETURN_IF_ERROR(add_netns(bridge_ns));
  FL_RETURN_IF_ERROR(Ip({"-n", bridge_ns, "link", "add", "br0", "type", "bridge"}));
  FL_RETURN_IF_ERROR(Ip({"-n", bridge_ns, "link", "set", "br0", "up"}));
  for (int i = 1; i <= nodes; ++i) {
    const std::string name = "node-" + std::to_string(i);
    const std::string ns = "fl-" + t.run_id_ + "-" + name;
    const std::string port = "veth" + std::to_string(i);
    FL_RETURN_IF_ERROR(add_netns(ns));
    FL_RETURN_IF_ERROR(Ip({"-n", bridge_ns, "link", "add", port, "type", "veth", "peer", "name",
                           "eth0", "netns", ns}));
    FL_RETURN_IF_ERROR(Ip({"-n", bridge_ns, "link", "set", port, "master", "br0", "up"}));
    const std::string address = "198.18.0." + std::to_string(i + 1);
    FL_RETURN_IF_ERROR(Ip({"-n", ns, "addr", "add", address + "/24", "dev", "eth0"}));
    FL_RETURN_IF_ERROR(Ip({"-n", ns, "link", "set", "eth0", "up"}));
    FL_RETURN_IF_ERROR(Ip({"-n", ns, "link", "set", "lo", "up"}));
    const std::string node_cgroup = cgroup + "/" + name;
    // As a virtual cluster's node: with its accounting controllers on cgroup v2.
    FL_RETURN_IF_ERROR(cluster::CreateNodeCgroup(node_cgroup, {}, DetectCgroupMode()));
    t.nodes_.push_back({name, "/run/netns/" + ns, "eth0", address, node_cgroup});
  }
  // Neighbours resolved up front, so the first measured packets do not wait for ARP.
  for (const auto& from : t.nodes_) {
    for (const auto& to : t.nodes_) {
      if (from.name != to.name) (void)CountDelivered(from, to, 3);
    }
  }
  return topology;
}

TestTopology::~TestTopology() {
  (void)Destroy();
}

Status TestTopology::Destroy() {
  if (destroyed_ || !journal_) return OkStatus();
  destroyed_ = true;
  Status first = OkStatus();
  for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it) {
    Status deleted = Ip({"netns", "delete", it->second});
    if (deleted.ok() || !PathExists("/run/netns/" + it->second)) {
      journal_->Release(it->first);
    } else if (first.ok()) {
      first = std::move(deleted);
    }
  }
  Status removed = RemoveCgroupTree("faultline/" + run_id_);
  if (removed.ok()) journal_->Release(cgroup_seq_);
  if (!removed.ok() && first.ok()) first = std::move(removed);
  RemoveFaultlineCgroupIfEmpty();
  Status closed = journal_->Close();
  if (!closed.ok() && first.ok()) first = std::move(closed);
  return first;
}

chaos::FaultParams TestTopology::Params(const std::string& kind) const {
  chaos::FaultParams params;
  params.run_id = run_id_;
  params.kind = kind;
  params.all_nodes = nodes_;
  params.expires_ns = BootNowNs() + 120'000'000'000;
  return params;
}

Result<Arrivals> CountArrivals(const chaos::NodeRef& from, const chaos::NodeRef& to, int count) {
  FL_ASSIGN_OR_RETURN(int receiver_fd, BoundSocket(to, SOCK_DGRAM, kUdpPort));
  Fd receiver(receiver_fd);
  Fd sender(SocketIn(from.netns, SOCK_DGRAM));
  if (sender.fd < 0) return ErrnoError("socket in " + from.netns, errno);
  const sockaddr_in dest = Address(to.address, kUdpPort);
  constexpr char kFill = 0x5a;
  std::set<std::uint32_t> seen;
  Arrivals arrivals;
  char buffer[64];
  std::memset(buffer, kFill, sizeof buffer);
  auto drain = [&](int timeout_ms) {
    char got[sizeof buffer + 1];
    while (Readable(receiver.fd, timeout_ms)) {
      if (recv(receiver.fd, got, sizeof got, MSG_DONTWAIT) != sizeof buffer) continue;
      std::uint32_t seq;
      std::memcpy(&seq, got, sizeof seq);
      ++arrivals.received;
      if (std::any_of(got + sizeof seq, got + sizeof buffer, [](char c) { return c != kFill; })) {
        ++arrivals.corrupted;
      }
      seen.insert(seq);
    }
  };
  for (std::uint32_t seq = 0; seq < static_cast<std::uint32_t>(count); ++seq) {
    std::memcpy(buffer, &seq, sizeof seq);
    sendto(sender.fd, buffer, sizeof buffer, 0, reinterpret_cast<const sockaddr*>(&dest),
           sizeof dest);
    if (seq % 64 == 63) drain(0);  // keeps the receive queue short
  }
  drain(300);
  arrivals.distinct = static_cast<int>(seen.size());
  return arrivals;
}

Result<int> CountDelivered(const chaos::NodeRef& from, const chaos::NodeRef& to, int count) {
  FL_ASSIGN_OR_RETURN(Arrivals arrivals, CountArrivals(from, to, count));
  return arrivals.distinct;
}

Result<std::vector<std::int64_t>> RoundTrips(const chaos::NodeRef& client,
                                             const chaos::NodeRef& server, int count) {
  FL_ASSIGN_OR_RETURN(int server_fd, BoundSocket(server, SOCK_DGRAM, kEchoPort));
  Fd echo(server_fd);
  std::atomic<bool> stop{false};
  std::thread echoer([&] {
    char buffer[64];
    while (!stop) {
      if (!Readable(echo.fd, 50)) continue;
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      const ssize_t n = recvfrom(echo.fd, buffer, sizeof buffer, MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&peer), &len);
      if (n > 0) sendto(echo.fd, buffer, n, 0, reinterpret_cast<sockaddr*>(&peer), len);
    }
  });
  Fd sock(SocketIn(client.netns, SOCK_DGRAM));
  const sockaddr_in dest = Address(server.address, kEchoPort);
  std::vector<std::int64_t> rtts;
  for (std::uint32_t seq = 0; seq < static_cast<std::uint32_t>(count); ++seq) {
    const std::int64_t start = BootNowNs();
    sendto(sock.fd, &seq, sizeof seq, 0, reinterpret_cast<const sockaddr*>(&dest), sizeof dest);
    while (Readable(sock.fd, 1000)) {
      std::uint32_t echoed;
      if (recv(sock.fd, &echoed, sizeof echoed, 0) == sizeof echoed && echoed == seq) {
        rtts.push_back(BootNowNs() - start);
        break;
      }
    }
  }
  stop = true;
  echoer.join();
  return rtts;
}

Result<double> TcpGoodput(const chaos::NodeRef& sender, const chaos::NodeRef& receiver,
                          double skip_seconds, double seconds) {
  FL_ASSIGN_OR_RETURN(int listen_fd, BoundSocket(receiver, SOCK_STREAM, kTcpPort));
  Fd listener(listen_fd);
  if (listen(listener.fd, 1) != 0) return ErrnoError("listen", errno);
  const auto total = std::chrono::duration<double>(seconds);
  std::thread writer([&] {
    Fd sock(SocketIn(sender.netns, SOCK_STREAM));
    const sockaddr_in dest = Address(receiver.address, kTcpPort);
    if (connect(sock.fd, reinterpret_cast<const sockaddr*>(&dest), sizeof dest) != 0) return;
    std::vector<char> chunk(64 << 10, 'x');
    const auto end = std::chrono::steady_clock::now() + total + std::chrono::milliseconds(200);
    while (std::chrono::steady_clock::now() < end) {
      pollfd pfd{sock.fd, POLLOUT, 0};
      if (poll(&pfd, 1, 50) > 0 &&
          send(sock.fd, chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
          errno != EAGAIN) {
        break;
      }
    }
  });
  double goodput = -1;
  if (Readable(listener.fd, 3000)) {
    Fd conn(accept(listener.fd, nullptr, nullptr));
    std::vector<char> buffer(1 << 20);
    const auto start = std::chrono::steady_clock::now();
    const auto from = start + std::chrono::duration<double>(skip_seconds);
    const auto until = start + total;
    std::uint64_t bytes = 0;
    for (auto now = start; now < until; now = std::chrono::steady_clock::now()) {
      if (!Readable(conn.fd, 50)) continue;
      const ssize_t n = recv(conn.fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n <= 0) continue;
      if (std::chrono::steady_clock::now() >= from) bytes += static_cast<std::uint64_t>(n);
    }
    goodput = static_cast<double>(bytes) * 8 / (seconds - skip_seconds);
  }
  writer.join();
  if (goodput < 0) return Unavailable("no TCP connection arrived");
  return goodput;
}

std::string RulesAndQdiscsMentioning(const chaos::NodeRef& node, const std::string& text) {
  std::string found;
  for (auto argv : {std::vector<std::string>{"iptables-save"},
                    std::vector<std::string>{"tc", "qdisc", "show", "dev", node.link}}) {
    auto out = RunForOutput(chaos::InNetns(node.netns, argv));
    const std::string listing = out.ok() ? *out : "(" + out.error().ToString() + ")";
    std::istringstream lines(listing);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(text) != std::string::npos) found += line + "\n";
    }
  }
  return found;
}

}  // namespace faultline::testing
