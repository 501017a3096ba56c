#include "harness/core/systemd.h"

#include <systemd/sd-bus.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"

namespace faultline {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kUnitInterface = "org.freedesktop.systemd1.Unit";
constexpr const char* kNoSuchUnit = "org.freedesktop.systemd1.NoSuchUnit";
// A slice's start and stop are bookkeeping in systemd: seconds mean it is stuck.
constexpr auto kSettleTimeout = std::chrono::seconds(30);

struct BusDeleter {
  void operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }
};
struct MessageDeleter {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
using Bus = std::unique_ptr<sd_bus, BusDeleter>;
using Message = std::unique_ptr<sd_bus_message, MessageDeleter>;

// An sd_bus_error that frees itself.
struct BusError {
  sd_bus_error error = SD_BUS_ERROR_NULL;
  ~BusError() { sd_bus_error_free(&error); }
  bool Is(const char* name) const { return sd_bus_error_has_name(&error, name); }
  std::string Text(int r) const {
    return error.message ? error.message : std::string(strerror(-r));
  }
};

Result<Bus> OpenSystemBus() {
  sd_bus* bus = nullptr;
  if (int r = sd_bus_open_system(&bus); r < 0) {
    return Unavailable("cannot reach systemd over the system bus: " + std::string(strerror(-r)));
  }
  return Bus(bus);
}

// The object path of loaded unit UNIT; NotFound when systemd does not know it.
Result<std::string> UnitObject(sd_bus* bus, const std::string& unit) {
  BusError error;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus, kService, kManagerPath, kManager, "GetUnit", &error.error, &reply,
                             "s", unit.c_str());
  Message owned(reply);
  if (r < 0) {
    if (error.Is(kNoSuchUnit)) return NotFound("systemd has no unit " + unit);
    return Unavailable("GetUnit " + unit + ": " + error.Text(r));
  }
  const char* path = nullptr;
  if (r = sd_bus_message_read(reply, "o", &path); r < 0) {
    return Internal("GetUnit " + unit + ": unreadable reply");
  }
  return std::string(path);
}

// UNIT's ActiveState ("active", "activating", "inactive", "failed"...); "gone" when systemd
// has let it go.
Result<std::string> ActiveState(sd_bus* bus, const std::string& unit) {
  auto object = UnitObject(bus, unit);
  if (!object.ok()) {
    if (object.error().code == ErrorCode::kNotFound) return std::string("gone");
    return std::move(object).error();
  }
  BusError error;
  char* state = nullptr;
  int r = sd_bus_get_property_string(bus, kService, object->c_str(), kUnitInterface, "ActiveState",
                                     &error.error, &state);
  if (r < 0) {
    if (error.Is(kNoSuchUnit) || error.Is(SD_BUS_ERROR_UNKNOWN_OBJECT)) return std::string("gone");
    return Unavailable("ActiveState of " + unit + ": " + error.Text(r));
  }
  std::string text(state);
  free(state);
  return text;
}

// Calls the manager's METHOD with UNIT and "replace" as its job mode (StopUnit, ResetFailedUnit
// without a mode).
Status CallOnUnit(sd_bus* bus, const char* method, const std::string& unit, bool with_mode) {
  BusError error;
  sd_bus_message* reply = nullptr;
  int r = with_mode ? sd_bus_call_method(bus, kService, kManagerPath, kManager, method,
                                         &error.error, &reply, "ss", unit.c_str(), "replace")
                    : sd_bus_call_method(bus, kService, kManagerPath, kManager, method,
                                         &error.error, &reply, "s", unit.c_str());
  Message owned(reply);
  if (r < 0) {
    if (error.Is(kNoSuchUnit)) return NotFound("systemd has no unit " + unit);
    return Unavailable(std::string(method) + " " + unit + ": " + error.Text(r));
  }
  return OkStatus();
}

