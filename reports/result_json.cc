#include "reports/result_json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <limits>

#include "harness/core/files.h"

namespace faultline::reports {
namespace {

using nlohmann::json;

// ---- writing ----

// Replaces each byte that does not start or continue a valid UTF-8 sequence with U+FFFD.
std::string Utf8(const std::string& s) {
  std::string out;
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](std::size_t k) { return k < n && (at(k) & 0xC0) == 0x80; };
  bool clean = true;
  while (i < n) {
    const unsigned char c = at(i);
    std::size_t len = 0;
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF && cont(i + 1)) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF && cont(i + 1) && cont(i + 2)) {
      const unsigned char c1 = at(i + 1);
      // No overlong forms (E0 80..9F) and no UTF-16 surrogates (ED A0..BF).
      if (!(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 > 0x9F)) len = 3;
    } else if (c >= 0xF0 && c <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      const unsigned char c1 = at(i + 1);
      if (!(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 > 0x8F)) len = 4;
    }
    if (len == 0) {
      if (clean) out.assign(s, 0, i);
      clean = false;
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (!clean) out.append(s, i, len);
    i += len;
  }
  return clean ? s : out;
}

// JSON has no NaN or infinity; they become null and read back as NaN.
json Number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

json ToJson(const RuntimeInfo& r) {
  return {{"name", Utf8(r.name)},
          {"version", Utf8(r.version)},
          {"path", Utf8(r.path)},
          {"sha256", Utf8(r.sha256)}};
}

json ToJson(const ImageInfo& i) {
  return {{"reference", Utf8(i.reference)},
          {"digest", Utf8(i.digest)},
          {"digest_of", Utf8(i.digest_of)}};
}

json ToJson(const TargetInfo& t) {
  json components = json::array();
  for (const auto& c : t.components) components.push_back(ToJson(c));
  json settings = json::object();
  for (const auto& [key, value] : t.settings) settings[Utf8(key)] = Utf8(value);
  return {{"name", Utf8(t.name)},     {"driver", Utf8(t.driver)}, {"runtime", ToJson(t.runtime)},
          {"image", ToJson(t.image)}, {"components", components}, {"settings", settings}};
}

json Strings(const std::vector<std::string>& v) {
  json out = json::array();
  for (const auto& s : v) out.push_back(Utf8(s));
  return out;
}

json ToJson(const RunContext& c) {
  json targets = json::array();
  for (const auto& t : c.targets) targets.push_back(ToJson(t));
  return {{"faultline_version", Utf8(c.faultline_version)},
          {"git_sha", Utf8(c.git_sha)},
          {"run_id", Utf8(c.run_id)},
          {"hostname", Utf8(c.hostname)},
          {"kernel", Utf8(c.kernel)},
          {"cgroup_mode", Utf8(c.cgroup_mode)},
          {"cpu_model", Utf8(c.cpu_model)},
          {"cpu_count", c.cpu_count},
          {"cpu_mhz", Number(c.cpu_mhz)},
          {"cpu_scaling", c.cpu_scaling},
          {"build_type", Utf8(c.build_type)},
          {"memory_bytes", c.memory_bytes},
          {"targets", std::move(targets)},
          {"scenario_name", Utf8(c.scenario_name)},
          {"scenario_path", Utf8(c.scenario_path)},
          {"scenario_sha256", Utf8(c.scenario_sha256)},
          {"started_at", Utf8(c.started_at)},
          {"ended_at", Utf8(c.ended_at)},
          {"notes", Strings(c.notes)}};
}

json ToJson(const Sample& s) {
  json j = {{"step", Utf8(s.step)},       {"target", Utf8(s.target)},
            {"repetition", s.repetition}, {"container", Utf8(s.container)},
            {"node", Utf8(s.node)},       {"op", Utf8(s.op)},
            {"start_ns", s.start_ns},     {"duration_ns", s.duration_ns},
            {"timing", SampleTiming(s)},  {"ok", s.ok}};
  // Thousands of samples per run: leave out what carries nothing.
  if (!s.phases.empty()) {
    json phases = json::object();
    for (const auto& [name, ns] : s.phases) phases[Utf8(name)] = ns;
    j["phases"] = std::move(phases);
  }
  if (!s.events.empty()) {
    json events = json::object();
    for (const auto& [name, ns] : s.events) events[Utf8(name)] = ns;
    j["events"] = std::move(events);
  }
  if (s.scheduled_ns > 0) j["scheduled_ns"] = s.scheduled_ns;
  if (s.cpu_ns >= 0) j["cpu_ns"] = s.cpu_ns;
  if (!s.error.empty()) j["error"] = Utf8(s.error);
  if (!s.peer.empty()) j["peer"] = Utf8(s.peer);
  return j;
}

json ToJson(const WindowStats& w) {
  return {{"samples", w.samples},
          {"failed", w.failed},
          {"error_rate", Number(w.error_rate)},
          {"p50_s", Number(w.p50_s)},
          {"p99_s", Number(w.p99_s)}};
}

template <typename T>
json OrNull(const std::optional<T>& v) {
  if (!v) return nullptr;
  if constexpr (std::is_same_v<T, double>) {
    return Number(*v);
  } else if constexpr (std::is_integral_v<T>) {
    return *v;
  } else {
    return ToJson(*v);
  }
}

