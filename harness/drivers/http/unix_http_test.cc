#include "harness/drivers/http/unix_http.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace faultline::http {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// What the test server received.
struct Seen {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool has(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (strcasecmp(key.c_str(), name.c_str()) == 0) return true;
    }
    return false;
  }
  std::string header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
    }
    return "";
  }
};

void SendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    // MSG_NOSIGNAL: a client that already went away must not kill the test with SIGPIPE.
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

std::string Chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  return size + data + "\r\n";
}

// Blocks until the client closes its end (or the 10 s receive timeout set on every connection).
void WaitForClientClose(int fd) {
  char byte;
  while (::recv(fd, &byte, 1, 0) > 0) {
  }
}

// A one-shot signal between the test and the server thread. Waits are bounded so that a failing
// test cannot hang the suite.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool Wait() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Accepts connections on a unix socket in a fresh temporary directory, one at a time, reads one
// request from each and hands the connection to HANDLER, then closes it.
class TestServer {
 public:
  using Handler = std::function<void(int fd, const Seen& request)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)) {
    char dir[] = "/tmp/fl-unix-http-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    dir_ = dir;
    path_ = dir_ + "/api.sock";
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path_.c_str());
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(listen_fd_, 16) != 0 || ::pipe2(stop_, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "cannot listen on " << path_;
      return;
    }
    thread_ = std::thread([this] { Serve(); });
  }

  ~TestServer() {
    if (thread_.joinable()) {
      // A pipe, not a socket: write(), not send().
      [[maybe_unused]] const ssize_t n = ::write(stop_[1], "x", 1);
      thread_.join();
    }
    if (listen_fd_ >= 0) ::close(listen_fd_);
    for (int fd : stop_) {
      if (fd >= 0) ::close(fd);
    }
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }
  Seen last() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  void Serve() {
    for (;;) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) return;
      if (fds[1].revents != 0) return;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval limit{10, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
      Seen seen = ReadRequest(fd);
      {
        std::lock_guard lock(mu_);
        last_ = seen;
      }
      handler_(fd, seen);
      ::close(fd);
    }
  }

  // Just enough of HTTP/1.1 for the tests: a head, then a Content-Length body if any.
  static Seen ReadRequest(int fd) {
    std::string data;
    char buffer[4096];
    std::size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) return {};
      data.append(buffer, static_cast<std::size_t>(n));
    }
    Seen seen;
    std::size_t line_end = data.find("\r\n");
    const std::string request_line = data.substr(0, line_end);
    const std::size_t space1 = request_line.find(' ');
    const std::size_t space2 = request_line.find(' ', space1 + 1);
    seen.method = request_line.substr(0, space1);
    seen.target = request_line.substr(space1 + 1, space2 - space1 - 1);
    std::size_t at = line_end + 2;
    while (at < head_end) {
      line_end = data.find("\r\n", at);
      const std::string line = data.substr(at, line_end - at);
      const std::size_t colon = line.find(':');
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      seen.headers.emplace_back(line.substr(0, colon), value);
      at = line_end + 2;
    }
    seen.body = data.substr(head_end + 4);
    const std::size_t length =
        seen.has("Content-Length") ? std::stoul(seen.header("Content-Length")) : 0;
    while (seen.body.size() < length) {
      const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      seen.body.append(buffer, static_cast<std::size_t>(n));
    }
    return seen;
  }

  Handler handler_;
  std::string dir_;
  std::string path_;
  int listen_fd_ = -1;
  int stop_[2] = {-1, -1};
  std::thread thread_;
  std::mutex mu_;
  Seen last_;
};

Request Get(const std::string& target) {
  Request request;
  request.target = target;
  return request;
}

TEST(UnixHttpCall, GetReturnsStatusBodyAndHeaders) {
  const std::string json = R"({"ID":"abc","Containers":3})";
  TestServer server([&](int fd, const Seen&) {
    SendAll(fd,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\n"
            "Content-Length: " +
                std::to_string(json.size()) + "\r\n\r\n" + json);
  });
  auto response = Call(server.path(), Get("/v1.41/info"), 5s);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, json);
  EXPECT_EQ(response->header("api-version"), "1.41");
  EXPECT_EQ(response->header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(response->header("X-Absent"), "");

  const Seen seen = server.last();
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/v1.41/info");
  EXPECT_EQ(seen.header("Host"), "localhost");
  EXPECT_FALSE(seen.has("Content-Length"));
  EXPECT_FALSE(seen.has("Content-Type"));
}

