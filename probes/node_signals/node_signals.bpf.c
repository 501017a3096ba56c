// Node and fault signals, host-wide: OOM kills, TCP retransmissions and packet drops (with the
// kernel's drop reason) per network namespace, and processes killed by signals. Joined to
// containers and time windows in user space.
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

static __always_inline int on_retransmit(const struct sock *sk) {
  struct fl_signal_event *e = new_event(FL_SIGNAL_TCP_RETRANSMIT);
  if (!e) return 0;
  e->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
  e->arg = BPF_CORE_READ(sk, __sk_common.skc_num);
  fl_submit(e);
  return 0;
}
FL_TRACEPOINT(tcp_retransmit_skb, on_retransmit(sk), const struct sock *sk,
              const struct sk_buff *skb)

static __always_inline int on_kfree_skb(struct sk_buff *skb, int reason) {
  if (reason <= SKB_CONSUMED) return 0;  // not a drop
  struct fl_signal_event *e = new_event(FL_SIGNAL_PACKET_DROP);
  if (!e) return 0;
  struct net_device *dev = BPF_CORE_READ(skb, dev);
  struct sock *sk = BPF_CORE_READ(skb, sk);
  if (dev) {
    e->netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
  } else if (sk) {
    e->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
  }
  e->arg = reason;
  fl_submit(e);
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