json ToJson(const DaemonOutcome& d) {
  return {{"node", Utf8(d.node)},
          {"daemon", Utf8(d.daemon)},
          {"killed_ns", d.killed_ns},
          {"restarted_ns", d.restarted_ns},
          {"running_before", d.running_before},
          {"survived", d.survived},
          {"lost", d.lost},
          {"api_answered_s", OrNull(d.api_answered_s)},
          {"start_succeeded_s", OrNull(d.start_succeeded_s)},
          {"error", Utf8(d.error)}};
}

json ToJson(const FaultRecord& f) {
  json params = json::object();
  for (const auto& [key, value] : f.params) params[Utf8(key)] = Utf8(value);
  json signals = json::object();
  for (const auto& [name, count] : f.signals) signals[Utf8(name)] = count;
  json containers = json::array();
  for (const auto& c : f.containers) containers.push_back(Utf8(c));
  json daemons = json::array();
  for (const auto& d : f.daemons) daemons.push_back(ToJson(d));
  json cuts = json::array();
  for (const auto& cut : f.cuts) {
    json sides = json::array();
    for (const auto& side : cut) sides.push_back(Strings(side));
    cuts.push_back(std::move(sides));
  }
  return {{"kind", Utf8(f.kind)},
          {"mechanism", Utf8(f.mechanism)},
          {"step", Utf8(f.step)},
          {"target", Utf8(f.target)},
          {"repetition", f.repetition},
          {"occurrence", f.occurrence},
          {"nodes", Strings(f.nodes)},
          {"cuts", cuts},
          {"containers", containers},
          {"params", params},
          {"scheduled_ns", f.scheduled_ns},
          {"jitter_ns", f.jitter_ns},
          {"inject_ns", f.inject_ns},
          {"revert_ns", f.revert_ns},
          {"ended_by", Utf8(f.ended_by)},
          {"ok", f.ok},
          {"error", Utf8(f.error)},
          {"impact_metric", Utf8(f.impact_metric)},
          {"baseline", OrNull(f.baseline)},
          {"during", OrNull(f.during)},
          {"control", OrNull(f.control)},
          {"recovery_bound_s", OrNull(f.recovery_bound_s)},
          {"recovery_time_s", OrNull(f.recovery_time_s)},
          {"signals", signals},
          {"drops", OrNull(f.drops)},
          {"drops_from", Utf8(f.drops_from)},
          {"daemons", daemons}};
}

json ToJson(const DensityPoint& p) {
  json j = {
      {"step", Utf8(p.step)},
      {"target", Utf8(p.target)},
      {"repetition", p.repetition},
      {"containers", p.containers},
      {"failed", p.failed},
      {"memory_per_container_bytes", Number(p.memory_per_container_bytes)},
      {"rss_per_container_bytes", Number(p.rss_per_container_bytes)},
      {"runtime_overhead_per_container_bytes", Number(p.runtime_overhead_per_container_bytes)},
      {"start_p50_s", Number(p.start_p50_s)},
      {"start_p99_s", Number(p.start_p99_s)},
      {"at_ns", p.at_ns}};
  if (!p.node.empty()) j["node"] = Utf8(p.node);
  return j;
}

json ToJson(const DensityOutcome& o) {
  json j = {{"step", Utf8(o.step)},
            {"target", Utf8(o.target)},
            {"repetition", o.repetition},
            {"reached", o.reached},
            {"stopped_by", Utf8(o.stopped_by)}};
  if (o.knee) j["knee"] = *o.knee;
  if (!o.node.empty()) j["node"] = Utf8(o.node);
  return j;
}

json ToJson(const Aggregate& a) {
  json j = {{"step", Utf8(a.step)},   {"target", Utf8(a.target)},   {"metric", Utf8(a.metric)},
            {"unit", Utf8(a.unit)},   {"count", a.count},           {"failed", a.failed},
            {"mean", Number(a.mean)}, {"stddev", Number(a.stddev)}, {"min", Number(a.min)},
            {"p50", Number(a.p50)},   {"p90", Number(a.p90)},       {"p99", Number(a.p99)},
            {"max", Number(a.max)}};
  if (a.repetition) j["repetition"] = *a.repetition;
  return j;
}

json ToJson(const SloVerdict& v) {
  return {{"rule", Utf8(v.rule)},     {"step", Utf8(v.step)},
          {"target", Utf8(v.target)}, {"observed", Number(v.observed)},
          {"limit", Number(v.limit)}, {"unit", Utf8(v.unit)},
          {"pass", v.pass},           {"reason", Utf8(v.reason)}};
}

json ToJson(const HostSpeedProbe& p) {
  json j = {{"repetition", p.repetition},
            {"at_ns", p.at_ns},
            {"durations_ns", p.durations_ns},
            {"load_average_1m", Number(p.load_average_1m)}};
  if (p.cpu_pressure_10s_percent) {
    j["cpu_pressure_10s_percent"] = Number(*p.cpu_pressure_10s_percent);
  }
  return j;
}

json ToJson(const ProbeReport& p) {
  return {{"mode", Utf8(p.mode)},
          {"reason", Utf8(p.reason)},
          {"attach", Utf8(p.attach)},
          {"events", p.events},
          {"drops", p.drops},
          {"samples_joined", p.samples_joined},
          {"samples_unjoined", p.samples_unjoined}};
}

