// Network and node-load faults on a virtual cluster the test builds itself, each checked by
// its effect measured from outside, then checked reverted (by Revert() and by undoing the
// journal record alone, as recover does), with nothing left behind.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "chaos/network/mechanisms.h"
#include "chaos/network/network_faults.h"
#include "chaos/node/node_faults.h"
#include "chaos/registry.h"
#include "chaos/support/netns_command.h"
#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/process.h"
#include "tests/integration/host_state.h"
#include "tests/integration/test_topology.h"

namespace faultline::testing {
namespace {

using chaos::FaultMechanism;
using chaos::FaultParams;

std::int64_t Percentile(std::vector<std::int64_t> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(p * static_cast<double>(values.size() - 1))];
}

// CPU time (ns) used by cgroup REL, from cpuacct (v1) or cpu.stat (v2).
std::uint64_t CpuUsageNs(const std::string& rel) {
  for (const auto& root : CgroupHierarchies()) {
    const std::string dir = root + "/" + rel;
    if (PathExists(dir + "/cpuacct.usage")) return std::stoull(Slurp(dir + "/cpuacct.usage"));
    if (PathExists(dir + "/cpu.stat")) {
      const std::string stat = Slurp(dir + "/cpu.stat");
      const auto at = stat.find("usage_usec ");
      if (at != std::string::npos) return std::stoull(stat.substr(at + 11)) * 1000;
    }
  }
  return 0;
}

// Live processes whose command line mentions TEXT (MATCH_PROGRAM: whose program name starts
// with TEXT, so a compiler whose flags name it does not count).
std::vector<std::string> ProcessesMatching(const std::string& text, bool match_program) {
  std::vector<std::string> found;
  DIR* proc = opendir("/proc");
  while (dirent* entry = proc ? readdir(proc) : nullptr) {
    const std::string pid = entry->d_name;
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = Slurp("/proc/" + pid + "/cmdline");
    const std::string program = cmdline.substr(0, cmdline.find('\0'));
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    std::string stat = Slurp("/proc/" + pid + "/stat");
    const auto state_at = stat.rfind(')');
    const bool zombie =
        state_at != std::string::npos && stat.size() > state_at + 2 && stat[state_at + 2] == 'Z';
    const bool matches = match_program ? program.substr(program.rfind('/') + 1).rfind(text, 0) == 0
                                       : cmdline.find(text) != std::string::npos;
    if (!zombie && matches) found.push_back(pid + ": " + cmdline);
  }
  if (proc) closedir(proc);
  return found;
}

std::vector<std::string> ProcessesMentioning(const std::string& text) {
  return ProcessesMatching(text, false);
}

std::vector<std::string> ProcessesRunning(const std::string& program) {
  return ProcessesMatching(program, true);
}

class NetFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) FL_SKIP_LACKING("root", "not root");
    for (const char* tool : {"ip", "iptables", "tc", "nsenter", "unshare"}) {
      if (FindExecutable(tool).empty())
        FL_SKIP_LACKING("root", std::string(tool) + " not installed");
    }
    state_ = TempDir("netfaults");
    setenv("FAULTLINE_STATE_DIR", state_.c_str(), 1);
    auto topology = TestTopology::Create(3);
    ASSERT_TRUE(topology.ok()) << topology.error().ToString();
    topology_ = std::move(*topology);
  }

  void TearDown() override {
    if (topology_) {
      const std::string run_id = topology_->run_id();
      Status destroyed = topology_->Destroy();
      EXPECT_TRUE(destroyed.ok()) << destroyed.error().ToString();
      EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
      EXPECT_EQ(ProcessesMentioning("fl-" + run_id), std::vector<std::string>{});
    }
    if (!state_.empty()) {
      (void)RemoveTree(state_);
      unsetenv("FAULTLINE_STATE_DIR");
    }
  }

  // The mechanism for KIND, skipping the test when this host cannot apply it.
  std::unique_ptr<FaultMechanism> Mechanism(const std::string& kind) {
    for (auto& mechanism : chaos::MakeNetworkMechanisms()) {
      if (mechanism->kind() != kind) continue;
      Status probed = mechanism->Probe();
      if (!probed.ok()) {
        ADD_FAILURE() << kind << " unavailable here: " << probed.error().ToString();
        return nullptr;
      }
      return std::move(mechanism);
    }
    ADD_FAILURE() << "no mechanism for " << kind;
    return nullptr;
  }

  // The outstanding fault record of the run's journal (exactly one expected).
  nlohmann::json OutstandingFaultRecord() {
    auto entries = ReadOutstanding(topology_->journal().run_dir() + "/journal");
    EXPECT_TRUE(entries.ok());
    nlohmann::json record;
    int faults = 0;
    for (const auto& entry : *entries) {
      if (entry.kind == chaos::kFaultJournalKind) {
        record = entry.data;
        ++faults;
      }
    }
    EXPECT_EQ(faults, 1);
    return record;
  }

  int FaultRecords() {
    auto entries = ReadOutstanding(topology_->journal().run_dir() + "/journal");
    return static_cast<int>(std::count_if(entries->begin(), entries->end(), [](const auto& e) {
      return e.kind == chaos::kFaultJournalKind;
    }));
  }

  // No rule, qdisc or process of the run on any node.
  void ExpectNetworkClean() {
    for (const auto& node : topology_->nodes()) {
      EXPECT_EQ(RulesAndQdiscsMentioning(node, "fl-" + topology_->run_id()), "") << node.name;
      EXPECT_EQ(RulesAndQdiscsMentioning(node, "tbf"), "") << node.name;
      EXPECT_EQ(RulesAndQdiscsMentioning(node, "netem"), "") << node.name;
      EXPECT_EQ(RulesAndQdiscsMentioning(node, "clsact"), "") << node.name;
    }
    EXPECT_EQ(ProcessesRunning("faultline-delayer"), std::vector<std::string>{});
  }

  const chaos::NodeRef& node(int i) { return topology_->nodes()[static_cast<size_t>(i - 1)]; }

  // The link's own round trip from node-2 to node-1 before any fault, in ms: a delay adds to it.
  // Its spread sets how close to the asked delay a measurement must come, so that a slow or
  // emulated machine (the guest tier) is held to its own noise, not to this host's.
  struct LinkBaseline {
    double p50_ms = 0, p95_ms = 0;
    double tolerance_ms() const { return 2.0 + 2.0 * p95_ms; }
  };
  LinkBaseline Baseline() {
    auto rtts = RoundTrips(node(2), node(1), 100);
    EXPECT_TRUE(rtts.ok() && rtts->size() >= 95u);
    if (!rtts.ok() || rtts->empty()) return {};
    return {Percentile(*rtts, 0.5) / 1e6, Percentile(*rtts, 0.95) / 1e6};
  }

  int Delivered(int from, int to, int count) {
    auto delivered = CountDelivered(node(from), node(to), count);
    EXPECT_TRUE(delivered.ok()) << delivered.error().ToString();
    return delivered.ok() ? *delivered : -1;
  }

  std::string state_;
  std::unique_ptr<TestTopology> topology_;
};

