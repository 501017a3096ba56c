#include "harness/drivers/fake/fake_driver.h"

#include <algorithm>
#include <thread>

#include "harness/core/clock.h"

namespace faultline::drivers::fake {

struct FakeDriver::State {
  mutable std::mutex mu;
  std::condition_variable changed;
  std::vector<std::string> calls;
  std::map<std::string, ContainerSpec> specs;
  std::map<std::string, bool> live;            // id -> its process runs
  std::map<std::string, std::int64_t> exited;  // id -> when its process ended
  int in_flight = 0;
  int max_in_flight = 0;

  std::size_t RunningLocked() const {
    return static_cast<std::size_t>(
        std::count_if(live.begin(), live.end(), [](const auto& c) { return c.second; }));
  }
  void Exit(const std::string& id) {
    live[id] = false;
    exited[id] = BootNowNs();
    changed.notify_all();
  }
};

namespace {

// A command that runs until killed; anything else ends as soon as it starts.
bool RunsUntilKilled(const ContainerSpec& spec) {
  return !spec.command.empty() && spec.command.front() == "sleep";
}

class FakeContainer : public Container {
 public:
  FakeContainer(FakeDriver* driver, std::shared_ptr<FakeDriver::State> state, std::string id)
      : driver_(driver), state_(std::move(state)), id_(std::move(id)) {}

  const std::string& id() const override { return id_; }
  ContainerIdentity Identity() const override { return {id_, "fake/" + id_, 0}; }

  OpResult Start(Nanos) override {
    return driver_->Operate("start", id_, [this](FakeDriver::State& s) {
      s.live[id_] = true;
      if (!RunsUntilKilled(s.specs.at(id_))) s.Exit(id_);
    });
  }
  OpResult Kill(int, Nanos) override {
    return driver_->Operate("kill", id_, [this](FakeDriver::State& s) {
      if (s.live.count(id_) && s.live[id_]) s.Exit(id_);
    });
  }
  OpResult Delete(Nanos) override {
    return driver_->Operate("delete", id_, [this](FakeDriver::State& s) {
      if (s.live.count(id_) && s.live[id_]) s.Exit(id_);
      s.live.erase(id_);
    });
  }
  Result<ContainerStatus> State(Nanos) override {
    std::lock_guard lock(state_->mu);
    auto it = state_->live.find(id_);
    if (it == state_->live.end()) return NotFound("container " + id_ + " does not exist");
    if (it->second) return ContainerStatus::kRunning;
    return state_->exited.count(id_) ? ContainerStatus::kStopped : ContainerStatus::kCreated;
  }
  Result<std::int64_t> WaitExit(Nanos timeout, const std::atomic<bool>* cancel) override {
    std::unique_lock lock(state_->mu);
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!state_->exited.count(id_)) {
      if (cancel && cancel->load()) return Cancelled("waiting for " + id_);
      if (state_->changed.wait_until(lock, std::min(until, std::chrono::steady_clock::now() +
                                                               std::chrono::milliseconds(10))) ==
              std::cv_status::timeout &&
          std::chrono::steady_clock::now() >= until) {
        return DeadlineExceeded(id_ + " still runs");
      }
    }
    return state_->exited.at(id_);
  }

 private:
  FakeDriver* driver_;
  std::shared_ptr<FakeDriver::State> state_;
  std::string id_;
};

}  // namespace

FakeDriver::FakeDriver(FakeBehaviour behaviour)
    : behaviour_(std::move(behaviour)), state_(std::make_shared<State>()) {}

FakeDriver::~FakeDriver() = default;

OpResult FakeDriver::Operate(const std::string& op, const std::string& id,
                             const std::function<void(State&)>& on_success) {
  OpResult result;
  std::size_t running = 0;
  {
    std::lock_guard lock(state_->mu);
    state_->calls.push_back(op + " " + id);
    state_->max_in_flight = std::max(state_->max_in_flight, ++state_->in_flight);
    running = state_->RunningLocked();
  }
  const std::int64_t cpu_before = ThreadCpuNs();
  result.start_ns = BootNowNs();
  const Nanos duration = behaviour_.duration ? behaviour_.duration(op, running) : Nanos{0};
  std::this_thread::sleep_for(duration);
  if (behaviour_.fail) result.status = behaviour_.fail(op, id);
  std::lock_guard lock(state_->mu);
  if (result.status.ok() && on_success) on_success(*state_);
  --state_->in_flight;
  // The span says exactly the configured time, however late the sleep returned: tests of
  // what workloads do with latencies must not depend on the host's scheduling.
  result.end_ns = duration.count() ? result.start_ns + duration.count() : BootNowNs();
  result.cpu_ns = ThreadCpuNs() - cpu_before;
  return result;
}

Status FakeDriver::StartPlatform(const PlatformNode& node) {
  return Operate("start_platform", node.name, nullptr).status;
}

Status FakeDriver::StopPlatform(const PlatformNode& node) {
  return Operate("stop_platform", node.name, nullptr).status;
}

Result<std::string> FakeDriver::ImportImage(const PlatformNode& node, const ImageSource& image) {
  FL_RETURN_IF_ERROR(Operate("import_image", node.name, nullptr).status);
  return "fake/" + image.digest;
}

Created FakeDriver::Make(const ContainerSpec& spec, bool start) {
  Created created;
  created.prepare.start_ns = created.prepare.end_ns = BootNowNs();
  {
    std::lock_guard lock(state_->mu);
    state_->specs[spec.id] = spec;
  }
  created.create = Operate(start ? "run" : "create", spec.id, [&](State& s) {
    s.live[spec.id] = start;
    if (start && !RunsUntilKilled(spec)) s.Exit(spec.id);
  });
  created.container = std::make_unique<FakeContainer>(this, state_, spec.id);
  return created;
}

Created FakeDriver::Create(const ContainerSpec& spec, Nanos) {
  return Make(spec, false);
}

Created FakeDriver::Run(const ContainerSpec& spec, Nanos) {
  return Make(spec, true);
}

std::vector<std::string> FakeDriver::Calls() const {
  std::lock_guard lock(state_->mu);
  return state_->calls;
}

std::size_t FakeDriver::Live() const {
  std::lock_guard lock(state_->mu);
  return state_->live.size();
}

std::size_t FakeDriver::Running() const {
  std::lock_guard lock(state_->mu);
  return state_->RunningLocked();
}

int FakeDriver::MaxConcurrentOps() const {
  std::lock_guard lock(state_->mu);
  return state_->max_in_flight;
}

std::map<std::string, ContainerSpec> FakeDriver::Specs() const {
  std::lock_guard lock(state_->mu);
  return state_->specs;
}

}  // namespace faultline::drivers::fake
