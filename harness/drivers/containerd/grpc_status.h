// A gRPC call's failure as faultline's error, for the clients of containerd's APIs (its own and
// the CRI): the code mapped, the server's message kept.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "harness/core/result.h"

namespace faultline::drivers {

inline Error GrpcError(const char* call, const grpc::Status& status) {
  const std::string text = std::string(call) + ": " + status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND: return NotFound(text);
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION: return FailedPrecondition(text);
    case grpc::StatusCode::INVALID_ARGUMENT: return InvalidArgument(text);
    case grpc::StatusCode::DEADLINE_EXCEEDED: return DeadlineExceeded(text);
    case grpc::StatusCode::UNAVAILABLE: return Unavailable(text);
    default: return Internal(text + " (gRPC code " + std::to_string(status.error_code()) + ")");
  }
}

}  // namespace faultline::drivers
