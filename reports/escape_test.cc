#include "reports/escape.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

TEST(Escape, Html) {
  EXPECT_EQ(HtmlEscape("plain"), "plain");
  EXPECT_EQ(HtmlEscape("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("&amp;"), "&amp;amp;");  // no double-decoding shortcuts
  EXPECT_EQ(HtmlEscape("µs"), "µs");            // UTF-8 passes through
}

TEST(Escape, XmlReplacesForbiddenControlCharacters) {
  EXPECT_EQ(XmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
  EXPECT_EQ(XmlEscape("\x1b[31mred\x1b[0m"), "\xEF\xBF\xBD[31mred\xEF\xBF\xBD[0m");
  EXPECT_EQ(XmlEscape(std::string_view("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(XmlEscape("tab\tline\ncr\r"), "tab\tline\ncr\r");
}

TEST(Escape, CsvQuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("runc"), "runc");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
  EXPECT_EQ(CsvField("=1+2"), "=1+2");
}

}  // namespace
}  // namespace faultline::reports
