// The statistics of `faultline gate`: baseline A and candidate B measured inside one run, in
// quads of four slots whose order (ABBA or BAAB) a seeded coin picks, and an anytime-valid
// sequential test on one contrast of log latency per quad. The run stops at the first quad
// where the verdict is certain.
//
// Why the error bound holds under any host drift. Write a quad's slot values (each the median
// of m starts) in log space as y0..y3 as A would have given them, drift and noise included, and
// suppose B gives y + c in every slot (the sharp null with log shift c). The contrast
// d = (ln B1 + ln B2 - ln A1 - ln A2) / 2 is then c + s * D, with D = (y1 + y2 - y0 - y3) / 2
// and s the quad's coin (+1 for ABBA, -1 for BAAB). D is settled whatever the coin says, so
// given everything before the quad, d - c is symmetric about 0 and E[f(d - c)] = 0 for any odd
// f. If B's shift is at most c in every slot, d - c <= s * D and E[f(d - c)] <= 0 for any odd
// nondecreasing f; if it is at least c, E[f(d - c)] >= 0. Nothing is assumed about the noise
// or the drift, which may even follow earlier quads; what is assumed is that the order inside a
// quad does not change what a slot measures beyond the shift (no carryover from B to A).
//
// The test is a bet against the null. With f_i(x) = clip(x / s_i, -1, 1) and λ in [0, 1),
// W_n = Π (1 + λ f_i(d_i - c)) stays positive and, when the shift is at most c, is a
// supermartingale from W_0 = 1 as long as f_i is fixed before quad i runs: the scale s_i is
// a robust spread of the earlier contrasts only. Ville's inequality bounds the chance that W
// ever reaches 1/alpha by alpha, at whatever quad the run stops. No single λ suits every
// effect size, so W is the average over a fixed grid of λ, itself such a supermartingale,
// which grows almost as fast as the best λ of the grid would have.
//
// FAIL rejects "shift <= ln(1 + tolerance)", betting that contrasts lie above it. PASS rejects
// "shift >= ln(1 + detection)", betting they lie below (f negated). Each is tested at alpha:
// tolerance < detection, so no shift makes both hypotheses true, a build can only be wrongly
// failed or wrongly passed, never both, and either error has probability at most alpha.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "harness/core/result.h"
#include "reports/stats.h"

namespace faultline::reports {

// Which version runs in each slot of a quad: ABBA or BAAB.
enum class QuadOrder { kAbba, kBaab };
const char* QuadOrderName(QuadOrder order);  // "ABBA" | "BAAB"

// Whether slot 0..3 of a quad runs the candidate B.
bool RunsCandidate(QuadOrder order, int slot);

// The quad orders of a run, one fair coin per quad from a mt19937_64 seeded with the run's
// logged seed. The engine's output is fixed by the standard and the coin is its top bit, so a
// seed gives the same orders on every platform (the standard distributions do not).
class QuadSchedule {
 public:
  explicit QuadSchedule(std::uint64_t seed) : random_(seed) {}
  QuadOrder Next();

 private:
  std::mt19937_64 random_;
};

// The contrast of one quad from its four slot medians in execution order:
// (ln B1 + ln B2 - ln A1 - ln A2) / 2, B's log-ratio to A; a linear drift inside the quad
// cancels. InvalidArgument unless every median is positive and finite.
faultline::Result<double> QuadContrast(QuadOrder order, const std::array<double, 4>& slot_medians);

struct GateConfig {
  double tolerance = 0.03;  // FAIL once B is shown slower than A by more than this fraction
  double detection = 0.10;  // PASS once B is shown slower by less than this fraction
  double alpha = 0.01;  // bound on either wrong verdict; see BonferroniAlpha for several metrics
  // INCONCLUSIVE when neither is shown after this many quads. At the defaults a verdict takes
  // 10 to 25 quads with 4% noise per slot; the rest is room for shifts between the tolerance
  // and the detection size, which take longest.
  int max_quads = 60;
};

// alpha for each of `metrics` metrics gated together, so that a wrong verdict on any of them
// has probability at most alpha.
double BonferroniAlpha(double alpha, int metrics);

enum class GateVerdict { kContinue, kPass, kFail, kInconclusive };
const char* GateVerdictName(GateVerdict verdict);  // "continue" | "pass" | "fail" | "inconclusive"

class SequentialGate {
 public:
  // InvalidArgument unless 0 <= tolerance < detection, 0 < alpha < 1 and max_quads >= 1.
  static faultline::Result<SequentialGate> Create(const GateConfig& config);

  // Takes the next quad's contrast (finite, as QuadContrast gives) and returns the verdict.
  // A verdict other than kContinue is final: later contrasts are ignored.
  GateVerdict Add(double contrast);
  GateVerdict verdict() const { return verdict_; }
  int quads() const { return static_cast<int>(contrasts_.size()); }

  // The e-values behind FAIL and PASS (the wealth of each bet); a side decides at 1/alpha.
  double FailEvidence() const { return fail_.Mixture(); }
  double PassEvidence() const { return pass_.Mixture(); }

  // B / A: exp of the Hodges-Lehmann estimate of the contrasts (the median of their pairwise
  // means), with a confidence sequence at level 1 - alpha: the ratios that neither one-sided
  // bet, each at alpha / 2, has rejected at any quad so far (at the true shift both one-sided
  // hypotheses hold, so here the two sides do share alpha). It covers the true ratio at every
  // quad at once with probability at least 1 - alpha. An open side is 0 or +infinity; no
  // quads give a NaN ratio.
  RatioInterval Estimate() const;

 private:
  // One one-sided bet: the average over the λ grid of Π (1 + λ direction f_i(d_i - boundary)).
  // The grid runs from cautious (a small shift, a long run) to nearly all-in (a shift far beyond
  // the noise: then a quad can at most double the wealth, as its coin has only two sides).
  struct Bet {
    static constexpr std::array<double, 8> kLambdas = {0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9};
    double boundary = 0;
    double direction = 1;  // +1 bets on contrasts above the boundary, -1 below
    std::array<double, kLambdas.size()> wealth{};

    Bet(double at, double towards);
    void Update(double contrast, double scale);
    double Mixture() const;
  };

  explicit SequentialGate(const GateConfig& config);
  // s_i for the next quad, from the contrasts so far.
  double NextScale() const;
  // The edge of the shifts the bet in `direction` rejects at `threshold` at some quad: +1 gives
  // the lower end of the confidence sequence (-infinity when nothing is rejected), -1 the upper.
  double RejectedEdge(double direction, double threshold) const;

  GateConfig config_;
  Bet fail_, pass_;
  std::vector<double> contrasts_;
  std::vector<double> scales_;  // the s_i each contrast was bet with
  std::vector<double> sorted_;  // the contrasts in ascending order, for the next scale
  GateVerdict verdict_ = GateVerdict::kContinue;
};

}  // namespace faultline::reports
