// The containerd driver's entry in the registry.
#pragma once

#include "harness/drivers/registry.h"

namespace faultline::drivers::containerd {

const DriverKind& Kind();

// What a target that runs containerd needs (the containerd and cri drivers): containerd (or its
// daemon.path), the runc shim, ctr, and RUNTIME (or its runtime.path).
Status PreflightContainerd(const scenario::Target& target, const std::string& runtime);

}  // namespace faultline::drivers::containerd
