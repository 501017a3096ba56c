// The faultline version and the git commit it was built from.
#pragma once

namespace faultline {

const char* Version();
const char* GitSha();
// "release" for an optimised build without assertions (NDEBUG), else "debug".
const char* BuildType();

}  // namespace faultline
