#include "harness/core/files.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

namespace faultline {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Files, AtomicWriteThenReadAndHash) {
  char dir[] = "/tmp/fl-files-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/a/b/file";
  ASSERT_TRUE(MakeDirs(std::string(dir) + "/a/b").ok());
  ASSERT_TRUE(WriteFileAtomic(path, "abc").ok());
  EXPECT_FALSE(PathExists(path + ".tmp"));
  auto text = ReadFile(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "abc");
  auto digest = Sha256File(path);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, Sha256Hex("abc"));
  ASSERT_TRUE(RemoveTree(dir).ok());
  EXPECT_FALSE(PathExists(dir));
}

TEST(Files, ReadMissingFileNamesThePath) {
  auto text = ReadFile("/no/such/faultline/file");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("/no/such/faultline/file"), std::string::npos);
}

TEST(Files, ControlFileWriteNeverCreatesAFile) {
  char dir[] = "/tmp/fl-files-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/control";
  Status missing = WriteControlFile(path, "1");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(path), std::string::npos);
  EXPECT_FALSE(PathExists(path));
  ASSERT_TRUE(WriteFileAtomic(path, "0").ok());
  ASSERT_TRUE(WriteControlFile(path, "FROZEN").ok());
  EXPECT_EQ(*ReadFile(path), "FROZEN");
  ASSERT_TRUE(RemoveTree(dir).ok());
}

// An installed tree: PREFIX/bin/faultline finds PREFIX/libexec/faultline/NAME wherever PREFIX
// is; the environment variable wins, then a program beside the binary, then the installed layout.
TEST(Files, CompanionOfAnInstalledBinaryIsFoundUnderItsOwnPrefix) {
  char dir[] = "/tmp/fl-files-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string prefix = std::string(dir) + "/usr";
  const std::string exe = prefix + "/bin/faultline";
  const std::string installed =
      prefix + "/bin/" FAULTLINE_COMPANION_DIR_FROM_BINDIR "/faultline-test-companion";
  ASSERT_TRUE(MakeDirs(prefix + "/bin").ok());
  ASSERT_TRUE(MakeDirs(installed.substr(0, installed.rfind('/'))).ok());
  const char* env = "FAULTLINE_TEST_COMPANION";
  unsetenv(env);
  EXPECT_EQ(FindCompanionOf(exe, "faultline-test-companion", env, nullptr), "");

  ASSERT_TRUE(WriteFileAtomic(installed, "#!/bin/true\n").ok());
  EXPECT_EQ(FindCompanionOf(exe, "faultline-test-companion", env, nullptr), "")
      << "not executable, not a companion";
  ASSERT_EQ(chmod(installed.c_str(), 0755), 0);
  EXPECT_EQ(FindCompanionOf(exe, "faultline-test-companion", env, "/no/such/build/path"),
            installed);
  EXPECT_EQ(installed.rfind(prefix + "/bin/../libexec/faultline/", 0), 0u)
      << "the packaged layout: " << installed;

  const std::string beside = prefix + "/bin/faultline-test-companion";
  ASSERT_TRUE(WriteFileAtomic(beside, "").ok());
  ASSERT_EQ(chmod(beside.c_str(), 0755), 0);
  EXPECT_EQ(FindCompanionOf(exe, "faultline-test-companion", env, nullptr), beside);

  setenv(env, "/from/the/environment", 1);
  EXPECT_EQ(FindCompanionOf(exe, "faultline-test-companion", env, nullptr),
            "/from/the/environment");
  unsetenv(env);
  ASSERT_TRUE(RemoveTree(dir).ok());
}

}  // namespace
}  // namespace faultline
