#include <nlohmann/json.hpp>

#include "harness/core/files.h"
#include "harness/images/image.h"
#include "harness/images/layer_apply.h"

namespace faultline::images {
namespace {

Result<nlohmann::json> ReadJson(const std::string& path) {
  FL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return InvalidArgument(path + ": not valid JSON");
  return json;
}

// "sha256:abc" -> LAYOUT/blobs/sha256/abc, verifying the content matches its name.
Result<std::string> BlobPath(const std::string& layout, const std::string& digest) {
  auto colon = digest.find(':');
  if (colon == std::string::npos || digest.substr(0, colon) != "sha256" ||
      digest.find('/') != std::string::npos) {
    return InvalidArgument("unsupported digest '" + digest + "' (expected sha256:<hex>)");
  }
  std::string path = layout + "/blobs/sha256/" + digest.substr(colon + 1);
  FL_ASSIGN_OR_RETURN(std::string actual, Sha256File(path));
  if ("sha256:" + actual != digest) {
    return InvalidArgument(path + ": content digest sha256:" + actual + " does not match its name");
  }
  return path;
}

// Picks the manifest for this platform (linux/amd64) from index.json, or the only one.
Result<nlohmann::json> PickManifest(const nlohmann::json& index, const std::string& layout) {
  if (!index.contains("manifests") || !index["manifests"].is_array() ||
      index["manifests"].empty()) {
    return InvalidArgument(layout + "/index.json: no manifests");
  }
  for (const auto& m : index["manifests"]) {
    const auto platform = m.value("platform", nlohmann::json::object());
    if (platform.value("os", "linux") == "linux" &&
        platform.value("architecture", "amd64") == "amd64") {
      return m;
    }
  }
  return InvalidArgument(layout + "/index.json: no manifest for linux/amd64");
}

}  // namespace

Result<std::string> UnpackOciLayout(const std::string& layout, const std::string& dest) {
  if (!PathExists(layout + "/oci-layout")) {
    return InvalidArgument(layout + ": not an OCI image layout (no oci-layout file)");
  }
  FL_ASSIGN_OR_RETURN(nlohmann::json index, ReadJson(layout + "/index.json"));
  FL_ASSIGN_OR_RETURN(nlohmann::json descriptor, PickManifest(index, layout));
  const std::string manifest_digest = descriptor.value("digest", "");
  FL_ASSIGN_OR_RETURN(std::string manifest_path, BlobPath(layout, manifest_digest));
  FL_ASSIGN_OR_RETURN(nlohmann::json manifest, ReadJson(manifest_path));
  if (!manifest.contains("layers") || !manifest["layers"].is_array()) {
    return InvalidArgument(manifest_path + ": manifest has no layers");
  }
  FL_RETURN_IF_ERROR(MakeDirs(dest));
  for (const auto& layer : manifest["layers"]) {
    FL_ASSIGN_OR_RETURN(std::string blob, BlobPath(layout, layer.value("digest", "")));
    FL_RETURN_IF_ERROR(ApplyLayer(blob, dest));
  }
  return manifest_digest;
}

}  // namespace faultline::images
