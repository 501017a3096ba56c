#include "harness/images/layer_apply.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <locale.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <ostream>
#include <string>
#include <vector>

#include "harness/core/files.h"
#include "tests/require.h"

namespace faultline::images {
namespace {

constexpr time_t kMtime = 1600000000;

enum class Format { kUstar, kGnutar, kPax };
enum class Filter { kNone, kGzip, kZstd };

// A layer tar written with libarchive, member by member, as an image builder would.
class LayerTar {
 public:
  LayerTar(const std::string& path, Format format = Format::kPax, Filter filter = Filter::kGzip)
      : archive_(archive_write_new()) {
    switch (format) {
      case Format::kUstar: archive_write_set_format_ustar(archive_); break;
      case Format::kGnutar: archive_write_set_format_gnutar(archive_); break;
      case Format::kPax: archive_write_set_format_pax_restricted(archive_); break;
    }
    switch (filter) {
      case Filter::kNone: break;
      case Filter::kGzip: archive_write_add_filter_gzip(archive_); break;
      case Filter::kZstd: archive_write_add_filter_zstd(archive_); break;
    }
    ok_ = archive_write_open_filename(archive_, path.c_str()) == ARCHIVE_OK;
  }
  ~LayerTar() { archive_write_free(archive_); }
  LayerTar(const LayerTar&) = delete;
  LayerTar& operator=(const LayerTar&) = delete;

  LayerTar& File(const std::string& name, const std::string& content = "x\n", mode_t mode = 0644,
                 int64_t uid = 0, int64_t gid = 0) {
    return Add(name, AE_IFREG, mode, uid, gid, content);
  }
  LayerTar& Dir(const std::string& name, mode_t mode = 0755, int64_t uid = 0, int64_t gid = 0) {
    return Add(name, AE_IFDIR, mode, uid, gid);
  }
  LayerTar& Symlink(const std::string& name, const std::string& target) {
    return Add(name, AE_IFLNK, 0777, 0, 0, "",
               [&](archive_entry* e) { archive_entry_copy_symlink(e, target.c_str()); });
  }
  LayerTar& Hardlink(const std::string& name, const std::string& target) {
    return Add(name, AE_IFREG, 0644, 0, 0, "",
               [&](archive_entry* e) { archive_entry_copy_hardlink(e, target.c_str()); });
  }
  LayerTar& CharDevice(const std::string& name, unsigned major, unsigned minor) {
    return Add(name, AE_IFCHR, 0666, 0, 0, "",
               [&](archive_entry* e) { archive_entry_set_rdev(e, makedev(major, minor)); });
  }
  // Finishes the archive; false if anything failed while writing it.
  bool Close() { return ok_ && archive_write_close(archive_) == ARCHIVE_OK; }

 private:
  template <typename Extra = void (*)(archive_entry*)>
  LayerTar& Add(
      const std::string& name, mode_t type, mode_t mode, int64_t uid, int64_t gid,
      const std::string& content = "", Extra extra = [](archive_entry*) {}) {
    archive_entry* e = archive_entry_new();
    archive_entry_copy_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, mode);
    archive_entry_set_uid(e, uid);
    archive_entry_set_gid(e, gid);
    archive_entry_set_mtime(e, kMtime, 0);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    extra(e);
    ok_ = ok_ && archive_write_header(archive_, e) == ARCHIVE_OK;
    if (!content.empty()) {
      ok_ = ok_ && archive_write_data(archive_, content.data(), content.size()) ==
                       static_cast<la_ssize_t>(content.size());
    }
    archive_entry_free(e);
    return *this;
  }

  archive* archive_;
  bool ok_ = false;
};

class LayerApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/fl-layer-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    rootfs_ = dir_ + "/rootfs";
    ASSERT_TRUE(MakeDirs(rootfs_).ok());
    ASSERT_TRUE(MakeDirs(victim_ = dir_ + "/victim").ok());
    ASSERT_TRUE(WriteFileAtomic(victim_ + "/secret", "keep me\n").ok());
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  // A path for the next layer's tar.
  std::string NextBlob() { return dir_ + "/layer" + std::to_string(++blobs_) + ".tar"; }