json Counts(const std::map<std::string, std::uint64_t>& counts) {
  json j = json::object();
  for (const auto& [key, n] : counts) j[Utf8(key)] = n;
  return j;
}

json ToJson(const SignalWindow& w) {
  return {{"step", Utf8(w.step)},
          {"target", Utf8(w.target)},
          {"repetition", w.repetition},
          {"from_ns", w.from_ns},
          {"to_ns", w.to_ns},
          {"oom_kills", w.oom_kills},
          {"tcp_retransmits", w.tcp_retransmits},
          {"packet_drops", w.packet_drops},
          {"signal_exits", w.signal_exits},
          {"drop_reasons", Counts(w.drop_reasons)},
          {"retransmits_by_netns", Counts(w.retransmits_by_netns)},
          {"drops_by_netns", Counts(w.drops_by_netns)},
          {"oom_kills_by_container", Counts(w.oom_kills_by_container)},
          {"signal_exits_by_container", Counts(w.signal_exits_by_container)}};
}

json ToJson(const NodePressure& p) {
  json stalled = json::object();
  for (const auto& [key, share] : p.stalled) stalled[Utf8(key)] = share;
  return {{"step", Utf8(p.step)},         {"target", Utf8(p.target)}, {"repetition", p.repetition},
          {"node", Utf8(p.node)},         {"from_ns", p.from_ns},     {"to_ns", p.to_ns},
          {"stalled", std::move(stalled)}};
}

// Infinite or NaN (an open side of a confidence sequence, no estimate yet) as null.
json Finite(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

json ToJson(const GateQuad& q) {
  return {{"order", q.order}, {"medians", q.medians}, {"contrast", q.contrast}};
}

template <typename T>
json Array(const std::vector<T>& v) {
  json out = json::array();
  for (const auto& e : v) out.push_back(ToJson(e));
  return out;
}

// ---- reading ----
// Each Convert checks the JSON type before extracting, so no nlohmann exception is thrown for
// a well-formed json value; paths name the offending field in every message.

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

Error TypeError(const std::string& path, const char* expected, const json& j) {
  return InvalidArgument(path + ": expected " + expected + ", got " + j.type_name());
}

Status Convert(const json& j, const std::string& path, std::string& out) {
  if (!j.is_string()) return TypeError(path, "a string", j);
  out = j.get<std::string>();
  return OkStatus();
}

Status Convert(const json& j, const std::string& path, bool& out) {
  if (!j.is_boolean()) return TypeError(path, "a boolean", j);
  out = j.get<bool>();
  return OkStatus();
}

Status Convert(const json& j, const std::string& path, double& out) {
  if (j.is_null()) {
    out = std::numeric_limits<double>::quiet_NaN();
    return OkStatus();
  }
  if (!j.is_number()) return TypeError(path, "a number", j);
  out = j.get<double>();
  return OkStatus();
}

// Integers checked against the destination's range.
template <typename T>
Status ConvertInteger(const json& j, const std::string& path, T& out) {
  if (j.is_number_unsigned()) {
    const auto v = j.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
      return InvalidArgument(path + ": " + std::to_string(v) + " is out of range");
    }
    out = static_cast<T>(v);
    return OkStatus();
  }
  if (j.is_number_integer()) {
    const auto v = j.get<std::int64_t>();
    if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
        (v > 0 && static_cast<std::uint64_t>(v) >
                      static_cast<std::uint64_t>(std::numeric_limits<T>::max()))) {
      return InvalidArgument(path + ": " + std::to_string(v) + " is out of range");
    }
    out = static_cast<T>(v);
    return OkStatus();
  }
  return TypeError(path, "an integer", j);
}

Status Convert(const json& j, const std::string& path, int& out) {
  return ConvertInteger(j, path, out);
}
Status Convert(const json& j, const std::string& path, std::int64_t& out) {
  return ConvertInteger(j, path, out);
}
Status Convert(const json& j, const std::string& path, std::uint32_t& out) {
  return ConvertInteger(j, path, out);
}
Status Convert(const json& j, const std::string& path, std::uint64_t& out) {
  return ConvertInteger(j, path, out);
}

template <typename V>
Status Convert(const json& j, const std::string& path, std::map<std::string, V>& out);
Status Convert(const json& j, const std::string& path, RuntimeInfo& out);
Status Convert(const json& j, const std::string& path, ImageInfo& out);
Status Convert(const json& j, const std::string& path, TargetInfo& out);
Status Convert(const json& j, const std::string& path, RunContext& out);
Status Convert(const json& j, const std::string& path, Sample& out);
Status Convert(const json& j, const std::string& path, DensityPoint& out);
Status Convert(const json& j, const std::string& path, DensityOutcome& out);
Status Convert(const json& j, const std::string& path, Aggregate& out);
Status Convert(const json& j, const std::string& path, SloVerdict& out);
Status Convert(const json& j, const std::string& path, HostSpeedProbe& out);
Status Convert(const json& j, const std::string& path, HostSpeed& out);
Status Convert(const json& j, const std::string& path, ProbeReport& out);
Status Convert(const json& j, const std::string& path, SignalWindow& out);
Status Convert(const json& j, const std::string& path, NodePressure& out);
Status Convert(const json& j, const std::string& path, WindowStats& out);
Status Convert(const json& j, const std::string& path, DaemonOutcome& out);
Status Convert(const json& j, const std::string& path, FaultRecord& out);
Status Convert(const json& j, const std::string& path, GateQuad& out);
Status Convert(const json& j, const std::string& path, GateMetric& out);
Status Convert(const json& j, const std::string& path, GateOutcome& out);

