#include "harness/scenario/schema_validator.h"

#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "harness/scenario/units.h"

namespace faultline::scenario {
namespace {

using nlohmann::json;

std::vector<std::string> Validate(const std::string& yaml, const json& schema) {
  std::vector<std::string> lines;
  for (const SchemaError& e : ValidateAgainstSchema(YAML::Load(yaml), schema, "t.yaml")) {
    lines.push_back(e.ToString());
  }
  return lines;
}

using Lines = std::vector<std::string>;

TEST(ScenarioSchema, IsEmbeddedAndParses) {
  EXPECT_FALSE(ScenarioSchemaText().empty());
  const json& schema = ScenarioSchema();
  ASSERT_TRUE(schema.is_object());
  EXPECT_EQ(schema.value("$schema", ""), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_TRUE(schema.contains("$defs"));
}

// A keyword the validator does not know would be silently ignored; keep the schema honest.
TEST(ScenarioSchema, UsesOnlySupportedKeywords) {
  const std::set<std::string> supported = {"$schema",
                                           "$id",
                                           "$comment",
                                           "$defs",
                                           "$ref",
                                           "title",
                                           "description",
                                           "default",
                                           "examples",
                                           "type",
                                           "properties",
                                           "required",
                                           "additionalProperties",
                                           "enum",
                                           "const",
                                           "pattern",
                                           "minimum",
                                           "maximum",
                                           "exclusiveMinimum",
                                           "exclusiveMaximum",
                                           "minItems",
                                           "items",
                                           "oneOf",
                                           "anyOf",
                                           "x-expected",
                                           "x-unit"};
  std::vector<std::string> unknown;
  std::function<void(const json&, const std::string&)> walk = [&](const json& s,
                                                                  const std::string& where) {
    if (!s.is_object()) return;
    for (const auto& [key, value] : s.items()) {
      if (!supported.count(key)) unknown.push_back(where + "/" + key);
      if (key == "properties" || key == "$defs") {
        for (const auto& [name, sub] : value.items()) walk(sub, where + "/" + key + "/" + name);
      } else if (key == "items" || key == "additionalProperties") {
        walk(value, where + "/" + key);
      } else if (key == "oneOf" || key == "anyOf") {
        for (std::size_t i = 0; i < value.size(); ++i) {
          walk(value[i], where + "/" + key + "/" + std::to_string(i));
        }
      }
    }
  };
  walk(ScenarioSchema(), "#");
  EXPECT_TRUE(unknown.empty()) << ::testing::PrintToString(unknown);
}

TEST(ScenarioSchema, EveryPropertyHasADescription) {
  const json& root = ScenarioSchema();
  auto resolve = [&](const json& s) -> const json& {
    if (s.contains("$ref"))
      return root.at(json::json_pointer(s["$ref"].get<std::string>().substr(1)));
    return s;
  };
  std::vector<std::string> missing;
  std::function<void(const json&, const std::string&)> walk = [&](const json& s,
                                                                  const std::string& where) {
    if (!s.is_object()) return;
    if (auto props = s.find("properties"); props != s.end()) {
      for (const auto& [name, sub] : props->items()) {
        if (!sub.contains("description") && !resolve(sub).contains("description")) {
          missing.push_back(where + "." + name);
        }
        walk(resolve(sub), where + "." + name);
      }
    }
    if (auto items = s.find("items"); items != s.end()) walk(resolve(*items), where + "[]");
    if (auto one = s.find("oneOf"); one != s.end()) {
      for (const auto& b : *one) walk(resolve(b), where);
    }
  };
  walk(root, "");
  EXPECT_TRUE(missing.empty()) << ::testing::PrintToString(missing);
}

// The published patterns and the parsers must agree on what is a valid unit string.
TEST(ScenarioSchema, UnitPatternsAgreeWithParsers) {
  const json& defs = ScenarioSchema()["$defs"];
  const std::regex duration(defs["duration"]["pattern"].get<std::string>());
  const std::regex size(defs["size"]["pattern"].get<std::string>());
  const std::regex rate(defs["rate"]["pattern"].get<std::string>());
  for (const char* text : {"250ms", "1.5s", "0s", "10us", "7ns", "2m", "1h", "10", "10sec", "-1s",
                           "1.s", ".5s", "1e3s", "", "5 s"}) {
    EXPECT_EQ(std::regex_search(text, duration), ParseDuration(text).ok()) << text;
  }
  for (const char* text : {"512Mi", "2G", "4096", "10B", "1k", "1K", "1.5Gi", "2Ti", "512MB", "1g",
                           "Mi", "-1", "", "1 Gi"}) {
    EXPECT_EQ(std::regex_search(text, size), ParseSize(text).ok()) << text;
  }
  // "0/s" matches the pattern but a zero rate is meaningless; the parser rejects it.
  for (const char* text : {"50/s", "0.5/m", "3600/h", "50", "50/sec", "/s", "50 /s", ""}) {
    EXPECT_EQ(std::regex_search(text, rate), ParseRate(text).ok()) << text;
  }
}

TEST(ClassifyScalar, QuotingDecidesStrings) {
  const YAML::Node yaml = YAML::Load(
      "[3, '3', \"3\", 3.5, true, 'true', abc, ~, !!str 4, !!int 5, -2, +7, 1e3, 0x10, True, yes]");
  const std::vector<ScalarKind> want = {
      ScalarKind::kInteger, ScalarKind::kString,  ScalarKind::kString,  ScalarKind::kNumber,
      ScalarKind::kBoolean, ScalarKind::kString,  ScalarKind::kString,  ScalarKind::kNull,
      ScalarKind::kString,  ScalarKind::kInteger, ScalarKind::kInteger, ScalarKind::kInteger,
      ScalarKind::kNumber,  ScalarKind::kString,  ScalarKind::kBoolean, ScalarKind::kString};
  ASSERT_EQ(yaml.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(ClassifyScalar(yaml[i]), want[i]) << i << ": " << yaml[i].Scalar();
  }
  EXPECT_EQ(ScalarInteger(yaml[11]), 7);
  EXPECT_EQ(ScalarNumber(yaml[3]), 3.5);
  EXPECT_EQ(ScalarBoolean(yaml[4]), true);
  EXPECT_EQ(ScalarInteger(yaml[1]), std::nullopt);  // quoted
}

TEST(ClassifyScalar, JsonStringsAreQuoted) {
  const YAML::Node doc = YAML::Load(R"({"a": "5", "b": 5, "c": true, "d": null, "e": 1.5})");
  EXPECT_EQ(ClassifyScalar(doc["a"]), ScalarKind::kString);
  EXPECT_EQ(ClassifyScalar(doc["b"]), ScalarKind::kInteger);
  EXPECT_EQ(ClassifyScalar(doc["c"]), ScalarKind::kBoolean);
  EXPECT_EQ(ClassifyScalar(doc["d"]), ScalarKind::kNull);
  EXPECT_EQ(ClassifyScalar(doc["e"]), ScalarKind::kNumber);
}

TEST(ClosestMatch, SuggestsPlausibleTypos) {
  const std::vector<std::string> fields = {"count", "concurrency", "rate", "command", "kind"};
  EXPECT_EQ(ClosestMatch("concurency", fields), "concurrency");
  EXPECT_EQ(ClosestMatch("cuont", fields), "count");  // transposition
  EXPECT_EQ(ClosestMatch("Rate", fields), "rate");
  EXPECT_EQ(ClosestMatch("kinds", fields), "kind");
  EXPECT_EQ(ClosestMatch("timeout", fields), "");
  EXPECT_EQ(ClosestMatch("x", fields), "");
  EXPECT_EQ(ClosestMatch("strat", {"start", "density"}), "start");
}

TEST(Validator, TypesRangesAndPositions) {
  const json schema = json::parse(R"({
    "type": "object", "additionalProperties": false, "required": ["n"],
    "properties": {
      "n": {"type": "integer", "minimum": 1},
      "r": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
      "s": {"type": ["string", "null"]},
      "l": {"type": "array", "minItems": 2, "items": {"type": "boolean"}}
    }})");
  EXPECT_EQ(Validate("n: 0\nr: 1\ns: ~\nl: ['false']\n", schema),
            (Lines{"t.yaml:1:4: n: expected an integer >= 1, got 0",
                   "t.yaml:2:4: r: expected a number > 0 and < 1, got 1",
                   "t.yaml:4:4: l: expected a list of at least 2 items, got 1 item",
                   "t.yaml:4:5: l[0]: expected true or false, got 'false' (a quoted string; "
                   "remove the quotes)"}));
  EXPECT_EQ(Validate("s: 5\n", schema),
            (Lines{"t.yaml:1:1: (root): missing required field 'n'",
                   "t.yaml:1:4: s: expected a string or an empty value, got 5 (quote it to make it "
                   "a string)"}));
  // Digits beyond 64 bits are an integer, just out of every range.
  EXPECT_EQ(Validate("n: 99999999999999999999999\n", schema),
            (Lines{"t.yaml:1:4: n: expected an integer >= 1, got 99999999999999999999999"}));
  EXPECT_EQ(Validate("n: !custom 3\n", schema),
            (Lines{"t.yaml:1:4: n: unsupported YAML tag '!custom'"}));
}

TEST(Validator, AdditionalPropertiesSchemaAndAnyOf) {
  const json schema = json::parse(R"({
    "type": "object",
    "additionalProperties": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^x"}]}
  })");
  EXPECT_EQ(Validate("a: 1\nb: xy\n", schema), Lines{});
  EXPECT_EQ(Validate("a: yz\n", schema),
            (Lines{"t.yaml:1:4: a: expected a string matching ^x, got 'yz'"}));
}

TEST(Validator, OneOfMatchingTwoBranchesIsAnError) {
  const json schema = json::parse(R"({"oneOf": [{"type": "integer"}, {"type": "number"}]})");
  EXPECT_EQ(Validate("1.5", schema), Lines{});
  EXPECT_EQ(Validate("2", schema),
            (Lines{"t.yaml:1:1: (root): matches more than one alternative"}));
}

TEST(Validator, BrokenReferenceIsReportedNotThrown) {
  const json schema = json::parse(R"({"$ref": "#/$defs/missing"})");
  const Lines lines = Validate("a: 1", schema);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("t.yaml:1:1: (root): internal error: invalid schema: ", 0), 0u)
      << lines[0];
}

}  // namespace
}  // namespace faultline::scenario
