#include "harness/drivers/docker/engine_api.h"

#include <cctype>
#include <cmath>

#include "harness/core/files.h"
#include "harness/drivers/http/unix_http.h"

namespace faultline::drivers::docker {
namespace {

using nlohmann::json;

// A number "1.41" as comparable pair.
std::pair<int, int> VersionOf(const std::string& text) {
  const auto dot = text.find('.');
  if (dot == std::string::npos) return {0, 0};
  return {std::atoi(text.substr(0, dot).c_str()), std::atoi(text.substr(dot + 1).c_str())};
}

// The daemon's own words for a failed call: {"message": "..."}.
Error Refused(const std::string& what, const http::Response& response) {
  auto body = json::parse(response.body, nullptr, false);
  std::string message = body.is_object() ? body.value("message", response.body) : response.body;
  const std::string text = what + ": " + std::to_string(response.status) + " " + message;
  if (response.status == 404) return NotFound(text);
  if (response.status == 409) return FailedPrecondition(text);
  if (response.status >= 500) return Unavailable(text);
  return InvalidArgument(text);
}

Result<http::Response> Send(const std::string& socket, http::Request request, Nanos timeout) {
  return http::Call(socket, request, timeout);
}

}  // namespace

std::string PercentEncode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

json CreateBody(const ContainerSpec& spec, const std::string& image, const std::string& runtime,
                const std::string& run_id, scenario::Security security,
                const std::string& cgroup_parent) {
  json host = {{"NetworkMode", "host"}, {"Runtime", runtime}};
  if (security == scenario::Security::kUnconfined) host["SecurityOpt"] = {"seccomp=unconfined"};
  if (!cgroup_parent.empty()) host["CgroupParent"] = cgroup_parent;
  if (spec.resources.memory_bytes) host["Memory"] = *spec.resources.memory_bytes;
  if (spec.resources.cpus) host["NanoCpus"] = std::llround(*spec.resources.cpus * 1e9);
  if (spec.resources.pids) host["PidsLimit"] = *spec.resources.pids;
  return {{"Image", image},
          {"Cmd", spec.command},
          {"Labels", {{kRunLabel, run_id}}},
          {"HostConfig", host}};
}

Result<json> EngineApi::Negotiate(Nanos timeout) {
  FL_ASSIGN_OR_RETURN(http::Response response, Send(socket_, {"GET", "/version", ""}, timeout));
  if (response.status != 200) return Refused("GET /version", response);
  auto body = json::parse(response.body, nullptr, false);
  if (!body.is_object()) return Internal("unreadable /version answer: " + response.body);
  const std::string theirs = body.value("ApiVersion", "");
  if (VersionOf(theirs) < VersionOf(version_)) version_ = theirs;
  return body;
}

Status EngineApi::LoadImage(const std::string& archive_path, Nanos timeout) {
  FL_ASSIGN_OR_RETURN(std::string archive, ReadFile(archive_path));
  http::Request request{"POST", Path("/images/load?quiet=1"), std::move(archive),
                        "application/x-tar"};
  FL_ASSIGN_OR_RETURN(http::Response response, Send(socket_, std::move(request), timeout));
  if (response.status != 200) return Refused("image load", response);
  // The status is 200 even when loading failed: the stream carries the error.
  if (response.body.find("\"error\"") != std::string::npos) {
    return Internal("image load: " + response.body);
  }
  return OkStatus();
}

Result<std::string> EngineApi::Create(const std::string& name, const json& body, Nanos timeout) {
  FL_ASSIGN_OR_RETURN(
      http::Response response,
      Send(socket_, {"POST", Path("/containers/create?name=" + name), body.dump()}, timeout));
  if (response.status != 201) return Refused("create", response);
  auto created = json::parse(response.body, nullptr, false);
  if (!created.is_object() || !created.contains("Id")) {
    return Internal("unreadable create answer: " + response.body);
  }
  return created["Id"].get<std::string>();
}

Status EngineApi::Start(const std::string& id, Nanos timeout) {
  FL_ASSIGN_OR_RETURN(http::Response response,
                      Send(socket_, {"POST", Path("/containers/" + id + "/start"), ""}, timeout));
  if (response.status != 204 && response.status != 304) return Refused("start", response);
  return OkStatus();
}

Status EngineApi::Kill(const std::string& id, int signal, Nanos timeout) {
  FL_ASSIGN_OR_RETURN(
      http::Response response,
      Send(socket_,
           {"POST", Path("/containers/" + id + "/kill?signal=" + std::to_string(signal)), ""},
           timeout));
  if (response.status != 204) return Refused("kill", response);
  return OkStatus();
}

Status EngineApi::Remove(const std::string& id, Nanos timeout) {
  FL_ASSIGN_OR_RETURN(
      http::Response response,
      Send(socket_, {"DELETE", Path("/containers/" + id + "?force=1&v=1"), ""}, timeout));
  if (response.status == 204 || response.status == 404) return OkStatus();
  return Refused("remove", response);
}

Result<ContainerState> EngineApi::Inspect(const std::string& id, Nanos timeout) {
  FL_ASSIGN_OR_RETURN(http::Response response,
                      Send(socket_, {"GET", Path("/containers/" + id + "/json"), ""}, timeout));
  if (response.status != 200) return Refused("inspect", response);
  auto body = json::parse(response.body, nullptr, false);
  if (!body.is_object()) return Internal("unreadable inspect answer");
  ContainerState state;
  state.id = body.value("Id", "");
  const json& s = body.contains("State") ? body["State"] : json::object();
  state.status = s.value("Status", "");
  return state;
}

Result<json> EngineApi::Info(Nanos timeout) {
  FL_ASSIGN_OR_RETURN(http::Response response, Send(socket_, {"GET", Path("/info"), ""}, timeout));
  if (response.status != 200) return Refused("info", response);
  auto body = json::parse(response.body, nullptr, false);
  if (!body.is_object()) return Internal("unreadable /info answer");
  return body;
}

Result<std::vector<std::string>> EngineApi::ContainersOfRun(const std::string& run_id,
                                                            Nanos timeout) {
  const json filters = {{"label", {std::string(kRunLabel) + "=" + run_id}}};
  FL_ASSIGN_OR_RETURN(
      http::Response response,
      Send(socket_,
           {"GET", Path("/containers/json?all=1&filters=" + PercentEncode(filters.dump())), ""},
           timeout));
  if (response.status != 200) return Refused("list", response);
  auto body = json::parse(response.body, nullptr, false);
  if (!body.is_array()) return Internal("unreadable container list");
  std::vector<std::string> ids;
  for (const auto& c : body) ids.push_back(c.value("Id", ""));
  return ids;
}

Status EngineApi::RemoveImage(const std::string& reference, Nanos timeout) {
  FL_ASSIGN_OR_RETURN(
      http::Response response,
      Send(socket_, {"DELETE", Path("/images/" + PercentEncode(reference)), ""}, timeout));
  if (response.status == 200 || response.status == 404) return OkStatus();
  return Refused("image remove", response);
}

}  // namespace faultline::drivers::docker