template <typename T>
Status Convert(const json& j, const std::string& path, std::optional<T>& out) {
  if (j.is_null()) {
    out.reset();
    return OkStatus();
  }
  T value{};
  FL_RETURN_IF_ERROR(Convert(j, path, value));
  out = std::move(value);
  return OkStatus();
}

template <typename T>
Status Convert(const json& j, const std::string& path, std::vector<T>& out) {
  if (!j.is_array()) return TypeError(path, "an array", j);
  out.clear();
  out.resize(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    FL_RETURN_IF_ERROR(Convert(j[i], path + "[" + std::to_string(i) + "]", out[i]));
  }
  return OkStatus();
}

template <typename V>
Status Convert(const json& j, const std::string& path, std::map<std::string, V>& out) {
  if (!j.is_object()) return TypeError(path, "an object", j);
  out.clear();
  for (const auto& [key, value] : j.items()) {
    FL_RETURN_IF_ERROR(Convert(value, Join(path, key), out[key]));
  }
  return OkStatus();
}

template <typename V>
Status ConvertMap(const json& j, const std::string& path, std::map<std::string, V>& out) {
  if (!j.is_object()) return TypeError(path, "an object", j);
  out.clear();
  for (const auto& [key, value] : j.items()) {
    FL_RETURN_IF_ERROR(Convert(value, Join(path, key), out[key]));
  }
  return OkStatus();
}
Status Convert(const json& j, const std::string& path, std::map<std::string, std::string>& out) {
  return ConvertMap(j, path, out);
}
Status Convert(const json& j, const std::string& path, std::map<std::string, std::uint64_t>& out) {
  return ConvertMap(j, path, out);
}

template <typename T>
Status Required(const json& object, const std::string& path, const char* key, T& out) {
  auto it = object.find(key);
  if (it == object.end()) return InvalidArgument(Join(path, key) + ": required field is missing");
  return Convert(*it, Join(path, key), out);
}

// Absent leaves the default in place.
template <typename T>
Status Optional(const json& object, const std::string& path, const char* key, T& out) {
  auto it = object.find(key);
  if (it == object.end()) return OkStatus();
  return Convert(*it, Join(path, key), out);
}

Status ExpectObject(const json& j, const std::string& path) {
  if (!j.is_object()) return TypeError(path.empty() ? std::string("result") : path, "an object", j);
  return OkStatus();
}

Status Convert(const json& j, const std::string& path, RuntimeInfo& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Optional(j, path, "name", out.name));
  FL_RETURN_IF_ERROR(Optional(j, path, "version", out.version));
  FL_RETURN_IF_ERROR(Optional(j, path, "path", out.path));
  return Optional(j, path, "sha256", out.sha256);
}

Status Convert(const json& j, const std::string& path, ImageInfo& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Optional(j, path, "reference", out.reference));
  FL_RETURN_IF_ERROR(Optional(j, path, "digest", out.digest));
  return Optional(j, path, "digest_of", out.digest_of);
}

Status Convert(const json& j, const std::string& path, TargetInfo& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "name", out.name));
  FL_RETURN_IF_ERROR(Optional(j, path, "driver", out.driver));
  FL_RETURN_IF_ERROR(Optional(j, path, "runtime", out.runtime));
  FL_RETURN_IF_ERROR(Optional(j, path, "components", out.components));
  FL_RETURN_IF_ERROR(Optional(j, path, "settings", out.settings));
  return Optional(j, path, "image", out.image);
}

Status Convert(const json& j, const std::string& path, RunContext& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Optional(j, path, "faultline_version", out.faultline_version));
  FL_RETURN_IF_ERROR(Optional(j, path, "git_sha", out.git_sha));
  FL_RETURN_IF_ERROR(Required(j, path, "run_id", out.run_id));
  FL_RETURN_IF_ERROR(Optional(j, path, "hostname", out.hostname));
  FL_RETURN_IF_ERROR(Optional(j, path, "kernel", out.kernel));
  FL_RETURN_IF_ERROR(Optional(j, path, "cgroup_mode", out.cgroup_mode));
  FL_RETURN_IF_ERROR(Optional(j, path, "cpu_model", out.cpu_model));
  FL_RETURN_IF_ERROR(Optional(j, path, "cpu_count", out.cpu_count));
  FL_RETURN_IF_ERROR(Optional(j, path, "cpu_mhz", out.cpu_mhz));
  FL_RETURN_IF_ERROR(Optional(j, path, "cpu_scaling", out.cpu_scaling));
  FL_RETURN_IF_ERROR(Optional(j, path, "build_type", out.build_type));
  FL_RETURN_IF_ERROR(Optional(j, path, "memory_bytes", out.memory_bytes));
  FL_RETURN_IF_ERROR(Optional(j, path, "targets", out.targets));
  FL_RETURN_IF_ERROR(Optional(j, path, "scenario_name", out.scenario_name));
  FL_RETURN_IF_ERROR(Optional(j, path, "scenario_path", out.scenario_path));
  FL_RETURN_IF_ERROR(Optional(j, path, "scenario_sha256", out.scenario_sha256));
  FL_RETURN_IF_ERROR(Optional(j, path, "started_at", out.started_at));
  FL_RETURN_IF_ERROR(Optional(j, path, "ended_at", out.ended_at));
  return Optional(j, path, "notes", out.notes);
}

