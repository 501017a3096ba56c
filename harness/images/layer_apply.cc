#include "harness/images/layer_apply.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

#include "harness/core/files.h"
#include "harness/core/process.h"

namespace faultline::images {
namespace {

constexpr auto kTarTimeout = std::chrono::minutes(5);
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kMetaPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A member name as a path relative to the rootfs ("./etc/" -> "etc", "./" -> ""); nullopt for
// names that climb out with "..".
std::optional<std::string> NormalizeMember(const std::string& name) {
  std::string out;
  std::stringstream parts(name);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return std::nullopt;
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

// Decodes the C-quoted string starting at the '"' at POS (GNU tar --quoting-style=c).
std::optional<std::string> UnquoteC(const std::string& line, size_t pos) {
  std::string out;
  for (size_t i = pos + 1; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') return out;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= line.size()) return std::nullopt;
    c = line[i];
    if (c >= '0' && c <= '7') {
      int value = 0;
      for (int n = 0; n < 3 && i < line.size() && line[i] >= '0' && line[i] <= '7'; ++n, ++i) {
        value = value * 8 + (line[i] - '0');
      }
      --i;
      out += static_cast<char>(value);
      continue;
    }
    switch (c) {
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      default: out += c; break;  // \\ \" \?
    }
  }
  return std::nullopt;
}

// Directories the layer names explicitly. Only these carry metadata to apply to an existing
// directory; those tar creates implicitly for deeper members (mode from the umask) must not
// overwrite what lower layers set (e.g. /tmp's 1777).
Result<std::set<std::string>> ExplicitDirectories(const std::string& blob) {
  FL_ASSIGN_OR_RETURN(
      std::string listing,
      RunForOutput({"tar", "-tvf", blob, "--numeric-owner", "--quoting-style=c"}, kTarTimeout));
  std::set<std::string> dirs;
  std::istringstream lines(listing);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != 'd') continue;
    auto quote = line.find('"');
    if (quote == std::string::npos) continue;
    auto name = UnquoteC(line, quote);
    if (!name) continue;
    auto rel = NormalizeMember(*name);
    if (rel) dirs.insert(*rel);
  }
  return dirs;
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

// Gives the existing real directory PATH the owner, mode and times of the layer's entry ST.
Status CopyDirAttributes(const struct stat& st, const std::string& path) {
  if (lchown(path.c_str(), st.st_uid, st.st_gid) != 0) {
    return ErrnoError("cannot set the owner of " + path, errno);
  }
  if (chmod(path.c_str(), st.st_mode & 07777) != 0) {
    return ErrnoError("cannot set the mode of " + path, errno);
  }
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoError("cannot set the times of " + path, errno);
  }
  return OkStatus();
}

// Deletes the whiteout markers left in a directory moved in whole: nothing lower exists under
// it, so they hide nothing. Descends only into real directories.
Status StripWhiteouts(const std::string& dir) {
  FL_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir));
  for (const auto& name : names) {
    std::string path = dir + "/" + name;
    if (StartsWith(name, kWhiteoutPrefix)) {
      FL_RETURN_IF_ERROR(RemoveEntry(path));
      continue;
    }
    FL_ASSIGN_OR_RETURN(auto st, LstatIfExists(path));
    if (st && S_ISDIR(st->st_mode)) FL_RETURN_IF_ERROR(StripWhiteouts(path));
  }
  return OkStatus();
}

// Merges staging directory STAGE into TARGET, a directory of the rootfs verified with lstat to be
// real (as were all its ancestors below the rootfs), so no path built here crosses a symlink.
// REL is TARGET relative to the rootfs.
Status MergeDir(const std::string& stage, const std::string& target, const std::string& rel,
                const std::set<std::string>& explicit_dirs) {
  FL_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(stage));
  // Whiteouts hide lower layers only, so they go first, before this layer's own entries land.
  if (std::binary_search(names.begin(), names.end(), std::string(kOpaqueMarker))) {
    FL_ASSIGN_OR_RETURN(std::vector<std::string> lower, ListDir(target));
    for (const auto& name : lower) FL_RETURN_IF_ERROR(RemoveEntry(target + "/" + name));
  }
  for (const auto& name : names) {
    if (!StartsWith(name, kWhiteoutPrefix) || StartsWith(name, kMetaPrefix)) continue;
    std::string hidden = name.substr(kWhiteoutPrefix.size());
    if (hidden.empty() || hidden == "." || hidden == "..") continue;
    FL_RETURN_IF_ERROR(RemoveEntry(target + "/" + hidden));
  }
  for (const auto& name : names) {
    if (StartsWith(name, kWhiteoutPrefix)) continue;  // removed with the staging directory
    const std::string from = stage + "/" + name;
    const std::string to = target + "/" + name;
    const std::string child_rel = rel.empty() ? name : rel + "/" + name;
    struct stat from_st {};
    if (lstat(from.c_str(), &from_st) != 0) return ErrnoError("cannot stat " + from, errno);
    FL_ASSIGN_OR_RETURN(auto to_st, LstatIfExists(to));
    if (S_ISDIR(from_st.st_mode) && to_st && S_ISDIR(to_st->st_mode)) {
      FL_RETURN_IF_ERROR(MergeDir(from, to, child_rel, explicit_dirs));
      if (explicit_dirs.count(child_rel) != 0) FL_RETURN_IF_ERROR(CopyDirAttributes(from_st, to));
      continue;
    }
    // Anything else in the way (a file, or a symlink that could point anywhere) is replaced, not
    // written through.
    if (to_st) FL_RETURN_IF_ERROR(RemoveEntry(to));
    FL_RETURN_IF_ERROR(MoveIntoPlace(from, to));
    if (S_ISDIR(from_st.st_mode)) FL_RETURN_IF_ERROR(StripWhiteouts(to));
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

  FL_ASSIGN_OR_RETURN(std::set<std::string> explicit_dirs, ExplicitDirectories(blob));

  // A fresh, empty directory holds no symlink from earlier layers for tar to write through; GNU
  // tar itself refuses ".." members and defers the archive's own dangerous symlinks.
  const std::string staging = dest + ".layer";
  FL_RETURN_IF_ERROR(RemoveTree(staging));
  if (mkdir(staging.c_str(), 0700) != 0) {
    return ErrnoError("cannot create staging directory " + staging, errno);
  }
  StagingDir cleanup(staging);
  FL_ASSIGN_OR_RETURN(
      std::string ignored,
      RunForOutput({"tar", "-xpf", blob, "-C", staging, "--numeric-owner"}, kTarTimeout));
  (void)ignored;

  struct stat root_st {};
  if (lstat(staging.c_str(), &root_st) != 0) return ErrnoError("cannot stat " + staging, errno);
  FL_RETURN_IF_ERROR(MergeDir(staging, dest, "", explicit_dirs));
  if (explicit_dirs.count("") != 0) FL_RETURN_IF_ERROR(CopyDirAttributes(root_st, dest));
  return OkStatus();
}

}  // namespace faultline::images
