// A unit-test double of the Driver interface: containers live in memory, each operation takes a
// configured time, failures are injected by a rule, and every call is recorded so tests can
// check what the workloads and the runner asked for, in which order and how many at once. Not
// registered in the driver table: scenarios cannot name it.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "harness/drivers/driver.h"

namespace faultline::drivers::fake {

struct FakeBehaviour {
  // How long each operation takes (it sleeps that long, and its span says exactly that); a
  // function of how many containers run when it begins.
  std::function<Nanos(const std::string& op, std::size_t running)> duration;
  // Non-ok: operation OP ("create", "run", "start", "kill", "delete", "start_platform",
  // "import_image") on ID (a container id or node name) fails with that status.
  std::function<Status(const std::string& op, const std::string& id)> fail;
  std::uint64_t resident_overhead_bytes = 0;
};

class FakeDriver : public Driver {
 public:
  explicit FakeDriver(FakeBehaviour behaviour = {});
  ~FakeDriver() override;

  const RuntimeInfo& runtime() const override { return info_; }
  Status StartPlatform(const PlatformNode& node) override;
  Status StopPlatform(const PlatformNode& node) override;
  Result<std::string> ImportImage(const PlatformNode& node, const ImageSource& image) override;
  ProbeScope Probes() const override { return {}; }
  Created Create(const ContainerSpec& spec, Nanos timeout) override;
  Created Run(const ContainerSpec& spec, Nanos timeout) override;
  Result<std::uint64_t> ResidentOverheadBytes() override {
    return behaviour_.resident_overhead_bytes;
  }

  // Every call, in order: "<op> <container id or node name>".
  std::vector<std::string> Calls() const;
  // Containers created and not yet deleted; of those, the ones whose process runs.
  std::size_t Live() const;
  std::size_t Running() const;
  // The most operations that were in progress at one moment.
  int MaxConcurrentOps() const;
  // The specs of every container created, by id.
  std::map<std::string, ContainerSpec> Specs() const;

  // Used by the fake's containers.
  struct State;
  OpResult Operate(const std::string& op, const std::string& id,
                   const std::function<void(State&)>& on_success);

 private:
  Created Make(const ContainerSpec& spec, bool start);

  FakeBehaviour behaviour_;
  RuntimeInfo info_{"fake", "1", "", ""};
  std::shared_ptr<State> state_;
};

}  // namespace faultline::drivers::fake
