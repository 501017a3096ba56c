// An HTTP/1.1 client over a unix stream socket, for the REST APIs of a private dockerd or podman.
// One request per connection: no keep-alive, no pooling, nothing shared between calls.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"

namespace faultline::http {

struct Request {
  std::string method = "GET";  // GET, POST, DELETE, ...
  std::string target;  // "/v1.41/containers/create?name=x" (already URL-encoded by the caller)
  std::string body;    // sent with Content-Length when non-empty (or when method is POST)
  std::string content_type = "application/json";  // sent with a body (or when method is POST)
};

struct Response {
  int status = 0;  // HTTP status code; a 4xx/5xx is NOT an error of Call, callers judge it
  std::string body;
  std::string header(const std::string& name) const;  // case-insensitive lookup, "" if absent
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
};

// One request on a fresh connection to the unix socket SOCKET_PATH (Host: "localhost"), reading
// the whole response (Content-Length, chunked, or until close). Errors: Unavailable when the
// socket cannot be connected (ENOENT, ECONNREFUSED, EACCES: the message names the path) or the
// peer closed before answering, DeadlineExceeded when the whole exchange takes longer than
// TIMEOUT, Internal for a malformed response, InvalidArgument for a path too long for sun_path
// or a method or target that is empty or holds spaces or line breaks (the target must start "/").
Result<Response> Call(const std::string& socket_path, const Request& request, Nanos timeout);

// A response read as it arrives: for endpoints that send headers at once and the body later
// (Docker's POST /containers/{id}/wait) or forever (GET /events, a chunked stream of JSON objects
// one per line). Chunked bodies are decoded; lines may span chunks.
//
// One thread reads (NextLine, ReadToEnd); only Close() may be called from another thread.
class Stream {
 public:
  // Connects, sends REQUEST, reads the status line and headers within TIMEOUT. Errors as Call's.
  static Result<std::unique_ptr<Stream>> Open(const std::string& socket_path,
                                              const Request& request, Nanos timeout);
  ~Stream();  // closes the connection
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  int status() const;
  // The status and headers; its body stays empty (read it with NextLine or ReadToEnd).
  const Response& head() const;

  // The next complete line of the body without its "\n" (and without "\r"), waiting up to
  // TIMEOUT. A last line without "\n" is returned as a line when the body ends.
  // Errors: DeadlineExceeded when none arrived in time (the stream stays usable; nothing is lost);
  // NotFound at the end of the body or when the peer closed (every later call returns it too);
  // Cancelled after Close(); Internal for a malformed body; Unavailable for a socket error.
  Result<std::string> NextLine(Nanos timeout);
  // The rest of the body (including what NextLine has buffered) until it ends, waiting up to
  // TIMEOUT in all. On DeadlineExceeded what arrived is kept for the next call. An empty string
  // when the body has already ended. Other errors as NextLine's, except that the peer closing
  // in the middle of a chunked or Content-Length body is Internal (truncated).
  Result<std::string> ReadToEnd(Nanos timeout);
  // Thread-safe: makes a NextLine/ReadToEnd blocked in another thread return Cancelled promptly,
  // and every later one too. The descriptor is only shut down here; the destructor closes it.
  void Close();

  class Impl;

 private:
  explicit Stream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace faultline::http
