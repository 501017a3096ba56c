// The driver table as data: every driver's name and the target fields it takes. The scenario
// loader validates targets against it; the registry (registry.h) binds each entry to its code.
// Kept free of driver code so that loading a scenario links no platform client.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace faultline::drivers {

// A target field that one driver takes beyond the fields every target has (name, driver,
// image, resources, node).
struct DriverField {
  std::string name;                 // the key in the target mapping, e.g. "runtime"
  std::vector<std::string> values;  // the values it may take; empty: any string
  bool required = false;
};

struct DriverSpec {
  std::string name;     // "oci"
  std::string summary;  // one line for doctor and the schema's description
  std::vector<DriverField> fields;
  // The long-lived process per node that platform.* faults kill ("dockerd"); empty: none.
  std::string daemon;
  // Fields with which faultline runs no daemon of its own after all: "via=cli" (that value),
  // "endpoint" (present at all: the daemon is someone else's).
  std::vector<std::string> no_daemon_when;
  // Whether runtime.args reach the runtime (containerd's runc shim passes it none).
  bool runtime_args = false;
  // `daemon: {path, args, config}` (a field of its own when taken): the program's flags that
  // faultline sets itself, which args may not set again, and whether `config` is taken, with
  // the keys of it that faultline sets.
  std::vector<std::string> owned_flags;
  bool daemon_config = false;
  std::vector<std::string> owned_config;

  const DriverField* FindField(const std::string& field) const;
};

// The daemon faultline runs on each node for a target of SPEC with driver fields OPTIONS;
// empty: none. WHY_NOT (optional) gets the no_daemon_when entry that applied.
std::string DaemonOf(const DriverSpec& spec, const std::map<std::string, std::string>& options,
                     std::string* why_not = nullptr);

// Every driver, in the order doctor lists them.
const std::vector<DriverSpec>& DriverCatalog();
// The entry named NAME, or null.
const DriverSpec* FindDriverSpec(const std::string& name);
// The fields every target takes, whatever its driver.
const std::vector<std::string>& CommonTargetFields();

}  // namespace faultline::drivers