TEST_F(NetFaultsTest, PartitionCutsBetweenGroupsOnlyAndIsReverted) {
  auto mechanism = Mechanism("network.partition");
  ASSERT_TRUE(mechanism);
  FaultParams params = topology_->Params("network.partition");
  params.groups = {{node(1)}, {node(2), node(3)}};
  auto fault = mechanism->Inject(params, topology_->journal());
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  EXPECT_EQ(Delivered(1, 2, 200), 0);
  EXPECT_EQ(Delivered(2, 1, 200), 0);
  EXPECT_EQ(Delivered(3, 1, 200), 0);
  EXPECT_EQ(Delivered(2, 3, 200), 200);
  EXPECT_EQ(Delivered(3, 2, 200), 200);

  ASSERT_TRUE((*fault)->Revert().ok());
  ASSERT_TRUE((*fault)->Revert().ok());  // idempotent
  EXPECT_EQ(Delivered(1, 2, 200), 200);
  EXPECT_EQ(Delivered(3, 1, 200), 200);
  EXPECT_EQ(FaultRecords(), 0);
  ExpectNetworkClean();
}

TEST_F(NetFaultsTest, LossMatchesItsProbabilityAndIsUndoneFromTheRecordAlone) {
  auto mechanism = Mechanism("network.loss");
  ASSERT_TRUE(mechanism);
  FaultParams params = topology_->Params("network.loss");
  params.nodes = {node(1)};
  params.probability = 0.2;
  auto fault = mechanism->Inject(params, topology_->journal());
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  constexpr int kPackets = 4000;
  const double loss = 1.0 - Delivered(2, 1, kPackets) / static_cast<double>(kPackets);
  RecordProperty("measured_loss", std::to_string(loss));
  EXPECT_NEAR(loss, 0.2, 0.03);
  EXPECT_GE(Delivered(1, 2, 500), 495);  // only packets arriving at node-1 are dropped

  // As recover would: from the journal record, without the fault object.
  const nlohmann::json record = OutstandingFaultRecord();
  EXPECT_EQ(record["kind"], "network.loss");
  Status undone = chaos::UndoNetworkOrNodeLoadRecord(topology_->run_id(), record);
  ASSERT_TRUE(undone.ok()) << undone.error().ToString();
  ExpectNetworkClean();
  EXPECT_EQ(Delivered(2, 1, 1000), 1000);
  ASSERT_TRUE((*fault)->Revert().ok());  // nothing left to undo; releases the record
  EXPECT_EQ(FaultRecords(), 0);
}

