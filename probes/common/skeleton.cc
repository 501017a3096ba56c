#include "probes/common/skeleton.h"

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <memory>
#include <vector>

namespace faultline::probes {
namespace {

thread_local std::string libbpf_log;

int PrintToLog(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[512];
  int n = std::vsnprintf(line, sizeof line, format, args);
  // Keep the end: the reason comes last.
  libbpf_log += line;
  if (libbpf_log.size() > 2000) libbpf_log.erase(0, libbpf_log.size() - 2000);
  return n;
}

}  // namespace

void CaptureLibbpfLog() {
  libbpf_set_print(PrintToLog);
}

std::string TakeLibbpfLog() {
  std::string log = std::move(libbpf_log);
  libbpf_log.clear();
  while (!log.empty() && (log.back() == '\n' || log.back() == ' ')) log.pop_back();
  // The last lines say why.
  std::size_t from = log.size();
  for (int lines = 0; lines < 3 && from > 0; ++lines) {
    const std::size_t newline = log.rfind('\n', from - 1);
    if (newline == std::string::npos) return log;
    from = newline;
  }
  return from < log.size() ? log.substr(from + 1) : log;
}

namespace {

bool EndsWith(const std::string& name, const std::string& suffix) {
  return name.size() > suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool SelectPrograms(bpf_object* object, const AttachMode& mode) {
  const std::string flavour = std::string("_") + mode.flavour;
  bool has_fexit = false;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object) {
    const std::string name = bpf_program__name(program);
    const bool fexit = EndsWith(name, "_fexit");
    has_fexit |= fexit;
    bpf_program__set_autoload(program, fexit ? mode.fexit : EndsWith(name, flavour));
  }
  return has_fexit || !mode.fexit;
}

std::uint64_t SumPerCpu(int map_fd) {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return 0;
  std::vector<std::uint64_t> values(static_cast<std::size_t>(cpus));
  std::uint32_t key = 0;
  if (bpf_map_lookup_elem(map_fd, &key, values.data()) != 0) return 0;
  std::uint64_t sum = 0;
  for (std::uint64_t v : values) sum += v;
  return sum;
}

Result<RingReader> RingReader::Open(int map_fd, Handler handle) {
  RingReader reader(std::make_unique<Handler>(std::move(handle)));
  reader.ring_ = ring_buffer__new(map_fd, &RingReader::Callback, reader.handler_.get(), nullptr);
  if (!reader.ring_) return ErrnoError("cannot open the BPF ring buffer", errno);
  return reader;
}

RingReader::RingReader(RingReader&& other) noexcept
    : handler_(std::move(other.handler_)), ring_(other.ring_) {
  other.ring_ = nullptr;
}

RingReader::~RingReader() {
  if (ring_) ring_buffer__free(ring_);
}

int RingReader::Callback(void* ctx, void* data, std::size_t size) {
  (*static_cast<Handler*>(ctx))(data, size);
  return 0;
}

Result<int> RingReader::Consume() {
  int n = ring_buffer__consume(ring_);
  if (n < 0) return ErrnoError("consuming the BPF ring buffer", -n);
  return n;
}

}  // namespace faultline::probes
