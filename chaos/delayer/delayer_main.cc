// faultline-delayer: holds every packet of one NFQUEUE queue for delay ± jitter, then accepts it.
// Runs inside a node's network namespace for network.delay where the kernel has no netem. The
// iptables rule feeding it uses --queue-bypass and the queue is FAIL_OPEN, so a delayer that dies
// or falls behind lets traffic through instead of dropping it. On SIGTERM, or at --until-boot-ns,
// it accepts what it holds and exits.
//
//   faultline-delayer --netns PATH --queue N --delay-ns D [--jitter-ns J] [--until-boot-ns T]
//   faultline-delayer --probe    (binds queue 64023 in the current namespace, then exits 0)
#include <arpa/inet.h>
#include <fcntl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr int kReceiveBuffer = 32 << 20;
constexpr std::uint32_t kQueueMaxLen = 65536;

volatile sig_atomic_t g_stop = 0;

std::int64_t NowNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Held {
  std::int64_t release_ns;  // CLOCK_MONOTONIC
  std::uint32_t id;
  bool operator>(const Held& other) const { return release_ns > other.release_ns; }
};

struct State {
  std::int64_t delay_ns = 0;
  std::int64_t jitter_ns = 0;
  std::mt19937_64 rng{std::random_device{}()};
  std::priority_queue<Held, std::vector<Held>, std::greater<>> held;
};

int OnPacket(nfq_q_handle*, nfgenmsg*, nfq_data* nfa, void* data) {
  auto* state = static_cast<State*>(data);
  const nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(nfa);
  if (!header) return 0;
  std::int64_t hold = state->delay_ns;
  if (state->jitter_ns > 0) {
    std::uniform_int_distribution<std::int64_t> spread(-state->jitter_ns, state->jitter_ns);
    hold += spread(state->rng);
  }
  state->held.push({NowNs(CLOCK_MONOTONIC) + (hold > 0 ? hold : 0), ntohl(header->packet_id)});
  return 0;
}

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "faultline-delayer: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

std::int64_t ParseInt(const char* text, const char* name) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 0) {
    std::fprintf(stderr, "faultline-delayer: bad %s '%s'\n", name, text);
    std::exit(2);
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  std::string netns;
  std::uint16_t queue = 64023;
  std::int64_t until_boot_ns = 0;
  bool probe = false;
  State state;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--probe") {
      probe = true;
      continue;
    }
    if (!value) {
      std::fprintf(stderr, "faultline-delayer: %s needs a value\n", arg.c_str());
      return 2;
    }
    ++i;
    if (arg == "--netns") {
      netns = value;
    } else if (arg == "--queue") {
      queue = static_cast<std::uint16_t>(ParseInt(value, "queue"));
    } else if (arg == "--delay-ns") {
      state.delay_ns = ParseInt(value, "delay");
    } else if (arg == "--jitter-ns") {
      state.jitter_ns = ParseInt(value, "jitter");
    } else if (arg == "--until-boot-ns") {
      until_boot_ns = ParseInt(value, "deadline");
    } else {
      std::fprintf(stderr, "faultline-delayer: unknown option %s\n", arg.c_str());
      return 2;
    }
  }

  if (!netns.empty()) {
    const int fd = open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) Fail("cannot enter the network namespace");
    close(fd);
  }
  struct sigaction stop {};
  stop.sa_handler = [](int) { g_stop = 1; };
  sigaction(SIGTERM, &stop, nullptr);
  sigaction(SIGINT, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  nfq_handle* handle = nfq_open();
  if (!handle) Fail("nfq_open");
  nfq_q_handle* qh = nfq_create_queue(handle, queue, &OnPacket, &state);
  if (!qh) Fail("cannot bind the queue");
  if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) Fail("cannot set the copy mode");
  // GSO: whole offloaded packets are queued instead of being segmented; FAIL_OPEN: a full queue
  // accepts instead of dropping.
  const std::uint32_t flags = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN;
  if (nfq_set_queue_flags(qh, flags, flags) < 0) Fail("cannot set the queue flags");
  nfq_set_queue_maxlen(qh, kQueueMaxLen);
  const int fd = nfq_fd(handle);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer);
  const int on = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &on, sizeof on);
  if (probe) {
    nfq_destroy_queue(qh);
    nfq_close(handle);
    return 0;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  // Whoever waited for "ready" has closed the pipe.
  const int devnull = open("/dev/null", O_WRONLY);
  dup2(devnull, STDOUT_FILENO);
  dup2(devnull, STDERR_FILENO);

  std::vector<char> buffer(1 << 17);
  while (!g_stop && (until_boot_ns == 0 || NowNs(CLOCK_BOOTTIME) < until_boot_ns)) {
    const std::int64_t now = NowNs(CLOCK_MONOTONIC);
    while (!state.held.empty() && state.held.top().release_ns <= now) {
      nfq_set_verdict(qh, state.held.top().id, NF_ACCEPT, 0, nullptr);
      state.held.pop();
    }
    // Sleep until the next release, a packet, or at most 100 ms (deadline and signal checks).
    std::int64_t wait_ns = 100'000'000;
    if (!state.held.empty()) wait_ns = std::min(wait_ns, state.held.top().release_ns - now);
    const timespec timeout{static_cast<time_t>(wait_ns / 1'000'000'000),
                           static_cast<long>(wait_ns % 1'000'000'000)};
    pollfd pfd{fd, POLLIN, 0};
    if (ppoll(&pfd, 1, &timeout, nullptr) > 0) {
      for (;;) {
        const ssize_t n = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n <= 0) break;
        nfq_handle_packet(handle, buffer.data(), static_cast<int>(n));
      }
    }
  }
  while (!state.held.empty()) {
    nfq_set_verdict(qh, state.held.top().id, NF_ACCEPT, 0, nullptr);
    state.held.pop();
  }
  nfq_destroy_queue(qh);
  nfq_close(handle);
  return 0;
}
