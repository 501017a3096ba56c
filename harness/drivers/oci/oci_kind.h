// The oci driver's entry in the registry: preflight, doctor's lines and recover's undo for
// bare OCI runtimes (runc, crun).
#pragma once

#include "harness/drivers/registry.h"

namespace faultline::drivers::oci {

const DriverKind& Kind();

}  // namespace faultline::drivers::oci
