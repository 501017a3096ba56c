// A skip that cannot hide a missing capability where it should be present: FAULTLINE_REQUIRE
// (a comma-separated list of capabilities such as root, bpf, tools, netem, or "all", less any
// named with a leading '-': "all,-netem") turns the skip of a test that needs one of them into a
// failure. ci/test sets it to what the host has.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>

namespace faultline::testing {

// Whether FAULTLINE_REQUIRE names CAPABILITY (or "all"), and does not exclude it ("-netem").
inline bool Required(const std::string& capability) {
  const char* list = std::getenv("FAULTLINE_REQUIRE");
  if (!list) return false;
  std::stringstream names(list);
  bool required = false;
  for (std::string name; std::getline(names, name, ',');) {
    if (name == "-" + capability) return false;
    required = required || name == capability || name == "all";
  }
  return required;
}

}  // namespace faultline::testing

// Skips the current test, loudly, because the host lacks CAPABILITY (WHY says what); fails it
// instead when FAULTLINE_REQUIRE names the capability.
#define FL_SKIP_LACKING(capability, why)                                                     \
  do {                                                                                       \
    const std::string fl_why = (why);                                                        \
    if (::faultline::testing::Required(capability)) {                                        \
      GTEST_FAIL() << "FAILED (FAULTLINE_REQUIRE names " << (capability) << "): " << fl_why; \
    }                                                                                        \
    GTEST_SKIP() << "SKIPPED (host lacks a capability): " << fl_why;                         \
  } while (0)
