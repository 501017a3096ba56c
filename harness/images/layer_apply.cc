#include "harness/images/layer_apply.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "harness/core/files.h"

namespace faultline::images {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kMetaPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr mode_t kImpliedDirMode = 0755;
constexpr size_t kReadBlockSize = 64 * 1024;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A member name as a path relative to the rootfs ("./etc/" -> "etc", "/etc" -> "etc", "./" ->
// ""); nullopt for names that climb out with "..".
std::optional<std::string> NormalizeMember(std::string_view name) {
  std::string out;
  while (!name.empty()) {
    const size_t slash = std::min(name.find('/'), name.size());
    const std::string_view part = name.substr(0, slash);
    name.remove_prefix(std::min(slash + 1, name.size()));
    if (part.empty() || part == ".") continue;
    if (part == "..") return std::nullopt;
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::string ParentOf(const std::string& rel) {
  const size_t slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

std::string BaseOf(const std::string& rel) {
  const size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

std::string JoinPath(const std::string& root, const std::string& rel) {
  return rel.empty() ? root : root + "/" + rel;
}

Result<std::vector<std::string>> ListDir(const std::string& path) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return ErrnoError("cannot list " + path, errno);
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
    errno = 0;
  }
  int saved = errno;
  closedir(dir);
  if (saved != 0) return ErrnoError("cannot list " + path, saved);
  std::sort(names.begin(), names.end());
  return names;
}

// lstat that tells "absent" apart from failure.
Result<std::optional<struct stat>> LstatIfExists(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) return std::optional<struct stat>(st);
  if (errno == ENOENT) return std::optional<struct stat>();
  return ErrnoError("cannot stat " + path, errno);
}

// lstat of ROOT/REL reached through real directories only: nullopt when REL is absent or a
// parent on the way is anything but a directory (a symlink is never followed).
Result<std::optional<struct stat>> LstatInside(const std::string& root, const std::string& rel) {
  std::string path = root;
  std::optional<struct stat> st;
  for (size_t start = 0; start <= rel.size();) {
    const size_t slash = std::min(rel.find('/', start), rel.size());
    if (st && !S_ISDIR(st->st_mode)) return std::optional<struct stat>();
    path = JoinPath(root, rel.substr(0, slash));
    FL_ASSIGN_OR_RETURN(st, LstatIfExists(path));
    if (!st) return st;
    start = slash + 1;
  }
  return st;
}

// Removes PATH itself: a directory with its tree, anything else (a symlink included) unlinked,
// never followed. Callers guarantee PATH's parent is a real directory inside the rootfs.
Status RemoveEntry(const std::string& path) {
  FL_ASSIGN_OR_RETURN(auto st, LstatIfExists(path));
  if (!st) return OkStatus();
  if (S_ISDIR(st->st_mode)) return RemoveTree(path);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError("cannot remove " + path, errno);
  }
  return OkStatus();
}

Status MoveIntoPlace(const std::string& from, const std::string& to) {
  if (rename(from.c_str(), to.c_str()) == 0) return OkStatus();
  int saved = errno;
  std::string hint =
      saved == EXDEV ? " (the staging directory must be on the rootfs's filesystem)" : "";
  return ErrnoError("cannot move " + from + " to " + to + hint, saved);
}

// The metadata of a directory the layer names, applied once everything has been merged.
struct DirMeta {
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  struct timespec atime {
    0, UTIME_OMIT
  };
  struct timespec mtime {
    0, UTIME_OMIT
  };
};

// What the layer says beyond the files written to staging; paths relative to the rootfs.
struct LayerIndex {
  std::map<std::string, DirMeta> dirs;                        // "" is the rootfs itself
  std::map<std::string, std::vector<std::string>> whiteouts;  // directory -> names it hides
  std::set<std::string> opaque;  // directories whose lower contents are all hidden
};

DirMeta DirMetaOf(struct archive_entry* entry) {
  DirMeta meta;
  meta.mode = archive_entry_perm(entry);
  meta.uid = static_cast<uid_t>(archive_entry_uid(entry));
  meta.gid = static_cast<gid_t>(archive_entry_gid(entry));
  if (archive_entry_atime_is_set(entry)) {
    meta.atime = {archive_entry_atime(entry), archive_entry_atime_nsec(entry)};
  }
  if (archive_entry_mtime_is_set(entry)) {
    meta.mtime = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
  }
  return meta;
}

// Gives the real directory PATH the layer's metadata META (the owner only as root, as for the
// layer's other members).
Status ApplyDirMeta(const DirMeta& meta, const std::string& path, bool as_root) {
  if (as_root && lchown(path.c_str(), meta.uid, meta.gid) != 0) {
    return ErrnoError("cannot set the owner of " + path, errno);
  }
  if (chmod(path.c_str(), meta.mode & 07777) != 0) {
    return ErrnoError("cannot set the mode of " + path, errno);
  }
  const struct timespec times[2] = {meta.atime, meta.mtime};
  if (utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoError("cannot set the times of " + path, errno);
  }
  return OkStatus();
}

// libarchive converts names (UTF-8 in pax headers) to the calling thread's locale. In a UTF-8
// one every name's bytes pass through unchanged; in the C locale each non-ASCII name is a
// conversion warning, and what it becomes is up to libarchive's build. Sets one for this thread
// while the layer is read.
class Utf8Names {
 public:
  Utf8Names() : utf8_(newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{})) {
    if (utf8_ != locale_t{}) previous_ = uselocale(utf8_);
  }
  ~Utf8Names() {
    if (utf8_ == locale_t{}) return;
    uselocale(previous_);
    freelocale(utf8_);
  }
  Utf8Names(const Utf8Names&) = delete;
  Utf8Names& operator=(const Utf8Names&) = delete;
  bool active() const { return utf8_ != locale_t{}; }

 private:
  locale_t utf8_;
  locale_t previous_{};
};

struct ReadFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriteFree {
  void operator()(struct archive* a) const { archive_write_free(a); }
};

// Reads the layer BLOB and writes its members below STAGING (a real path, no symlink on it):
// files, symlinks, hard links and device nodes through libarchive, directories here (so their
// metadata waits for the merge), whiteouts only into the index.
class LayerReader {
 public:
  LayerReader(std::string blob, std::string staging)
      : blob_(std::move(blob)), staging_(std::move(staging)) {}

