// Every target's platform on every node of the run: started before the first measurement in
// plan order (each target on every node, its image imported there), and stopped in reverse
// order whatever happened, including after a start that failed halfway.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/drivers/driver.h"

namespace faultline::runner {

struct TargetPlatform {
  std::string name;  // the target's name, for messages
  drivers::Driver* driver = nullptr;
  drivers::ImageSource image;
};

class PlatformSet {
 public:
  PlatformSet() = default;
  PlatformSet(const PlatformSet&) = delete;
  PlatformSet& operator=(const PlatformSet&) = delete;
  ~PlatformSet() { (void)Stop(); }

  // Starts each target's platform on each node and imports its image there. Stops at the first
  // failure (the error names target and node) and leaves what started to Stop.
  Status Start(const std::vector<TargetPlatform>& targets,
               const std::vector<drivers::PlatformNode>& nodes);
  // Stops every platform whose start was attempted, newest first, all of them even when one
  // fails (the first error is returned). Idempotent.
  Status Stop();

 private:
  // Recorded before each start: a platform that failed halfway is stopped too.
  std::vector<std::pair<drivers::Driver*, drivers::PlatformNode>> attempted_;
};

}  // namespace faultline::runner
