#include "reports/csv.h"

#include "reports/escape.h"
#include "reports/phases.h"

namespace faultline::reports {
namespace {

std::string Row(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) line += ',';
    line += CsvField(fields[i]);
  }
  return line + "\r\n";
}

}  // namespace

std::string RenderSamplesCsv(const Result& result) {
  const std::vector<std::string> phases = OrderedPhaseNames(result.samples);
  // latency_ns is what every aggregate counts (reports::LatencyNs): duration_ns, plus the wait
  // since scheduled_ns when an open-loop rate released the operation.
  std::vector<std::string> header = {
      "step",        "target",       "repetition", "container", "node", "op",   "start_ns",
      "duration_ns", "scheduled_ns", "latency_ns", "timing",    "ok",   "error"};
  for (const auto& phase : phases) header.push_back("phase." + phase + "_ns");
  std::string out = Row(header);
  for (const auto& s : result.samples) {
    std::vector<std::string> row = {s.step,
                                    s.target,
                                    std::to_string(s.repetition),
                                    s.container,
                                    s.node,
                                    s.op,
                                    std::to_string(s.start_ns),
                                    std::to_string(s.duration_ns),
                                    s.scheduled_ns > 0 ? std::to_string(s.scheduled_ns) : "",
                                    std::to_string(LatencyNs(s)),
                                    SampleTiming(s),
                                    s.ok ? "true" : "false",
                                    s.error};
    for (const auto& phase : phases) {
      auto found = s.phases.find(phase);
      row.push_back(found == s.phases.end() ? "" : std::to_string(found->second));
    }
    out += Row(row);
  }
  return out;
}

}  // namespace faultline::reports