Status Convert(const json& j, const std::string& path, Sample& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "step", out.step));
  FL_RETURN_IF_ERROR(Required(j, path, "target", out.target));
  FL_RETURN_IF_ERROR(Optional(j, path, "repetition", out.repetition));
  FL_RETURN_IF_ERROR(Optional(j, path, "container", out.container));
  FL_RETURN_IF_ERROR(Optional(j, path, "node", out.node));
  FL_RETURN_IF_ERROR(Required(j, path, "op", out.op));
  FL_RETURN_IF_ERROR(Required(j, path, "start_ns", out.start_ns));
  FL_RETURN_IF_ERROR(Required(j, path, "duration_ns", out.duration_ns));
  FL_RETURN_IF_ERROR(Optional(j, path, "scheduled_ns", out.scheduled_ns));
  FL_RETURN_IF_ERROR(Optional(j, path, "cpu_ns", out.cpu_ns));
  FL_RETURN_IF_ERROR(Optional(j, path, "phases", out.phases));
  FL_RETURN_IF_ERROR(Optional(j, path, "events", out.events));
  FL_RETURN_IF_ERROR(Required(j, path, "ok", out.ok));
  FL_RETURN_IF_ERROR(Optional(j, path, "peer", out.peer));
  return Optional(j, path, "error", out.error);
}

Status Convert(const json& j, const std::string& path, DensityPoint& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "step", out.step));
  FL_RETURN_IF_ERROR(Required(j, path, "target", out.target));
  FL_RETURN_IF_ERROR(Optional(j, path, "repetition", out.repetition));
  FL_RETURN_IF_ERROR(Required(j, path, "containers", out.containers));
  FL_RETURN_IF_ERROR(Optional(j, path, "failed", out.failed));
  FL_RETURN_IF_ERROR(
      Optional(j, path, "memory_per_container_bytes", out.memory_per_container_bytes));
  FL_RETURN_IF_ERROR(Optional(j, path, "rss_per_container_bytes", out.rss_per_container_bytes));
  FL_RETURN_IF_ERROR(Optional(j, path, "runtime_overhead_per_container_bytes",
                              out.runtime_overhead_per_container_bytes));
  FL_RETURN_IF_ERROR(Optional(j, path, "start_p50_s", out.start_p50_s));
  FL_RETURN_IF_ERROR(Optional(j, path, "start_p99_s", out.start_p99_s));
  FL_RETURN_IF_ERROR(Optional(j, path, "node", out.node));
  return Optional(j, path, "at_ns", out.at_ns);
}

Status Convert(const json& j, const std::string& path, DensityOutcome& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "step", out.step));
  FL_RETURN_IF_ERROR(Required(j, path, "target", out.target));
  FL_RETURN_IF_ERROR(Optional(j, path, "repetition", out.repetition));
  FL_RETURN_IF_ERROR(Required(j, path, "reached", out.reached));
  FL_RETURN_IF_ERROR(Optional(j, path, "stopped_by", out.stopped_by));
  FL_RETURN_IF_ERROR(Optional(j, path, "node", out.node));
  return Optional(j, path, "knee", out.knee);
}

Status Convert(const json& j, const std::string& path, Aggregate& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "step", out.step));
  FL_RETURN_IF_ERROR(Required(j, path, "target", out.target));
  FL_RETURN_IF_ERROR(Required(j, path, "metric", out.metric));
  FL_RETURN_IF_ERROR(Required(j, path, "unit", out.unit));
  FL_RETURN_IF_ERROR(Required(j, path, "count", out.count));
  FL_RETURN_IF_ERROR(Optional(j, path, "failed", out.failed));
  FL_RETURN_IF_ERROR(Optional(j, path, "mean", out.mean));
  FL_RETURN_IF_ERROR(Optional(j, path, "stddev", out.stddev));
  FL_RETURN_IF_ERROR(Optional(j, path, "min", out.min));
  FL_RETURN_IF_ERROR(Optional(j, path, "p50", out.p50));
  FL_RETURN_IF_ERROR(Optional(j, path, "p90", out.p90));
  FL_RETURN_IF_ERROR(Optional(j, path, "p99", out.p99));
  FL_RETURN_IF_ERROR(Optional(j, path, "max", out.max));
  return Optional(j, path, "repetition", out.repetition);
}

Status Convert(const json& j, const std::string& path, SloVerdict& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "rule", out.rule));
  FL_RETURN_IF_ERROR(Optional(j, path, "step", out.step));
  FL_RETURN_IF_ERROR(Optional(j, path, "target", out.target));
  FL_RETURN_IF_ERROR(Optional(j, path, "observed", out.observed));
  FL_RETURN_IF_ERROR(Optional(j, path, "limit", out.limit));
  FL_RETURN_IF_ERROR(Optional(j, path, "unit", out.unit));
  FL_RETURN_IF_ERROR(Required(j, path, "pass", out.pass));
  return Optional(j, path, "reason", out.reason);
}

