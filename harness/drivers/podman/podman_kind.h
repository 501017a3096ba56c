// The podman driver's entry in the registry.
#pragma once

#include "harness/drivers/registry.h"

namespace faultline::drivers::podman {

const DriverKind& Kind();

}  // namespace faultline::drivers::podman
