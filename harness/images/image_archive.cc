#include "harness/images/image_archive.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "harness/core/files.h"
#include "harness/core/process.h"

namespace faultline::images {
namespace {

using nlohmann::json;

constexpr auto kTarTimeout = std::chrono::minutes(5);

Status RunTar(std::vector<std::string> argv) {
  FL_ASSIGN_OR_RETURN(ProcessOutcome outcome, RunProcess({std::move(argv), kTarTimeout, ""}));
  if (!outcome.ok()) return Internal("tar " + outcome.Describe());
  return OkStatus();
}

// Stores CONTENT as a blob of LAYOUT; its hex digest.
Result<std::string> PutBlob(const std::string& layout, const std::string& content) {
  const std::string hex = Sha256Hex(content);
  FL_RETURN_IF_ERROR(WriteFileAtomic(layout + "/blobs/sha256/" + hex, content));
  return hex;
}

}  // namespace

Result<ImageArchive> WriteImageArchive(const std::string& rootfs, const std::string& work_dir,
                                       const std::string& name,
                                       const std::vector<std::string>& entrypoint) {
  const std::string layout = work_dir + "/layout";
  FL_RETURN_IF_ERROR(MakeDirs(layout + "/blobs/sha256", 0700));
  // The layer: the rootfs as it is, in a stable order, ownership as numbers.
  const std::string layer_tmp = work_dir + "/layer.tar";
  FL_RETURN_IF_ERROR(
      RunTar({"tar", "--sort=name", "--numeric-owner", "-C", rootfs, "-cf", layer_tmp, "."}));
  FL_ASSIGN_OR_RETURN(std::string layer_hex, Sha256File(layer_tmp));
  FL_ASSIGN_OR_RETURN(std::uint64_t layer_size, [&]() -> Result<std::uint64_t> {
    FILE* f = std::fopen(layer_tmp.c_str(), "rb");
    if (!f) return ErrnoError("cannot open " + layer_tmp, errno);
    std::fseek(f, 0, SEEK_END);
    const long size = std::ftell(f);
    std::fclose(f);
    return static_cast<std::uint64_t>(size);
  }());
  if (std::rename(layer_tmp.c_str(), (layout + "/blobs/sha256/" + layer_hex).c_str()) != 0) {
    return ErrnoError("cannot move the layer into " + layout, errno);
  }

  const json run = entrypoint.empty() ? json{{"Cmd", {"sh"}}} : json{{"Entrypoint", entrypoint}};
  const json config = {{"architecture", "amd64"},
                       {"os", "linux"},
                       {"config", run},
                       {"rootfs", {{"type", "layers"}, {"diff_ids", {"sha256:" + layer_hex}}}}};
  const std::string config_text = config.dump();
  FL_ASSIGN_OR_RETURN(std::string config_hex, PutBlob(layout, config_text));
  const json manifest = {{"schemaVersion", 2},
                         {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                         {"config",
                          {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                           {"digest", "sha256:" + config_hex},
                           {"size", config_text.size()}}},
                         {"layers",
                          {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                            {"digest", "sha256:" + layer_hex},
                            {"size", layer_size}}}}};
  const std::string manifest_text = manifest.dump();
  FL_ASSIGN_OR_RETURN(std::string manifest_hex, PutBlob(layout, manifest_text));

  ImageArchive archive;
  archive.path = work_dir + "/image.tar";
  archive.manifest_digest = "sha256:" + manifest_hex;
  archive.config_digest = "sha256:" + config_hex;
  archive.layer_diff_id = "sha256:" + layer_hex;
  const std::string tag = manifest_hex.substr(0, 12);
  archive.reference = "faultline.local/" + name + ":" + tag;
  const json index = {{"schemaVersion", 2},
                      {"manifests",
                       {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                         {"digest", archive.manifest_digest},
                         {"size", manifest_text.size()},
                         {"annotations",
                          {{"io.containerd.image.name", archive.reference},
                           {"org.opencontainers.image.ref.name", tag}}}}}}};
  FL_RETURN_IF_ERROR(WriteFileAtomic(layout + "/index.json", index.dump()));
  FL_RETURN_IF_ERROR(
      WriteFileAtomic(layout + "/oci-layout", json{{"imageLayoutVersion", "1.0.0"}}.dump()));
  const json docker_manifest = {{{"Config", "blobs/sha256/" + config_hex},
                                 {"RepoTags", {archive.reference}},
                                 {"Layers", {"blobs/sha256/" + layer_hex}}}};
  FL_RETURN_IF_ERROR(WriteFileAtomic(layout + "/manifest.json", docker_manifest.dump()));
  FL_RETURN_IF_ERROR(RunTar({"tar", "--sort=name", "-C", layout, "-cf", archive.path, "."}));
  FL_RETURN_IF_ERROR(RemoveTree(layout));
  return archive;
}

}  // namespace faultline::images
