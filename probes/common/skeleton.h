// Loading bpftool skeletons in the most capable attach mode the kernel accepts;
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

// How a skeleton's programs attach, most capable first: tracepoints as tp_btf with the fexit
// programs (programs named *_fexit: per-function hooks some kernels refuse), tp_btf alone, or
// raw_tp (programs named *_btf and *_raw declare each tracepoint twice, task.bpf.h).
struct AttachMode {
  const char* name;     // what ProbeStats reports: "tp_btf+fexit", "tp_btf", "raw_tp"
  const char* flavour;  // the suffix of the tracepoint programs kept: "btf" or "raw"
  bool fexit;
};
inline constexpr AttachMode kAttachModes[] = {
    {"tp_btf+fexit", "btf", true}, {"tp_btf", "btf", false}, {"raw_tp", "raw", false}};

// Keeps the programs of MODE and drops the others from loading. False when MODE would load the
// same programs as the mode after it (no fexit program in the object).
bool SelectPrograms(bpf_object* object, const AttachMode& mode);

// Opens, configures, loads and attaches a skeleton in the first attach mode the kernel accepts.
// Returns the attached skeleton (owned by the caller) and sets MODE_NAME.
template <typename Skel>
Result<Skel*> LoadSkeleton(Skel* (*open)(), int (*load)(Skel*), int (*attach)(Skel*),
                           void (*destroy)(Skel*), const std::function<void(Skel*)>& configure,
                           std::string* mode_name) {
  CaptureLibbpfLog();
  std::string errors;
  for (const AttachMode& mode : kAttachModes) {
    Skel* skel = open();
    if (!skel) return FailedPrecondition("cannot open the BPF object: " + TakeLibbpfLog());
    configure(skel);
    if (!SelectPrograms(skel->obj, mode)) {
      destroy(skel);
      continue;
    }
    int err = load(skel);
    if (!err) err = attach(skel);
    if (!err) {
      *mode_name = mode.name;
      TakeLibbpfLog();
      return skel;
    }
    destroy(skel);
    errors += std::string(errors.empty() ? "" : "; ") + mode.name + ": " + std::to_string(err) +
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
