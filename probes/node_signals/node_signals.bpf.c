// Node and fault signals, host-wide: OOM kills and processes killed by signals (one event each),
// TCP retransmissions and packet drops (counted in a map per network namespace and, for drops,
// the kernel's drop reason). Joined to containers and time windows in user space.
// clang-format off: vmlinux.h first, the libbpf headers need its kernel types.
#include "vmlinux.h"
// clang-format on

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "probes/common/ringbuf.bpf.h"
#include "probes/common/task.bpf.h"
#include "probes/node_signals/node_signals.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline struct fl_signal_event *new_event(__u32 kind) {
  struct fl_signal_event *e = fl_reserve(sizeof(*e));
  if (!e) return 0;
  __builtin_memset(e, 0, sizeof(*e));
  e->ts_ns = bpf_ktime_get_boot_ns();
  e->kind = kind;
  return e;
}

static __always_inline void describe_task(struct fl_signal_event *e, struct task_struct *task) {
  e->pid = BPF_CORE_READ(task, tgid);
  fl_task_ns_pid(task, &e->pidns);
  e->netns = fl_task_netns(task);
  BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
}

static __always_inline int on_mark_victim(struct task_struct *task) {
  struct fl_signal_event *e = new_event(FL_SIGNAL_OOM_KILL);
  if (!e) return 0;
  describe_task(e, task);
  fl_submit(e);
  return 0;
}
FL_TRACEPOINT(mark_victim, on_mark_victim(task), struct task_struct *task)

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, FL_PACKET_KEYS);
  __type(key, struct fl_packet_key);
  __type(value, struct fl_packet_count);
} packet_counts SEC(".maps");

static __always_inline void count_packet(__u32 kind, __u32 netns, __u32 reason) {
  struct fl_packet_key key = {.kind = kind, .netns = netns, .reason = reason};
  const __u64 now = bpf_ktime_get_boot_ns();
  struct fl_packet_count *c = bpf_map_lookup_elem(&packet_counts, &key);
  if (!c) {
    struct fl_packet_count first = {.count = 1, .last_ns = now};
    if (!bpf_map_update_elem(&packet_counts, &key, &first, BPF_NOEXIST)) return;
    c = bpf_map_lookup_elem(&packet_counts, &key);  // another CPU inserted it meanwhile
    if (!c) {
      fl_count_lost();  // the map is full
      return;
    }
  }
  // Atomic: a softirq on this CPU may count into the same slot.
  __sync_fetch_and_add(&c->count, 1);
  c->last_ns = now;
}

static __always_inline int on_retransmit(const struct sock *sk) {
  count_packet(FL_SIGNAL_TCP_RETRANSMIT, BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum), 0);
  return 0;
}
FL_TRACEPOINT(tcp_retransmit_skb, on_retransmit(sk), const struct sock *sk,
              const struct sk_buff *skb)

// Whether REASON is a drop, by the running kernel's values (CO-RE): SKB_CONSUMED, which some
// kernels pass for packets freed after use, does not exist before 6.3.
static __always_inline bool is_drop(int reason) {
  if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_NOT_DROPPED_YET)) return false;
  if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_CONSUMED) &&
      reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED)) {
    return false;
  }
  return true;
}

static __always_inline int on_kfree_skb(struct sk_buff *skb, int reason) {
  if (!is_drop(reason)) return 0;
  __u32 netns = 0;
  struct net_device *dev = BPF_CORE_READ(skb, dev);
  struct sock *sk = BPF_CORE_READ(skb, sk);
  if (dev) {
    netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
  } else if (sk) {
    netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
  }
  count_packet(FL_SIGNAL_PACKET_DROP, netns, reason);
  return 0;
}
FL_TRACEPOINT(kfree_skb, on_kfree_skb(skb, reason), struct sk_buff *skb, void *location, int reason)

static __always_inline int on_exit(struct task_struct *task) {
  if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid)) return 0;
  int code = BPF_CORE_READ(task, exit_code);
  if (!(code & 0x7f)) return 0;
  struct fl_signal_event *e = new_event(FL_SIGNAL_SIGNAL_EXIT);
  if (!e) return 0;
  describe_task(e, task);
  e->arg = code & 0x7f;
  fl_submit(e);
  return 0;
}
FL_TRACEPOINT(sched_process_exit, on_exit(p), struct task_struct *p)
