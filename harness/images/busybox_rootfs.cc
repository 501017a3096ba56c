#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/images/image.h"

namespace faultline::images {
namespace {

// A dynamically linked busybox would need the host's libc inside the container.
bool IsStaticElf(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  Elf64_Ehdr header{};
  if (!file.read(reinterpret_cast<char*>(&header), sizeof header)) return false;
  if (std::string(reinterpret_cast<char*>(header.e_ident), 4) != ELFMAG) return false;
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr program{};
    file.seekg(static_cast<std::streamoff>(header.e_phoff + i * header.e_phentsize));
    if (!file.read(reinterpret_cast<char*>(&program), sizeof program)) return false;
    if (program.p_type == PT_INTERP) return false;
  }
  return true;
}

Status CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary);
  if (!in || !out) return Internal("cannot copy " + from + " to " + to);
  out << in.rdbuf();
  out.close();
  if (!out) return Internal("cannot write " + to);
  if (chmod(to.c_str(), mode) != 0) return ErrnoError("chmod " + to, errno);
  return OkStatus();
}

}  // namespace

Result<std::string> FindStaticBusybox() {
  for (const char* candidate : {"/bin/busybox", "/usr/bin/busybox"}) {
    if (PathExists(candidate) && IsStaticElf(candidate)) return std::string(candidate);
  }
  return FailedPrecondition(
      "no statically linked busybox found (install the Debian package busybox-static)");
}

Status BuildBusyboxRootfs(const std::string& dest) {
  FL_ASSIGN_OR_RETURN(std::string busybox, FindStaticBusybox());
  for (const char* dir : {"bin", "dev", "etc", "proc", "root", "run", "sys", "tmp", "var"}) {
    FL_RETURN_IF_ERROR(MakeDirs(dest + "/" + dir));
  }
  chmod((dest + "/tmp").c_str(), 01777);
  FL_RETURN_IF_ERROR(CopyFile(busybox, dest + "/bin/busybox", 0755));
  FL_ASSIGN_OR_RETURN(std::string applets, RunForOutput({busybox, "--list"}));
  std::istringstream names(applets);
  std::string name;
  while (names >> name) {
    if (name == "busybox" || name.find('/') != std::string::npos) continue;
    if (symlink("busybox", (dest + "/bin/" + name).c_str()) != 0 && errno != EEXIST) {
      return ErrnoError("cannot link applet " + name, errno);
    }
  }
  FL_RETURN_IF_ERROR(WriteFileAtomic(dest + "/etc/passwd",
                                     "root:x:0:0:root:/root:/bin/sh\n"
                                     "nobody:x:65534:65534::/:/bin/false\n"));
  FL_RETURN_IF_ERROR(WriteFileAtomic(dest + "/etc/group", "root:x:0:\nnogroup:x:65534:\n"));
  return OkStatus();
}

}  // namespace faultline::images
