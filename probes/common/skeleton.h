// Loading bpftool skeletons: tp_btf programs first, raw_tp programs when the kernel refuses them;
// the ring buffer and its reservation-failure counter every probe shares (ringbuf.bpf.h).
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "harness/core/result.h"

namespace faultline::probes {

// libbpf's log lines of the current thread's last load, for error messages (libbpf would
// otherwise print them on stderr).
void CaptureLibbpfLog();
std::string TakeLibbpfLog();

// Keeps the programs of one flavour ("btf" or "raw": the suffix of their names) and drops the
// others from loading.
void SelectFlavour(bpf_object* object, const std::string& flavour);

// Opens, configures, loads and attaches a skeleton, trying tp_btf then raw_tp. Returns the
// attached skeleton (owned by the caller) and sets FLAVOUR.
template <typename Skel>
Result<Skel*> LoadSkeleton(Skel* (*open)(), int (*load)(Skel*), int (*attach)(Skel*),
                           void (*destroy)(Skel*), const std::function<void(Skel*)>& configure,
                           std::string* flavour) {
  CaptureLibbpfLog();
  std::string errors;
  for (const char* candidate : {"btf", "raw"}) {
    Skel* skel = open();
    if (!skel) return FailedPrecondition("cannot open the BPF object: " + TakeLibbpfLog());
    configure(skel);
    SelectFlavour(skel->obj, candidate);
    int err = load(skel);
    if (!err) err = attach(skel);
    if (!err) {
      *flavour = candidate == std::string("btf") ? "tp_btf" : "raw_tp";
      TakeLibbpfLog();
      return skel;
    }
    destroy(skel);
    errors += std::string(errors.empty() ? "" : "; ") + candidate + ": " + std::to_string(err) +
              " " + TakeLibbpfLog();
  }
  return FailedPrecondition("BPF load failed (" + errors + ")");
}

// Sum of a per-CPU u64 counter at key 0.
std::uint64_t SumPerCpu(int map_fd);

// A ring buffer consumer calling HANDLE for each record; consumed by Consume(), never woken.
class RingReader {
 public:
  using Handler = std::function<void(const void* data, std::size_t size)>;
  static Result<RingReader> Open(int map_fd, Handler handle);
  RingReader(RingReader&& other) noexcept;
  RingReader& operator=(RingReader&&) = delete;
  ~RingReader();
  // Records consumed, or an error.
  Result<int> Consume();

 private:
  explicit RingReader(std::unique_ptr<Handler> handler) : handler_(std::move(handler)) {}
  static int Callback(void* ctx, void* data, std::size_t size);
  std::unique_ptr<Handler> handler_;
  ring_buffer* ring_ = nullptr;
};

}  // namespace faultline::probes