Status Convert(const json& j, const std::string& path, HostSpeedProbe& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "repetition", out.repetition));
  FL_RETURN_IF_ERROR(Optional(j, path, "at_ns", out.at_ns));
  FL_RETURN_IF_ERROR(Required(j, path, "durations_ns", out.durations_ns));
  FL_RETURN_IF_ERROR(Optional(j, path, "cpu_pressure_10s_percent", out.cpu_pressure_10s_percent));
  return Optional(j, path, "load_average_1m", out.load_average_1m);
}

Status Convert(const json& j, const std::string& path, HostSpeed& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "operation", out.operation));
  return Required(j, path, "probes", out.probes);
}

Status Convert(const json& j, const std::string& path, ProbeReport& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "mode", out.mode));
  FL_RETURN_IF_ERROR(Optional(j, path, "reason", out.reason));
  FL_RETURN_IF_ERROR(Optional(j, path, "attach", out.attach));
  FL_RETURN_IF_ERROR(Optional(j, path, "events", out.events));
  FL_RETURN_IF_ERROR(Optional(j, path, "drops", out.drops));
  FL_RETURN_IF_ERROR(Optional(j, path, "samples_joined", out.samples_joined));
  return Optional(j, path, "samples_unjoined", out.samples_unjoined);
}

Status Convert(const json& j, const std::string& path, SignalWindow& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "step", out.step));
  FL_RETURN_IF_ERROR(Required(j, path, "target", out.target));
  FL_RETURN_IF_ERROR(Optional(j, path, "repetition", out.repetition));
  FL_RETURN_IF_ERROR(Required(j, path, "from_ns", out.from_ns));
  FL_RETURN_IF_ERROR(Required(j, path, "to_ns", out.to_ns));
  FL_RETURN_IF_ERROR(Optional(j, path, "oom_kills", out.oom_kills));
  FL_RETURN_IF_ERROR(Optional(j, path, "tcp_retransmits", out.tcp_retransmits));
  FL_RETURN_IF_ERROR(Optional(j, path, "packet_drops", out.packet_drops));
  FL_RETURN_IF_ERROR(Optional(j, path, "signal_exits", out.signal_exits));
  FL_RETURN_IF_ERROR(Optional(j, path, "drop_reasons", out.drop_reasons));
  FL_RETURN_IF_ERROR(Optional(j, path, "retransmits_by_netns", out.retransmits_by_netns));
  FL_RETURN_IF_ERROR(Optional(j, path, "drops_by_netns", out.drops_by_netns));
  FL_RETURN_IF_ERROR(Optional(j, path, "oom_kills_by_container", out.oom_kills_by_container));
  return Optional(j, path, "signal_exits_by_container", out.signal_exits_by_container);
}

Status Convert(const json& j, const std::string& path, NodePressure& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "step", out.step));
  FL_RETURN_IF_ERROR(Required(j, path, "target", out.target));
  FL_RETURN_IF_ERROR(Optional(j, path, "repetition", out.repetition));
  FL_RETURN_IF_ERROR(Required(j, path, "node", out.node));
  FL_RETURN_IF_ERROR(Required(j, path, "from_ns", out.from_ns));
  FL_RETURN_IF_ERROR(Required(j, path, "to_ns", out.to_ns));
  return Required(j, path, "stalled", out.stalled);
}

Status Convert(const json& j, const std::string& path, WindowStats& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "samples", out.samples));
  FL_RETURN_IF_ERROR(Required(j, path, "failed", out.failed));
  FL_RETURN_IF_ERROR(Optional(j, path, "error_rate", out.error_rate));
  FL_RETURN_IF_ERROR(Optional(j, path, "p50_s", out.p50_s));
  return Optional(j, path, "p99_s", out.p99_s);
}

Status Convert(const json& j, const std::string& path, DaemonOutcome& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "node", out.node));
  FL_RETURN_IF_ERROR(Required(j, path, "daemon", out.daemon));
  FL_RETURN_IF_ERROR(Optional(j, path, "killed_ns", out.killed_ns));
  FL_RETURN_IF_ERROR(Optional(j, path, "restarted_ns", out.restarted_ns));
  FL_RETURN_IF_ERROR(Optional(j, path, "running_before", out.running_before));
  FL_RETURN_IF_ERROR(Optional(j, path, "survived", out.survived));
  FL_RETURN_IF_ERROR(Optional(j, path, "lost", out.lost));
  FL_RETURN_IF_ERROR(Optional(j, path, "api_answered_s", out.api_answered_s));
  FL_RETURN_IF_ERROR(Optional(j, path, "start_succeeded_s", out.start_succeeded_s));
  return Optional(j, path, "error", out.error);
}