TEST(UnixHttpCall, PostSendsBodyContentTypeAndLength) {
  TestServer server([](int fd, const Seen&) {
    SendAll(fd, "HTTP/1.1 201 Created\r\nContent-Length: 12\r\n\r\n{\"Id\":\"c1\"}\n");
  });
  Request request;
  request.method = "POST";
  request.target = "/v1.41/containers/create?name=fl-1";
  request.body = R"({"Image":"busybox","Cmd":["true"]})";
  auto response = Call(server.path(), request, 5s);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "{\"Id\":\"c1\"}\n");

  const Seen seen = server.last();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/v1.41/containers/create?name=fl-1");
  EXPECT_EQ(seen.header("Content-Type"), "application/json");
  EXPECT_EQ(seen.header("Content-Length"), std::to_string(request.body.size()));
  EXPECT_EQ(seen.body, request.body);
}

TEST(UnixHttpCall, EmptyPostStillSendsLengthAndTypeOtherMethodsDoNot) {
  TestServer server([](int fd, const Seen&) { SendAll(fd, "HTTP/1.1 204 No Content\r\n\r\n"); });
  Request start;
  start.method = "POST";
  start.target = "/v1.41/containers/c1/start";
  start.content_type = "text/plain";
  auto started = Call(server.path(), start, 5s);
  ASSERT_TRUE(started.ok()) << started.error().ToString();
  EXPECT_EQ(started->status, 204);
  EXPECT_EQ(started->body, "");
  Seen seen = server.last();
  EXPECT_EQ(seen.header("Content-Length"), "0");
  EXPECT_EQ(seen.header("Content-Type"), "text/plain");

  Request remove;
  remove.method = "DELETE";
  remove.target = "/v1.41/containers/c1?force=1";
  auto removed = Call(server.path(), remove, 5s);
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_EQ(removed->status, 204);
  seen = server.last();
  EXPECT_EQ(seen.method, "DELETE");
  EXPECT_EQ(seen.target, "/v1.41/containers/c1?force=1");
  EXPECT_FALSE(seen.has("Content-Length"));
  EXPECT_FALSE(seen.has("Content-Type"));
}

TEST(UnixHttpCall, NotFoundIsAResponseNotAnError) {
  const std::string json = R"({"message":"No such container: nope"})";
  TestServer server([&](int fd, const Seen&) {
    SendAll(fd, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(json.size()) + "\r\n\r\n" + json);
  });
  auto response = Call(server.path(), Get("/v1.41/containers/nope/json"), 5s);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body, json);
}

TEST(UnixHttpCall, DecodesAChunkedResponse) {
  TestServer server([](int fd, const Seen&) {
    SendAll(fd,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n");
    SendAll(fd, Chunk("[{\"Id\":"));
    std::this_thread::sleep_for(10ms);
    // A chunk extension and an upper-case size must be accepted too.
    SendAll(fd, "E;name=value\r\n\"0123456789ab\"\r\n");
    SendAll(fd, Chunk("}]"));
    SendAll(fd, "0\r\n\r\n");
  });
  auto response = Call(server.path(), Get("/v1.41/containers/json"), 5s);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"([{"Id":"0123456789ab"}])");
  EXPECT_EQ(response->header("transfer-encoding"), "chunked");
}

TEST(UnixHttpCall, ReadsAnUnsizedBodyUntilClose) {
  TestServer server([](int fd, const Seen&) {
    SendAll(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nline one\nline two");
  });
  auto response = Call(server.path(), Get("/_ping"), 5s);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->body, "line one\nline two");
}

TEST(UnixHttpCall, MalformedResponseIsInternal) {
  TestServer server([](int fd, const Seen&) { SendAll(fd, "SSH-2.0-OpenSSH_9.2\r\n\r\n"); });
  auto response = Call(server.path(), Get("/_ping"), 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kInternal) << response.error().ToString();
}

TEST(UnixHttpCall, TruncatedBodyIsInternal) {
  TestServer server([](int fd, const Seen&) {
    SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part");
  });
  auto response = Call(server.path(), Get("/_ping"), 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kInternal) << response.error().ToString();
}

TEST(UnixHttpCall, MissingSocketIsUnavailableAndNamesThePath) {
  char dir[] = "/tmp/fl-unix-http-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/no-such.sock";
  auto response = Call(path, Get("/_ping"), 5s);
  ::rmdir(dir);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find(path), std::string::npos) << response.error().message;
}

