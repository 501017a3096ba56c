#include "harness/images/image.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "tests/require.h"

namespace faultline::images {
namespace {

class ImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/fl-image-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    if (!FindStaticBusybox().ok()) FL_SKIP_LACKING("tools", "busybox-static is not installed");
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  // Writes BYTES as a blob and returns its digest.
  std::string PutBlob(const std::string& layout, const std::string& bytes) {
    std::string hex = Sha256Hex(bytes);
    EXPECT_TRUE(WriteFileAtomic(layout + "/blobs/sha256/" + hex, bytes).ok());
    return "sha256:" + hex;
  }
  // Tars MEMBERS of DIR (all of it by default; naming files alone leaves their parent
  // directories implied) into a gzip layer and returns its bytes.
  std::string TarGz(const std::string& dir, const std::vector<std::string>& members = {"."}) {
    std::string out = dir_ + "/layer.tgz";
    std::vector<std::string> argv = {"tar", "-czf", out, "-C", dir};
    argv.insert(argv.end(), members.begin(), members.end());
    EXPECT_TRUE(RunForOutput(argv).ok());
    auto bytes = ReadFile(out);
    return bytes.ok() ? *bytes : "";
  }
  // Writes an OCI layout whose image has LAYERS (lowest first) and returns its path.
  std::string MakeLayout(const std::vector<std::string>& layers) {
    const std::string layout = dir_ + "/layout" + std::to_string(++layouts_);
    EXPECT_TRUE(MakeDirs(layout + "/blobs/sha256").ok());
    nlohmann::json descriptors = nlohmann::json::array();
    for (const auto& layer : layers) descriptors.push_back({{"digest", PutBlob(layout, layer)}});
    nlohmann::json manifest = {{"schemaVersion", 2}, {"layers", descriptors}};
    nlohmann::json index = {{"schemaVersion", 2},
                            {"manifests", {{{"digest", PutBlob(layout, manifest.dump())}}}}};
    EXPECT_TRUE(WriteFileAtomic(layout + "/index.json", index.dump()).ok());
    EXPECT_TRUE(WriteFileAtomic(layout + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})").ok());
    return layout;
  }
  void Write(const std::string& path, const std::string& bytes = "x\n") {
    auto slash = path.rfind('/');
    ASSERT_TRUE(MakeDirs(path.substr(0, slash)).ok());
    ASSERT_TRUE(WriteFileAtomic(path, bytes).ok());
  }
  static bool IsRealDir(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  static bool IsRegular(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }

  int layouts_ = 0;

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

TEST_F(ImageTest, OpaqueWhiteoutHidesEverythingLowerInTheDirectory) {
  Write(dir_ + "/lower/d/a");
  Write(dir_ + "/lower/d/b");
  Write(dir_ + "/lower/d/sub/deep");
  Write(dir_ + "/lower/keep");
  std::string lower = TarGz(dir_ + "/lower");
  Write(dir_ + "/upper/d/.wh..wh..opq", "");
  Write(dir_ + "/upper/d/c", "new\n");
  std::string layout = MakeLayout({lower, TarGz(dir_ + "/upper")});

  const std::string rootfs = dir_ + "/rootfs";
  auto digest = UnpackOciLayout(layout, rootfs);
  ASSERT_TRUE(digest.ok()) << digest.error().ToString();
  EXPECT_TRUE(IsRegular(rootfs + "/d/c"));
  EXPECT_EQ(*ReadFile(rootfs + "/d/c"), "new\n");
  EXPECT_FALSE(PathExists(rootfs + "/d/a"));
  EXPECT_FALSE(PathExists(rootfs + "/d/b"));
  EXPECT_FALSE(PathExists(rootfs + "/d/sub"));
  EXPECT_FALSE(PathExists(rootfs + "/d/.wh..wh..opq"));
  EXPECT_TRUE(PathExists(rootfs + "/keep"));
  EXPECT_FALSE(PathExists(rootfs + ".layer"));
}

// A lower layer's symlink to a host directory must never let an upper layer delete or create
// files there: the upper layer's directory replaces the symlink, as container engines do, whether
// the tar names the directory or only implies it.
TEST_F(ImageTest, UpperLayersCannotWriteThroughLowerSymlinks) {
  const std::string victim = dir_ + "/victim";
  Write(victim + "/top", "keep me\n");
  ASSERT_TRUE(MakeDirs(dir_ + "/lower").ok());
  ASSERT_EQ(symlink(victim.c_str(), (dir_ + "/lower/etc").c_str()), 0);
  // The rootfs sits in dir_, so "../victim" from its top level also reaches the victim.
  ASSERT_EQ(symlink("../victim", (dir_ + "/lower/rel").c_str()), 0);
  std::string lower = TarGz(dir_ + "/lower");

  struct Variant {
    std::string name;
    std::vector<std::string> files;    // created in the upper layer's tree
    std::vector<std::string> members;  // what the tar holds
  };
  const std::vector<Variant> variants = {
      {"explicit", {"etc/.wh.top", "etc/pwned", "rel/.wh.top", "rel/pwned"}, {"."}},
      {"implied",
       {"etc/.wh.top", "etc/pwned", "rel/.wh.top", "rel/pwned"},
       {"./etc/.wh.top", "./etc/pwned", "./rel/.wh.top", "./rel/pwned"}},
      {"opaque", {"etc/.wh..wh..opq", "etc/pwned", "rel/.wh..wh..opq", "rel/pwned"}, {"."}},
  };
  for (const auto& variant : variants) {
    SCOPED_TRACE(variant.name);
    const std::string upper = dir_ + "/upper-" + variant.name;
    for (const auto& file : variant.files) Write(upper + "/" + file, "");
    std::string layout = MakeLayout({lower, TarGz(upper, variant.members)});
    const std::string rootfs = dir_ + "/rootfs-" + variant.name;
    auto digest = UnpackOciLayout(layout, rootfs);
    ASSERT_TRUE(digest.ok()) << digest.error().ToString();

    EXPECT_EQ(*ReadFile(victim + "/top"), "keep me\n");
    EXPECT_FALSE(PathExists(victim + "/pwned"));
    for (const std::string dir : {"/etc", "/rel"}) {
      EXPECT_TRUE(IsRealDir(rootfs + dir)) << dir;
      EXPECT_TRUE(IsRegular(rootfs + dir + "/pwned")) << dir;
      EXPECT_FALSE(PathExists(rootfs + dir + "/top")) << dir;
      EXPECT_FALSE(PathExists(rootfs + dir + "/.wh.top")) << dir;
      EXPECT_FALSE(PathExists(rootfs + dir + "/.wh..wh..opq")) << dir;
    }
    EXPECT_FALSE(PathExists(rootfs + ".layer"));
  }

  // Whiting out the symlink itself removes the link, not what it points to.
  Write(dir_ + "/upper-link/.wh.etc", "");
  std::string layout = MakeLayout({lower, TarGz(dir_ + "/upper-link")});
  const std::string rootfs = dir_ + "/rootfs-link";
  ASSERT_TRUE(UnpackOciLayout(layout, rootfs).ok());
  EXPECT_FALSE(PathExists(rootfs + "/etc"));
  EXPECT_EQ(*ReadFile(victim + "/top"), "keep me\n");
}

TEST_F(ImageTest, FilesAndDirectoriesReplaceEachOtherAcrossLayers) {
  Write(dir_ + "/lower/a", "file a\n");
  Write(dir_ + "/lower/b/inner", "inner\n");
  std::string lower = TarGz(dir_ + "/lower");
  Write(dir_ + "/upper/a/x", "x\n");
  Write(dir_ + "/upper/b", "file b\n");
  std::string layout = MakeLayout({lower, TarGz(dir_ + "/upper")});

  const std::string rootfs = dir_ + "/rootfs";
  auto digest = UnpackOciLayout(layout, rootfs);
  ASSERT_TRUE(digest.ok()) << digest.error().ToString();
  EXPECT_TRUE(IsRealDir(rootfs + "/a"));
  EXPECT_EQ(*ReadFile(rootfs + "/a/x"), "x\n");
  EXPECT_TRUE(IsRegular(rootfs + "/b"));
  EXPECT_EQ(*ReadFile(rootfs + "/b"), "file b\n");
}

TEST_F(ImageTest, WhiteoutOfAMissingPathIsHarmless) {
  Write(dir_ + "/lower/f", "f\n");
  std::string lower = TarGz(dir_ + "/lower");
  Write(dir_ + "/upper/.wh.missing", "");
  Write(dir_ + "/upper/nodir/.wh.x", "");
  Write(dir_ + "/upper/f/.wh.y", "");  // under what a lower layer has as a file
  Write(dir_ + "/upper/g", "g\n");
  std::string layout = MakeLayout({lower, TarGz(dir_ + "/upper")});

  const std::string rootfs = dir_ + "/rootfs";
  auto digest = UnpackOciLayout(layout, rootfs);
  ASSERT_TRUE(digest.ok()) << digest.error().ToString();
  EXPECT_EQ(*ReadFile(rootfs + "/g"), "g\n");
  EXPECT_FALSE(PathExists(rootfs + "/missing"));
  EXPECT_FALSE(PathExists(rootfs + "/.wh.missing"));
  EXPECT_TRUE(IsRealDir(rootfs + "/nodir"));
  EXPECT_FALSE(PathExists(rootfs + "/nodir/.wh.x"));
  EXPECT_TRUE(IsRealDir(rootfs + "/f"));
  EXPECT_FALSE(PathExists(rootfs + "/f/.wh.y"));
}

// A directory the layer names carries its mode onto the existing one; a directory only implied
// by deeper members leaves the lower layer's mode alone.
TEST_F(ImageTest, ExplicitDirectoriesCarryTheirModeImpliedOnesDoNot) {
  Write(dir_ + "/lower/tmp/.keep", "");
  ASSERT_EQ(chmod((dir_ + "/lower/tmp").c_str(), 01777), 0);
  Write(dir_ + "/lower/data/old", "old\n");
  std::string lower = TarGz(dir_ + "/lower");
  Write(dir_ + "/upper/tmp/x", "");
  Write(dir_ + "/upper/data/new", "new\n");
  ASSERT_EQ(chmod((dir_ + "/upper/data").c_str(), 0710), 0);
  std::string layout = MakeLayout({lower, TarGz(dir_ + "/upper", {"./tmp/x", "./data"})});

  const std::string rootfs = dir_ + "/rootfs";
  auto digest = UnpackOciLayout(layout, rootfs);
  ASSERT_TRUE(digest.ok()) << digest.error().ToString();
  struct stat st {};
  ASSERT_EQ(lstat((rootfs + "/tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  EXPECT_TRUE(PathExists(rootfs + "/tmp/x"));
  EXPECT_TRUE(PathExists(rootfs + "/tmp/.keep"));
  ASSERT_EQ(lstat((rootfs + "/data").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0710u);
  EXPECT_TRUE(PathExists(rootfs + "/data/new"));
  EXPECT_TRUE(PathExists(rootfs + "/data/old"));
}

// The same for owners, which only root can give: members keep theirs, a directory the layer
// names takes its owner, an implied one keeps the lower layer's.
TEST_F(ImageTest, ExplicitDirectoriesCarryTheirOwnerImpliedOnesDoNot) {
  if (geteuid() != 0) FL_SKIP_LACKING("root", "giving files another owner needs root");
  Write(dir_ + "/lower/tmp/.keep", "");
  ASSERT_EQ(chown((dir_ + "/lower/tmp").c_str(), 7, 7), 0);
  Write(dir_ + "/lower/data/old", "old\n");
  ASSERT_EQ(chown((dir_ + "/lower/data/old").c_str(), 1234, 1234), 0);
  std::string lower = TarGz(dir_ + "/lower");
  Write(dir_ + "/upper/tmp/x", "");
  ASSERT_EQ(chown((dir_ + "/upper/tmp").c_str(), 8, 8), 0);
  Write(dir_ + "/upper/data/new", "new\n");
  ASSERT_EQ(chown((dir_ + "/upper/data").c_str(), 42, 43), 0);
  std::string layout = MakeLayout({lower, TarGz(dir_ + "/upper", {"./tmp/x", "./data"})});

  const std::string rootfs = dir_ + "/rootfs";
  auto digest = UnpackOciLayout(layout, rootfs);
  ASSERT_TRUE(digest.ok()) << digest.error().ToString();
  struct stat st {};
  ASSERT_EQ(lstat((rootfs + "/tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 7u);
  ASSERT_EQ(lstat((rootfs + "/data/old").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1234u);
  ASSERT_EQ(lstat((rootfs + "/data").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 42u);
  EXPECT_EQ(st.st_gid, 43u);
}

TEST_F(ImageTest, UnreadableLayerFailsAndLeavesNoStaging) {
  std::string layout = MakeLayout({"this is not a tar archive"});
  const std::string rootfs = dir_ + "/rootfs";
  auto digest = UnpackOciLayout(layout, rootfs);
  EXPECT_FALSE(digest.ok());
  EXPECT_FALSE(PathExists(rootfs + ".layer"));
}

}  // namespace
}  // namespace faultline::images
