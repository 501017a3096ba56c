#include "harness/images/image_archive.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/images/image.h"

namespace faultline::images {
namespace {

class ImageArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/fl-archive-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    ASSERT_TRUE(MakeDirs(dir_ + "/rootfs/bin").ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/rootfs/bin/tool", "#!/bin/sh\n").ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/rootfs/etc-hostname", "box\n").ok());
    ASSERT_EQ(symlink("tool", (dir_ + "/rootfs/bin/alias").c_str()), 0);
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  nlohmann::json ReadJson(const std::string& path) {
    auto text = ReadFile(path);
    EXPECT_TRUE(text.ok()) << path;
    return nlohmann::json::parse(text.ok() ? *text : "null");
  }

  std::string dir_;
};

TEST_F(ImageArchiveTest, IsAnOciLayoutThatUnpacksToTheSameTree) {
  auto archive = WriteImageArchive(dir_ + "/rootfs", dir_ + "/work", "busybox");
  ASSERT_TRUE(archive.ok()) << archive.error().ToString();
  EXPECT_EQ(archive->reference,
            "faultline.local/busybox:" + archive->manifest_digest.substr(7, 12));
  ASSERT_TRUE(MakeDirs(dir_ + "/unpacked").ok());
  ASSERT_TRUE(RunForOutput({"tar", "-C", dir_ + "/unpacked", "-xf", archive->path}).ok());
  // The project's own OCI layout reader (digests verified) gives back the rootfs, bit for bit.
  auto digest = UnpackOciLayout(dir_ + "/unpacked", dir_ + "/again");
  ASSERT_TRUE(digest.ok()) << digest.error().ToString();
  EXPECT_EQ(*digest, archive->manifest_digest);
  EXPECT_EQ(*RootfsTreeDigest(dir_ + "/again"), *RootfsTreeDigest(dir_ + "/rootfs"));
  // containerd's import names the image from the index annotation.
  auto index = ReadJson(dir_ + "/unpacked/index.json");
  EXPECT_EQ(index["manifests"][0]["annotations"]["io.containerd.image.name"], archive->reference);
}

TEST_F(ImageArchiveTest, IsADockerArchiveOfTheSameBlobs) {
  auto archive = WriteImageArchive(dir_ + "/rootfs", dir_ + "/work", "busybox");
  ASSERT_TRUE(archive.ok()) << archive.error().ToString();
  ASSERT_TRUE(MakeDirs(dir_ + "/unpacked").ok());
  ASSERT_TRUE(RunForOutput({"tar", "-C", dir_ + "/unpacked", "-xf", archive->path}).ok());
  auto manifest = ReadJson(dir_ + "/unpacked/manifest.json");
  ASSERT_EQ(manifest.size(), 1u);
  EXPECT_EQ(manifest[0]["RepoTags"], nlohmann::json::array({archive->reference}));
  const std::string config_path = manifest[0]["Config"];
  EXPECT_EQ("sha256:" + *Sha256File(dir_ + "/unpacked/" + config_path), archive->config_digest);
  auto config = ReadJson(dir_ + "/unpacked/" + config_path);
  const std::string layer_path = manifest[0]["Layers"][0];
  // Docker checks each layer against the config's diff_ids (uncompressed digests).
  EXPECT_EQ(config["rootfs"]["diff_ids"][0],
            "sha256:" + *Sha256File(dir_ + "/unpacked/" + layer_path));
  EXPECT_EQ(config["os"], "linux");
}

TEST_F(ImageArchiveTest, SameTreeSameDigests) {
  auto first = WriteImageArchive(dir_ + "/rootfs", dir_ + "/work1", "busybox");
  auto second = WriteImageArchive(dir_ + "/rootfs", dir_ + "/work2", "busybox");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->manifest_digest, second->manifest_digest);
}

}  // namespace
}  // namespace faultline::images
