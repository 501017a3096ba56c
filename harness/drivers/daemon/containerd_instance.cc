#include "harness/drivers/daemon/containerd_instance.h"

#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "harness/core/files.h"

namespace faultline::drivers {
namespace {

// containerd makes it for the shims' sockets of every instance, ours included.
constexpr const char* kRunContainerd = "/run/containerd";
constexpr const char* kShimSocketDir = "/run/containerd/s";

// The sockets below /run/containerd/s of the shims whose bundles lie in STATE.
Status RemoveShimSockets(const std::string& state) {
  namespace fs = std::filesystem;
  std::error_code error;
  // <state>/io.containerd.runtime.v2.task/<namespace>/<container>/address: "unix://<socket>".
  const fs::path tasks = fs::path(state) / "io.containerd.runtime.v2.task";
  for (auto ns = fs::directory_iterator(tasks, error); !error && ns != fs::directory_iterator();
       ns.increment(error)) {
    for (auto task = fs::directory_iterator(ns->path(), error);
         !error && task != fs::directory_iterator(); task.increment(error)) {
      auto address = ReadFile((task->path() / "address").string());
      if (!address.ok()) continue;
      std::string socket = *address;
      if (socket.rfind("unix://", 0) == 0) socket = socket.substr(7);
      while (!socket.empty() && socket.back() == '\n') socket.pop_back();
      // Only a shim socket's own name there, never anything else the file might point at.
      const fs::path path(socket);
      if (path.parent_path() != kShimSocketDir || path.filename().empty()) continue;
      if (unlink(socket.c_str()) != 0 && errno != ENOENT) {
        return ErrnoError("cannot remove the shim socket " + socket, errno);
      }
    }
    error.clear();
  }
  return OkStatus();
}

}  // namespace

std::string ContainerdInstance::Config() const {
  std::string text =
      "version = 2\nroot = \"" + dir + "/containerd/root\"\nstate = \"" + state() + "\"\n";
  // Without CRI (dockerd and the containerd driver need none of it) the plugin stays off.
  if (!cri) text += "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n";
  text +=
      "[grpc]\n  address = \"" + socket() + "\"\n[ttrpc]\n  address = \"" + socket() + ".ttrpc\"\n";
  if (!metrics_address.empty()) text += "[metrics]\n  address = \"" + metrics_address + "\"\n";
  // Else it writes /opt/containerd.
  text += "[plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"" + dir + "/containerd/opt\"\n";
  return text;
}

bool RunContainerdExists() {
  return PathExists(kRunContainerd);
}

Status RemoveInstanceDir(const std::string& dir, bool made_run_containerd) {
  FL_RETURN_IF_ERROR(UnmountAllBelow(dir));
  FL_RETURN_IF_ERROR(RemoveShimSockets(ContainerdInstance{dir}.state()));
  FL_RETURN_IF_ERROR(RemoveTree(dir));
  if (made_run_containerd) {
    rmdir(kShimSocketDir);
    rmdir(kRunContainerd);
  }
  return OkStatus();
}

}  // namespace faultline::drivers
