// The cri driver's entry in the registry.
#pragma once

#include "harness/drivers/registry.h"

namespace faultline::drivers::cri {

const DriverKind& Kind();

}  // namespace faultline::drivers::cri
