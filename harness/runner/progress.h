// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace faultline::runner {

class ProgressBar {
 public:
  ProgressBar(std::uint64_t total, bool enabled) : total_(total), enabled_(enabled) {}
  ~ProgressBar() { Finish(); }

  void SetLabel(std::string label);
  void Advance(std::uint64_t by = 1);
  void Finish();  // clears the line

 private:
  void DrawLocked(bool force);

  std::uint64_t total_;
  bool enabled_;
  std::uint64_t done_ = 0;
  std::string label_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  std::mutex mu_;
};

}  // namespace faultline::runner
