#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/images/image.h"

namespace faultline::images {
namespace {

constexpr auto kTarTimeout = std::chrono::minutes(5);

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

// Applies one layer's whiteouts to DEST (they hide entries of lower layers), then extracts it.
Status ApplyLayer(const std::string& blob, const std::string& dest) {
  FL_ASSIGN_OR_RETURN(std::string listing, RunForOutput({"tar", "-tf", blob}, kTarTimeout));
  std::istringstream entries(listing);
  std::string entry;
  while (std::getline(entries, entry)) {
    while (entry.rfind("./", 0) == 0) entry = entry.substr(2);
    auto slash = entry.rfind('/');
    std::string dir = slash == std::string::npos ? "" : entry.substr(0, slash + 1);
    std::string base = slash == std::string::npos ? entry : entry.substr(slash + 1);
    if (base.rfind(".wh.", 0) != 0 || entry.find("..") != std::string::npos) continue;
    if (base == ".wh..wh..opq") {
      // Opaque directory: drop everything lower layers put there.
      FL_RETURN_IF_ERROR(RemoveTree(dest + "/" + dir));
      FL_RETURN_IF_ERROR(MakeDirs(dest + "/" + dir));
    } else {
      FL_RETURN_IF_ERROR(RemoveTree(dest + "/" + dir + base.substr(4)));
    }
  }
  FL_ASSIGN_OR_RETURN(std::string ignored,
                      RunForOutput({"tar", "-xf", blob, "-C", dest, "--numeric-owner",
                                    "--exclude=.wh.*", "--exclude=*/.wh.*"},
                                   kTarTimeout));
  (void)ignored;
  return OkStatus();
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
