// A runc OCI driver on a journaled run of its own, for tests that need real containers; its
// teardown checks that nothing is left behind.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/drivers/oci/oci_driver.h"
#include "harness/images/image.h"
#include "harness/runner/recover.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {

class OciFixture : public ::testing::Test {
 protected:
  explicit OciFixture(std::string run_id) : run_id_(std::move(run_id)) {}

  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("runc");
    state_ = TempDir("driver");
    setenv("FAULTLINE_STATE_DIR", state_.c_str(), 1);
    ASSERT_TRUE(StartOrphanReaper().ok());
    auto journal = Journal::Open(run_id_);
    ASSERT_TRUE(journal.ok()) << journal.error().ToString();
    journal_ = std::move(*journal);
    lower_ = journal_->run_dir() + "/image";
    ASSERT_TRUE(images::BuildBusyboxRootfs(lower_).ok());
    driver_ = OpenDriver(scenario::Security::kDefault);
    ASSERT_TRUE(driver_);
  }
  // A runc driver of this run whose containers get SECURITY, its image imported; null on failure.
  std::unique_ptr<drivers::oci::OciDriver> OpenDriver(scenario::Security security) {
    auto confinement = drivers::oci::LoadContainerSecurity(security);
    EXPECT_TRUE(confinement.ok()) << confinement.error().ToString();
    if (!confinement.ok()) return nullptr;
    drivers::oci::OciDriverConfig config{"runc", journal_->run_dir(), "faultline/" + run_id_,
                                         journal_.get()};
    config.security = std::move(*confinement);
    auto driver = drivers::oci::OciDriver::Open(std::move(config));
    EXPECT_TRUE(driver.ok()) << driver.error().ToString();
    if (!driver.ok()) return nullptr;
    EXPECT_TRUE((*driver)->ImportImage({"local"}, {"busybox", lower_, ""}).ok());
    return std::move(*driver);
  }
  void TearDown() override {
    driver_.reset();
    if (!state_.empty()) {
      EXPECT_TRUE(RemoveCgroupTree("faultline/" + run_id_).ok());
      for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
    }
    if (journal_) {
      EXPECT_TRUE(journal_->Close().ok());
      EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
    }
    RecoverLeftovers();
    (void)RemoveTree(state_);
    unsetenv("FAULTLINE_STATE_DIR");
  }
  // What a test that failed midway left (a container, its rootfs mount, its bundle), removed
  // from the run's journal as `faultline recover` removes a killed run's, before the state
  // directory goes: deleting that first would lose the only record of a mount.
  void RecoverLeftovers() {
    driver_.reset();
    journal_.reset();  // the run's lock released, as a dead controller's is
    if (state_.empty() || Leftovers(state_).empty()) return;
    // In process: this fixture's orphan reaper would reap a `faultline recover` child first.
    // No private cgroup view is needed for runc (an empty self_exe).
    const runner::RecoverReport report = runner::Recover("");
    EXPECT_EQ(report.failures, std::vector<std::string>{});
  }
  drivers::ContainerSpec Spec(const std::string& id, std::vector<std::string> command) {
    drivers::ContainerSpec spec;
    spec.id = id;
    spec.command = std::move(command);
    return spec;
  }

  const std::string run_id_;
  std::string state_, lower_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<drivers::oci::OciDriver> driver_;
};

}  // namespace faultline::testing
