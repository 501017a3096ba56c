// A platform fault on a driver's daemon, for the in-process daemon driver tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>

#include "chaos/registry.h"
#include "harness/core/journal.h"
#include "harness/drivers/driver.h"
#include "reports/result.h"

namespace faultline::testing {

// Injects KIND (platform.daemon_kill or _restart) on the local node's daemon of DRIVER, waits
// HOLD, runs DURING while the fault holds, reverts; the fault's record.
inline reports::FaultRecord DaemonFault(const std::string& kind, const std::string& run_id,
                                        drivers::Driver& driver, Journal& journal, Nanos hold,
                                        const std::function<void()>& during = {}) {
  chaos::FaultParams params;
  params.run_id = run_id;
  params.kind = kind;
  params.nodes.push_back({"local", "", "", "", "faultline/" + run_id});
  params.daemons.push_back(driver.Daemon("local"));
  reports::FaultRecord record;
  record.kind = kind;
  if (!params.daemons[0]) {
    ADD_FAILURE() << "no daemon on local";
    return record;
  }
  auto active = chaos::MechanismFor(kind)->Inject(params, journal);
  if (!active.ok()) {
    ADD_FAILURE() << active.error().ToString();
    return record;
  }
  std::this_thread::sleep_for(hold);
  if (during) during();
  Status reverted = (*active)->Revert();
  EXPECT_TRUE(reverted.ok()) << reverted.error().ToString();
  (*active)->Report(record);
  return record;
}

}  // namespace faultline::testing
