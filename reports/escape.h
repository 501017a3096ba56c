// Escaping for the text formats the renderers write: HTML, XML and CSV (RFC 4180).
#pragma once

#include <string>
#include <string_view>

namespace faultline::reports {

// & < > " ' as character references: safe in element text and in quoted attributes.
std::string HtmlEscape(std::string_view text);
// As HtmlEscape, and control characters XML 1.0 forbids (all below U+0020 except tab, newline,
// carriage return) become U+FFFD: runtime stderr can carry terminal escape sequences.
std::string XmlEscape(std::string_view text);
// One CSV field: quoted when it contains a comma, quote, CR or LF, or starts or ends with a
// space; quotes inside are doubled.
std::string CsvField(std::string_view text);

}  // namespace faultline::reports
