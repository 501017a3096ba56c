// Loading a scenario file: parse (YAML or JSON), validate against the schema, check what the
// schema cannot express, and fill the typed model with defaults.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "harness/core/result.h"
#include "harness/scenario/model.h"

namespace faultline::scenario {

// Errors beyond this many are summarised in one last line.
inline constexpr std::size_t kMaxReportedErrors = 20;

// Reads and loads `path`. Relative image paths resolve against the file's directory.
// Every problem is an InvalidArgument whose message has one line per error:
//   FILE:LINE:COL: PATH: MESSAGE
// (PATH is "(root)" for the document itself, and "syntax error" for YAML syntax errors).
Result<Scenario> LoadScenarioFile(const std::string& path);

// Loads scenario text; `display_name` labels errors and becomes Scenario::source_path, and
// relative image paths resolve against `base_dir` (the current directory when empty).
Result<Scenario> LoadScenarioText(std::string_view text, const std::string& display_name,
                                  const std::string& base_dir);

}  // namespace faultline::scenario