// gso_max_segs of the node's link.
std::string GsoMaxSegs(const chaos::NodeRef& node) {
  auto shown = RunForOutput(
      chaos::InNetns(node.netns, {"ip", "-j", "-d", "link", "show", "dev", node.link}));
  if (!shown.ok()) return shown.error().ToString();
  return nlohmann::json::parse(*shown).at(0).value("gso_max_segs", nlohmann::json()).dump();
}

TEST_F(NetFaultsTest, DuplicateMatchesItsProbabilityAndIsUndoneFromTheRecordAlone) {
  auto mechanism = Mechanism("network.duplicate");
  ASSERT_TRUE(mechanism);
  const std::string gso = GsoMaxSegs(node(1));
  FaultParams params = topology_->Params("network.duplicate");
  params.nodes = {node(1)};
  params.probability = 0.2;
  auto fault = mechanism->Inject(params, topology_->journal());
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  EXPECT_EQ(GsoMaxSegs(node(1)), "1");
  constexpr int kPackets = 3000;
  auto sent = CountArrivals(node(1), node(2), kPackets);
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  const double copies = (sent->received - sent->distinct) / static_cast<double>(sent->distinct);
  RecordProperty("measured_duplicates", std::to_string(copies));
  EXPECT_NEAR(copies, 0.2, 0.03);
  EXPECT_GE(sent->distinct, kPackets - 5);
  auto received = CountArrivals(node(2), node(1), 500);  // only what node-1 sends is copied
  ASSERT_TRUE(received.ok());
  EXPECT_EQ(received->received, received->distinct);

  const nlohmann::json record = OutstandingFaultRecord();
  EXPECT_EQ(record["kind"], "network.duplicate");
  Status undone = chaos::UndoNetworkOrNodeLoadRecord(topology_->run_id(), record);
  ASSERT_TRUE(undone.ok()) << undone.error().ToString();
  ExpectNetworkClean();
  EXPECT_EQ(GsoMaxSegs(node(1)), gso);
  auto after = CountArrivals(node(1), node(2), 1000);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->received, 1000);
  ASSERT_TRUE((*fault)->Revert().ok());
  EXPECT_EQ(FaultRecords(), 0);
}

