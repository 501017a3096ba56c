#include "harness/runner/progress.h"

#include <cstdio>

namespace faultline::runner {

void ProgressBar::SetLabel(std::string label) {
  std::lock_guard lock(mu_);
  label_ = std::move(label);
  DrawLocked(true);
}

void ProgressBar::Advance(std::uint64_t by) {
  std::lock_guard lock(mu_);
  done_ += by;
  DrawLocked(false);
}

void ProgressBar::Finish() {
  std::lock_guard lock(mu_);
  if (enabled_ && drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

void ProgressBar::DrawLocked(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  // Redraw at most ten times a second: drawing must not load the host being measured.
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  const double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r\033[K[%s] %3d%% %llu/%llu %s", bar.c_str(),
               static_cast<int>(fraction * 100), static_cast<unsigned long long>(done_),
               static_cast<unsigned long long>(total_), label_.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace faultline::runner
