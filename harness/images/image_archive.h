// One image archive for every daemon platform: a tar that is at once an OCI image layout
// (oci-layout, index.json, blobs) and a docker-archive (manifest.json naming the same blobs), so
// containerd (`import`), Docker (`/images/load`) and Podman load the same bytes.
#pragma once

#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline::images {

struct ImageArchive {
  std::string path;             // the tar
  std::string reference;        // the name it loads under: faultline.local/<name>:<digest prefix>
  std::string manifest_digest;  // "sha256:<hex>" of the OCI manifest
  std::string config_digest;    // "sha256:<hex>": Docker's image id
  std::string layer_diff_id;    // "sha256:<hex>" of the one uncompressed layer: its chain id
};

// Packs ROOTFS as one uncompressed layer into WORK_DIR/image.tar (WORK_DIR is created and owned by
// the caller's run), named after NAME (lowercase letters, digits, '-', '.'). The image runs
// ENTRYPOINT when given, else `sh`.
Result<ImageArchive> WriteImageArchive(const std::string& rootfs, const std::string& work_dir,
                                       const std::string& name,
                                       const std::vector<std::string>& entrypoint = {});

}  // namespace faultline::images