TEST_F(NetFaultsTest, CorruptMatchesItsProbabilityAndIsReverted) {
  auto mechanism = Mechanism("network.corrupt");
  ASSERT_TRUE(mechanism);
  FaultParams params = topology_->Params("network.corrupt");
  params.nodes = {node(1)};
  params.probability = 0.1;
  auto fault = mechanism->Inject(params, topology_->journal());
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  constexpr int kPackets = 3000;
  auto sent = CountArrivals(node(1), node(2), kPackets);
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  const double corrupted = sent->corrupted / static_cast<double>(kPackets);
  RecordProperty("measured_corrupted", std::to_string(corrupted));
  EXPECT_NEAR(corrupted, 0.1, 0.03);
  EXPECT_GE(sent->distinct, kPackets - 5);  // delivered damaged, not dropped (veth offload)
  auto received = CountArrivals(node(2), node(1), 500);  // only what node-1 sends
  ASSERT_TRUE(received.ok());
  EXPECT_EQ(received->corrupted, 0);

  ASSERT_TRUE((*fault)->Revert().ok());
  EXPECT_EQ(FaultRecords(), 0);
  ExpectNetworkClean();
  auto after = CountArrivals(node(1), node(2), 1000);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->corrupted, 0);
}

TEST_F(NetFaultsTest, BandwidthHoldsTheRate) {
  auto mechanism = Mechanism("network.bandwidth");
  ASSERT_TRUE(mechanism);
  auto unlimited = TcpGoodput(node(1), node(2), 0.3, 1.0);
  ASSERT_TRUE(unlimited.ok()) << unlimited.error().ToString();
  FaultParams params = topology_->Params("network.bandwidth");
  params.nodes = {node(1)};
  params.rate_bits_per_second = 40'000'000;
  ASSERT_GT(*unlimited, 4.0 * params.rate_bits_per_second) << "the link itself is too slow";
  auto fault = mechanism->Inject(params, topology_->journal());
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  auto limited = TcpGoodput(node(1), node(2), 0.5, 2.5);
  ASSERT_TRUE(limited.ok()) << limited.error().ToString();
  // tbf counts whole frames: 1514 bytes on the wire carry 1448 bytes of TCP payload.
  const double wire = *limited * 1514.0 / 1448.0;
  RecordProperty("measured_wire_bits_per_second", std::to_string(wire));
  EXPECT_NEAR(wire / params.rate_bits_per_second, 1.0, 0.10);
  ASSERT_TRUE((*fault)->Revert().ok());
  ExpectNetworkClean();
  auto after = TcpGoodput(node(1), node(2), 0.3, 1.0);
  ASSERT_TRUE(after.ok());
  EXPECT_GT(*after, 2.0 * params.rate_bits_per_second);
}

TEST_F(NetFaultsTest, DelayHoldsArrivingPacketsAndItsHelperIsKilledFromTheRecord) {
  auto mechanism = Mechanism("network.delay");
  ASSERT_TRUE(mechanism);
  FaultParams params = topology_->Params("network.delay");
  params.nodes = {node(1)};
  params.delay = std::chrono::milliseconds(50);
  const LinkBaseline base = Baseline();
  auto fault = mechanism->Inject(params, topology_->journal());
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  auto rtts = RoundTrips(node(2), node(1), 200);
  ASSERT_TRUE(rtts.ok());
  ASSERT_GE(rtts->size(), 195u);
  const double p50_ms = Percentile(*rtts, 0.5) / 1e6;
  RecordProperty("p50_ms", std::to_string(p50_ms));
  EXPECT_NEAR(p50_ms - base.p50_ms, 50.0, base.tolerance_ms()) << "link p50 " << base.p50_ms;

  const nlohmann::json record = OutstandingFaultRecord();
  Status undone = chaos::UndoNetworkOrNodeLoadRecord(topology_->run_id(), record);
  ASSERT_TRUE(undone.ok()) << undone.error().ToString();
  ExpectNetworkClean();
  auto normal = RoundTrips(node(2), node(1), 50);
  ASSERT_TRUE(normal.ok());
  EXPECT_LT(Percentile(*normal, 0.5) / 1e6, base.p50_ms + base.tolerance_ms());
  ASSERT_TRUE((*fault)->Revert().ok());
  EXPECT_EQ(FaultRecords(), 0);
}

