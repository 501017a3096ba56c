// Task helpers shared by probes. Every read goes through CO-RE probe reads, so the same code
// serves tp_btf programs and their raw_tp fallbacks.
#pragma once

// clang-format off: vmlinux.h first, the libbpf headers need its kernel types.
#include "vmlinux.h"
// clang-format on

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

// The task's pid as seen in its own (innermost) pid namespace, and that namespace's inode.
static __always_inline int fl_task_ns_pid(struct task_struct *task, __u32 *pidns_inum) {
  struct pid *pid = BPF_CORE_READ(task, thread_pid);
  unsigned int level = BPF_CORE_READ(pid, level);
  struct upid upid = {};
  bpf_probe_read_kernel(&upid, sizeof(upid),
                        (void *)pid + bpf_core_field_offset(struct pid, numbers) +
                            (level & 31) * sizeof(struct upid));
  if (pidns_inum) *pidns_inum = BPF_CORE_READ(upid.ns, ns.inum);
  return upid.nr;
}

static __always_inline __u32 fl_task_netns(struct task_struct *task) {
  return BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
}

// Declares a tracepoint handler twice: as tp_btf (preferred) and as raw_tp (fallback); the
// loader keeps the flavour this kernel accepts. BODY is a function taking the typed arguments.
#define FL_TRACEPOINT(tp, body, ...)      \
  SEC("tp_btf/" #tp)                      \
  int BPF_PROG(tp##_btf, ##__VA_ARGS__) { \
    return body;                          \
  }                                       \
  SEC("raw_tp/" #tp)                      \
  int BPF_PROG(tp##_raw, ##__VA_ARGS__) { \
    return body;                          \
  }
