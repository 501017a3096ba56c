#include "harness/core/result.h"

#include <cstring>

namespace faultline {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kFailedPrecondition: return "failed precondition";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kDeadlineExceeded: return "deadline exceeded";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Error::ToString() const {
  std::string out;
  for (auto it = context.rbegin(); it != context.rend(); ++it) {
    out += *it;
    out += ": ";
  }
  return out + message;
}

Error ErrnoError(const std::string& what, int errno_value) {
  return Internal(what + ": " + std::strerror(errno_value));
}

int ExitCodeFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument: return 2;
    case ErrorCode::kFailedPrecondition: return 3;
    case ErrorCode::kCancelled: return 130;
    default: return 4;
  }
}

}  // namespace faultline
