#include "harness/drivers/http/unix_http.h"

#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>

namespace faultline::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using local = net::local::stream_protocol;
using Clock = std::chrono::steady_clock;
using ErrorCodeT = boost::system::error_code;

// Callers pass Nanos::max() for "no limit"; a decade keeps now() + timeout from overflowing.
Clock::time_point DeadlineAfter(Nanos timeout) {
  constexpr Nanos kLongest = std::chrono::hours(24 * 365 * 10);
  if (timeout < Nanos::zero()) timeout = Nanos::zero();
  if (timeout > kLongest) timeout = kLongest;
  return Clock::now() + timeout;
}

bool IsHttpError(const ErrorCodeT& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::need_more).category();
}

// The peer went away: EOF before the body ended, or a reset.
bool IsPeerGone(const ErrorCodeT& ec) {
  return ec == bhttp::error::partial_message || ec == bhttp::error::end_of_stream ||
         ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe;
}

}  // namespace

std::string Response::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
  }
  return "";
}

class Stream::Impl {
 public:
  explicit Impl(std::string socket_path) : path_(std::move(socket_path)), socket_(io_) {}
  ~Impl() {
    // Closing first cancels the pending operation; io_context's destructor then drops its
    // handler without running it, so the members it refers to are never touched again.
    ErrorCodeT ignored;
    socket_.close(ignored);
  }

  Status Open(const Request& request, Clock::time_point deadline) {
    if (path_.empty() || path_.size() >= sizeof(sockaddr_un::sun_path)) {
      return InvalidArgument("unix socket path must be 1 to " +
                             std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
                             " bytes: " + path_);
    }
    if (request.method.empty() || request.method.find_first_of(" \t\r\n") != std::string::npos) {
      return InvalidArgument("bad HTTP method \"" + request.method + "\"");
    }
    // The target goes verbatim into the request line: no room for spaces or line breaks.
    if (request.target.empty() || request.target[0] != '/' ||
        request.target.find_first_of(" \t\r\n") != std::string::npos) {
      return InvalidArgument("bad HTTP target \"" + request.target + "\" (want /path?query)");
    }

    ErrorCodeT ec;
    // Opened here rather than by async_connect so that Close() has a descriptor from the start.
    socket_.open(local(), ec);
    if (ec) return Unavailable("socket for " + path_ + ": " + ec.message());
    fd_ = socket_.native_handle();

    Begin();
    socket_.async_connect(local::endpoint(path_), Completion());
    FL_RETURN_IF_ERROR(Wait(deadline, "connecting to " + path_));
    if (op_ec_) {
      std::string why = op_ec_.message();
      // A unix socket's connect fails with EAGAIN when the listener's accept queue is full, and
      // Asio reports that as ENOBUFS on Linux: name the likely cause, a server not accepting.
      if (op_ec_ == net::error::no_buffer_space) why += " (the listen backlog is full)";
      return Unavailable("cannot connect to unix socket " + path_ + ": " + why);
    }

    request_.version(11);
    request_.method_string(request.method);
    request_.target(request.target);
    request_.set(bhttp::field::host, "localhost");
    request_.set(bhttp::field::user_agent, "faultline");
    // One request per connection: the server may end an unsized body by closing.
    request_.set(bhttp::field::connection, "close");
    if (!request.body.empty() || request_.method() == bhttp::verb::post) {
      request_.set(bhttp::field::content_type, request.content_type);
    }
    request_.body() = request.body;
    // Sets Content-Length for a non-empty body, and 0 for an empty POST/PUT.
    request_.prepare_payload();

    Begin();
    bhttp::async_write(socket_, request_, Completion());
    FL_RETURN_IF_ERROR(Wait(deadline, "sending " + Describe() + " to " + path_));
    // A server may answer (413, 400) and close before reading all of a request: prefer its
    // answer to our write error.
    const ErrorCodeT write_ec = op_ec_;

    if (request_.method() == bhttp::verb::head) parser_.skip(true);
    // /events never ends; NextLine keeps only a line at a time. Not boost::none: Beast 1.74
    // compares Content-Length against the empty optional and rejects every sized body
    // (boostorg/beast#2070).
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser_.header_limit(1 << 20);
    Begin();
    bhttp::async_read_header(socket_, buffer_, parser_, Completion());
    FL_RETURN_IF_ERROR(
        Wait(deadline, "waiting for the response headers of " + Describe() + " from " + path_));
    if (op_ec_) {
      if (write_ec) {
        return Unavailable("sending " + Describe() + " to " + path_ + ": " + write_ec.message());
      }
      if (op_ec_ == bhttp::error::end_of_stream) {
        return Unavailable(path_ + " closed the connection without answering " + Describe());
      }
      if (IsHttpError(op_ec_)) {
        return Internal("malformed response headers from " + path_ + " to " + Describe() + ": " +
                        op_ec_.message());
      }
      return Unavailable("reading the response to " + Describe() + " from " + path_ + ": " +
                         op_ec_.message());
    }
    const auto& message = parser_.get();
    head_.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      head_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    if (parser_.is_done()) end_ = End::kComplete;  // no body: Content-Length: 0, 204, HEAD
    return OkStatus();
  }

