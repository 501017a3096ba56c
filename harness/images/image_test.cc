#include "harness/images/image.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "harness/core/files.h"
#include "harness/core/process.h"

namespace faultline::images {
namespace {

class ImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/fl-image-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    if (!FindStaticBusybox().ok()) GTEST_SKIP() << "busybox-static is not installed";
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  // Writes BYTES as a blob and returns its digest.
  std::string PutBlob(const std::string& layout, const std::string& bytes) {
    std::string hex = Sha256Hex(bytes);
    EXPECT_TRUE(WriteFileAtomic(layout + "/blobs/sha256/" + hex, bytes).ok());
    return "sha256:" + hex;
  }
  std::string TarGz(const std::string& dir) {
    std::string out = dir_ + "/layer.tgz";
    EXPECT_TRUE(RunForOutput({"tar", "-czf", out, "-C", dir, "."}).ok());
    auto bytes = ReadFile(out);
    return bytes.ok() ? *bytes : "";
  }

  std::string dir_;
};

TEST_F(ImageTest, BusyboxRootfsHasAppletsAndAStableDigest) {
  ASSERT_TRUE(BuildBusyboxRootfs(dir_ + "/a").ok());
  ASSERT_TRUE(BuildBusyboxRootfs(dir_ + "/b").ok());
  struct stat st {};
  ASSERT_EQ(lstat((dir_ + "/a/bin/sh").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_TRUE(PathExists(dir_ + "/a/bin/sleep"));
  auto a = RootfsTreeDigest(dir_ + "/a");
  auto b = RootfsTreeDigest(dir_ + "/b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->rfind("sha256:", 0), 0u);
  // Any change in content changes the digest.
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/b/etc/hostname", "x\n").ok());
  EXPECT_NE(*RootfsTreeDigest(dir_ + "/b"), *a);
}

TEST_F(ImageTest, OciLayoutUnpacksLayersWithWhiteouts) {
  const std::string layout = dir_ + "/layout";
  ASSERT_TRUE(MakeDirs(layout + "/blobs/sha256").ok());
  ASSERT_TRUE(BuildBusyboxRootfs(dir_ + "/base").ok());
  std::string base = PutBlob(layout, TarGz(dir_ + "/base"));
  // Upper layer: deletes /etc/group, adds /hello.
  ASSERT_TRUE(MakeDirs(dir_ + "/upper/etc").ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/upper/etc/.wh.group", "").ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/upper/hello", "hi\n").ok());
  std::string upper = PutBlob(layout, TarGz(dir_ + "/upper"));
  std::string config = PutBlob(layout, R"({"architecture":"amd64","os":"linux"})");
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"config", {{"digest", config}}},
                             {"layers", {{{"digest", base}}, {{"digest", upper}}}}};
  std::string manifest_digest = PutBlob(layout, manifest.dump());
  nlohmann::json index = {{"schemaVersion", 2}, {"manifests", {{{"digest", manifest_digest}}}}};
  ASSERT_TRUE(WriteFileAtomic(layout + "/index.json", index.dump()).ok());
  ASSERT_TRUE(WriteFileAtomic(layout + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})").ok());

  scenario::ImageRef ref{scenario::ImageRef::Kind::kOciLayout, layout};
  auto image = PrepareImage(ref, dir_ + "/work");
  ASSERT_TRUE(image.ok()) << image.error().ToString();
  EXPECT_EQ(image->digest, manifest_digest);
  EXPECT_EQ(image->digest_of, "oci-manifest");
  EXPECT_TRUE(PathExists(image->rootfs + "/bin/busybox"));
  EXPECT_TRUE(PathExists(image->rootfs + "/hello"));
  EXPECT_TRUE(PathExists(image->rootfs + "/etc/passwd"));
  EXPECT_FALSE(PathExists(image->rootfs + "/etc/group"));
  EXPECT_FALSE(PathExists(image->rootfs + "/etc/.wh.group"));
}

TEST_F(ImageTest, CorruptBlobIsRejected) {
  const std::string layout = dir_ + "/layout";
  ASSERT_TRUE(MakeDirs(layout + "/blobs/sha256").ok());
  std::string manifest_digest = PutBlob(layout, R"({"layers":[]})");
  ASSERT_TRUE(
      WriteFileAtomic(layout + "/blobs/sha256/" + manifest_digest.substr(7), "tampered").ok());
  nlohmann::json index = {{"manifests", {{{"digest", manifest_digest}}}}};
  ASSERT_TRUE(WriteFileAtomic(layout + "/index.json", index.dump()).ok());
  ASSERT_TRUE(WriteFileAtomic(layout + "/oci-layout", "{}").ok());
  auto digest = UnpackOciLayout(layout, dir_ + "/out");
  ASSERT_FALSE(digest.ok());
  EXPECT_NE(digest.error().message.find("does not match"), std::string::npos);
}

TEST_F(ImageTest, RootfsDirectoryIsUsedInPlace) {
  ASSERT_TRUE(BuildBusyboxRootfs(dir_ + "/mine").ok());
  auto image = PrepareImage({scenario::ImageRef::Kind::kRootfs, dir_ + "/mine"}, dir_ + "/work");
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->rootfs, dir_ + "/mine");
  EXPECT_EQ(image->digest_of, "rootfs-tree");
  auto missing = PrepareImage({scenario::ImageRef::Kind::kRootfs, dir_ + "/none"}, dir_ + "/w");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace faultline::images
