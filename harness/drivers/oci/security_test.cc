#include "harness/drivers/oci/security.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "tests/require.h"

namespace faultline::drivers::oci {
namespace {

// A profile in the Docker format with one rule per condition the conversion honours.
nlohmann::json Profile() {
  return nlohmann::json::parse(R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "defaultErrnoRet": 38,
    "archMap": [
      {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
      {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
    ],
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "includes": {}, "excludes": {}},
      {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
      {"names": ["sync_file_range2"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["ppc64le"]}},
      {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"names": ["chroot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_CHROOT"]}},
      {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
       "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}],
       "excludes": {"caps": ["CAP_AUDIT_WRITE"]}},
      {"names": ["bpf"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64"]}},
      {"names": ["pidfd_getfd"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.6"}},
      {"names": ["future_call"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "99.0"}}
    ]
  })");
}

std::set<std::string> AllowedNames(const nlohmann::json& seccomp) {
  std::set<std::string> names;
  for (const auto& rule : seccomp["syscalls"]) {
    for (const auto& name : rule["names"]) names.insert(name);
  }
  return names;
}

TEST(SeccompForOci, KeepsOnlyTheRulesWhoseConditionsHold) {
  auto seccomp = SeccompForOci(Profile(), "x86_64", "6.1.0-27-amd64", {"CAP_CHOWN", "CAP_KILL"});
  ASSERT_TRUE(seccomp.ok()) << seccomp.error().ToString();
  EXPECT_EQ((*seccomp)["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ((*seccomp)["defaultErrnoRet"], 38);
  EXPECT_EQ((*seccomp)["architectures"],
            nlohmann::json({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  EXPECT_EQ(AllowedNames(*seccomp),
            (std::set<std::string>{"read", "write", "arch_prctl", "socket", "pidfd_getfd"}));
  // A rule keeps its arguments and errno.
  for (const auto& rule : (*seccomp)["syscalls"]) {
    if (rule["names"][0] != "socket") continue;
    EXPECT_EQ(rule["errnoRet"], 1);
    EXPECT_EQ(rule["args"][0]["value"], 16);
  }
}

TEST(SeccompForOci, FollowsTheCapabilitiesTheArchitectureAndTheKernel) {
  auto seccomp = SeccompForOci(Profile(), "aarch64", "5.4.0",
                               {"CAP_SYS_ADMIN", "CAP_SYS_CHROOT", "CAP_AUDIT_WRITE"});
  ASSERT_TRUE(seccomp.ok()) << seccomp.error().ToString();
  EXPECT_EQ((*seccomp)["architectures"], nlohmann::json({"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
  EXPECT_EQ(AllowedNames(*seccomp),
            (std::set<std::string>{"read", "write", "mount", "chroot", "bpf"}));
}

TEST(SeccompForOci, RefusesWhatItCannotConvert) {
  EXPECT_FALSE(SeccompForOci(Profile(), "riscv64", "6.1", {}).ok());
  EXPECT_FALSE(SeccompForOci(nlohmann::json::object(), "x86_64", "6.1", {}).ok());
  EXPECT_FALSE(SeccompForOci({{"defaultAction", "SCMP_ACT_ERRNO"}}, "x86_64", "6.1", {}).ok());
  // Fields of the wrong type are an error, not a crash.
  nlohmann::json bad_kernel = Profile();
  bad_kernel["syscalls"][7]["includes"]["minKernel"] = 5.6;
  auto refused = SeccompForOci(bad_kernel, "x86_64", "6.1", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("not a seccomp profile"), std::string::npos);
  nlohmann::json bad_arch = Profile();
  bad_arch["archMap"][0]["architecture"] = 64;
  EXPECT_FALSE(SeccompForOci(bad_arch, "x86_64", "6.1", {}).ok());
}

TEST(ContainerSecurity, UnconfinedHasTheDefaultCapabilitiesAndNoFilter) {
  auto security = LoadContainerSecurity(scenario::Security::kUnconfined, "/nonexistent");
  ASSERT_TRUE(security.ok());
  EXPECT_EQ(security->capabilities, DefaultCapabilities());
  EXPECT_EQ(security->capabilities.size(), 14u);
  EXPECT_TRUE(security->seccomp.is_null());
  EXPECT_FALSE(security->masked_paths.empty());
}

TEST(ContainerSecurity, DefaultWithoutTheProfileSaysWhatToInstall) {
  auto security = LoadContainerSecurity(scenario::Security::kDefault, "/nonexistent/seccomp.json");
  ASSERT_FALSE(security.ok());
  EXPECT_NE(security.error().message.find("golang-github-containers-common"), std::string::npos)
      << security.error().message;
}

// The profile Debian ships, as faultline converts it on this host.
TEST(ContainerSecurity, DefaultConvertsTheShippedProfile) {
  if (access(kDefaultSeccompProfile, R_OK) != 0) {
    FL_SKIP_LACKING("tools", std::string(kDefaultSeccompProfile) +
                                 " missing (golang-github-containers-common)");
  }
  auto security = LoadContainerSecurity(scenario::Security::kDefault);
  ASSERT_TRUE(security.ok()) << security.error().ToString();
  const std::set<std::string> allowed = AllowedNames(security->seccomp);
  for (const char* call : {"read", "execve", "clone", "futex", "exit_group"}) {
    EXPECT_TRUE(allowed.count(call)) << call;
  }
  EXPECT_TRUE(allowed.count("chroot")) << "given to CAP_SYS_CHROOT, which a container has";
  // Calls the profile gives only to capabilities a default container lacks, or to none.
  for (const char* call :
       {"bpf", "perf_event_open", "init_module", "open_by_handle_at", "kexec_load"}) {
    bool allowed_unconditionally = false;
    for (const auto& rule : security->seccomp["syscalls"]) {
      if (rule["action"] != "SCMP_ACT_ALLOW" || rule.contains("args")) continue;
      for (const auto& name : rule["names"]) allowed_unconditionally |= name == call;
    }
    EXPECT_FALSE(allowed_unconditionally) << call;
  }
}

}  // namespace
}  // namespace faultline::drivers::oci
