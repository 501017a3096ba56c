// dockerd's own account of when the run's containers died: the Engine API's event stream
// (GET /events, one JSON object per line, filtered to the run's "die" events), followed by a
// thread of its own, each event stamped by dockerd (timeNano). When the daemon goes away (a
// platform fault) the stream is opened again from the last event seen, so none is lost.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "harness/core/clock.h"
#include "harness/core/result.h"
#include "harness/drivers/daemon/exit_book.h"
#include "harness/drivers/http/unix_http.h"

namespace faultline::drivers::docker {

class DieEvents {
 public:
  // Follows the events of containers labelled with RUN_ID on the daemon at SOCKET, from now.
  DieEvents(std::string socket, std::string api_version, std::string run_id);
  ~DieEvents();
  DieEvents(const DieEvents&) = delete;
  DieEvents& operator=(const DieEvents&) = delete;

  // When container NAME died (CLOCK_BOOTTIME ns), waiting up to TIMEOUT; DeadlineExceeded or
  // Cancelled (CANCEL set) when it has not.
  Result<std::int64_t> WaitDied(const std::string& name, Nanos timeout,
                                const std::atomic<bool>* cancel) {
    return exits_.Wait(name, timeout, cancel);
  }

 private:
  void Follow();
  // The request for events since SINCE_NS (ns since the epoch).
  http::Request Request(std::int64_t since_ns) const;

  std::string socket_, api_version_, run_id_;
  std::mutex mu_;
  std::condition_variable changed_;
  ExitBook exits_;
  std::int64_t last_ns_ = 0;  // epoch ns of the last event seen
  bool stop_ = false;
  std::unique_ptr<http::Stream> stream_;  // the open stream, closed by the destructor
  std::thread follower_;
};

}  // namespace faultline::drivers::docker
