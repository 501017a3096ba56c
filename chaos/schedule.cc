#include "chaos/schedule.h"

namespace faultline::chaos {
namespace {

// splitmix64: a stateless, well-mixed draw per (seed, fault, index).
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::optional<Occurrence> NthOccurrence(const FaultTiming& timing, std::uint32_t fault,
                                        std::uint32_t index, std::uint64_t seed) {
  if (index > 0 && !timing.every) return std::nullopt;
  Occurrence o;
  o.index = index;
  if (timing.jitter.count() > 0) {
    const std::uint64_t draw = Mix(seed ^ Mix((std::uint64_t{fault} << 32) | index));
    o.jitter = Nanos(
        static_cast<std::int64_t>(draw % (static_cast<std::uint64_t>(timing.jitter.count()) + 1)));
  }
  o.inject_at = timing.at + (timing.every ? *timing.every * index : Nanos(0)) + o.jitter;
  o.revert_at = o.inject_at + timing.ttl;
  return o;
}

std::vector<Occurrence> ExpandSchedule(const FaultTiming& timing, std::uint32_t fault,
                                       Nanos horizon, std::uint64_t seed) {
  std::vector<Occurrence> out;
  for (std::uint32_t i = 0;; ++i) {
    auto o = NthOccurrence(timing, fault, i, seed);
    if (!o || o->inject_at >= horizon) break;
    out.push_back(*o);
  }
  return out;
}

}  // namespace faultline::chaos