Status Convert(const json& j, const std::string& path, FaultRecord& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "kind", out.kind));
  FL_RETURN_IF_ERROR(Optional(j, path, "mechanism", out.mechanism));
  FL_RETURN_IF_ERROR(Optional(j, path, "step", out.step));
  FL_RETURN_IF_ERROR(Optional(j, path, "target", out.target));
  FL_RETURN_IF_ERROR(Optional(j, path, "repetition", out.repetition));
  FL_RETURN_IF_ERROR(Optional(j, path, "occurrence", out.occurrence));
  FL_RETURN_IF_ERROR(Optional(j, path, "nodes", out.nodes));
  FL_RETURN_IF_ERROR(Optional(j, path, "cuts", out.cuts));
  FL_RETURN_IF_ERROR(Optional(j, path, "containers", out.containers));
  FL_RETURN_IF_ERROR(Optional(j, path, "params", out.params));
  FL_RETURN_IF_ERROR(Optional(j, path, "scheduled_ns", out.scheduled_ns));
  FL_RETURN_IF_ERROR(Optional(j, path, "jitter_ns", out.jitter_ns));
  FL_RETURN_IF_ERROR(Required(j, path, "inject_ns", out.inject_ns));
  FL_RETURN_IF_ERROR(Required(j, path, "revert_ns", out.revert_ns));
  FL_RETURN_IF_ERROR(Optional(j, path, "ended_by", out.ended_by));
  FL_RETURN_IF_ERROR(Required(j, path, "ok", out.ok));
  FL_RETURN_IF_ERROR(Optional(j, path, "error", out.error));
  FL_RETURN_IF_ERROR(Optional(j, path, "impact_metric", out.impact_metric));
  FL_RETURN_IF_ERROR(Optional(j, path, "baseline", out.baseline));
  FL_RETURN_IF_ERROR(Optional(j, path, "during", out.during));
  FL_RETURN_IF_ERROR(Optional(j, path, "control", out.control));
  FL_RETURN_IF_ERROR(Optional(j, path, "recovery_bound_s", out.recovery_bound_s));
  FL_RETURN_IF_ERROR(Optional(j, path, "recovery_time_s", out.recovery_time_s));
  FL_RETURN_IF_ERROR(Optional(j, path, "signals", out.signals));
  FL_RETURN_IF_ERROR(Optional(j, path, "drops", out.drops));
  FL_RETURN_IF_ERROR(Optional(j, path, "drops_from", out.drops_from));
  return Optional(j, path, "daemons", out.daemons);
}

Status Convert(const json& j, const std::string& path, GateQuad& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "order", out.order));
  FL_RETURN_IF_ERROR(Required(j, path, "medians", out.medians));
  return Required(j, path, "contrast", out.contrast);
}

Status Convert(const json& j, const std::string& path, GateMetric& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "metric", out.metric));
  FL_RETURN_IF_ERROR(Optional(j, path, "alpha", out.alpha));
  FL_RETURN_IF_ERROR(Required(j, path, "quads", out.quads));
  FL_RETURN_IF_ERROR(Optional(j, path, "verdict", out.verdict));
  FL_RETURN_IF_ERROR(Optional(j, path, "ratio", out.ratio));
  FL_RETURN_IF_ERROR(Optional(j, path, "low", out.low));
  FL_RETURN_IF_ERROR(Optional(j, path, "high", out.high));
  // null: the open upper side.
  if (std::isnan(out.high)) out.high = std::numeric_limits<double>::infinity();
  FL_RETURN_IF_ERROR(Optional(j, path, "fail_evidence", out.fail_evidence));
  return Optional(j, path, "pass_evidence", out.pass_evidence);
}

Status Convert(const json& j, const std::string& path, GateOutcome& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, path));
  FL_RETURN_IF_ERROR(Required(j, path, "base", out.base));
  FL_RETURN_IF_ERROR(Required(j, path, "candidate", out.candidate));
  FL_RETURN_IF_ERROR(Required(j, path, "step", out.step));
  FL_RETURN_IF_ERROR(Optional(j, path, "seed", out.seed));
  FL_RETURN_IF_ERROR(Optional(j, path, "tolerance", out.tolerance));
  FL_RETURN_IF_ERROR(Optional(j, path, "detection", out.detection));
  FL_RETURN_IF_ERROR(Optional(j, path, "alpha", out.alpha));
  FL_RETURN_IF_ERROR(Optional(j, path, "max_quads", out.max_quads));
  FL_RETURN_IF_ERROR(Required(j, path, "quads", out.quads));
  FL_RETURN_IF_ERROR(Required(j, path, "metrics", out.metrics));
  FL_RETURN_IF_ERROR(Required(j, path, "verdict", out.verdict));
  return Optional(j, path, "reason", out.reason);
}

Status ConvertResult(const json& j, reports::Result& out) {
  FL_RETURN_IF_ERROR(ExpectObject(j, ""));
  // The version first: a newer document may be shaped differently everywhere else.
  FL_RETURN_IF_ERROR(Required(j, "", "schema_version", out.schema_version));
  if (out.schema_version > kResultSchemaVersion) {
    return InvalidArgument("schema_version: " + std::to_string(out.schema_version) +
                           " is newer than this faultline reads (up to " +
                           std::to_string(kResultSchemaVersion) + ")");
  }
  if (out.schema_version < 1) {
    return InvalidArgument("schema_version: " + std::to_string(out.schema_version) +
                           " is not a valid version");
  }
  FL_RETURN_IF_ERROR(Required(j, "", "context", out.context));
  FL_RETURN_IF_ERROR(Required(j, "", "samples", out.samples));
  FL_RETURN_IF_ERROR(Optional(j, "", "density", out.density));
  FL_RETURN_IF_ERROR(Optional(j, "", "density_outcomes", out.density_outcomes));
  FL_RETURN_IF_ERROR(Optional(j, "", "aggregates", out.aggregates));
  FL_RETURN_IF_ERROR(Optional(j, "", "repetition_aggregates", out.repetition_aggregates));
  FL_RETURN_IF_ERROR(Optional(j, "", "slo", out.slo));
  FL_RETURN_IF_ERROR(Optional(j, "", "host_speed", out.host_speed));
  FL_RETURN_IF_ERROR(Optional(j, "", "faults", out.faults));
  FL_RETURN_IF_ERROR(Optional(j, "", "fault_seed", out.fault_seed));
  FL_RETURN_IF_ERROR(Optional(j, "", "validity", out.validity));
  FL_RETURN_IF_ERROR(Optional(j, "", "probes", out.probes));
  FL_RETURN_IF_ERROR(Optional(j, "", "signals", out.signals));
  FL_RETURN_IF_ERROR(Optional(j, "", "pressure", out.pressure));
  FL_RETURN_IF_ERROR(Optional(j, "", "gate", out.gate));
  return Optional(j, "", "interrupted", out.interrupted);
}

