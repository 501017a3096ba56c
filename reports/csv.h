// Raw samples as CSV (RFC 4180: CRLF line ends, quoted fields where needed), one row per sample
// with one column per phase ("phase.<name>_ns", offset from the sample's start).
#pragma once

#include <string>

#include "reports/result.h"

namespace faultline::reports {

std::string RenderSamplesCsv(const Result& result);

}  // namespace faultline::reports
