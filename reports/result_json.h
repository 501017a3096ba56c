// The result document as JSON (schema_version 1), and its atomic file form.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "harness/core/result.h"
#include "reports/result.h"

namespace faultline::reports {

// snake_case keys as in the structs; optional fields (knee, empty phases, empty error) omitted.
// Strings that are not valid UTF-8 (runtime stderr in errors) get U+FFFD for each bad byte, so
// dump() never throws.
nlohmann::json ToJson(const reports::Result& result);

// Unknown fields are ignored. A missing required field, a wrong type, or a schema_version newer
// than kResultSchemaVersion is an InvalidArgument naming the JSON path ("samples[3].ok").
faultline::Result<reports::Result> FromJson(const nlohmann::json& json);

// Writes a temp file in the target's directory, fsyncs it, renames it over path and fsyncs the
// directory: readers see the old file or the whole new one, never half a result.
Status WriteResultFile(const reports::Result& result, const std::string& path);
faultline::Result<reports::Result> ReadResultFile(const std::string& path);

}  // namespace faultline::reports
