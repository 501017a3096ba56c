// When each occurrence of a fault happens: `at`, then every `every`, each shifted by a random
// offset in [0, jitter] drawn from the run's seed (so a seed replays the same schedule).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace faultline::chaos {

using Nanos = std::chrono::nanoseconds;

struct FaultTiming {
  Nanos at{0};                 // offset of the first occurrence from the scope's start
  Nanos ttl{0};                // how long each occurrence lasts
  std::optional<Nanos> every;  // repeat period; absent = once
  Nanos jitter{0};             // random extra offset per occurrence, in [0, jitter]
};

struct Occurrence {
  std::uint32_t index = 0;  // 0 for the first
  Nanos inject_at{0};       // offsets from the scope's start
  Nanos revert_at{0};
  Nanos jitter{0};  // the random offset applied
};

// The INDEX-th occurrence of fault number FAULT (its position in the scenario, which keeps the
// draws of different faults apart); nullopt past the last one.
std::optional<Occurrence> NthOccurrence(const FaultTiming& timing, std::uint32_t fault,
                                        std::uint32_t index, std::uint64_t seed);

// Every occurrence injected before HORIZON, in order.
std::vector<Occurrence> ExpandSchedule(const FaultTiming& timing, std::uint32_t fault,
                                       Nanos horizon, std::uint64_t seed);

}  // namespace faultline::chaos