  const Response& head() const { return head_; }

  Result<std::string> NextLine(Clock::time_point deadline) {
    for (;;) {
      if (closed_.load()) return Cancelled("stream from " + path_ + " was closed");
      const auto newline = pending_.find('\n', scanned_);
      if (newline != std::string::npos) return TakeLine(newline, newline + 1);
      scanned_ = pending_.size();
      if (end_ != End::kNone) {
        if (!pending_.empty()) return TakeLine(pending_.size(), pending_.size());
        return EndError();
      }
      FL_RETURN_IF_ERROR(ReadMore(deadline));
    }
  }

  Result<std::string> ReadToEnd(Clock::time_point deadline) {
    for (;;) {
      if (closed_.load()) return Cancelled("stream from " + path_ + " was closed");
      if (end_ != End::kNone) break;
      FL_RETURN_IF_ERROR(ReadMore(deadline));
    }
    if (end_ == End::kTruncated) {
      return Internal("truncated response body of " + Describe() + ": " + end_message_);
    }
    if (end_ == End::kFailed) return failure_;
    scanned_ = 0;
    return std::exchange(pending_, std::string());
  }

  void Close() {
    closed_.store(true);
    // shutdown(), not close(): the descriptor stays ours (no reuse race with the reading thread),
    // and the pending read sees EOF at once. Beast never touches this from its side.
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  }

 private:
  enum class End { kNone, kComplete, kTruncated, kFailed };

  std::string Describe() const {
    return std::string(request_.method_string()) + " " + std::string(request_.target());
  }

  // Each step has one operation pending at most; its handler records the outcome here.
  void Begin() {
    op_done_ = false;
    op_ec_ = {};
  }
  struct Done {
    Impl* impl;
    void operator()(ErrorCodeT ec, std::size_t = 0) const {
      impl->op_ec_ = ec;
      impl->op_done_ = true;
    }
  };
  Done Completion() { return Done{this}; }

  // Runs the io_context until the pending operation completes or DEADLINE passes. On the
  // deadline the operation stays pending, so a later call picks up where this one stopped.
  Status Wait(Clock::time_point deadline, const std::string& what) {
    while (!op_done_) {
      if (Clock::now() >= deadline) return DeadlineExceeded("timed out " + what);
      if (io_.stopped()) io_.restart();
      if (io_.run_one_until(deadline) == 0 && !op_done_ && io_.stopped()) {
        return Internal("no operation pending while " + what);
      }
    }
    if (closed_.load()) return Cancelled("stream from " + path_ + " was closed");
    return OkStatus();
  }

