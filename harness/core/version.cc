#include "harness/core/version.h"

namespace faultline {

const char* Version() {
  return FAULTLINE_VERSION;
}
const char* GitSha() {
  return FAULTLINE_GIT_SHA;
}

}  // namespace faultline
