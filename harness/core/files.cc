#include "harness/core/files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <openssl/evp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace faultline {

Result<std::string> ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot read " + path, errno);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      close(fd);
      return ErrnoError("cannot read " + path, saved);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

Status WriteFileAtomic(const std::string& path, const std::string& contents) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create " + tmp, errno);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      close(fd);
      unlink(tmp.c_str());
      return ErrnoError("cannot write " + tmp, saved);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp.c_str());
    return ErrnoError("cannot flush " + tmp, errno);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) return ErrnoError("cannot rename to " + path, errno);
  return OkStatus();
}

Status WriteControlFile(const std::string& path, const std::string& value) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open " + path, errno);
  const bool ok = write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  const int error = errno;
  close(fd);
  if (!ok) return ErrnoError("cannot write '" + value + "' to " + path, error);
  return OkStatus();
}

Status MakeDirs(const std::string& path, unsigned mode) {
  if (path.empty()) return OkStatus();
  std::string partial;
  std::stringstream parts(path);
  std::string part;
  if (path[0] == '/') partial = "/";
  while (std::getline(parts, part, '/')) {
    if (part.empty()) continue;
    partial += part;
    if (mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return ErrnoError("cannot create directory " + partial, errno);
    }
    partial += "/";
  }
  return OkStatus();
}

namespace {
int RemoveEntry(const char* path, const struct stat*, int type, FTW*) {
  int rc = (type == FTW_DP) ? rmdir(path) : unlink(path);
  return rc == 0 || errno == ENOENT ? 0 : errno;
}
}  // namespace

Status RemoveTree(const std::string& path) {
  if (!PathExists(path)) return OkStatus();
  int rc = nftw(path.c_str(), RemoveEntry, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  if (rc != 0) return ErrnoError("cannot remove " + path, rc > 0 ? rc : errno);
  return OkStatus();
}

bool PathExists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

namespace {
std::string HexDigest(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}
using DigestCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
}  // namespace

std::string Sha256Hex(const std::string& data) {
  DigestCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), data.data(), data.size());
  return HexDigest(ctx.get());
}

Result<std::string> Sha256File(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot read " + path, errno);
  DigestCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      close(fd);
      return ErrnoError("cannot read " + path, saved);
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf, static_cast<size_t>(n));
  }
  close(fd);
  return HexDigest(ctx.get());
}

Status UnmountAllBelow(const std::string& dir) {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::vector<std::string> points;
  std::string line;
  while (std::getline(mountinfo, line)) {
    // Field 5 is the mount point, with spaces and the like escaped as octal (\040).
    std::istringstream fields(line);
    std::string field, point;
    for (int i = 1; i <= 5 && fields >> field; ++i) point = field;
    std::string decoded;
    for (std::size_t i = 0; i < point.size(); ++i) {
      if (point[i] == '\\' && i + 3 < point.size()) {
        decoded += static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        decoded += point[i];
      }
    }
    if (decoded == dir || decoded.rfind(dir + "/", 0) == 0) points.push_back(decoded);
  }
  // Deepest first: a mount below another must go before it.
  std::sort(points.begin(), points.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  Status status = OkStatus();
  for (const auto& point : points) {
    if (umount2(point.c_str(), 0) != 0 && umount2(point.c_str(), MNT_DETACH) != 0 &&
        errno != EINVAL && errno != ENOENT && status.ok()) {
      status = ErrnoError("cannot unmount " + point, errno);
    }
  }
  return status;
}

bool PathInside(const std::string& path, const std::string& dir, bool allow_self) {
  char resolved_dir[PATH_MAX], resolved[PATH_MAX];
  if (!realpath(dir.c_str(), resolved_dir)) return false;
  const std::string base = resolved_dir;
  if (!realpath(path.c_str(), resolved)) {
    return path.find("..") == std::string::npos && path.rfind(dir + "/", 0) == 0;
  }
  const std::string target = resolved;
  return (allow_self && target == base) || target.rfind(base + "/", 0) == 0;
}

std::string FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* env = std::getenv("PATH");
  std::stringstream dirs(env ? env
                             : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string FindCompanionOf(const std::string& exe, const std::string& name, const char* env_var,
                            const char* build_path) {
  if (const char* env = std::getenv(env_var); env && *env) return env;
  if (const size_t slash = exe.rfind('/'); slash != std::string::npos) {
    const std::string dir = exe.substr(0, slash + 1);
    for (const std::string& candidate :
         {dir + name, dir + FAULTLINE_COMPANION_DIR_FROM_BINDIR "/" + name}) {
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  if (build_path && access(build_path, X_OK) == 0) return build_path;
  return FindExecutable(name);
}

std::string FindCompanion(const std::string& name, const char* env_var, const char* build_path) {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  const std::string exe = n > 0 ? std::string(self, static_cast<size_t>(n)) : "";
  return FindCompanionOf(exe, name, env_var, build_path);
}

}  // namespace faultline