  static Result<struct stat> Lstat(const std::string& path) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) return ErrnoError("lstat " + path, errno);
    return st;
  }
  static bool IsRealDir(const std::string& path) {
    auto st = Lstat(path);
    return st.ok() && S_ISDIR(st->st_mode);
  }
  // The victim directory outside the rootfs is as SetUp left it.
  void ExpectVictimUntouched() {
    auto names = Lstat(victim_ + "/secret");
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(names->st_nlink, 1u);
    EXPECT_EQ(*ReadFile(victim_ + "/secret"), "keep me\n");
    EXPECT_FALSE(PathExists(victim_ + "/pwned"));
    EXPECT_FALSE(PathExists(dir_ + "/escape"));
  }

  std::string dir_;
  std::string rootfs_;
  std::string victim_;
  int blobs_ = 0;
};

struct Encoding {
  Format format;
  Filter filter;
};

class LayerEncodingTest : public LayerApplyTest, public ::testing::WithParamInterface<Encoding> {};

TEST_P(LayerEncodingTest, FilesDirectoriesAndLinksLandWithTheirModesAndTimes) {
  const std::string blob = NextBlob();
  LayerTar tar(blob, GetParam().format, GetParam().filter);
  tar.Dir("./")
      .Dir("./etc/", 0750)
      .File("./etc/conf", "conf\n", 0640)
      .File("./bin/tool", "#!tool\n", 0755)
      .Symlink("./bin/sh", "tool")
      .Hardlink("./bin/tool2", "./bin/tool")
      .File("./usr/lib/libx.so", "elf\n", 0444)  // usr and usr/lib only implied
      .File("./var/log/x")
      .Dir("./var/", 0700);  // named after its children
  ASSERT_TRUE(tar.Close());
  ASSERT_EQ(chmod(rootfs_.c_str(), 0700), 0);

  Status applied = ApplyLayer(blob, rootfs_);
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  EXPECT_EQ(*ReadFile(rootfs_ + "/etc/conf"), "conf\n");
  auto st = Lstat(rootfs_);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_mode & 07777, 0755u);
  st = Lstat(rootfs_ + "/etc");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(S_ISDIR(st->st_mode));
  EXPECT_EQ(st->st_mode & 07777, 0750u);
  EXPECT_EQ(st->st_mtim.tv_sec, kMtime);
  st = Lstat(rootfs_ + "/etc/conf");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_mode & 07777, 0640u);
  EXPECT_EQ(st->st_mtim.tv_sec, kMtime);
  st = Lstat(rootfs_ + "/bin/sh");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(S_ISLNK(st->st_mode));
  char target[64] = {};
  ASSERT_GT(readlink((rootfs_ + "/bin/sh").c_str(), target, sizeof(target) - 1), 0);
  EXPECT_STREQ(target, "tool");
  auto tool = Lstat(rootfs_ + "/bin/tool");
  auto tool2 = Lstat(rootfs_ + "/bin/tool2");
  ASSERT_TRUE(tool.ok() && tool2.ok());
  EXPECT_EQ(tool->st_ino, tool2->st_ino);
  EXPECT_EQ(tool->st_nlink, 2u);
  EXPECT_EQ(tool->st_mode & 07777, 0755u);
  st = Lstat(rootfs_ + "/usr/lib/libx.so");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_mode & 07777, 0444u);
  for (const std::string implied : {"/bin", "/usr", "/usr/lib"}) {
    st = Lstat(rootfs_ + implied);
    ASSERT_TRUE(st.ok()) << implied;
    EXPECT_EQ(st->st_mode & 07777, 0755u) << implied;
  }
  st = Lstat(rootfs_ + "/var");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_mode & 07777, 0700u);
  EXPECT_TRUE(PathExists(rootfs_ + "/var/log/x"));
  EXPECT_FALSE(PathExists(rootfs_ + ".layer"));
}

std::string Describe(const Encoding& encoding) {
  static constexpr const char* kFormats[] = {"ustar", "gnutar", "pax"};
  static constexpr const char* kFilters[] = {"plain", "gzip", "zstd"};
  return std::string(kFormats[static_cast<int>(encoding.format)]) + "_" +
         kFilters[static_cast<int>(encoding.filter)];
}
void PrintTo(const Encoding& encoding, std::ostream* os) {
  *os << Describe(encoding);
}
std::string EncodingName(const ::testing::TestParamInfo<Encoding>& info) {
  return Describe(info.param);
}

INSTANTIATE_TEST_SUITE_P(TarFormatsAndFilters, LayerEncodingTest,
                         ::testing::Values(Encoding{Format::kUstar, Filter::kNone},
                                           Encoding{Format::kGnutar, Filter::kGzip},
                                           Encoding{Format::kPax, Filter::kGzip},
                                           Encoding{Format::kPax, Filter::kZstd}),
                         EncodingName);