  Result<LayerIndex> Read() {
    FL_RETURN_IF_ERROR(Open());
    for (;;) {
      struct archive_entry* entry = nullptr;
      const int r = archive_read_next_header(in_.get(), &entry);
      if (r == ARCHIVE_EOF) break;
      // A warning here is a name that is not valid UTF-8, kept as bytes; without a UTF-8 locale
      // it may have been altered, so it is an error then.
      if (r < ARCHIVE_WARN || (r == ARCHIVE_WARN && !names_.active())) {
        const std::string where = last_.empty() ? "at its start" : "after member '" + last_ + "'";
        return InvalidArgument("layer " + blob_ + ": cannot read " + where + ": " +
                               ArchiveError(in_.get()));
      }
      const char* name = archive_entry_pathname(entry);
      if (name == nullptr) {
        return InvalidArgument("layer " + blob_ + ": a member after '" + last_ +
                               "' has no readable name");
      }
      last_ = name;
      FL_RETURN_IF_ERROR(Member(entry));
    }
    if (archive_write_close(disk_.get()) != ARCHIVE_OK) {
      return Internal("layer " + blob_ + ": " + ArchiveError(disk_.get()));
    }
    return std::move(index_);
  }

 private:
  static std::string ArchiveError(struct archive* a) {
    const char* text = archive_error_string(a);
    return text != nullptr ? text : "unknown archive error";
  }
  Error Refused(const std::string& why) const {
    return InvalidArgument("layer " + blob_ + ": member '" + last_ + "': " + why);
  }
  Error DiskError(const std::string& rel) const {
    return Internal("layer " + blob_ + ": member '" + last_ + "': cannot write " + rel + ": " +
                    ArchiveError(disk_.get()));
  }

  Status Open() {
    in_.reset(archive_read_new());
    disk_.reset(archive_write_disk_new());
    if (!in_ || !disk_) return Internal("layer " + blob_ + ": out of memory for the archive");
    // Layers are tars, plain or compressed as the image spec allows; nothing else is a layer.
    if (archive_read_support_filter_gzip(in_.get()) < ARCHIVE_WARN ||
        archive_read_support_filter_zstd(in_.get()) < ARCHIVE_WARN ||
        archive_read_support_format_tar(in_.get()) != ARCHIVE_OK) {
      return Internal("layer " + blob_ + ": " + ArchiveError(in_.get()));
    }
    // Permissions and times always; owners as root, by number (no name lookup is installed).
    // libarchive also refuses ".." and any symlink on a member's or a hard link target's path,
    // and creates no directory: the reader has made every one a member needs.
    int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_NO_AUTODIR;
    if (as_root_) flags |= ARCHIVE_EXTRACT_OWNER;
    if (archive_write_disk_set_options(disk_.get(), flags) != ARCHIVE_OK) {
      return Internal("layer " + blob_ + ": " + ArchiveError(disk_.get()));
    }
    if (archive_read_open_filename(in_.get(), blob_.c_str(), kReadBlockSize) != ARCHIVE_OK) {
      return InvalidArgument("layer " + blob_ + ": cannot open: " + ArchiveError(in_.get()));
    }
    return OkStatus();
  }

