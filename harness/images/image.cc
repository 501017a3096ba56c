#include "harness/images/image.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "harness/core/files.h"

namespace faultline::images {
namespace {

struct TreeEntry {
  std::string path;
  std::string line;
};
thread_local std::vector<TreeEntry>* g_entries = nullptr;
thread_local size_t g_root_len = 0;
thread_local int g_error = 0;

int CollectEntry(const char* path, const struct stat* st, int, FTW*) {
  std::string rel = std::string(path).substr(g_root_len);
  std::ostringstream line;
  line << rel << '\0' << std::oct << st->st_mode << std::dec << '\0' << st->st_uid << '\0'
       << st->st_gid << '\0';
  if (S_ISREG(st->st_mode)) {
    auto digest = Sha256File(path);
    if (!digest.ok()) {
      g_error = EIO;
      return 1;
    }
    line << *digest;
  } else if (S_ISLNK(st->st_mode)) {
    char target[4096];
    ssize_t n = readlink(path, target, sizeof target);
    if (n > 0) line.write(target, n);
  }
  g_entries->push_back({rel, line.str()});
  return 0;
}

}  // namespace

Result<std::string> RootfsTreeDigest(const std::string& root) {
  std::vector<TreeEntry> entries;
  g_entries = &entries;
  g_root_len = root.size();
  g_error = 0;
  int rc = nftw(root.c_str(), CollectEntry, 64, FTW_PHYS);
  g_entries = nullptr;
  if (rc != 0 || g_error != 0) return Internal("cannot read every file under " + root);
  std::sort(entries.begin(), entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.path < b.path; });
  std::string all;
  for (const auto& entry : entries) {
    all += entry.line;
    all += '\n';
  }
  return "sha256:" + Sha256Hex(all);
}

std::string DescribeImageRef(const scenario::ImageRef& image) {
  switch (image.kind) {
    case scenario::ImageRef::Kind::kBusybox: return "busybox";
    case scenario::ImageRef::Kind::kOciLayout: return "oci:" + image.path;
    case scenario::ImageRef::Kind::kRootfs: return "rootfs:" + image.path;
  }
  return "";
}

Result<PreparedImage> PrepareImage(const scenario::ImageRef& image, const std::string& work_dir) {
  PreparedImage prepared;
  prepared.reference = DescribeImageRef(image);
  switch (image.kind) {
    case scenario::ImageRef::Kind::kBusybox: {
      prepared.rootfs = work_dir + "/busybox-rootfs";
      FL_RETURN_IF_ERROR(BuildBusyboxRootfs(prepared.rootfs));
      prepared.digest_of = "rootfs-tree";
      FL_ASSIGN_OR_RETURN(prepared.digest, RootfsTreeDigest(prepared.rootfs));
      break;
    }
    case scenario::ImageRef::Kind::kOciLayout: {
      prepared.rootfs = work_dir + "/oci-rootfs-" + Sha256Hex(image.path).substr(0, 12);
      prepared.digest_of = "oci-manifest";
      FL_ASSIGN_OR_RETURN(prepared.digest, UnpackOciLayout(image.path, prepared.rootfs));
      break;
    }
    case scenario::ImageRef::Kind::kRootfs: {
      struct stat st {};
      if (stat(image.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return InvalidArgument("rootfs " + image.path + " is not a directory");
      }
      prepared.rootfs = image.path;  // used read-only as the lower layer
      prepared.digest_of = "rootfs-tree";
      FL_ASSIGN_OR_RETURN(prepared.digest, RootfsTreeDigest(prepared.rootfs));
      break;
    }
  }
  return prepared;
}

}  // namespace faultline::images
