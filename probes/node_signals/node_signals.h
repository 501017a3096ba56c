// Events of the node_signals probe, shared by the BPF program and its C++ loader.
#pragma once

#ifndef __bpf__
#include <linux/types.h>
#endif

#define FL_SIGNAL_COMM_LEN 16

enum fl_signal_event_kind {
  FL_SIGNAL_OOM_KILL = 1,        // the OOM killer chose a victim (pid: it)
  FL_SIGNAL_TCP_RETRANSMIT = 2,  // a TCP segment was retransmitted (netns: of the socket)
  FL_SIGNAL_PACKET_DROP = 3,     // the kernel freed a packet it dropped (arg: drop reason)
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
