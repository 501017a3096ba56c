// Applies one OCI image layer (a possibly compressed tar) onto a rootfs directory without ever
// touching anything outside it: the layer is extracted into a fresh staging directory and then
// merged into the rootfs with lstat/rename, never through symlinks earlier layers left there.
#pragma once

#include <string>

#include "harness/core/result.h"

namespace faultline::images {

// Applies the layer tar BLOB onto DEST (an existing real directory): whiteouts (".wh.NAME") and
// opaque markers (".wh..wh..opq") hide entries of lower layers, then the layer's entries replace
// DEST's. Staging happens in DEST + ".layer", which must be on the same filesystem as DEST.
Status ApplyLayer(const std::string& blob, const std::string& dest);

}  // namespace faultline::images
