#include "reports/sequential_gate.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "harness/measure/summary.h"

namespace faultline::reports {
namespace {

// The bet's scale before there are contrasts enough for a spread: 5% in log space, the size of
// a contrast's noise on a quiet host with a handful of starts per slot.
constexpr double kDefaultScale = 0.05;
// Contrasts needed before their own spread is used.
constexpr std::size_t kSpreadAfter = 4;
// A floor for the scale: equal contrasts (a coarse clock) have no spread to divide by.
constexpr double kMinScale = 0.002;
// The confidence sequence's ends are multiples of this in log space (a ten-thousandth of a
// percent).
constexpr double kEdgeStep = 1e-6;
// The interquartile range over 1.349 estimates the standard deviation of normal noise, and a
// quarter of the contrasts may be outliers (quads that caught a host hiccup) before it moves
// far.
constexpr double kIqrToSd = 1.349;

// The median (averaging the middle two), in place.
double Median(std::vector<double>& values) {
  std::sort(values.begin(), values.end());
  return measure::Quantile(values, 0.5);
}

}  // namespace

const char* QuadOrderName(QuadOrder order) {
  switch (order) {
    case QuadOrder::kAbba: return "ABBA";
    case QuadOrder::kBaab: return "BAAB";
  }
  return "?";
}

bool RunsCandidate(QuadOrder order, int slot) {
  const bool middle = slot == 1 || slot == 2;
  return order == QuadOrder::kAbba ? middle : !middle;
}

QuadOrder QuadSchedule::Next() {
  return (random_() >> 63) != 0 ? QuadOrder::kBaab : QuadOrder::kAbba;
}

faultline::Result<double> QuadContrast(QuadOrder order, const std::array<double, 4>& slot_medians) {
  double a = 0, b = 0;
  for (int slot = 0; slot < 4; ++slot) {
    const double v = slot_medians[static_cast<std::size_t>(slot)];
    if (!(v > 0 && std::isfinite(v))) {
      return InvalidArgument("quad contrast: slot medians must be positive and finite");
    }
    (RunsCandidate(order, slot) ? b : a) += std::log(v);
  }
  return (b - a) / 2;
}

double BonferroniAlpha(double alpha, int metrics) {
  return alpha / std::max(1, metrics);
}

const char* GateVerdictName(GateVerdict verdict) {
  switch (verdict) {
    case GateVerdict::kContinue: return "continue";
    case GateVerdict::kPass: return "pass";
    case GateVerdict::kFail: return "fail";
    case GateVerdict::kInconclusive: return "inconclusive";
  }
  return "?";
}

SequentialGate::Bet::Bet(double at, double towards) : boundary(at), direction(towards) {
  wealth.fill(1);
}

void SequentialGate::Bet::Update(double contrast, double scale) {
  const double f = std::clamp(direction * (contrast - boundary) / scale, -1.0, 1.0);
  for (std::size_t k = 0; k < kLambdas.size(); ++k) wealth[k] *= 1 + kLambdas[k] * f;
}

double SequentialGate::Bet::Mixture() const {
  double sum = 0;
  for (double w : wealth) sum += w;
  return sum / static_cast<double>(wealth.size());
}

SequentialGate::SequentialGate(const GateConfig& config)
    : config_(config),
      fail_(std::log1p(config.tolerance), 1),
      pass_(std::log1p(config.detection), -1) {}

faultline::Result<SequentialGate> SequentialGate::Create(const GateConfig& config) {
  if (!(config.tolerance >= 0 && config.tolerance < config.detection) ||
      !std::isfinite(config.detection)) {
    return InvalidArgument("gate: the tolerance must be at least 0 and below the detection size");
  }
  if (!(config.alpha > 0 && config.alpha < 1)) {
    return InvalidArgument("gate: alpha must be in (0, 1)");
  }
  if (config.max_quads < 1) return InvalidArgument("gate: at least one quad is needed");
  return SequentialGate(config);
}

double SequentialGate::NextScale() const {
  if (sorted_.size() < kSpreadAfter) return kDefaultScale;
  const double iqr = measure::Quantile(sorted_, 0.75) - measure::Quantile(sorted_, 0.25);
  return std::max(kMinScale, iqr / kIqrToSd);
}

GateVerdict SequentialGate::Add(double contrast) {
  if (verdict_ != GateVerdict::kContinue) return verdict_;
  const double scale = NextScale();  // before the contrast is known: the bet stays fair
  fail_.Update(contrast, scale);
  pass_.Update(contrast, scale);
  contrasts_.push_back(contrast);
  scales_.push_back(scale);
  sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), contrast), contrast);
  // FAIL first when both sides decide at once: the shift is then between tolerance and
  // detection, where either verdict is right, and a gate should not let a shown slowdown pass.
  const double threshold = 1 / config_.alpha;
  if (fail_.Mixture() >= threshold) {
    verdict_ = GateVerdict::kFail;
  } else if (pass_.Mixture() >= threshold) {
    verdict_ = GateVerdict::kPass;
  } else if (quads() >= config_.max_quads) {
    verdict_ = GateVerdict::kInconclusive;
  }
  return verdict_;
}

