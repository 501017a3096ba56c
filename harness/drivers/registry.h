// The driver registry: each entry of the driver table (catalog.h) bound to its code. Everything
// platform-specific that the runner, recover and doctor need is asked of a DriverKind, so no
// code outside harness/drivers/<name>/ names a runtime or a daemon.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/cgroup.h"
#include "harness/core/host.h"
#include "harness/core/journal.h"
#include "harness/drivers/catalog.h"
#include "harness/drivers/driver.h"
#include "harness/scenario/model.h"

namespace faultline::drivers {

// What a run hands every driver it opens.
struct DriverEnvironment {
  std::string run_dir;
  std::string cgroup_parent;  // relative cgroup of the run: "faultline/<run id>"
  Journal* journal = nullptr;
  std::string self_exe;          // the faultline binary (helpers, private views)
  bool systemd_cgroups = false;  // the nodes are slices: the systemd cgroup driver
};

// What `recover` hands a driver undoing one of its journal records of a dead run.
struct UndoContext {
  std::string run_id;
  std::string run_dir;  // everything the run created on disk lies inside it
  std::string self_exe;
};

// One line of `doctor`: a runtime or daemon, whether it can be used here, and why.
struct DriverCheck {
  std::string name;  // "runc", "dockerd"
  bool usable = false;
  std::string detail;  // version, path, how faultline starts it; or what the host lacks
};

class DriverKind {
 public:
  virtual ~DriverKind() = default;
  virtual const DriverSpec& spec() const = 0;
  // What the host lacks for TARGET (FailedPrecondition with the reason), checked before the
  // run creates anything.
  virtual Status Preflight(const scenario::Target& target, const HostInfo& host) const = 0;
  // True when TARGET needs the controller's private v1 cgroup view on a host in MODE: it must
  // be entered while the process is single-threaded, before the run.
  virtual bool NeedsPrivateV1View(const scenario::Target& target, CgroupMode mode) const = 0;
  // Doctor's lines for this driver, SELF_EXE being the faultline binary.
  virtual std::vector<DriverCheck> Describe(const HostInfo& host,
                                            const std::string& self_exe) const = 0;
  virtual Result<std::unique_ptr<Driver>> Open(const scenario::Target& target,
                                               const DriverEnvironment& env) const = 0;
  // The journal record kinds this driver writes, and how `recover` undoes one of them.
  virtual std::vector<std::string> JournalKinds() const = 0;
  virtual Status Undo(const JournalEntry& entry, const UndoContext& context) const = 0;
};

// FailedPrecondition naming the first of PROGRAMS that TARGET needs and PATH lacks (or, for an
// absolute path, that is no executable), and the Debian PACKAGES that bring them.
Status RequireInPath(const scenario::Target& target, const std::vector<std::string>& programs,
                     const std::string& packages);
// A platform's program NAME (the binary at PATH when given, else found in PATH): its version, as
// VERSION_OF reads it from `--version`, and its digest. FailedPrecondition naming the Debian
// PACKAGE when it is missing.
Result<RuntimeInfo> ProbeProgram(const std::string& name, const std::string& path,
                                 const std::string& package,
                                 const std::function<std::string(const std::string&)>& version_of);
// TARGET's env as NAME=VALUE assignments.
std::vector<std::string> EnvAssignments(const scenario::Target& target);

// One per catalog entry, in the catalog's order.
const std::vector<const DriverKind*>& DriverKinds();
// The kind named NAME, or null.
const DriverKind* FindDriverKind(const std::string& name);
// The kind that writes journal records of KIND, or null.
const DriverKind* FindDriverKindForRecord(const std::string& kind);

Result<std::unique_ptr<Driver>> OpenDriver(const scenario::Target& target,
                                           const DriverEnvironment& env);

}  // namespace faultline::drivers
