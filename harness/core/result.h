// Result<T>: the value-or-error type every module boundary uses instead of exceptions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace faultline {

// Codes mirror Abseil's status codes so callers can map them to exit codes.
enum class ErrorCode {
  kInvalidArgument,     // bad input (scenario, flags): exit 2
  kFailedPrecondition,  // the host lacks something: exit 3
  kNotFound,
  kUnavailable,  // transient; a retry may succeed
  kDeadlineExceeded,
  kCancelled,  // the run was interrupted (Ctrl-C)
  kInternal,
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Outermost context last: "while starting container x", "in step storm".
  std::vector<std::string> context;

  Error&& With(std::string what) && {
    context.push_back(std::move(what));
    return std::move(*this);
  }
  // "context-outer: context-inner: message".
  std::string ToString() const;
};

inline Error InvalidArgument(std::string m) {
  return {ErrorCode::kInvalidArgument, std::move(m), {}};
}
inline Error FailedPrecondition(std::string m) {
  return {ErrorCode::kFailedPrecondition, std::move(m), {}};
}
inline Error NotFound(std::string m) {
  return {ErrorCode::kNotFound, std::move(m), {}};
}
inline Error Unavailable(std::string m) {
  return {ErrorCode::kUnavailable, std::move(m), {}};
}
inline Error DeadlineExceeded(std::string m) {
  return {ErrorCode::kDeadlineExceeded, std::move(m), {}};
}
inline Error Cancelled(std::string m) {
  return {ErrorCode::kCancelled, std::move(m), {}};
}
inline Error Internal(std::string m) {
  return {ErrorCode::kInternal, std::move(m), {}};
}
// An Internal error carrying strerror(errno_value).
Error ErrnoError(const std::string& what, int errno_value);

// Process exit code for an error: 2 bad input, 3 the host cannot run it, 130 cancelled, 4 any
// other failure of the harness itself (1 is kept for SLO and comparison failures).
int ExitCodeFor(const Error& error);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<Error>(state_); }
  Error&& error() && { return std::get<Error>(std::move(state_)); }
  // The outcome without the value.
  Result<void> status() const&;

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;
inline Status OkStatus() {
  return {};
}

template <typename T>
Status Result<T>::status() const& {
  if (ok()) return OkStatus();
  return error();
}

}  // namespace faultline

// Propagate an error from an expression returning Result/Status.
#define FL_RETURN_IF_ERROR(expr)                                \
  do {                                                          \
    auto fl_status_ = (expr);                                   \
    if (!fl_status_.ok()) return std::move(fl_status_).error(); \
  } while (0)

#define FL_CONCAT_INNER(a, b) a##b
#define FL_CONCAT(a, b) FL_CONCAT_INNER(a, b)
// `FL_ASSIGN_OR_RETURN(auto x, Compute());`
#define FL_ASSIGN_OR_RETURN(lhs, expr) \
  FL_ASSIGN_OR_RETURN_IMPL(FL_CONCAT(fl_result_, __LINE__), lhs, expr)
#define FL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return std::move(tmp).error();  \
  lhs = std::move(tmp).value()
