// What a fault record may name: only things faultline created for the run, so undoing a record
// (possibly read back from a journal by `recover`) can never touch anything else on the host.
#pragma once

#include <string>

namespace faultline::chaos {

// A fresh tag for one fault's rules and files: "fl-<run id>-<what>-<8 hex digits>".
std::string NewFaultTag(const std::string& run_id, const std::string& what);

// TAG was made by NewFaultTag for RUN_ID.
bool IsRunTag(const std::string& run_id, const std::string& tag);

// An absolute network-namespace path whose file name is "fl-<run id>-...", no "..".
bool IsRunNetns(const std::string& run_id, const std::string& path);

// A relative cgroup path below "faultline/<run id>/" or the run's slice
// ("faultline_<run id>.slice/", the systemd cgroup driver's), no "..".
bool IsRunCgroup(const std::string& run_id, const std::string& rel);

// An interface name the kernel accepts (1-15 characters of [A-Za-z0-9_.-]).
bool IsLinkName(const std::string& name);

}  // namespace faultline::chaos