  Status Member(struct archive_entry* entry) {
    const std::optional<std::string> rel = NormalizeMember(last_);
    if (!rel) return Refused("its name has a '..' component");
    const std::string parent = ParentOf(*rel);
    const std::string base = BaseOf(*rel);
    // Below a whiteout or a metadata directory (".wh..wh.plnk/..."): nothing of the image.
    if (parent.find("/.wh.") != std::string::npos || StartsWith(parent, kWhiteoutPrefix)) {
      return OkStatus();
    }
    if (StartsWith(base, kWhiteoutPrefix)) {
      // The directory holding a whiteout exists in this layer, even where nothing lower did.
      FL_RETURN_IF_ERROR(MakeDirs(parent, /*replace_last=*/false));
      if (base == kOpaqueMarker) {
        index_.opaque.insert(parent);
      } else if (!StartsWith(base, kMetaPrefix)) {
        std::string hidden = base.substr(kWhiteoutPrefix.size());
        if (!hidden.empty() && hidden != "." && hidden != "..") {
          index_.whiteouts[parent].push_back(std::move(hidden));
        }
      }
      return OkStatus();
    }
    const char* hardlink = archive_entry_hardlink(entry);
    if (archive_entry_filetype(entry) == AE_IFDIR && hardlink == nullptr) {
      FL_RETURN_IF_ERROR(MakeDirs(*rel, /*replace_last=*/true));
      index_.dirs[*rel] = DirMetaOf(entry);
      return OkStatus();
    }
    if (rel->empty()) return Refused("the rootfs itself can only be a directory");
    FL_RETURN_IF_ERROR(MakeDirs(parent, /*replace_last=*/false));
    index_.dirs.erase(*rel);
    if (hardlink != nullptr) {
      const std::optional<std::string> target = NormalizeMember(hardlink);
      if (!target) {
        return Refused(std::string("hard link target '") + hardlink + "' has a '..' component");
      }
      FL_ASSIGN_OR_RETURN(auto st, LstatInside(staging_, *target));
      if (target->empty() || !st || S_ISDIR(st->st_mode)) {
        return Refused(std::string("hard link target '") + hardlink +
                       "' is not a file of this layer");
      }
      archive_entry_copy_hardlink(entry, JoinPath(staging_, *target).c_str());
    }
    archive_entry_copy_pathname(entry, JoinPath(staging_, *rel).c_str());
    if (archive_write_header(disk_.get(), entry) != ARCHIVE_OK) return DiskError(*rel);
    for (;;) {
      const void* data = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      const int r = archive_read_data_block(in_.get(), &data, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return Refused("cannot read its data: " + ArchiveError(in_.get()));
      if (archive_write_data_block(disk_.get(), data, size, offset) != ARCHIVE_OK) {
        return DiskError(*rel);
      }
    }
    if (archive_write_finish_entry(disk_.get()) != ARCHIVE_OK) return DiskError(*rel);
    return OkStatus();
  }

  // Makes the staging directory REL and its parents, each a real directory created 0755
  // whatever the umask. Something else of the layer in the way of a parent (a symlink, a file) is
  // refused, never followed; in REL's own place it is replaced when REPLACE_LAST is set, as a
  // later member replaces an earlier one.
  Status MakeDirs(const std::string& rel, bool replace_last) {
    for (size_t start = 0; start < rel.size();) {
      const size_t slash = std::min(rel.find('/', start), rel.size());
      const std::string path = JoinPath(staging_, rel.substr(0, slash));
      start = slash + 1;
      FL_ASSIGN_OR_RETURN(auto st, LstatIfExists(path));
      if (st && S_ISDIR(st->st_mode)) continue;
      if (st) {
        if (slash < rel.size() || !replace_last) {
          return Refused("'" + rel.substr(0, slash) + "' on its path is a " +
                         (S_ISLNK(st->st_mode) ? "symlink" : "non-directory") +
                         " of the layer; refusing to write through it");
        }
        if (unlink(path.c_str()) != 0) return ErrnoError("cannot remove " + path, errno);
      }
      if (mkdir(path.c_str(), kImpliedDirMode) != 0 || chmod(path.c_str(), kImpliedDirMode) != 0) {
        return ErrnoError("cannot create " + path, errno);
      }
    }
    return OkStatus();
  }

  const std::string blob_;
  const std::string staging_;
  const bool as_root_ = geteuid() == 0;
  Utf8Names names_;
  std::unique_ptr<struct archive, ReadFree> in_;
  std::unique_ptr<struct archive, WriteFree> disk_;
  std::string last_;  // the current member's name as the archive gives it
  LayerIndex index_;
};

// Merges staging directory STAGE into TARGET, a directory of the rootfs verified with lstat to be
// real (as were all its ancestors below the rootfs), so no path built here crosses a symlink.
// REL is TARGET relative to the rootfs.
Status MergeDir(const std::string& stage, const std::string& target, const std::string& rel,
                const LayerIndex& layer) {
  // Whiteouts hide lower layers only, so they go first, before this layer's own entries land.
  if (layer.opaque.count(rel) != 0) {
    FL_ASSIGN_OR_RETURN(std::vector<std::string> lower, ListDir(target));
    for (const auto& name : lower) FL_RETURN_IF_ERROR(RemoveEntry(target + "/" + name));
  }
  if (auto hidden = layer.whiteouts.find(rel); hidden != layer.whiteouts.end()) {
    for (const auto& name : hidden->second) FL_RETURN_IF_ERROR(RemoveEntry(target + "/" + name));
  }
  FL_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(stage));
  for (const auto& name : names) {
    const std::string from = stage + "/" + name;
    const std::string to = target + "/" + name;
    struct stat from_st {};
    if (lstat(from.c_str(), &from_st) != 0) return ErrnoError("cannot stat " + from, errno);
    FL_ASSIGN_OR_RETURN(auto to_st, LstatIfExists(to));
    if (S_ISDIR(from_st.st_mode) && to_st && S_ISDIR(to_st->st_mode)) {
      FL_RETURN_IF_ERROR(MergeDir(from, to, rel.empty() ? name : rel + "/" + name, layer));
      continue;
    }
    // Anything else in the way (a file, or a symlink that could point anywhere) is replaced, not
    // written through.
    if (to_st) FL_RETURN_IF_ERROR(RemoveEntry(to));
    FL_RETURN_IF_ERROR(MoveIntoPlace(from, to));
  }
  return OkStatus();
}

// Removes the staging directory however the layer ends.
class StagingDir {
 public:
  explicit StagingDir(std::string path) : path_(std::move(path)) {}
  ~StagingDir() { (void)RemoveTree(path_); }
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;

