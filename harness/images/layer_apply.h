// Applies one OCI image layer (a tar: ustar, pax or GNU; plain, gzip or zstd) onto a rootfs
// directory without ever touching anything outside it. The layer is read in-process and its
// members are written into a fresh staging directory, where no earlier layer can have left a
// symlink; the staging tree is then merged into the rootfs with lstat and rename, never through
// a symlink. A layer refused while it is read leaves the rootfs as it was.
//
// Member names are paths inside the rootfs: "etc/x", "./etc/x" and "/etc/x" all name DEST/etc/x
// (a leading "/" is dropped, as tar does by default), and so are hard link targets. Refused, with
// the member's name: a ".." component in a name or a hard link target; a member that would be
// written through a symlink (or a file) the layer itself put on its path; a hard link whose
// target is not a file of this layer (a lower layer's, or one outside the rootfs).
#pragma once

#include <string>

#include "harness/core/result.h"

namespace faultline::images {

// Applies the layer tar BLOB onto DEST (an existing real directory): whiteouts (".wh.NAME") and
// opaque markers (".wh..wh..opq") hide entries of lower layers, then the layer's entries replace
// DEST's. Modes, modification times, symlinks, hard links and device nodes are kept, and, when
// running as root, the numeric owners of the archive (never looked up by name). A directory the
// layer names gets its metadata even where it already exists; one it only implies (a parent of
// a member) is created 0755 and leaves an existing one as it was. Staging happens in
// DEST + ".layer", which must be on the same filesystem as DEST.
Status ApplyLayer(const std::string& blob, const std::string& dest);

}  // namespace faultline::images
