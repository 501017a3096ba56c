// The probes' kernel side on the running kernel, through ProbeSet as the runner loads it: the
// namespaces a session's unshare() creates are seen with their flags; packet drops are counted in
// the kernel per network namespace and drop reason, and each reading reports what is new.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "harness/core/process.h"
#include "probes/probe_set.h"
#include "probes/signals.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

using probes::EventKind;
using probes::ProbeEvent;
using probes::ProbeSet;

#define FL_REQUIRE_BPF()                                                  \
  do {                                                                    \
    if (geteuid() != 0 || access("/sys/kernel/btf/vmlinux", R_OK) != 0) { \
      FL_SKIP_LACKING("bpf", "no BTF or not root");                       \
    }                                                                     \
  } while (0)

// util-linux's unshare stands in for a runtime's namespace setup: it unshares, then execs.
TEST(ProbeKernelTest, UnshareOfASessionIsSeenWithoutAProgramOnEverySyscall) {
  FL_REQUIRE_BPF();
  probes::ProbeSetOptions options;
  options.roots = {getpid()};
  options.runtimes = {"unshare"};
  options.node_signals = false;
  auto set = ProbeSet::Start(options);
  ASSERT_TRUE(set->active()) << set->Stats().reason;
  const std::string attach = set->Stats().attach;
  ASSERT_TRUE(attach == "tp_btf+fexit" || attach == "tp_btf") << attach;
  auto outcome = RunProcess({{"unshare", "--net", "--uts", "true"}, std::chrono::seconds(10), ""});
  ASSERT_TRUE(outcome.ok() && outcome->ok()) << (outcome.ok() ? outcome->Describe() : "");
  set->Stop();
  const std::vector<ProbeEvent> events = set->Events();
  std::uint32_t session = 0;
  std::int64_t runtime_exec = 0, user_exec = 0;
  std::vector<ProbeEvent> namespaces;
  for (const ProbeEvent& e : events) {
    if (e.kind == EventKind::kRuntimeExec && e.comm == "unshare") {
      session = e.session;
      runtime_exec = e.ts_ns;
    }
    if (!session || e.session != session) continue;
    if (e.kind == EventKind::kNamespaces) namespaces.push_back(e);
    if (e.kind == EventKind::kExec && e.text.ends_with("/true")) user_exec = e.ts_ns;
  }
  ASSERT_NE(session, 0u) << "the unshare session was not seen";
  ASSERT_NE(user_exec, 0) << "the exec of true was not seen";
  // One report of the new namespaces, between the session's start and the exec that followed.
  ASSERT_EQ(namespaces.size(), 1u) << attach;
  EXPECT_GT(namespaces[0].ts_ns, runtime_exec);
  EXPECT_LE(namespaces[0].ts_ns, user_exec);
  if (attach == "tp_btf+fexit") {
    // Seen at unshare()'s return, with its flags.
    EXPECT_EQ(namespaces[0].arg, std::uint64_t{CLONE_NEWNET | CLONE_NEWUTS});
  } else {
    // Seen at the exec, where the process first shows its new namespaces.
    EXPECT_EQ(namespaces[0].arg, 0u);
  }
  EXPECT_EQ(set->Stats().drops, 0u);
}

// On a thread of its own in a new network namespace with loopback up: UDP datagrams to a port
// nobody listens on, each dropped by the kernel as NO_SOCKET. Returns the namespace's inode.
std::uint32_t SendToClosedPort(int batches[], int n_batches, ProbeSet& set,
                               std::vector<std::uint64_t>* seen_after_batch) {
  std::uint32_t inode = 0;
  std::thread sender([&] {
    if (unshare(CLONE_NEWNET) != 0) return;
    struct stat st {};
    if (stat("/proc/thread-self/ns/net", &st) != 0) return;
    const int control = socket(AF_INET, SOCK_DGRAM, 0);
    ifreq lo{};
    std::strncpy(lo.ifr_name, "lo", IFNAMSIZ - 1);
    lo.ifr_flags = IFF_UP;
    const bool up = ioctl(control, SIOCSIFFLAGS, &lo) == 0;
    close(control);
    if (!up) return;
    inode = static_cast<std::uint32_t>(st.st_ino);
    const int s = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int b = 0; b < n_batches; ++b) {
      for (int i = 0; i < batches[b]; ++i) {
        (void)sendto(s, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      }
      set.Flush();
      seen_after_batch->push_back(set.Events().size());
    }
    close(s);
  });
  sender.join();
  return inode;
}

TEST(ProbeKernelTest, DropsAreCountedInTheKernelPerNetnsAndReasonAndReadAsIncrements) {
  FL_REQUIRE_BPF();
  probes::ProbeSetOptions options;
  options.roots = {getpid()};
  options.runtimes = {"runc"};
  auto set = ProbeSet::Start(options);
  ASSERT_TRUE(set->active()) << set->Stats().reason;
  int batches[] = {30, 20};
  std::vector<std::uint64_t> seen;
  const std::uint32_t netns = SendToClosedPort(batches, 2, *set, &seen);
  ASSERT_NE(netns, 0u) << "could not set up a network namespace with loopback up";
  set->Stop();
  const std::vector<ProbeEvent> events = set->Events();
  // Readings report increments, each as one event (not one per packet).
  auto no_socket_drops = [&](std::size_t from, std::size_t to) {
    std::uint64_t count = 0, readings = 0;
    for (std::size_t i = from; i < to; ++i) {
      const ProbeEvent& e = events[i];
      if (e.kind != EventKind::kPacketDrop || e.netns != netns || e.text != "NO_SOCKET") continue;
      count += e.count;
      ++readings;
    }
    return std::pair{count, readings};
  };
  ASSERT_EQ(seen.size(), 2u);
  // Every drop counted once, in few readings: the flush after the batch, and on a slow machine
  // (the guest tier's emulation) a periodic reading that fell inside the batch.
  const auto first = no_socket_drops(0, seen[0]), second = no_socket_drops(seen[0], seen[1]);
  EXPECT_EQ(first.first, 30u);
  EXPECT_EQ(second.first, 20u);
  EXPECT_GE(first.second, 1u);
  EXPECT_LE(first.second, 3u);
  EXPECT_GE(second.second, 1u);
  EXPECT_LE(second.second, 3u);
  EXPECT_EQ(no_socket_drops(seen[1], events.size()).first, 0u);
  // The window counts of fault reports see the same.
  probes::SignalLog log;
  for (const ProbeEvent& e : events) log.Add(e);
  const probes::SignalCounts counts = log.CountSignals(0, INT64_MAX);
  EXPECT_EQ(counts.drop_reasons.at("NO_SOCKET"), 50u);
  EXPECT_EQ(counts.drops_by_netns.at(netns), 50u);
  EXPECT_EQ(set->Stats().drops, 0u);
}

}  // namespace
}  // namespace faultline::testing