 private:
  std::string path_;
};

}  // namespace

Status ApplyLayer(const std::string& blob, const std::string& dest_arg) {
  std::string dest = dest_arg;
  while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
  if (dest.empty() || dest == "/") return InvalidArgument("refusing to unpack a layer onto /");
  struct stat dest_st {};
  if (lstat(dest.c_str(), &dest_st) != 0) return ErrnoError("cannot stat " + dest, errno);
  if (!S_ISDIR(dest_st.st_mode)) return InvalidArgument(dest + " is not a directory");

  // A fresh, empty directory holds no symlink from earlier layers to write through.
  const std::string staging = dest + ".layer";
  FL_RETURN_IF_ERROR(RemoveTree(staging));
  if (mkdir(staging.c_str(), 0700) != 0) {
    return ErrnoError("cannot create staging directory " + staging, errno);
  }
  StagingDir cleanup(staging);
  // Members are written below the staging directory's real path: libarchive refuses a symlink
  // anywhere on the path it writes, the part above the layer included.
  std::unique_ptr<char, decltype(&free)> real(realpath(staging.c_str(), nullptr), &free);
  if (!real) return ErrnoError("cannot resolve " + staging, errno);
  FL_ASSIGN_OR_RETURN(LayerIndex layer, LayerReader(blob, real.get()).Read());

  FL_RETURN_IF_ERROR(MergeDir(staging, dest, "", layer));
  // Directory metadata last: merging changed their contents, and so their modification times.
  const bool as_root = geteuid() == 0;
  for (const auto& [rel, meta] : layer.dirs) {
    FL_ASSIGN_OR_RETURN(auto st, LstatInside(dest, rel));
    if (!st || !S_ISDIR(st->st_mode)) {
      return Internal("layer " + blob + ": directory '" + rel + "' is missing after the merge");
    }
    FL_RETURN_IF_ERROR(ApplyDirMeta(meta, JoinPath(dest, rel), as_root));
  }
  return OkStatus();
}

}  // namespace faultline::images