double SequentialGate::RejectedEdge(double direction, double threshold) const {
  // Whether the bet against "shift on the far side of c" reaches the threshold at some quad,
  // for c on a lattice. Each factor of its wealth moves monotonically with c, so the rejected
  // shifts form a half-line, which only grows as quads are added: the first lattice point
  // outside it is found by bisection, and never moves back.
  auto rejected = [&](std::int64_t step) {
    Bet bet(static_cast<double>(step) * kEdgeStep, direction);
    for (std::size_t i = 0; i < contrasts_.size(); ++i) {
      bet.Update(contrasts_[i], scales_[i]);
      if (bet.Mixture() >= threshold) return true;
    }
    return false;
  };
  // A scale beyond every contrast each bet is already clipped, at +1 on the rejected side and
  // at -1 (where wealth cannot grow) on the other, so the edge lies between the two or nowhere.
  double below = std::numeric_limits<double>::infinity(), above = -below;
  for (std::size_t i = 0; i < contrasts_.size(); ++i) {
    below = std::min(below, contrasts_[i] - scales_[i]);
    above = std::max(above, contrasts_[i] + scales_[i]);
  }
  const auto down = static_cast<std::int64_t>(std::floor(below / kEdgeStep));
  const auto up = static_cast<std::int64_t>(std::ceil(above / kEdgeStep));
  std::int64_t outer = direction > 0 ? down : up;
  std::int64_t inner = direction > 0 ? up : down;
  if (!rejected(outer)) return -direction * std::numeric_limits<double>::infinity();
  while (std::abs(outer - inner) > 1) {
    const std::int64_t mid = outer + (inner - outer) / 2;
    (rejected(mid) ? outer : inner) = mid;
  }
  return static_cast<double>(inner) * kEdgeStep;
}

RatioInterval SequentialGate::Estimate() const {
  RatioInterval out;
  if (contrasts_.empty()) {
    out.ratio = std::numeric_limits<double>::quiet_NaN();
    out.low = 0;
    out.high = std::numeric_limits<double>::infinity();
    return out;
  }
  std::vector<double> walsh;
  walsh.reserve(contrasts_.size() * (contrasts_.size() + 1) / 2);
  for (std::size_t i = 0; i < contrasts_.size(); ++i) {
    for (std::size_t j = i; j < contrasts_.size(); ++j) {
      walsh.push_back((contrasts_[i] + contrasts_[j]) / 2);
    }
  }
  out.ratio = std::exp(Median(walsh));
  const double threshold = 2 / config_.alpha;
  out.low = std::exp(RejectedEdge(1, threshold));
  out.high = std::exp(RejectedEdge(-1, threshold));
  return out;
}

}  // namespace faultline::reports