TEST(UnixHttpCall, RefusedSocketIsUnavailableAndNamesThePath) {
  char dir[] = "/tmp/fl-unix-http-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  // A socket file nobody listens on any more: what a crashed dockerd leaves behind.
  const std::string path = std::string(dir) + "/stale.sock";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ::close(fd);
  auto response = Call(path, Get("/_ping"), 5s);
  ::unlink(path.c_str());
  ::rmdir(dir);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find(path), std::string::npos) << response.error().message;
}

TEST(UnixHttpCall, TooLongPathAndBadTargetAreInvalidArguments) {
  auto response = Call("/tmp/" + std::string(200, 'x'), Get("/_ping"), 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
  response = Call("/tmp/any.sock", Get("/a b\r\nX-Injected: 1"), 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
}

TEST(UnixHttpCall, FullListenBacklogIsUnavailableAtOnce) {
  char dir[] = "/tmp/fl-unix-http-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/busy.sock";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  // Backlog 0 queues one connection; nobody accepts it.
  ASSERT_EQ(::listen(fd, 0), 0);
  auto queued = Call(path, Get("/_ping"), 100ms);
  auto refused = Call(path, Get("/_ping"), 5s);
  ::close(fd);
  ::unlink(path.c_str());
  ::rmdir(dir);
  ASSERT_FALSE(queued.ok());
  EXPECT_EQ(queued.error().code, ErrorCode::kDeadlineExceeded) << queued.error().ToString();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable) << refused.error().ToString();
  EXPECT_NE(refused.error().message.find("backlog"), std::string::npos) << refused.error().message;
}

TEST(UnixHttpCall, BodiesLargerThanTheReadBuffer) {
  std::string big;
  for (int i = 0; big.size() < 300 * 1024; ++i) big += "{\"n\":" + std::to_string(i) + "}\n";
  TestServer server([&](int fd, const Seen& request) {
    if (request.target == "/sized") {
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" +
                      big);
    } else {
      SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                      Chunk(big.substr(0, 100000)) + Chunk(big.substr(100000)) + "0\r\n\r\n");
    }
  });
  auto sized = Call(server.path(), Get("/sized"), 10s);
  ASSERT_TRUE(sized.ok()) << sized.error().ToString();
  EXPECT_EQ(sized->body, big);
  auto chunked = Call(server.path(), Get("/chunked"), 10s);
  ASSERT_TRUE(chunked.ok()) << chunked.error().ToString();
  EXPECT_EQ(chunked->body, big);

  // The same body line by line: many lines arrive in one read.
  auto stream = Stream::Open(server.path(), Get("/chunked"), 10s);
  ASSERT_TRUE(stream.ok()) << stream.error().ToString();
  std::string joined;
  for (;;) {
    auto line = (*stream)->NextLine(10s);
    if (!line.ok()) {
      EXPECT_EQ(line.error().code, ErrorCode::kNotFound) << line.error().ToString();
      break;
    }
    joined += *line + "\n";
  }
  EXPECT_EQ(joined, big);
}

TEST(UnixHttpCall, SilentServerIsDeadlineExceeded) {
  TestServer server([](int fd, const Seen&) { WaitForClientClose(fd); });
  const auto timeout = 300ms;
  const auto start = SteadyClock::now();
  auto response = Call(server.path(), Get("/v1.41/info"), timeout);
  const auto elapsed = SteadyClock::now() - start;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kDeadlineExceeded) << response.error().ToString();
  EXPECT_GE(elapsed, timeout);
  EXPECT_LT(elapsed, timeout + 5s);
}

TEST(UnixHttpStream, LinesFromSeparateChunksThenEndOfBody) {
  TestServer server([](int fd, const Seen&) {
    SendAll(fd,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n");
    std::this_thread::sleep_for(20ms);
    SendAll(fd, Chunk("{\"status\":\"start\",\"id\":\"a\"}\n"));
    std::this_thread::sleep_for(20ms);
    // A line split across two chunks, ending in CRLF.
    SendAll(fd, Chunk("{\"status\":\"di"));
    std::this_thread::sleep_for(20ms);
    SendAll(fd, Chunk("e\",\"id\":\"a\"}\r\n"));
    std::this_thread::sleep_for(20ms);
    SendAll(fd, Chunk("{\"status\":\"destroy\",\"id\":\"a\"}\n") + "0\r\n\r\n");
    WaitForClientClose(fd);
  });
  auto stream = Stream::Open(server.path(), Get("/v1.41/events"), 5s);
  ASSERT_TRUE(stream.ok()) << stream.error().ToString();
  Stream& events = **stream;
  EXPECT_EQ(events.status(), 200);
  EXPECT_EQ(events.head().header("content-type"), "application/json");

  for (const char* want : {R"({"status":"start","id":"a"})", R"({"status":"die","id":"a"})",
                           R"({"status":"destroy","id":"a"})"}) {
    auto line = events.NextLine(5s);
    ASSERT_TRUE(line.ok()) << line.error().ToString();
    EXPECT_EQ(*line, want);
  }
  auto end = events.NextLine(5s);
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.error().code, ErrorCode::kNotFound) << end.error().ToString();
  end = events.NextLine(5s);
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.error().code, ErrorCode::kNotFound);
  auto rest = events.ReadToEnd(5s);
  ASSERT_TRUE(rest.ok()) << rest.error().ToString();
  EXPECT_EQ(*rest, "");
}