std::string DirName(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

nlohmann::json ToJson(const reports::Result& result) {
  json j = {{"schema_version", result.schema_version},
            {"context", ToJson(result.context)},
            {"samples", Array(result.samples)},
            {"density", Array(result.density)},
            {"density_outcomes", Array(result.density_outcomes)},
            {"aggregates", Array(result.aggregates)},
            {"repetition_aggregates", Array(result.repetition_aggregates)},
            {"slo", Array(result.slo)},
            {"faults", Array(result.faults)},
            {"fault_seed", result.fault_seed},
            {"validity", Strings(result.validity)},
            {"interrupted", result.interrupted}};
  if (result.host_speed) {
    j["host_speed"] = {{"operation", Utf8(result.host_speed->operation)},
                       {"probes", Array(result.host_speed->probes)}};
  }
  if (result.probes) j["probes"] = ToJson(*result.probes);
  if (!result.signals.empty()) j["signals"] = Array(result.signals);
  if (!result.pressure.empty()) j["pressure"] = Array(result.pressure);
  if (result.gate) {
    const GateOutcome& g = *result.gate;
    json metrics = json::array();
    for (const GateMetric& m : g.metrics) {
      metrics.push_back({{"metric", Utf8(m.metric)},
                         {"alpha", m.alpha},
                         {"quads", Array(m.quads)},
                         {"verdict", m.verdict},
                         {"ratio", Finite(m.ratio)},
                         {"low", Finite(m.low)},
                         {"high", Finite(m.high)},
                         {"fail_evidence", Finite(m.fail_evidence)},
                         {"pass_evidence", Finite(m.pass_evidence)}});
    }
    j["gate"] = {
        {"base", Utf8(g.base)}, {"candidate", Utf8(g.candidate)}, {"step", Utf8(g.step)},
        {"seed", g.seed},       {"tolerance", g.tolerance},       {"detection", g.detection},
        {"alpha", g.alpha},     {"max_quads", g.max_quads},       {"quads", g.quads},
        {"metrics", metrics},   {"verdict", g.verdict},           {"reason", Utf8(g.reason)}};
  }
  return j;
}

faultline::Result<reports::Result> FromJson(const nlohmann::json& json) {
  reports::Result out;
  try {
    Status converted = ConvertResult(json, out);
    if (!converted.ok()) return std::move(converted).error();
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("malformed result document: ") + e.what());
  }
  return out;
}

Status WriteResultFile(const reports::Result& result, const std::string& path) {
  std::string text;
  try {
    text = ToJson(result).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  } catch (const std::exception& e) {
    return Internal("cannot serialize result: " + std::string(e.what()));
  }
  const std::string dir = DirName(path);
  // A unique name, so two writers into one directory never share a temp file.
  std::string tmp = dir + "/." + BaseName(path) + ".tmp-XXXXXX";
  const int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot create a temp file for " + path, errno);
  auto fail = [&](const std::string& what, int saved) {
    close(fd);
    unlink(tmp.c_str());
    return ErrnoError(what, saved);
  };
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write " + tmp, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  // mkstemp creates 0600; a result is meant to be shared.
  if (fchmod(fd, 0644) != 0) return fail("cannot chmod " + tmp, errno);
  if (fsync(fd) != 0) return fail("cannot flush " + tmp, errno);
  if (close(fd) != 0) {
    const int saved = errno;
    unlink(tmp.c_str());
    return ErrnoError("cannot close " + tmp, saved);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    unlink(tmp.c_str());
    return ErrnoError("cannot rename " + tmp + " to " + path, saved);
  }
  // The rename itself survives a crash only once the directory entry is on disk.
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return ErrnoError("cannot open " + dir, errno);
  const int synced = fsync(dir_fd);
  const int saved = errno;
  close(dir_fd);
  if (synced != 0) return ErrnoError("cannot flush " + dir, saved);
  return OkStatus();
}

faultline::Result<reports::Result> ReadResultFile(const std::string& path) {
  FL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  json parsed;
  try {
    parsed = json::parse(text);
  } catch (const json::exception& e) {
    return InvalidArgument(path + ": not valid JSON: " + e.what());
  }
  auto result = FromJson(parsed);
  if (!result.ok()) return std::move(result).error().With("reading " + path);
  return result;
}

}  // namespace faultline::reports
