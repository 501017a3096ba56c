// A client of containerd's gRPC API on its unix socket, for the drivers that talk to containerd
// directly. Every call carries a deadline; namespaced calls name their namespace
// (containerd-namespace metadata). gRPC failures become Result errors with containerd's message.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"

namespace faultline::drivers::containerd {

struct ContainerdVersion {
  std::string version;   // "1.6.20~ds1"
  std::string revision;  // its commit
};

class ContainerdClient {
 public:
  // SOCKET: the path of containerd's gRPC socket.
  explicit ContainerdClient(const std::string& socket);
  ~ContainerdClient();
  ContainerdClient(const ContainerdClient&) = delete;
  ContainerdClient& operator=(const ContainerdClient&) = delete;

  Result<ContainerdVersion> Version(Nanos timeout);
  // The namespaces that hold anything.
  Result<std::vector<std::string>> Namespaces(Nanos timeout);
  // The ids of the containers in NAMESPACE.
  Result<std::vector<std::string>> Containers(const std::string& ns, Nanos timeout);

 private:
  struct Stubs;
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace faultline::drivers::containerd
