// Small filesystem helpers that report errors as Result values.
#pragma once

#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline {

Result<std::string> ReadFile(const std::string& path);
// Writes to PATH.tmp, fsyncs, renames: readers never see a half-written file.
Status WriteFileAtomic(const std::string& path, const std::string& contents);
// One write() of VALUE to an existing control file (cgroup, /proc, /sys): no temporary file,
// no rename; the kernel applies the value or refuses it.
Status WriteControlFile(const std::string& path, const std::string& value);
Status MakeDirs(const std::string& path, unsigned mode = 0755);
// Removes a tree without crossing into mounted filesystems (a mount inside fails, never deletes
// what another filesystem holds).
Status RemoveTree(const std::string& path);
bool PathExists(const std::string& path);
// Unmounts every mount point at or below DIR (deepest first; lazily when busy), as listed in
// /proc/self/mountinfo: what a daemon leaves mounted in its private directories.
Status UnmountAllBelow(const std::string& dir);
// Lowercase hex SHA-256 of a file's bytes / of a string.
Result<std::string> Sha256File(const std::string& path);
std::string Sha256Hex(const std::string& data);
// PATH, resolved through any symlinks, lies inside DIR (or is DIR itself when ALLOW_SELF). A
// path that no longer exists is judged as written, and must not climb out with "..".
bool PathInside(const std::string& path, const std::string& dir, bool allow_self);
// Searches PATH for an executable; empty when not found.
std::string FindExecutable(const std::string& name);
// A program of faultline's own that ships with it (faultline-delayer, faultline-pause): the path
// in environment variable ENV_VAR when set, else beside the running binary, else in the
// installed layout's companion directory relative to it (bin/faultline finds
// libexec/faultline/NAME under any prefix or DESTDIR), else BUILD_PATH (the build tree's, when
// running from it; may be null), else found in PATH; empty when none is.
std::string FindCompanion(const std::string& name, const char* env_var, const char* build_path);
// The same, for a faultline binary at EXE.
std::string FindCompanionOf(const std::string& exe, const std::string& name, const char* env_var,
                            const char* build_path);

}  // namespace faultline