TEST_F(NetFaultsTest, DelayJitterSpreadsAroundTheDelay) {
  auto mechanism = Mechanism("network.delay");
  ASSERT_TRUE(mechanism);
  FaultParams params = topology_->Params("network.delay");
  params.nodes = {node(1), node(3)};
  params.delay = std::chrono::milliseconds(30);
  params.jitter = std::chrono::milliseconds(10);
  const LinkBaseline base = Baseline();
  auto fault = mechanism->Inject(params, topology_->journal());
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  auto rtts = RoundTrips(node(2), node(1), 200);
  ASSERT_TRUE(rtts.ok());
  ASSERT_GE(rtts->size(), 195u);
  // Uniform in [20, 40] ms on top of the link's own round trip: p10 near 22, p50 near 30, p90
  // near 38.
  const double added = base.p50_ms, slack = base.tolerance_ms();
  EXPECT_NEAR(Percentile(*rtts, 0.5) / 1e6 - added, 30.0, slack + 0.5);
  EXPECT_LT(Percentile(*rtts, 0.1) / 1e6 - added, 25.0);
  EXPECT_GT(Percentile(*rtts, 0.9) / 1e6, 35.0);
  EXPECT_GE(Percentile(*rtts, 0.0) / 1e6, 19.5);                   // never released early
  EXPECT_LE(Percentile(*rtts, 0.95) / 1e6 - added, 40.0 + slack);  // the top is host noise
  ASSERT_TRUE((*fault)->Revert().ok());
  ExpectNetworkClean();
  EXPECT_EQ(FaultRecords(), 0);
}

// Where the kernel has netem (a standard Debian 12; the guest tier), network.delay uses it: its
// accuracy measured beside the NFQUEUE delayer's on the same kernel and link, the two
// interleaved in rounds so that a noisy moment hits both.
TEST_F(NetFaultsTest, DelayByNetemIsAsAccurateAsTheDelayerInterleaved) {
  auto netem = Mechanism("network.delay");
  ASSERT_TRUE(netem);
  if (netem->mechanism().rfind("netem", 0) != 0) {
    FL_SKIP_LACKING("netem", "no sch_netem in this kernel: " + netem->mechanism());
  }
  auto delayer = chaos::MakeDelayMechanism(chaos::DelayVia::kDelayer);
  ASSERT_TRUE(delayer->Probe().ok());
  constexpr auto kDelay = std::chrono::milliseconds(20);
  const LinkBaseline base = Baseline();
  std::map<std::string, std::vector<std::int64_t>> rtts;
  for (int round = 0; round < 4; ++round) {
    for (FaultMechanism* mechanism : {netem.get(), delayer.get()}) {
      FaultParams params = topology_->Params("network.delay");
      params.nodes = {node(1)};
      params.delay = kDelay;
      auto fault = mechanism->Inject(params, topology_->journal());
      ASSERT_TRUE(fault.ok()) << fault.error().ToString();
      auto measured = RoundTrips(node(2), node(1), 50);
      ASSERT_TRUE(measured.ok()) << measured.error().ToString();
      ASSERT_TRUE((*fault)->Revert().ok());
      auto& all = rtts[mechanism->mechanism()];
      all.insert(all.end(), measured->begin(), measured->end());
    }
  }
  ASSERT_EQ(rtts.size(), 2u);
  // How far the median added delay lies from the asked one, per mechanism.
  std::map<std::string, double> error_ms;
  for (const auto& [mechanism, values] : rtts) {
    ASSERT_GE(values.size(), 190u) << mechanism;
    const double p0 = Percentile(values, 0.0) / 1e6, p50 = Percentile(values, 0.5) / 1e6,
                 p90 = Percentile(values, 0.9) / 1e6;
    error_ms[mechanism] = p50 - base.p50_ms - kDelay.count();
    std::cout << mechanism << ": round trip p0 " << p0 << " ms, p50 " << p50 << " ms, p90 " << p90
              << " ms for a delay of " << kDelay.count() << " ms on a link of p50 " << base.p50_ms
              << " ms, p95 " << base.p95_ms << " ms\n";
    RecordProperty(mechanism.substr(0, mechanism.find(' ')) + "_p50_ms", std::to_string(p50));
    EXPECT_GE(p0, kDelay.count() - 0.5) << mechanism << " released a packet early";
  }
  // netem held to a quarter of the delay (emulated timers make even netem late by
  // milliseconds), the delayer to half of it (under emulation its packets' trips to user space
  // and back added 5.2 ms to 20 ms once; its accuracy on real hardware: the delay tests on a
  // host without netem), and netem, which holds packets in the kernel, no less accurate than
  // the delayer.
  const double netem_error = std::abs(error_ms["netem qdisc (sending side)"]),
               delayer_error = std::abs(error_ms["NFQUEUE delayer"]);
  EXPECT_LE(netem_error, 0.25 * static_cast<double>(kDelay.count()));
  EXPECT_LE(delayer_error, 0.5 * static_cast<double>(kDelay.count()));
  EXPECT_LE(netem_error, delayer_error + 0.5);
  ExpectNetworkClean();
  EXPECT_EQ(FaultRecords(), 0);
}

