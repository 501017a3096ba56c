// The containerd driver's entry in the registry.
#pragma once

#include "harness/drivers/registry.h"

namespace faultline::drivers::containerd {

const DriverKind& Kind();

}  // namespace faultline::drivers::containerd
