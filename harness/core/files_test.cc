#include "harness/core/files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

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

}  // namespace
}  // namespace faultline
