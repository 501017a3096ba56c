// Container images without a registry: a rootfs faultline builds from busybox-static, a user's
// OCI image layout, or a user's rootfs directory. The result is one read-only directory used as
// the shared overlay lower layer of every container, and the digest that identifies it.
#pragma once

#include <string>

#include "harness/core/result.h"
#include "harness/scenario/model.h"

namespace faultline::images {

struct PreparedImage {
  std::string reference;  // as written: "busybox", "oci:/path", "rootfs:/path"
  std::string rootfs;     // directory to use as the overlay lower layer (never written to)
  std::string digest;     // "sha256:<hex>"
  std::string digest_of;  // "oci-manifest" or "rootfs-tree"
};

// Prepares IMAGE; built or unpacked trees go under WORK_DIR (owned by the caller's run).
Result<PreparedImage> PrepareImage(const scenario::ImageRef& image, const std::string& work_dir);

// Builds a minimal rootfs at DEST from a static busybox binary and its applet links.
Status BuildBusyboxRootfs(const std::string& dest);

// Unpacks the image of the OCI layout at LAYOUT into DEST, applying whiteouts; returns the
// manifest digest.
Result<std::string> UnpackOciLayout(const std::string& layout, const std::string& dest);

// A digest of a directory tree: every entry's path, type, mode, owner and content (or link
// target), in path order. Identical trees give identical digests.
Result<std::string> RootfsTreeDigest(const std::string& root);

// Where a static busybox is found (busybox-static), or an error saying what to install.
Result<std::string> FindStaticBusybox();

std::string DescribeImageRef(const scenario::ImageRef& image);

}  // namespace faultline::images
