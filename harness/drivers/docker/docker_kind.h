// The docker driver's entry in the registry.
#pragma once

#include "harness/drivers/registry.h"

namespace faultline::drivers::docker {

const DriverKind& Kind();

}  // namespace faultline::drivers::docker
