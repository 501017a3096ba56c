// Validation of a parsed YAML (or JSON) document against a JSON Schema, keeping file positions.
//
// Supports the draft 2020-12 subset the scenario schema uses: type, properties, required,
// additionalProperties, enum, const, pattern, minimum, maximum, exclusiveMinimum,
// exclusiveMaximum, minItems, items, oneOf, anyOf and $ref to "#/...". Annotations (description,
// default, title, $comment) are ignored, plus two custom ones: "x-expected" (the phrase used in
// messages) and "x-unit" (duration | size | rate: checked with the units parsers).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::scenario {

struct SchemaError {
  std::string file;
  int line = 0;      // 1-based
  int column = 0;    // 1-based
  std::string path;  // "steps[1].workload.concurrency"; empty for the document itself
  std::string message;

  // "FILE:LINE:COL: PATH: MESSAGE"; an empty path prints as "(root)".
  std::string ToString() const;
};

// Every violation in `document`, ordered by position. `file` only labels the errors.
// Never throws: a broken schema shows up as an error entry.
std::vector<SchemaError> ValidateAgainstSchema(const YAML::Node& document,
                                               const nlohmann::json& schema,
                                               const std::string& file);

// scenarios/schema.json as built into the binary, so validation works from any directory.
std::string_view ScenarioSchemaText();
// ScenarioSchemaText() parsed once; an empty object if the text is not valid JSON (the build
// and a unit test both reject that, so it does not ship).
const nlohmann::json& ScenarioSchema();

// --- Scalar reading shared with the loader ---

// What a scalar is as JSON data. Plain scalars resolve by the YAML 1.2 core schema restricted to
// decimal numbers; quoted or block scalars (yaml-cpp tag "!") are always strings, so "3" in quotes
// is not an integer. JSON strings are quoted, so the same rule serves JSON files.
enum class ScalarKind { kNull, kBoolean, kInteger, kNumber, kString };
ScalarKind ClassifyScalar(const YAML::Node& node);

std::optional<bool> ScalarBoolean(const YAML::Node& node);
std::optional<std::int64_t> ScalarInteger(const YAML::Node& node);  // nullopt on overflow too
std::optional<double> ScalarNumber(const YAML::Node& node);         // integers included
// The node as JSON data, its scalars read as ClassifyScalar says.
nlohmann::json ToJson(const YAML::Node& node);

// The candidate closest to `word` by edit distance (transpositions count once), or "" when none
// is close enough to be a plausible typo.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace faultline::scenario
