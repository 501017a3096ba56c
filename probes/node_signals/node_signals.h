// Events of the node_signals probe, shared by the BPF program and its C++ loader.
#pragma once

#ifndef __bpf__
#include <linux/types.h>
#endif

#define FL_SIGNAL_COMM_LEN 16

enum fl_signal_event_kind {
  FL_SIGNAL_OOM_KILL = 1,        // the OOM killer chose a victim (pid: it)
  FL_SIGNAL_TCP_RETRANSMIT = 2,  // TCP segments retransmitted (counted: packet_counts)
  FL_SIGNAL_PACKET_DROP = 3,     // packets the kernel dropped (counted: packet_counts)
  FL_SIGNAL_SIGNAL_EXIT = 4,     // a process was killed by a signal (arg: the signal)
};

struct fl_signal_event {
  __u64 ts_ns;  // bpf_ktime_get_boot_ns
  __u32 kind;   // enum fl_signal_event_kind
  __u32 pid;    // tgid of the process concerned (0 for packets)
  __u32 pidns;  // inode of its pid namespace (0 for packets)
  __u32 netns;  // inode of the network namespace (packets, retransmits, processes)
  __u64 arg;
  char comm[FL_SIGNAL_COMM_LEN];
};

// Per-packet signals are counted in a kernel map, per network namespace and drop reason, and read
// by the loader at each poll: one ring-buffer event per packet would cost a reservation per
// dropped packet and lose events under a flood.
#define FL_PACKET_KEYS 4096

struct fl_packet_key {
  __u32 kind;    // FL_SIGNAL_TCP_RETRANSMIT or FL_SIGNAL_PACKET_DROP
  __u32 netns;   // inode of the network namespace
  __u32 reason;  // enum skb_drop_reason value of the running kernel (drops), 0 otherwise
  __u32 pad;
};

struct fl_packet_count {  // per CPU
  __u64 count;
  __u64 last_ns;  // bpf_ktime_get_boot_ns of the latest packet counted
};