TEST_F(LayerApplyTest, WhiteoutRemovesALowerFile) {
  const std::string lower = NextBlob();
  ASSERT_TRUE(LayerTar(lower).File("a").File("d/b").File("d/c").Close());
  const std::string upper = NextBlob();
  ASSERT_TRUE(
      LayerTar(upper, Format::kPax, Filter::kNone).File(".wh.a", "").File("d/.wh.b", "").Close());
  ASSERT_TRUE(ApplyLayer(lower, rootfs_).ok());
  Status applied = ApplyLayer(upper, rootfs_);
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  EXPECT_FALSE(PathExists(rootfs_ + "/a"));
  EXPECT_FALSE(PathExists(rootfs_ + "/d/b"));
  EXPECT_TRUE(PathExists(rootfs_ + "/d/c"));
  EXPECT_FALSE(PathExists(rootfs_ + "/.wh.a"));
  EXPECT_FALSE(PathExists(rootfs_ + "/d/.wh.b"));
}

TEST_F(LayerApplyTest, OpaqueDirectoryHidesLowerContents) {
  const std::string lower = NextBlob();
  ASSERT_TRUE(LayerTar(lower).File("d/a").File("d/sub/deep").File("keep").Close());
  const std::string upper = NextBlob();
  ASSERT_TRUE(LayerTar(upper).Dir("d", 0711).File("d/.wh..wh..opq", "").File("d/new").Close());
  ASSERT_TRUE(ApplyLayer(lower, rootfs_).ok());
  Status applied = ApplyLayer(upper, rootfs_);
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  EXPECT_FALSE(PathExists(rootfs_ + "/d/a"));
  EXPECT_FALSE(PathExists(rootfs_ + "/d/sub"));
  EXPECT_FALSE(PathExists(rootfs_ + "/d/.wh..wh..opq"));
  EXPECT_TRUE(PathExists(rootfs_ + "/d/new"));
  EXPECT_TRUE(PathExists(rootfs_ + "/keep"));
  auto st = Lstat(rootfs_ + "/d");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_mode & 07777, 0711u);
}

TEST_F(LayerApplyTest, DotDotMembersAreRefusedAndNothingIsWritten) {
  for (const std::string evil : {"../escape", "a/../../escape", "./a/b/../../../escape"}) {
    SCOPED_TRACE(evil);
    const std::string blob = NextBlob();
    ASSERT_TRUE(LayerTar(blob).File("before").File(evil, "pwned\n").File("after").Close());
    Status applied = ApplyLayer(blob, rootfs_);
    ASSERT_FALSE(applied.ok());
    EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(applied.error().message.find("'" + evil + "'"), std::string::npos)
        << applied.error().message;
    EXPECT_NE(applied.error().message.find(".."), std::string::npos);
    // A refused layer leaves the rootfs as it was: not even the members before it land.
    EXPECT_FALSE(PathExists(rootfs_ + "/before"));
    EXPECT_FALSE(PathExists(rootfs_ + ".layer"));
    ExpectVictimUntouched();
  }
}

// An earlier layer's symlinks to a host directory, absolute or relative, are replaced by the
// directories a later layer writes, never written through.
TEST_F(LayerApplyTest, LowerSymlinksLeadingOutsideAreNotWrittenThrough) {
  const std::string lower = NextBlob();
  ASSERT_TRUE(LayerTar(lower).Symlink("etc", victim_).Symlink("rel", "../victim").Close());
  ASSERT_TRUE(ApplyLayer(lower, rootfs_).ok());
  const std::string upper = NextBlob();
  ASSERT_TRUE(LayerTar(upper)
                  .File("etc/pwned")
                  .File("etc/.wh.secret", "")
                  .File("rel/pwned")
                  .File("rel/.wh.secret", "")
                  .Close());
  Status applied = ApplyLayer(upper, rootfs_);
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  ExpectVictimUntouched();
  for (const std::string dir : {"/etc", "/rel"}) {
    EXPECT_TRUE(IsRealDir(rootfs_ + dir)) << dir;
    EXPECT_TRUE(PathExists(rootfs_ + dir + "/pwned")) << dir;
    EXPECT_FALSE(PathExists(rootfs_ + dir + "/secret")) << dir;
  }
}