// Polls UNIT's state until DONE accepts it, for at most kSettleTimeout.
template <typename Done>
Result<std::string> WaitForState(sd_bus* bus, const std::string& unit, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + kSettleTimeout;
  for (;;) {
    FL_ASSIGN_OR_RETURN(std::string state, ActiveState(bus, unit));
    if (done(state)) return state;
    if (std::chrono::steady_clock::now() > deadline) {
      return DeadlineExceeded("systemd unit " + unit + " stayed " + state);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Status AppendSliceProperties(sd_bus_message* m, const SliceProperties& properties) {
  int r = sd_bus_message_open_container(m, 'a', "(sv)");
  if (r >= 0) {
    r = sd_bus_message_append(m, "(sv)", "Description", "s", properties.description.c_str());
  }
  if (r >= 0 && properties.cpus) {
    const auto per_second_us = static_cast<std::uint64_t>(*properties.cpus * 1e6);
    r = sd_bus_message_append(m, "(sv)", "CPUQuotaPerSecUSec", "t", per_second_us);
  }
  if (r >= 0 && properties.memory_bytes) {
    r = sd_bus_message_append(m, "(sv)", "MemoryMax", "t", *properties.memory_bytes);
  }
  if (r >= 0) r = sd_bus_message_close_container(m);
  if (r >= 0) r = sd_bus_message_append(m, "a(sa(sv))", 0);  // no auxiliary units
  if (r < 0)
    return Internal("cannot build a StartTransientUnit call: " + std::string(strerror(-r)));
  return OkStatus();
}

}  // namespace

bool SystemdIsInit() {
  return PathExists("/run/systemd/system");
}

std::string EscapeUnitNamePart(const std::string& name) {
  std::string out;
  for (const unsigned char c : name) {
    if (std::isalnum(c) || c == ':' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

std::string OwnerSliceName(const std::string& id) {
  return "faultline_" + EscapeUnitNamePart(id) + ".slice";
}

std::string SliceCgroupPath(const std::string& unit) {
  constexpr std::string_view kSuffix = ".slice";
  if (unit.size() <= kSuffix.size() || !unit.ends_with(kSuffix) ||
      unit.find('/') != std::string::npos) {
    return "";
  }
  const std::string name = unit.substr(0, unit.size() - kSuffix.size());
  if (name.front() == '-' || name.back() == '-' || name.find("--") != std::string::npos) return "";
  std::string path;
  for (std::size_t dash = name.find('-'); dash != std::string::npos;
       dash = name.find('-', dash + 1)) {
    path += name.substr(0, dash) + ".slice/";
  }
  return path + unit;
}

Result<std::string> StartTransientSlice(const std::string& unit,
                                        const SliceProperties& properties) {
  const std::string cgroup = SliceCgroupPath(unit);
  if (cgroup.empty()) return InvalidArgument("'" + unit + "' is not a slice unit name");
  FL_ASSIGN_OR_RETURN(Bus bus, OpenSystemBus());
  sd_bus_message* call = nullptr;
  if (int r = sd_bus_message_new_method_call(bus.get(), &call, kService, kManagerPath, kManager,
                                             "StartTransientUnit");
      r < 0) {
    return Internal("cannot build a StartTransientUnit call: " + std::string(strerror(-r)));
  }
  Message owned_call(call);
  if (int r = sd_bus_message_append(call, "ss", unit.c_str(), "fail"); r < 0) {
    return Internal("cannot build a StartTransientUnit call: " + std::string(strerror(-r)));
  }
  FL_RETURN_IF_ERROR(AppendSliceProperties(call, properties));
  BusError error;
  sd_bus_message* reply = nullptr;
  const int r = sd_bus_call(bus.get(), call, 0, &error.error, &reply);
  Message owned_reply(reply);
  if (r < 0) return Unavailable("systemd refused slice " + unit + ": " + error.Text(r));
  FL_ASSIGN_OR_RETURN(std::string state, WaitForState(bus.get(), unit, [](const std::string& s) {
                        return s != "activating";
                      }));
  if (state != "active") return Unavailable("slice " + unit + " did not start: " + state);
  if (!CgroupExists(cgroup)) {
    return Internal("slice " + unit + " is active but its cgroup " + cgroup + " is missing");
  }
  return cgroup;
}

Status StopSlice(const std::string& unit) {
  const std::string cgroup = SliceCgroupPath(unit);
  if (cgroup.empty()) return InvalidArgument("'" + unit + "' is not a slice unit name");
  FL_RETURN_IF_ERROR(KillCgroupTree(cgroup));
  FL_ASSIGN_OR_RETURN(Bus bus, OpenSystemBus());
  Status stopped = CallOnUnit(bus.get(), "StopUnit", unit, /*with_mode=*/true);
  if (!stopped.ok() && stopped.error().code != ErrorCode::kNotFound) return stopped;
  FL_ASSIGN_OR_RETURN(std::string state, WaitForState(bus.get(), unit, [](const std::string& s) {
                        return s == "inactive" || s == "failed" || s == "gone";
                      }));
  // A failed transient unit stays loaded until its failure is reset.
  if (state == "failed") (void)CallOnUnit(bus.get(), "ResetFailedUnit", unit, false);
  return OkStatus();
}

}  // namespace faultline
