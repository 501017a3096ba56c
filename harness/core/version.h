// The faultline version and the git commit it was built from.
#pragma once

namespace faultline {

const char* Version();
const char* GitSha();

}  // namespace faultline