// Within one layer, a member behind the layer's own symlink is refused, not written through it.
TEST_F(LayerApplyTest, MembersThroughTheLayersOwnSymlinkAreRefused) {
  struct Case {
    std::string name;
    std::string link_target;
  };
  for (const Case& c : {Case{"absolute", victim_}, Case{"relative", "../victim"}}) {
    SCOPED_TRACE(c.name);
    const std::string file_blob = NextBlob();
    ASSERT_TRUE(LayerTar(file_blob).Symlink("l", c.link_target).File("l/pwned").Close());
    Status applied = ApplyLayer(file_blob, rootfs_);
    ASSERT_FALSE(applied.ok());
    EXPECT_NE(applied.error().message.find("'l/pwned'"), std::string::npos)
        << applied.error().message;
    EXPECT_NE(applied.error().message.find("symlink"), std::string::npos);

    const std::string link_blob = NextBlob();
    ASSERT_TRUE(LayerTar(link_blob).Symlink("l", c.link_target).Hardlink("h", "l/secret").Close());
    applied = ApplyLayer(link_blob, rootfs_);
    ASSERT_FALSE(applied.ok());
    EXPECT_NE(applied.error().message.find("'h'"), std::string::npos) << applied.error().message;
    ExpectVictimUntouched();
    EXPECT_FALSE(PathExists(rootfs_ + "/l"));
    EXPECT_FALSE(PathExists(rootfs_ + "/h"));
  }
}

TEST_F(LayerApplyTest, HardLinksLeavingTheLayerAreRefused) {
  // Out of the rootfs with "..", to the host's files by absolute name (which names the rootfs's
  // /etc/passwd, absent here), and to a lower layer's file: none is a file of this layer.
  const std::string lower = NextBlob();
  ASSERT_TRUE(LayerTar(lower).File("lowerfile").Close());
  ASSERT_TRUE(ApplyLayer(lower, rootfs_).ok());
  for (const std::string target : {"../victim/secret", "/etc/passwd", "lowerfile"}) {
    SCOPED_TRACE(target);
    const std::string blob = NextBlob();
    ASSERT_TRUE(LayerTar(blob).File("mine").Hardlink("h", target).Close());
    Status applied = ApplyLayer(blob, rootfs_);
    ASSERT_FALSE(applied.ok());
    EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(applied.error().message.find("'h'"), std::string::npos) << applied.error().message;
    EXPECT_NE(applied.error().message.find(target), std::string::npos) << applied.error().message;
    EXPECT_FALSE(PathExists(rootfs_ + "/h"));
    EXPECT_FALSE(PathExists(rootfs_ + "/mine"));
    ExpectVictimUntouched();
  }
  auto st = Lstat(rootfs_ + "/lowerfile");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_nlink, 1u);
}

// Absolute names are mapped inside the rootfs, the leading "/" dropped; so are hard link
// targets.
TEST_F(LayerApplyTest, AbsoluteNamesLandInsideTheRootfs) {
  const std::string escape = dir_ + "/escape";
  const std::string blob = NextBlob();
  ASSERT_TRUE(LayerTar(blob)
                  .File("/abs/file", "abs\n")
                  .Hardlink("/abs/link", "/abs/file")
                  .File(escape)
                  .Close());
  Status applied = ApplyLayer(blob, rootfs_);
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  EXPECT_EQ(*ReadFile(rootfs_ + "/abs/file"), "abs\n");
  auto file = Lstat(rootfs_ + "/abs/file");
  auto link = Lstat(rootfs_ + "/abs/link");
  ASSERT_TRUE(file.ok() && link.ok());
  EXPECT_EQ(file->st_ino, link->st_ino);
  EXPECT_TRUE(PathExists(rootfs_ + escape));
  ExpectVictimUntouched();
}

