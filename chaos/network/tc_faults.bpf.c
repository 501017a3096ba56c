// tc classifiers (cls_bpf, direct action) for network.duplicate and network.corrupt, attached
// on a node link's egress. Each acts on a wire packet with probability threshold / 2^32, set in
// .rodata before load.
// vmlinux.h must come before the libbpf headers that use its types.
// clang-format off
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
// clang-format on

#define TC_ACT_OK 0
#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define IP_MF_AND_OFFSET 0x3fff

const volatile __u64 threshold = 0;  // probability * 2^32
// Marks the copy bpf_clone_redirect sends back through this hook, so it is not copied again.
#define COPY_MARK 0xfa1dc0deu

static __always_inline int Hit(void) {
  return (__u64)bpf_get_prandom_u32() < threshold;
}

SEC("tc")
int fl_duplicate(struct __sk_buff *skb) {
  if (skb->mark == COPY_MARK) {
    skb->mark = 0;
    return TC_ACT_OK;
  }
  if (!Hit()) return TC_ACT_OK;
  const __u32 mark = skb->mark;
  skb->mark = COPY_MARK;
  bpf_clone_redirect(skb, skb->ifindex, 0);
  skb->mark = mark;
  return TC_ACT_OK;
}

// Flips every bit of the last payload byte of unfragmented IPv4 UDP and TCP packets that carry
// a payload. Checksums are left as they are (see docs/FAULTS.md).
SEC("tc")
int fl_corrupt(struct __sk_buff *skb) {
  if (skb->protocol != bpf_htons(ETH_P_IP)) return TC_ACT_OK;
  struct iphdr ip;
  if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof ip) < 0) return TC_ACT_OK;
  if (ip.frag_off & bpf_htons(IP_MF_AND_OFFSET)) return TC_ACT_OK;
  const __u32 l4 = ETH_HLEN + ip.ihl * 4;
  __u32 payload;
  if (ip.protocol == IPPROTO_UDP) {
    payload = l4 + sizeof(struct udphdr);
  } else if (ip.protocol == IPPROTO_TCP) {
    __u8 doff;
    if (bpf_skb_load_bytes(skb, l4 + 12, &doff, 1) < 0) return TC_ACT_OK;
    payload = l4 + (doff >> 4) * 4;
  } else {
    return TC_ACT_OK;
  }
  if (skb->len <= payload || !Hit()) return TC_ACT_OK;
  const __u32 last = skb->len - 1;
  __u8 byte;
  if (bpf_skb_load_bytes(skb, last, &byte, 1) < 0) return TC_ACT_OK;
  byte ^= 0xff;
  bpf_skb_store_bytes(skb, last, &byte, 1, 0);
  return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