  // Reads more of the body into pending_, or records how the body ended in end_.
  Status ReadMore(Clock::time_point deadline) {
    if (!reading_) {
      auto& body = parser_.get().body();
      body.data = chunk_.data();
      body.size = chunk_.size();
      body.more = true;
      Begin();
      reading_ = true;
      bhttp::async_read_some(socket_, buffer_, parser_, Completion());
    }
    FL_RETURN_IF_ERROR(
        Wait(deadline, "reading the response body of " + Describe() + " from " + path_));
    reading_ = false;
    pending_.append(chunk_.data(), chunk_.size() - parser_.get().body().size);
    ErrorCodeT ec = op_ec_;
    if (ec == bhttp::error::need_buffer) ec = {};  // chunk_ is full: not an error
    if (!ec) {
      if (parser_.is_done()) end_ = End::kComplete;
      return OkStatus();
    }
    if (IsPeerGone(ec)) {
      end_ = End::kTruncated;
      end_message_ = path_ + " closed the connection before the body ended (" + ec.message() + ")";
    } else if (IsHttpError(ec)) {
      end_ = End::kFailed;
      failure_ = Internal("malformed response body from " + path_ + " to " + Describe() + ": " +
                          ec.message());
    } else {
      end_ = End::kFailed;
      failure_ = Unavailable("reading the response body of " + Describe() + " from " + path_ +
                             ": " + ec.message());
    }
    return OkStatus();
  }

  std::string TakeLine(std::size_t end, std::size_t consumed) {
    std::string line = pending_.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pending_.erase(0, consumed);
    scanned_ = 0;
    return line;
  }

  Error EndError() const {
    switch (end_) {
      case End::kComplete: return NotFound("end of the response body of " + Describe());
      case End::kTruncated: return NotFound(end_message_);
      default: return failure_;
    }
  }

  const std::string path_;
  // Declared before the socket: the socket deregisters from it when destroyed.
  net::io_context io_;
  local::socket socket_;
  int fd_ = -1;  // set once in Open, before any other thread can see this Stream
  std::atomic<bool> closed_{false};

  bhttp::request<bhttp::string_body> request_;
  beast::flat_buffer buffer_;
  // buffer_body hands the decoded body (chunked or not) over as it arrives, into chunk_.
  bhttp::response_parser<bhttp::buffer_body> parser_;
  std::array<char, 64 * 1024> chunk_{};

  bool op_done_ = false;
  ErrorCodeT op_ec_;
  bool reading_ = false;  // an async_read_some is pending (it may outlive a NextLine deadline)

  Response head_;
  std::string pending_;      // body bytes not yet returned
  std::size_t scanned_ = 0;  // pending_[0, scanned_) holds no '\n'
  End end_ = End::kNone;
  std::string end_message_;
  Error failure_;
};

Stream::Stream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Stream::~Stream() = default;

Result<std::unique_ptr<Stream>> Stream::Open(const std::string& socket_path, const Request& request,
                                             Nanos timeout) {
  try {
    const auto deadline = DeadlineAfter(timeout);
    auto impl = std::make_unique<Impl>(socket_path);
    FL_RETURN_IF_ERROR(impl->Open(request, deadline));
    return std::unique_ptr<Stream>(new Stream(std::move(impl)));
  } catch (const std::exception& e) {
    return Internal("HTTP over " + socket_path + ": " + e.what());
  }
}

int Stream::status() const {
  return impl_->head().status;
}

const Response& Stream::head() const {
  return impl_->head();
}

Result<std::string> Stream::NextLine(Nanos timeout) {
  try {
    return impl_->NextLine(DeadlineAfter(timeout));
  } catch (const std::exception& e) {
    return Internal(std::string("reading a line: ") + e.what());
  }
}

Result<std::string> Stream::ReadToEnd(Nanos timeout) {
  try {
    return impl_->ReadToEnd(DeadlineAfter(timeout));
  } catch (const std::exception& e) {
    return Internal(std::string("reading a response body: ") + e.what());
  }
}

void Stream::Close() {
  impl_->Close();
}

Result<Response> Call(const std::string& socket_path, const Request& request, Nanos timeout) {
  try {
    const auto deadline = DeadlineAfter(timeout);
    FL_ASSIGN_OR_RETURN(auto stream, Stream::Open(socket_path, request, timeout));
    const Nanos left = std::chrono::duration_cast<Nanos>(deadline - Clock::now());
    FL_ASSIGN_OR_RETURN(std::string body, stream->ReadToEnd(left));
    Response response = stream->head();
    response.body = std::move(body);
    return response;
  } catch (const std::exception& e) {
    return Internal("HTTP over " + socket_path + ": " + e.what());
  }
}

}  // namespace faultline::http