TEST_F(LayerApplyTest, CorruptArchivesAreClearErrors) {
  EXPECT_FALSE(ApplyLayer(NextBlob(), rootfs_).ok());  // no such file

  const std::string garbage = NextBlob();
  ASSERT_TRUE(WriteFileAtomic(garbage, std::string(4096, 'z')).ok());
  Status applied = ApplyLayer(garbage, rootfs_);
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(applied.error().message.find(garbage), std::string::npos) << applied.error().message;
  EXPECT_NE(applied.error().message.find("format"), std::string::npos) << applied.error().message;

  // A zip is an archive, but not a layer.
  const std::string zip = NextBlob();
  {
    archive* a = archive_write_new();
    archive_write_set_format_zip(a);
    ASSERT_EQ(archive_write_open_filename(a, zip.c_str()), ARCHIVE_OK);
    archive_entry* e = archive_entry_new();
    archive_entry_copy_pathname(e, "f");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, 0);
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
    archive_entry_free(e);
    ASSERT_EQ(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
  }
  applied = ApplyLayer(zip, rootfs_);
  ASSERT_FALSE(applied.ok());
  EXPECT_FALSE(PathExists(rootfs_ + "/f"));

  // A layer cut short in a member's data names that member.
  const std::string whole = NextBlob();
  ASSERT_TRUE(LayerTar(whole, Format::kPax, Filter::kNone)
                  .File("small")
                  .File("big", std::string(256 * 1024, 'b'))
                  .Close());
  auto bytes = ReadFile(whole);
  ASSERT_TRUE(bytes.ok());
  const std::string cut = NextBlob();
  ASSERT_TRUE(WriteFileAtomic(cut, bytes->substr(0, 64 * 1024)).ok());
  applied = ApplyLayer(cut, rootfs_);
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.error().message.find("'big'"), std::string::npos) << applied.error().message;
  EXPECT_NE(applied.error().message.find("runcated"), std::string::npos) << applied.error().message;
  EXPECT_FALSE(PathExists(rootfs_ + "/small"));
  EXPECT_FALSE(PathExists(rootfs_ + ".layer"));
}

// Names are bytes: a pax name in UTF-8 lands as written, whatever the process's locale.
TEST_F(LayerApplyTest, NonAsciiNamesKeepTheirBytes) {
  const std::string name = "F\xC5\x91tan\xC3\xBAs\xC3\xADtv\xC3\xA1ny.crt";
  const std::string blob = NextBlob();
  locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  if (utf8 == locale_t{}) GTEST_SKIP() << "no C.UTF-8 locale to write a UTF-8 pax name with";
  locale_t previous = uselocale(utf8);
  const bool written = LayerTar(blob).File("certs/" + name, "cert\n").Close();
  uselocale(previous);
  freelocale(utf8);
  ASSERT_TRUE(written);
  Status applied = ApplyLayer(blob, rootfs_);
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  EXPECT_EQ(*ReadFile(rootfs_ + "/certs/" + name), "cert\n");

  // Names that are not UTF-8 (Latin-1 in a ustar header) are kept as bytes too.
  const std::string latin1 = "caf\xE9";
  const std::string old_blob = NextBlob();
  ASSERT_TRUE(LayerTar(old_blob, Format::kUstar, Filter::kNone).File(latin1, "old\n").Close());
  applied = ApplyLayer(old_blob, rootfs_);
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  EXPECT_EQ(*ReadFile(rootfs_ + "/" + latin1), "old\n");
}

// Owners (numeric, as in the archive), set-id bits and device nodes need root.
TEST_F(LayerApplyTest, OwnersSetuidAndDevicesAreKeptAsRoot) {
  if (geteuid() != 0) FL_SKIP_LACKING("root", "giving files other owners and mknod need root");
  const std::string blob = NextBlob();
  ASSERT_TRUE(LayerTar(blob)
                  .Dir("data", 0750, 42, 43)
                  .File("data/f", "f\n", 0640, 1234, 5678)
                  .File("bin/su", "su\n", 04755, 0, 0)
                  .File("bin/wall", "wall\n", 02755, 0, 5)
                  .CharDevice("dev/null", 1, 3)
                  .Close());
  Status applied = ApplyLayer(blob, rootfs_);
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  auto st = Lstat(rootfs_ + "/data");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_uid, 42u);
  EXPECT_EQ(st->st_gid, 43u);
  EXPECT_EQ(st->st_mode & 07777, 0750u);
  st = Lstat(rootfs_ + "/data/f");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_uid, 1234u);
  EXPECT_EQ(st->st_gid, 5678u);
  st = Lstat(rootfs_ + "/bin/su");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_mode & 07777, 04755u);
  st = Lstat(rootfs_ + "/bin/wall");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_mode & 07777, 02755u);
  EXPECT_EQ(st->st_gid, 5u);
  st = Lstat(rootfs_ + "/dev/null");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(S_ISCHR(st->st_mode));
  EXPECT_EQ(st->st_rdev, makedev(1, 3));
  // Implied directories belong to whoever applies the layer.
  st = Lstat(rootfs_ + "/bin");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->st_uid, 0u);
}

}  // namespace
}  // namespace faultline::images
