// The event ring buffer every probe writes to, with lazy wakeup: the consumer polls every
// ~20 ms instead of being woken per event (waking per event measurably slows container starts).
// Reservation failures are counted per CPU, so a lost event is never silent.
#pragma once

// clang-format off: vmlinux.h first, the libbpf headers need its kernel types.
#include "vmlinux.h"
// clang-format on

#include <bpf/bpf_helpers.h>

// Small on purpose: the controller maps the buffer, and every fork of the controller (each
// runtime call) copies those page tables. 8 MiB buffers made starts 10-18% slower; 256 KiB holds
// about a second of events at the highest start rates measured (docs/PERFORMANCE.md).
#ifndef FL_RINGBUF_BYTES
#define FL_RINGBUF_BYTES (256 << 10)
#endif

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, FL_RINGBUF_BYTES);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} reserve_failures SEC(".maps");

// Counts a record lost (no room in the ring buffer or a full counting map).
static __always_inline void fl_count_lost(void) {
  __u32 zero = 0;
  __u64 *failures = bpf_map_lookup_elem(&reserve_failures, &zero);
  if (failures) *failures += 1;
}

static __always_inline void *fl_reserve(__u64 size) {
  void *event = bpf_ringbuf_reserve(&events, size, 0);
  if (!event) fl_count_lost();
  return event;
}

static __always_inline void fl_submit(void *event) {
  bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
}