TEST(UnixHttpStream, DeadlineLeavesTheStreamUsable) {
  Gate more;
  TestServer server([&](int fd, const Seen&) {
    SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    // Half a line, then silence until the test has seen its deadline pass.
    SendAll(fd, Chunk("{\"status\":"));
    more.Wait();
    SendAll(fd, Chunk("\"oom\"}\n"));
    WaitForClientClose(fd);
  });
  // The headers arrive although the body is held back: Open must not wait for the body.
  auto stream = Stream::Open(server.path(), Get("/v1.41/events"), 5s);
  ASSERT_TRUE(stream.ok()) << stream.error().ToString();
  auto line = (*stream)->NextLine(50ms);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().code, ErrorCode::kDeadlineExceeded) << line.error().ToString();
  more.Open();
  line = (*stream)->NextLine(5s);
  ASSERT_TRUE(line.ok()) << line.error().ToString();
  EXPECT_EQ(*line, R"({"status":"oom"})");
}

TEST(UnixHttpStream, ReadToEndGetsABodySentLater) {
  Gate exited;
  const std::string json = R"({"Error":null,"StatusCode":137})";
  TestServer server([&](int fd, const Seen&) {
    SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(json.size()) + "\r\n\r\n");
    exited.Wait();
    SendAll(fd, json);
  });
  Request wait;
  wait.method = "POST";
  wait.target = "/v1.41/containers/c1/wait?condition=not-running";
  auto stream = Stream::Open(server.path(), wait, 5s);
  ASSERT_TRUE(stream.ok()) << stream.error().ToString();
  EXPECT_EQ((*stream)->status(), 200);
  auto early = (*stream)->ReadToEnd(50ms);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kDeadlineExceeded);
  exited.Open();
  auto body = (*stream)->ReadToEnd(5s);
  ASSERT_TRUE(body.ok()) << body.error().ToString();
  EXPECT_EQ(*body, json);
}

TEST(UnixHttpStream, PeerClosingEndsTheStream) {
  TestServer server([](int fd, const Seen&) {
    SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    SendAll(fd, Chunk("{\"status\":\"start\"}\n"));
    // Returning closes the connection without the last chunk: dockerd going away.
  });
  auto stream = Stream::Open(server.path(), Get("/v1.41/events"), 5s);
  ASSERT_TRUE(stream.ok()) << stream.error().ToString();
  auto line = (*stream)->NextLine(5s);
  ASSERT_TRUE(line.ok()) << line.error().ToString();
  EXPECT_EQ(*line, R"({"status":"start"})");
  line = (*stream)->NextLine(5s);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().code, ErrorCode::kNotFound) << line.error().ToString();
}

TEST(UnixHttpStream, CloseFromAnotherThreadCancelsAWaitingNextLine) {
  TestServer server([](int fd, const Seen&) {
    SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    WaitForClientClose(fd);
  });
  auto stream = Stream::Open(server.path(), Get("/v1.41/events"), 5s);
  ASSERT_TRUE(stream.ok()) << stream.error().ToString();
  Stream& events = **stream;
  auto waiting = std::async(std::launch::async, [&] { return events.NextLine(60s); });
  // Not a synchronisation: Cancelled is the answer whether or not the reader is blocked yet.
  std::this_thread::sleep_for(100ms);
  const auto closed_at = SteadyClock::now();
  events.Close();
  ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
  const auto line = waiting.get();
  EXPECT_LT(SteadyClock::now() - closed_at, 1s);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().code, ErrorCode::kCancelled) << line.error().ToString();
  const auto again = events.NextLine(1s);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kCancelled);
}

}  // namespace
}  // namespace faultline::http
