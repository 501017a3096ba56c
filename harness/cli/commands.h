// One function per verb; each returns the process exit code (see docs: 0 pass, 1 SLO or
// comparison failed, 2 bad input or usage, 3 the host cannot run it, 4 the harness failed,
// 5 a gate was inconclusive, 130 interrupted).
#pragma once

#include <string>

#include "harness/cli/arguments.h"

namespace faultline::cli {

int RunCommand(const Args& args);
int ValidateCommand(const Args& args);
int DoctorCommand(const Args& args);
int RecoverCommand(const Args& args);
int ReportCommand(const Args& args);
int CompareCommand(const Args& args);
int GateCommand(const Args& args);
int V1ExecCommand(const Args& args);
int TraceCommand(const Args& args);
int ClusterCommand(const Args& args);
int TcpEchoCommand(const Args& args);   // internal: steady workloads inside a node
int TcpProbeCommand(const Args& args);  // internal
// Internal: a platform daemon inside a node (`faultline _node-exec --cgroup REL -- PROGRAM`).
int NodeExecCommand(const Args& args);
// Internal: the fault watchdog a run starts (`faultline _watchdog RUN_DIR`).
int WatchdogCommand(const Args& args);

// Prints a verb's help TEXT to stdout; returns 0.
int PrintHelp(const char* text);
// Prints "faultline VERB: MESSAGE" and the verb's usage line to stderr; returns 2.
int UsageError(const std::string& verb, const std::string& message, const char* usage);
// This executable's absolute path.
std::string SelfExe();

}  // namespace faultline::cli
