// Console output helpers shared by the renderers: aligned text tables and ANSI colors.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace faultline::reports {

inline constexpr const char* kBold = "\x1b[1m";
inline constexpr const char* kRed = "\x1b[31m";
inline constexpr const char* kGreen = "\x1b[32m";
inline constexpr const char* kYellow = "\x1b[33m";
inline constexpr const char* kReset = "\x1b[0m";

// Wraps text in a color code, or leaves it plain when colors are off.
class Painter {
 public:
  explicit Painter(bool color) : color_(color) {}
  std::string operator()(const char* code, const std::string& text) const {
    return color_ ? code + text + kReset : text;
  }

 private:
  bool color_;
};

// Columns sized to their widest cell; text left-aligned, numbers right-aligned.
class Table {
 public:
  Table(std::vector<std::string> header, std::vector<bool> right)
      : header_(std::move(header)), right_(std::move(right)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string Render(const std::string& indent) const {
    std::vector<std::size_t> width(header_.size());
    for (std::size_t c = 0; c < header_.size(); ++c) width[c] = header_[c].size();
    for (const auto& row : rows_) {
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    }
    std::string out = Line(header_, width, indent);
    for (const auto& row : rows_) out += Line(row, width, indent);
    return out;
  }

 private:
  std::string Line(const std::vector<std::string>& cells, const std::vector<std::size_t>& width,
                   const std::string& indent) const {
    std::string line = indent;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - cells[c].size(), ' ');
      if (c > 0) line += "  ";
      line += right_[c] ? pad + cells[c] : cells[c] + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  }

  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace faultline::reports
