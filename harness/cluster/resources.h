// The host pieces of a virtual cluster (network namespaces, veth ends, bridges, subnet leases):
// creating them through `ip`, and undoing one from its journal record alone, after checking
// that its names carry the owner's id. Used by teardown, `cluster down` and `recover`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline::cluster {

// `ip ARGS`; through the host's mount namespace when this process runs in a private one, so
// `ip netns add` bind mounts are visible to every process on the host.
Status RunIp(std::vector<std::string> args);
bool NetnsExists(const std::string& netns_name);

// True for the journal kinds this module undoes.
bool IsClusterResourceKind(const std::string& kind);
// Undoes one resource journaled by a cluster owned by ID (a run or standing cluster id);
// InvalidArgument (and nothing touched) when a name does not carry ID. Idempotent.
Status UndoClusterResource(const std::string& kind, const nlohmann::json& data,
                           const std::string& id);

}  // namespace faultline::cluster
