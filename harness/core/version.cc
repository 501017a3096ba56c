#include "harness/core/version.h"

namespace faultline {

const char* Version() {
  return FAULTLINE_VERSION;
}
const char* GitSha() {
  return FAULTLINE_GIT_SHA;
}
const char* BuildType() {
#ifdef NDEBUG
  return "release";
#else
  return "debug";
#endif
}

}  // namespace faultline
