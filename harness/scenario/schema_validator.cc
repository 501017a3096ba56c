#include "harness/scenario/schema_validator.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "harness/scenario/units.h"

namespace faultline::scenario {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;
constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

std::string StripPlus(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  return std::string(text);
}

bool IsPlainInteger(std::string_view t) {
  if (!t.empty() && (t.front() == '-' || t.front() == '+')) t.remove_prefix(1);
  return !t.empty() && std::all_of(t.begin(), t.end(), IsDigit);
}

// [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool IsPlainFloat(std::string_view t) {
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < t.size() && IsDigit(t[i])) ++i, ++int_digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && IsDigit(t[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    std::size_t exp_digits = 0;
    while (i < t.size() && IsDigit(t[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == t.size();
}

std::optional<bool> PlainBoolean(std::string_view t) {
  if (t == "true" || t == "True" || t == "TRUE") return true;
  if (t == "false" || t == "False" || t == "FALSE") return false;
  return std::nullopt;
}

ScalarKind ClassifyPlain(std::string_view text) {
  if (PlainBoolean(text)) return ScalarKind::kBoolean;
  if (IsPlainInteger(text)) return ScalarKind::kInteger;
  if (IsPlainFloat(text)) return ScalarKind::kNumber;
  return ScalarKind::kString;
}

bool IsSupportedTag(const std::string& tag) {
  if (tag == "?" || tag == "!" || tag.empty()) return true;
  if (tag.rfind(kCoreTagPrefix, 0) != 0) return false;
  const std::string_view name = std::string_view(tag).substr(kCoreTagPrefix.size());
  return name == "str" || name == "int" || name == "float" || name == "bool" || name == "null";
}

bool ValidMark(const YAML::Mark& mark) {
  return mark.line >= 0 && mark.column >= 0;
}

// Scalars as JSON values, for const and enum comparisons.
json ScalarToJson(const YAML::Node& node) {
  switch (ClassifyScalar(node)) {
    case ScalarKind::kNull: return nullptr;
    case ScalarKind::kBoolean: return *ScalarBoolean(node);
    case ScalarKind::kInteger:
      if (auto v = ScalarInteger(node)) return *v;
      return ScalarNumber(node).value_or(0.0);
    case ScalarKind::kNumber: return ScalarNumber(node).value_or(0.0);
    case ScalarKind::kString: return node.Scalar();
  }
  return nullptr;
}

std::string JsonTypeOf(const YAML::Node& node) {
  if (node.IsMap()) return "object";
  if (node.IsSequence()) return "array";
  switch (ClassifyScalar(node)) {
    case ScalarKind::kNull: return "null";
    case ScalarKind::kBoolean: return "boolean";
    case ScalarKind::kInteger: return "integer";
    case ScalarKind::kNumber: return "number";
    case ScalarKind::kString: return "string";
  }
  return "null";
}

bool TypeMatches(const std::string& want, const std::string& have) {
  return want == have || (want == "number" && have == "integer");
}

// Short, single-line rendering of user text for messages.
std::string Excerpt(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string out;
  for (char c : text.substr(0, kMax)) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  if (text.size() > kMax) out += "...";
  return out;
}

// How a value reads in "got ...".
std::string Found(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return node.size() == 0 ? "an empty list" : "a list";
  switch (ClassifyScalar(node)) {
    case ScalarKind::kNull: return "an empty value";
    case ScalarKind::kString: return "'" + Excerpt(node.Scalar()) + "'";
    default: return node.Scalar();
  }
}

// A JSON value as the schema shows it in messages: strings bare, as in "one of: start, density".
std::string Show(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

std::string Quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string Child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

class Validator {
 public:
  Validator(const json& root, std::string file) : root_(root), file_(std::move(file)) {}

  std::vector<SchemaError> Take() { return std::move(errors_); }

  // `fallback` locates values without a usable mark of their own (empty values) and whole
  // mappings: the key that introduces them reads better than their first child.
  void Validate(const YAML::Node& node, const json& schema, const std::string& path,
                const YAML::Mark& fallback, int depth) {
    if (depth > kMaxDepth) {
      Report(ValueMark(node, fallback), path, "nested too deeply");
      return;
    }
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) Report(ValueMark(node, fallback), path, "not allowed here");
      return;
    }
    if (!schema.is_object()) return;
    if (auto ref = schema.find("$ref"); ref != schema.end()) {
      const json& target = Resolve(*ref);
      const std::size_t before = errors_.size();
      Validate(node, target, path, fallback, depth + 1);
      if (errors_.size() != before) return;
    }
    if (node.IsScalar() && !IsSupportedTag(node.Tag())) {
      Report(ValueMark(node, fallback), path, "unsupported YAML tag '" + node.Tag() + "'");
      return;
    }
    if (!CheckType(node, schema, path, fallback)) return;
    if (!CheckValue(node, schema, path, fallback)) return;
    if (node.IsScalar() && ClassifyScalar(node) == ScalarKind::kString) {
      CheckString(node, schema, path, fallback);
    }
    if (node.IsScalar()) CheckRange(node, schema, path, fallback);
    if (node.IsSequence()) CheckArray(node, schema, path, fallback, depth);
    if (node.IsMap()) CheckObject(node, schema, path, fallback, depth);
    if (auto it = schema.find("oneOf"); it != schema.end()) {
      CheckAlternatives(node, *it, /*exactly_one=*/true, path, fallback, depth);
    }
    if (auto it = schema.find("anyOf"); it != schema.end()) {
      CheckAlternatives(node, *it, /*exactly_one=*/false, path, fallback, depth);
    }
  }

 private:
  static YAML::Mark ValueMark(const YAML::Node& node, const YAML::Mark& fallback) {
    // yaml-cpp marks an empty value at the next token, often on the following line.
    if (node.IsNull() || !ValidMark(node.Mark())) return fallback;
    return node.Mark();
  }

  static YAML::Mark WholeMark(const YAML::Node& node, const YAML::Mark& fallback) {
    return ValidMark(fallback) ? fallback : node.Mark();
  }

  void Report(const YAML::Mark& mark, const std::string& path, std::string message) {
    SchemaError e;
    e.file = file_;
    e.line = ValidMark(mark) ? mark.line + 1 : 1;
    e.column = ValidMark(mark) ? mark.column + 1 : 1;
    e.path = path;
    e.message = std::move(message);
    errors_.push_back(std::move(e));
  }

  const json& Resolve(const json& ref) {
    static const json kAnything = true;
    if (!ref.is_string()) return kAnything;
    const std::string text = ref.get<std::string>();
    if (text.rfind('#', 0) != 0) throw std::runtime_error("unsupported $ref '" + text + "'");
    return root_.at(json::json_pointer(text.substr(1)));
  }

  const json& Deref(const json& schema) {
    if (schema.is_object() && schema.contains("$ref") && !schema.contains("type") &&
        !schema.contains("const") && !schema.contains("enum")) {
      return Deref(Resolve(schema["$ref"]));
    }
    return schema;
  }

  // The JSON types a schema accepts, in schema order, from "type" or else from const/enum.
  std::vector<std::string> AcceptedTypes(const json& schema) {
    std::vector<std::string> types;
    auto add = [&](const std::string& t) {
      if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
    };
    auto add_value = [&](const json& v) {
      if (v.is_string()) add("string");
      if (v.is_boolean()) add("boolean");
      if (v.is_number_integer() || v.is_number_unsigned()) add("integer");
      if (v.is_number_float()) add("number");
    };
    if (auto t = schema.find("type"); t != schema.end()) {
      if (t->is_string()) add(t->get<std::string>());
      if (t->is_array()) {
        for (const auto& v : *t) add(v.get<std::string>());
      }
    } else if (auto c = schema.find("const"); c != schema.end()) {
      add_value(*c);
    } else if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
      for (const auto& v : *e) add_value(v);
    }
    return types;
  }

  bool AcceptsType(const json& schema, const YAML::Node& node) {
    const std::string have = JsonTypeOf(node);
    const std::vector<std::string> types = AcceptedTypes(Deref(schema));
    return types.empty() || std::any_of(types.begin(), types.end(),
                                        [&](const std::string& t) { return TypeMatches(t, have); });
  }

  static std::string RangePhrase(const json& s) {
    const auto min = s.find("minimum");
    const auto max = s.find("maximum");
    if (min != s.end() && max != s.end()) return " between " + Show(*min) + " and " + Show(*max);
    std::vector<std::string> parts;
    if (min != s.end()) parts.push_back(">= " + Show(*min));
    if (auto x = s.find("exclusiveMinimum"); x != s.end()) parts.push_back("> " + Show(*x));
    if (max != s.end()) parts.push_back("<= " + Show(*max));
    if (auto x = s.find("exclusiveMaximum"); x != s.end()) parts.push_back("< " + Show(*x));
    return parts.empty() ? "" : " " + Join(parts, " and ");
  }

  // What the schema wants, as a phrase: "an integer between 1 and 256", "a mapping".
  std::string Expected(const json& raw) {
    const json& s = Deref(raw);
    if (!s.is_object()) return "a valid value";
    if (auto x = s.find("x-expected"); x != s.end() && x->is_string()) return x->get<std::string>();
    if (auto c = s.find("const"); c != s.end()) return Show(*c);
    if (auto e = s.find("enum"); e != s.end() && e->is_array()) {
      std::vector<std::string> values;
      for (const auto& v : *e) values.push_back(Show(v));
      return values.size() == 1 ? values[0] : "one of: " + Join(values, ", ");
    }
    std::vector<std::string> phrases;
    for (const std::string& t : AcceptedTypes(s)) {
      if (t == "object") phrases.push_back("a mapping");
      if (t == "array") phrases.push_back("a list");
      if (t == "string") phrases.push_back("a string");
      if (t == "boolean") phrases.push_back("true or false");
      if (t == "integer") phrases.push_back("an integer" + RangePhrase(s));
      if (t == "number") phrases.push_back("a number" + RangePhrase(s));
      if (t == "null") phrases.push_back("an empty value");
    }
    if (phrases.empty()) return "a valid value";
    return Join(phrases, " or ");
  }

  // A nudge for the commonest YAML surprise: quoting decides between string and number.
  std::string QuoteHint(const YAML::Node& node, const json& schema) {
    const std::vector<std::string> types = AcceptedTypes(Deref(schema));
    const std::set<std::string> want(types.begin(), types.end());
    if (!node.IsScalar() || want.empty()) return "";
    const ScalarKind kind = ClassifyScalar(node);
    const bool quoted = node.Tag() == "!";
    if (kind == ScalarKind::kString && quoted) {
      const ScalarKind plain = ClassifyPlain(node.Scalar());
      const bool wanted =
          (plain == ScalarKind::kInteger && (want.count("integer") || want.count("number"))) ||
          (plain == ScalarKind::kNumber && want.count("number")) ||
          (plain == ScalarKind::kBoolean && want.count("boolean"));
      if (wanted) return " (a quoted string; remove the quotes)";
    }
    // A bare number where a duration is wanted lacks a unit; quoting would not help.
    if (want.count("string") && !want.count("integer") && !want.count("number") &&
        !Deref(schema).contains("x-unit") &&
        (kind == ScalarKind::kInteger || kind == ScalarKind::kNumber ||
         kind == ScalarKind::kBoolean)) {
      return " (quote it to make it a string)";
    }
    return "";
  }

  void Mismatch(const YAML::Node& node, const json& schema, const std::string& path,
                const YAML::Mark& fallback) {
    Report(ValueMark(node, fallback), path,
           "expected " + Expected(schema) + ", got " + Found(node) + QuoteHint(node, schema));
  }

  bool CheckType(const YAML::Node& node, const json& schema, const std::string& path,
                 const YAML::Mark& fallback) {
    if (!schema.contains("type") || AcceptsType(schema, node)) return true;
    Mismatch(node, schema, path, fallback);
    return false;
  }

  bool CheckValue(const YAML::Node& node, const json& schema, const std::string& path,
                  const YAML::Mark& fallback) {
    if (auto c = schema.find("const"); c != schema.end()) {
      if (!node.IsScalar() && !node.IsNull()) {
        Mismatch(node, schema, path, fallback);
        return false;
      }
      if (ScalarToJson(node) != *c) {
        Mismatch(node, schema, path, fallback);
        return false;
      }
    }
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
      const json value = node.IsScalar() || node.IsNull() ? ScalarToJson(node) : json();
      const bool scalar = node.IsScalar() || node.IsNull();
      if (!scalar || std::find(e->begin(), e->end(), value) == e->end()) {
        std::string message =
            "expected " + Expected(schema) + ", got " + Found(node) + QuoteHint(node, schema);
        if (scalar && value.is_string()) {
          std::vector<std::string> names;
          for (const auto& v : *e) {
            if (v.is_string()) names.push_back(v.get<std::string>());
          }
          const std::string guess = ClosestMatch(value.get<std::string>(), names);
          if (!guess.empty()) message += "; did you mean '" + guess + "'?";
        }
        Report(ValueMark(node, fallback), path, std::move(message));
        return false;
      }
    }
    return true;
  }

  void CheckString(const YAML::Node& node, const json& schema, const std::string& path,
                   const YAML::Mark& fallback) {
    const std::string& text = node.Scalar();
    if (auto unit = schema.find("x-unit"); unit != schema.end() && unit->is_string()) {
      // The parsers say precisely what is wrong ("unknown unit 'sec'"); a pattern cannot.
      std::optional<Error> error;
      const std::string kind = unit->get<std::string>();
      if (kind == "duration") {
        if (auto r = ParseDuration(text); !r.ok()) error = r.error();
      } else if (kind == "size") {
        if (auto r = ParseSize(text); !r.ok()) error = r.error();
      } else if (kind == "rate") {
        if (auto r = ParseRate(text); !r.ok()) error = r.error();
      }
      if (error) {
        Report(ValueMark(node, fallback), path, error->message);
        return;
      }
    }
    if (auto p = schema.find("pattern"); p != schema.end() && p->is_string()) {
      if (!std::regex_search(text, Regex(p->get<std::string>()))) {
        const std::string want = schema.contains("x-expected")
                                     ? Expected(schema)
                                     : "a string matching " + p->get<std::string>();
        Report(ValueMark(node, fallback), path, "expected " + want + ", got " + Found(node));
      }
    }
  }

  void CheckRange(const YAML::Node& node, const json& schema, const std::string& path,
                  const YAML::Mark& fallback) {
    const ScalarKind kind = ClassifyScalar(node);
    if (kind != ScalarKind::kInteger && kind != ScalarKind::kNumber) return;
    const std::optional<double> value = ScalarNumber(node);
    if (!value) return;
    auto bound = [&](const char* key) -> std::optional<double> {
      auto it = schema.find(key);
      if (it == schema.end() || !it->is_number()) return std::nullopt;
      return it->get<double>();
    };
    bool ok = true;
    if (auto b = bound("minimum"); b && *value < *b) ok = false;
    if (auto b = bound("maximum"); b && *value > *b) ok = false;
    if (auto b = bound("exclusiveMinimum"); b && *value <= *b) ok = false;
    if (auto b = bound("exclusiveMaximum"); b && *value >= *b) ok = false;
    // Digits beyond int64 are still an integer, just out of every range we allow.
    if (kind == ScalarKind::kInteger && !ScalarInteger(node)) ok = false;
    if (!ok) Mismatch(node, schema, path, fallback);
  }

  void CheckArray(const YAML::Node& node, const json& schema, const std::string& path,
                  const YAML::Mark& fallback, int depth) {
    if (auto m = schema.find("minItems"); m != schema.end() && m->is_number()) {
      const std::size_t min = m->get<std::size_t>();
      if (node.size() < min) {
        Report(ValueMark(node, fallback), path,
               "expected a list of at least " + std::to_string(min) +
                   (min == 1 ? " item" : " items") + ", got " +
                   (node.size() == 0
                        ? std::string("an empty list")
                        : std::to_string(node.size()) + (node.size() == 1 ? " item" : " items")));
      }
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < node.size(); ++i) {
        const YAML::Node item = node[i];
        const YAML::Mark mark =
            ValidMark(item.Mark()) && !item.IsNull() ? item.Mark() : node.Mark();
        Validate(item, *items, Index(path, i), mark, depth + 1);
      }
    }
  }

  void CheckObject(const YAML::Node& node, const json& schema, const std::string& path,
                   const YAML::Mark& fallback, int depth) {
    static const json kEmpty = json::object();
    const auto props_it = schema.find("properties");
    const json& props = props_it != schema.end() ? *props_it : kEmpty;
    const auto extra_it = schema.find("additionalProperties");
    std::map<std::string, YAML::Mark> seen;
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) {
        Report(ValueMark(key, node.Mark()), path,
               "a field name must be a plain word, got " + Found(key));
        continue;
      }
      const std::string name = key.Scalar();
      if (auto [it, fresh] = seen.emplace(name, key.Mark()); !fresh) {
        Report(key.Mark(), path,
               "duplicate field '" + name + "' (first set at line " +
                   std::to_string(it->second.line + 1) + ", column " +
                   std::to_string(it->second.column + 1) + ")");
        continue;
      }
      if (auto p = props.find(name); p != props.end()) {
        Validate(entry.second, *p, Child(path, name), key.Mark(), depth + 1);
        continue;
      }
      if (extra_it == schema.end() || (extra_it->is_boolean() && extra_it->get<bool>())) continue;
      if (extra_it->is_object()) {
        Validate(entry.second, *extra_it, Child(path, name), key.Mark(), depth + 1);
        continue;
      }
      std::vector<std::string> known;
      for (const auto& [k, v] : props.items()) known.push_back(k);
      const std::string guess = ClosestMatch(name, known);
      if (!guess.empty()) {
        Report(key.Mark(), path, "unknown field '" + name + "'; did you mean '" + guess + "'?");
      } else if (known.empty()) {
        Report(key.Mark(), path, "unknown field '" + name + "'");
      } else {
        Report(key.Mark(), path,
               "unknown field '" + name + "' (expected one of: " + Join(known, ", ") + ")");
      }
    }
    if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
      for (const auto& r : *req) {
        const std::string name = r.get<std::string>();
        if (!seen.count(name)) {
          Report(WholeMark(node, fallback), path, "missing required field '" + name + "'");
        }
      }
    }
  }

  // Branches that only name required fields: "exactly one of these fields".
  static std::optional<std::vector<std::string>> RequiredOnly(const json& branches) {
    std::vector<std::string> names;
    for (const auto& b : branches) {
      if (!b.is_object() || b.size() != 1 || !b.contains("required")) return std::nullopt;
      const json& req = b["required"];
      if (!req.is_array() || req.size() != 1 || !req[0].is_string()) return std::nullopt;
      names.push_back(req[0].get<std::string>());
    }
    return names;
  }

  // A property every branch pins with "const", e.g. the workload "kind".
  std::optional<std::string> Discriminator(const json& branches) {
    if (!branches.is_array() || branches.empty()) return std::nullopt;
    const json& first = Deref(branches[0]);
    if (!first.is_object() || !first.contains("properties")) return std::nullopt;
    for (const auto& [name, unused] : first["properties"].items()) {
      bool all = true;
      for (const auto& b : branches) {
        const json& branch = Deref(b);
        const auto props = branch.find("properties");
        if (props == branch.end() || !props->contains(name) ||
            !Deref((*props)[name]).contains("const")) {
          all = false;
          break;
        }
      }
      if (all) return name;
    }
    return std::nullopt;
  }

  void CheckAlternatives(const YAML::Node& node, const json& branches, bool exactly_one,
                         const std::string& path, const YAML::Mark& fallback, int depth) {
    if (!branches.is_array() || branches.empty()) return;
    if (auto names = RequiredOnly(branches); names && node.IsMap()) {
      CheckExclusiveFields(node, *names, exactly_one, path, fallback);
      return;
    }
    if (auto key = Discriminator(branches)) {
      Dispatch(node, branches, *key, path, fallback, depth);
      return;
    }
    // General case: pass if one (oneOf: exactly one) branch passes; else show the closest one.
    struct Outcome {
      bool type_fits;  // the branch at least wants this kind of value
      std::vector<SchemaError> errors;
    };
    std::vector<Outcome> outcomes;
    std::size_t passed = 0;
    for (const auto& b : branches) {
      Validator sub(root_, file_);
      sub.regex_cache_ = regex_cache_;
      sub.Validate(node, b, path, fallback, depth + 1);
      outcomes.push_back({AcceptsType(b, node), sub.Take()});
      if (outcomes.back().errors.empty()) ++passed;
    }
    if (passed == 1 || (passed > 1 && !exactly_one)) return;
    if (passed > 1) {
      Report(ValueMark(node, fallback), path, "matches more than one alternative");
      return;
    }
    // The nearest miss explains best: right type first, then fewest errors.
    auto best =
        std::min_element(outcomes.begin(), outcomes.end(), [](const auto& a, const auto& b) {
          return std::make_pair(!a.type_fits, a.errors.size()) <
                 std::make_pair(!b.type_fits, b.errors.size());
        });
    for (auto& e : best->errors) errors_.push_back(std::move(e));
  }

  void CheckExclusiveFields(const YAML::Node& node, const std::vector<std::string>& names,
                            bool exactly_one, const std::string& path, const YAML::Mark& fallback) {
    std::vector<std::pair<std::string, YAML::Mark>> present;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) continue;
      const std::string key = entry.first.Scalar();
      const bool listed = std::find(names.begin(), names.end(), key) != names.end();
      const bool counted = std::any_of(present.begin(), present.end(),
                                       [&](const auto& p) { return p.first == key; });
      if (listed && !counted) present.emplace_back(key, entry.first.Mark());
    }
    if (present.empty()) {
      std::vector<std::string> quoted;
      for (const auto& n : names) quoted.push_back(Quote(n));
      Report(WholeMark(node, fallback), path, "missing required field " + Join(quoted, " or "));
    } else if (present.size() > 1 && exactly_one) {
      std::vector<std::string> quoted;
      for (const auto& p : present) quoted.push_back(Quote(p.first));
      Report(present.back().second, path,
             "fields " + Join(quoted, " and ") + " cannot be used together; set only one");
    }
  }

  void Dispatch(const YAML::Node& node, const json& branches, const std::string& key,
                const std::string& path, const YAML::Mark& fallback, int depth) {
    auto const_of = [&](const json& branch) -> const json& {
      return Deref(Deref(branch)["properties"][key])["const"];
    };
    std::vector<std::string> values;
    for (const auto& b : branches) values.push_back(Show(const_of(b)));
    const std::string choices = "(expected one of: " + Join(values, ", ") + ")";
    if (!node.IsMap()) {
      Report(ValueMark(node, fallback), path, "expected a mapping, got " + Found(node));
      return;
    }
    const YAML::Node value = node[key];
    if (!value) {
      Report(WholeMark(node, fallback), path, "missing required field '" + key + "' " + choices);
      return;
    }
    if (!value.IsScalar()) {
      Report(ValueMark(value, WholeMark(node, fallback)), Child(path, key),
             "expected one of: " + Join(values, ", ") + ", got " + Found(value));
      return;
    }
    const json wanted = ScalarToJson(value);
    for (const auto& b : branches) {
      if (const_of(b) == wanted) {
        Validate(node, b, path, fallback, depth + 1);
        return;
      }
    }
    Report(ValueMark(value, WholeMark(node, fallback)), path,
           "unknown " + key + " " + Found(value) + " " + choices);
  }

  const std::regex& Regex(const std::string& pattern) {
    auto it = regex_cache_.find(pattern);
    if (it == regex_cache_.end()) {
      it = regex_cache_.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
    }
    return it->second;
  }

  const json& root_;
  std::string file_;
  std::vector<SchemaError> errors_;
  std::unordered_map<std::string, std::regex> regex_cache_;
};

// Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string SchemaError::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
         (path.empty() ? "(root)" : path) + ": " + message;
}

ScalarKind ClassifyScalar(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return ScalarKind::kNull;
  if (!node.IsScalar()) return ScalarKind::kString;
  const std::string& tag = node.Tag();
  if (tag == "?") return ClassifyPlain(node.Scalar());
  if (tag.rfind(kCoreTagPrefix, 0) == 0) {
    // An explicit core tag asks for that type; honour it when the text fits.
    const std::string_view name = std::string_view(tag).substr(kCoreTagPrefix.size());
    const ScalarKind plain = ClassifyPlain(node.Scalar());
    if (name == "int" && plain == ScalarKind::kInteger) return plain;
    if (name == "float" && (plain == ScalarKind::kInteger || plain == ScalarKind::kNumber)) {
      return ScalarKind::kNumber;
    }
    if (name == "bool" && plain == ScalarKind::kBoolean) return plain;
  }
  return ScalarKind::kString;
}

std::optional<bool> ScalarBoolean(const YAML::Node& node) {
  if (ClassifyScalar(node) != ScalarKind::kBoolean) return std::nullopt;
  return PlainBoolean(node.Scalar());
}

std::optional<std::int64_t> ScalarInteger(const YAML::Node& node) {
  if (ClassifyScalar(node) != ScalarKind::kInteger) return std::nullopt;
  const std::string text = StripPlus(node.Scalar());
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> ScalarNumber(const YAML::Node& node) {
  const ScalarKind kind = ClassifyScalar(node);
  if (kind != ScalarKind::kInteger && kind != ScalarKind::kNumber) return std::nullopt;
  const std::string text = StripPlus(node.Scalar());
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  // Short words tolerate one slip; longer ones up to three.
  const std::size_t limit = word.size() <= 4 ? 1 : word.size() <= 8 ? 2 : 3;
  const std::string lowered = Lower(word);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = EditDistance(lowered, Lower(c));
    if (d < best_distance && d < std::max(word.size(), c.size())) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::vector<SchemaError> ValidateAgainstSchema(const YAML::Node& document,
                                               const nlohmann::json& schema,
                                               const std::string& file) {
  Validator validator(schema, file);
  try {
    validator.Validate(document, schema, "", document.Mark(), 0);
  } catch (const std::exception& e) {
    // A schema we cannot interpret is our bug, but the caller still gets a message.
    std::vector<SchemaError> errors = validator.Take();
    errors.push_back({file, 1, 1, "", std::string("internal error: invalid schema: ") + e.what()});
    return errors;
  }
  std::vector<SchemaError> errors = validator.Take();
  std::stable_sort(errors.begin(), errors.end(), [](const SchemaError& a, const SchemaError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  return errors;
}

const nlohmann::json& ScenarioSchema() {
  static const nlohmann::json* const kSchema = [] {
    auto* parsed = new nlohmann::json(nlohmann::json::parse(ScenarioSchemaText(), nullptr,
                                                            /*allow_exceptions=*/false));
    if (parsed->is_discarded()) *parsed = nlohmann::json::object();
    return parsed;
  }();
  return *kSchema;
}

json ToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    json object = json::object();
    for (const auto& item : node) object[item.first.Scalar()] = ToJson(item.second);
    return object;
  }
  if (node.IsSequence()) {
    json array = json::array();
    for (const auto& item : node) array.push_back(ToJson(item));
    return array;
  }
  return ScalarToJson(node);
}

}  // namespace faultline::scenario