TEST_F(NetFaultsTest, CpuStressLoadsTheNodeCgroupUntilReverted) {
  if (FindExecutable("stress-ng").empty()) FL_SKIP_LACKING("root", "stress-ng not installed");
  auto mechanism = Mechanism("node.cpu_stress");
  ASSERT_TRUE(mechanism);
  FaultParams params = topology_->Params("node.cpu_stress");
  params.nodes = {node(2)};
  params.workers = 1;
  const std::uint64_t idle_before = CpuUsageNs(node(2).cgroup);
  auto fault = mechanism->Inject(params, topology_->journal());
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  const std::uint64_t before = CpuUsageNs(node(2).cgroup);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const std::uint64_t used = CpuUsageNs(node(2).cgroup) - before;
  RecordProperty("cpu_seconds_per_second", std::to_string(used / 1e9));
  // One worker on a shared two-core host: well above idle, at most one core.
  EXPECT_GT(used, 300'000'000u);
  EXPECT_LT(before - idle_before, 1'000'000'000u);
  EXPECT_LT(CpuUsageNs(node(1).cgroup), 10'000'000u);  // only the faulted node

  const nlohmann::json record = OutstandingFaultRecord();
  Status undone = chaos::UndoNetworkOrNodeLoadRecord(topology_->run_id(), record);
  ASSERT_TRUE(undone.ok()) << undone.error().ToString();
  EXPECT_EQ(ProcessesRunning("stress-ng"), std::vector<std::string>{});
  const std::uint64_t stopped = CpuUsageNs(node(2).cgroup);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LT(CpuUsageNs(node(2).cgroup) - stopped, 10'000'000u);
  ASSERT_TRUE((*fault)->Revert().ok());
  EXPECT_EQ(FaultRecords(), 0);
}

TEST_F(NetFaultsTest, MemoryStressRaisesNodeMemoryUntilReverted) {
  if (FindExecutable("stress-ng").empty()) FL_SKIP_LACKING("root", "stress-ng not installed");
  auto mechanism = Mechanism("node.memory_stress");
  ASSERT_TRUE(mechanism);
  FaultParams params = topology_->Params("node.memory_stress");
  params.nodes = {node(3)};
  params.workers = 1;
  params.bytes = 256ull << 20;
  auto base = ReadCgroupMemory(node(3).cgroup);
  ASSERT_TRUE(base.ok()) << base.error().ToString();
  auto fault = mechanism->Inject(params, topology_->journal());
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  std::uint64_t peak = 0;
  for (int i = 0; i < 40 && peak < base->usage_bytes + (200ull << 20); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    peak = std::max(peak, ReadCgroupMemory(node(3).cgroup)->usage_bytes);
  }
  RecordProperty("memory_added_mib", std::to_string((peak - base->usage_bytes) >> 20));
  EXPECT_GE(peak, base->usage_bytes + (200ull << 20));
  ASSERT_TRUE((*fault)->Revert().ok());
  EXPECT_EQ(ProcessesRunning("stress-ng"), std::vector<std::string>{});
  EXPECT_LT(ReadCgroupMemory(node(3).cgroup)->usage_bytes, base->usage_bytes + (16ull << 20));
  EXPECT_EQ(FaultRecords(), 0);
}

TEST_F(NetFaultsTest, DiskFillAllocatesTheFileAndRemovesIt) {
  auto mechanism = Mechanism("node.disk_fill");
  ASSERT_TRUE(mechanism);
  FaultParams params = topology_->Params("node.disk_fill");
  params.nodes = {node(1), node(2)};
  params.bytes = 32ull << 20;
  auto fault = mechanism->Inject(params, topology_->journal());
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  const nlohmann::json record = OutstandingFaultRecord();
  const auto paths = record["undo"]["paths"].get<std::vector<std::string>>();
  ASSERT_EQ(paths.size(), 2u);
  for (const auto& path : paths) {
    struct stat st {};
    ASSERT_EQ(stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_size, static_cast<off_t>(params.bytes));
    EXPECT_GE(static_cast<std::uint64_t>(st.st_blocks) * 512, params.bytes);  // allocated
  }
  Status undone = chaos::UndoNetworkOrNodeLoadRecord(topology_->run_id(), record);
  ASSERT_TRUE(undone.ok()) << undone.error().ToString();
  for (const auto& path : paths) EXPECT_FALSE(PathExists(path)) << path;
  ASSERT_TRUE((*fault)->Revert().ok());
  EXPECT_EQ(FaultRecords(), 0);
}

TEST_F(NetFaultsTest, FailedInjectionLeavesNothingApplied) {
  // The second bandwidth fault on the same link cannot add its root qdisc: the first node's
  // qdisc it did add must be gone again, and its record released.
  auto mechanism = Mechanism("network.bandwidth");
  ASSERT_TRUE(mechanism);
  FaultParams first = topology_->Params("network.bandwidth");
  first.nodes = {node(2)};
  first.rate_bits_per_second = 10'000'000;
  auto held = mechanism->Inject(first, topology_->journal());
  ASSERT_TRUE(held.ok()) << held.error().ToString();
  FaultParams second = first;
  second.nodes = {node(1), node(2)};
  auto clash = mechanism->Inject(second, topology_->journal());
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(RulesAndQdiscsMentioning(node(1), "tbf"), "");
  EXPECT_EQ(FaultRecords(), 1);  // only the first
  ASSERT_TRUE((*held)->Revert().ok());
  ExpectNetworkClean();
}

TEST_F(NetFaultsTest, DoctorListsEveryMechanismWithItsProbe) {
  std::set<std::string> network_kinds;
  for (const auto& m : chaos::MakeNetworkMechanisms()) network_kinds.insert(m->kind());
  std::set<std::string> probed;
  for (const auto& probe : chaos::ProbeMechanisms()) {
    if (!network_kinds.count(probe.kind)) continue;
    probed.insert(probe.kind);
    std::cout << probe.kind << ": " << probe.mechanism << "\n";
    EXPECT_TRUE(probe.usable.ok()) << probe.kind << ": " << probe.usable.error().ToString();
  }
  EXPECT_EQ(probed, network_kinds);
  ExpectNetworkClean();  // probes ran in throwaway namespaces
}

}  // namespace
}  // namespace faultline::testing
