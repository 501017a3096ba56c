// The HTML report in a real browser: headless Chromium renders a report made from committed
// results of real runc/crun runs (fixtures/report-fixture.yaml), and the screenshot must show
// the plots' series colours with no console message. The same checks run on deliberately broken
// pages to show they can fail.
#include <gtest/gtest.h>
#include <png.h>

#include <fstream>
#include <map>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

struct Rendered {
  bool ok = false;
  std::string why;
  std::vector<std::string> console;     // console lines the page produced
  std::map<std::uint32_t, int> pixels;  // 0xRRGGBB -> count, for the colours asked about
};

std::uint32_t Rgb(const std::string& hex) {
  return std::stoul(hex.substr(1), nullptr, 16);
}

// Screenshots FILE with Chromium and counts pixels of COLOURS in the PNG.
Rendered Render(const std::string& chromium, const std::string& file,
                const std::vector<std::string>& colours) {
  Rendered rendered;
  const std::string dir = TempDir("chromium");
  const std::string png = dir + "/shot.png";
  auto run = RunProcess(
      {{chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + dir + "/profile", "--enable-logging=stderr", "--v=0",
        "--screenshot=" + png, "--window-size=1360,3000", "file://" + file},
       std::chrono::seconds(120)});
  if (!run.ok()) {
    rendered.why = run.error().ToString();
    return rendered;
  }
  // Console messages (console.*, uncaught errors, failed loads) are logged as ":CONSOLE" lines.
  std::string line;
  for (std::size_t at = 0; at < run->err.size();) {
    std::size_t end = run->err.find('\n', at);
    if (end == std::string::npos) end = run->err.size();
    line = run->err.substr(at, end - at);
    if (line.find(":CONSOLE") != std::string::npos) rendered.console.push_back(line);
    at = end + 1;
  }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, png.c_str())) {
    rendered.why = "no readable screenshot: " + run->Describe() + " " + run->err;
    (void)RemoveTree(dir);
    return rendered;
  }
  image.format = PNG_FORMAT_RGB;
  std::vector<unsigned char> data(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, data.data(), 0, nullptr)) {
    rendered.why = std::string("PNG decode failed: ") + image.message;
    (void)RemoveTree(dir);
    return rendered;
  }
  std::map<std::uint32_t, int> wanted;
  for (const auto& c : colours) wanted[Rgb(c)] = 0;
  for (std::size_t i = 0; i + 2 < data.size(); i += 3) {
    const std::uint32_t rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    auto found = wanted.find(rgb);
    if (found != wanted.end()) ++found->second;
  }
  rendered.pixels = wanted;
  rendered.ok = true;
  (void)RemoveTree(dir);
  return rendered;
}

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindExecutable("chromium");
    if (chromium_.empty()) {
      FL_SKIP_LACKING("tools", "chromium not installed (Debian package chromium)");
    }
    dir_ = TempDir("report");
  }
  void TearDown() override {
    if (!dir_.empty()) (void)RemoveTree(dir_);
  }
  std::string chromium_, dir_;
};

// Series colours of the first two targets (svg::SeriesColor(0), (1)): runc and crun.
const std::vector<std::string> kSeries = {"#1f77b4", "#d62728"};
// Legends alone draw a few hundred pixels per colour; drawn CDFs, scatter points and density
// lines draw thousands.
constexpr int kDrawn = 3000;

TEST_F(ReportBrowserTest, RealResultRendersPlotsWithoutConsoleMessages) {
  const std::string html = dir_ + "/report.html";
  auto [code, output] = RunFaultline({"report", FIXTURES "/report-result-new.json",
                                      FIXTURES "/report-result-base.json", "--html", html},
                                     dir_);
  ASSERT_EQ(code, 0) << output;
  Rendered rendered = Render(chromium_, html, kSeries);
  ASSERT_TRUE(rendered.ok) << rendered.why;
  EXPECT_TRUE(rendered.console.empty()) << rendered.console.front();
  for (const auto& colour : kSeries) {
    EXPECT_GT(rendered.pixels[Rgb(colour)], kDrawn) << colour << " barely drawn";
  }
}

TEST_F(ReportBrowserTest, ChecksFailOnABrokenPage) {
  // A page with a script error and no plots: both checks must notice.
  const std::string broken = dir_ + "/broken.html";
  std::ofstream(broken) << "<!DOCTYPE html><html><body><h1>report</h1>"
                           "<svg width=\"20\" height=\"20\"><rect width=\"20\" height=\"20\" "
                           "fill=\"#1f77b4\"/></svg><script>drawPlots();</script></body></html>";
  Rendered rendered = Render(chromium_, broken, kSeries);
  ASSERT_TRUE(rendered.ok) << rendered.why;
  ASSERT_FALSE(rendered.console.empty());
  EXPECT_NE(rendered.console.front().find("drawPlots is not defined"), std::string::npos);
  EXPECT_GT(rendered.pixels[Rgb("#1f77b4")], 0);       // the counter sees the colour...
  EXPECT_LT(rendered.pixels[Rgb("#1f77b4")], kDrawn);  // ...and a swatch is not a plot
  EXPECT_EQ(rendered.pixels[Rgb("#d62728")], 0);
}

}  // namespace
}  // namespace faultline::testing
