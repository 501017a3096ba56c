// Container start phases: follows the processes of runtime invocations (sessions) and reports,
// with CLOCK_BOOTTIME timestamps, the exec of the runtime, later execs (runtime init, the user
// process), cgroup creation, namespace creation, the fork of a container's pid 1, its first TCP
// LISTEN and its exit. A session starts when a seeded process (a child of a root tgid, e.g. the
// controller) execs a known runtime binary, or, in host mode, when any process does; forks inherit
// the session, so other runtimes on the host stay invisible unless host mode asks for them.
// clang-format off: vmlinux.h first, the libbpf headers need its kernel types.
#include "vmlinux.h"
// clang-format on

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "probes/common/ringbuf.bpf.h"
#include "probes/common/task.bpf.h"
#include "probes/container_start/container_start.h"

char LICENSE[] SEC("license") = "GPL";

#define CLONE_NEW_ANY 0x7E020080ULL  // NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME
#define TCP_LISTEN_STATE 10

// Set by the loader before load.
const volatile bool host_mode = false;  // any exec of a runtime binary starts a session
const volatile char runtime_comms[FL_MAX_RUNTIMES][FL_COMM_LEN] = {};
// Helpers a platform runs per container between its daemon and the runtime (containerd's shim,
// conmon): their exec is reported, not followed as a session.
const volatile char helper_comms[FL_MAX_HELPERS][FL_COMM_LEN] = {};

// Tgids whose children may start sessions (the controller): value ROOT_CHILDREN; or, for a
// platform daemon, any of whose descendants may (containerd -> shim -> runtime): ROOT_DESCENDANTS.
#define ROOT_CHILDREN 1
#define ROOT_DESCENDANTS 2
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u32);
} roots SEC(".maps");

#define SESSION_PENDING 0                // a root's child that has not exec'd yet
#define PENDING_DESCENDANTS 0x80000000u  // flag of a pending process: so are its descendants

struct tracked {
  __u32 session;
  __u32 flags;
  __u64 nsproxy;  // the namespaces this process was last seen in (a session's: its runtime's)
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 32768);
  __type(key, __u32);
  __type(value, struct tracked);
} sessions SEC(".maps");

static __always_inline bool same_comm(const char *comm, const volatile char *known) {
  for (int i = 0; i < FL_COMM_LEN; i++) {
    if (comm[i] != known[i]) return false;
    if (!comm[i]) break;
  }
  return true;
}

// Reads LEN bytes (at most FL_TEXT_LEN) of user memory at FROM into E's text: exactly those,
// because argv and a small environment may end less than FL_TEXT_LEN bytes below the top of the
// stack, and a read past it fails whole.
static __always_inline void read_user_text(struct fl_start_event *e, unsigned long from,
                                           unsigned long len) {
  if (len > FL_TEXT_LEN) len = FL_TEXT_LEN;
  if (bpf_probe_read_user(&e->text, len, (const void *)from) == 0) e->text_len = len;
}

static __always_inline bool is_runtime_comm(const char *comm) {
  for (int r = 0; r < FL_MAX_RUNTIMES; r++) {
    if (!runtime_comms[r][0]) return false;
    if (same_comm(comm, runtime_comms[r])) return true;
  }
  return false;
}

static __always_inline bool is_helper_comm(const char *comm) {
  for (int h = 0; h < FL_MAX_HELPERS; h++) {
    if (!helper_comms[h][0]) return false;
    if (same_comm(comm, helper_comms[h])) return true;
  }
  return false;
}

static __always_inline struct fl_start_event *new_event(__u32 kind, __u32 session,
                                                        struct task_struct *task) {
  struct fl_start_event *e = fl_reserve(sizeof(*e));
  if (!e) return 0;
  e->ts_ns = bpf_ktime_get_boot_ns();
  e->kind = kind;
  e->session = session;
  e->pid = BPF_CORE_READ(task, tgid);
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  fl_task_ns_pid(task, &e->pidns);
  e->text_len = 0;
  e->arg = 0;
  BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
  return e;
}

static __always_inline struct tracked *current_session(void) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct tracked *t = bpf_map_lookup_elem(&sessions, &tgid);
  return t && t->session != SESSION_PENDING ? t : 0;
}

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child) {
  __u32 child_pid = BPF_CORE_READ(child, pid);
  __u32 child_tgid = BPF_CORE_READ(child, tgid);
  if (child_pid != child_tgid) return 0;  // a thread: its process is tracked already
  __u32 parent_tgid = BPF_CORE_READ(parent, tgid);
  struct tracked next = {};
  __u32 *root = bpf_map_lookup_elem(&roots, &parent_tgid);
  if (root) {
    next.session = SESSION_PENDING;
    next.flags = *root == ROOT_DESCENDANTS ? PENDING_DESCENDANTS : 0;
    bpf_map_update_elem(&sessions, &child_tgid, &next, BPF_ANY);
    return 0;
  }
  struct tracked *t = bpf_map_lookup_elem(&sessions, &parent_tgid);
  if (!t) return 0;
  if (t->session == SESSION_PENDING) {
    if (!(t->flags & PENDING_DESCENDANTS)) return 0;
    next.session = SESSION_PENDING;
    next.flags = PENDING_DESCENDANTS;
    bpf_map_update_elem(&sessions, &child_tgid, &next, BPF_ANY);
    return 0;
  }
  next.session = t->session;
  __u32 pidns = 0;
  if (fl_task_ns_pid(child, &pidns) == 1) next.flags |= FL_FLAG_PID1;
  next.nsproxy = (__u64)BPF_CORE_READ(child, nsproxy);
  // The child lives in namespaces its parent was not last seen in: made by this clone()
  // (CLONE_NEW*), or by an unshare() of the parent that no unshare hook saw.
  const bool new_namespaces = next.nsproxy != t->nsproxy;
  t->nsproxy = (__u64)BPF_CORE_READ(parent, nsproxy);
  bpf_map_update_elem(&sessions, &child_tgid, &next, BPF_ANY);
  if (new_namespaces) {
    struct fl_start_event *e = new_event(FL_START_NAMESPACES, next.session, child);
    if (e) fl_submit(e);
  }
  if (next.flags & FL_FLAG_PID1) {
    struct fl_start_event *e = new_event(FL_START_PID1_FORK, next.session, child);
    if (e) {
      e->ppid = parent_tgid;
      fl_submit(e);
    }
  }
  return 0;
}
FL_TRACEPOINT(sched_process_fork, on_fork(parent, child), struct task_struct *parent,
              struct task_struct *child)

static __always_inline int on_exec(struct task_struct *task, struct linux_binprm *bprm) {
  __u32 tgid = BPF_CORE_READ(task, tgid);
  struct tracked *t = bpf_map_lookup_elem(&sessions, &tgid);
  if (t && t->session != SESSION_PENDING) {
    const __u64 nsproxy = (__u64)BPF_CORE_READ(task, nsproxy);
    if (nsproxy != t->nsproxy) {  // unshare() then exec, with no unshare hook attached
      t->nsproxy = nsproxy;
      struct fl_start_event *e = new_event(FL_START_NAMESPACES, t->session, task);
      if (e) fl_submit(e);
    }
    struct fl_start_event *e = new_event(FL_START_EXEC, t->session, task);
    if (!e) return 0;
    e->arg = t->flags;
    const char *filename = BPF_CORE_READ(bprm, filename);
    long n = bpf_probe_read_kernel_str(&e->text, sizeof(e->text), filename);
    e->text_len = n > 0 ? n : 0;
    fl_submit(e);
    return 0;
  }
  if (!t && !host_mode) return 0;
  char comm[FL_COMM_LEN] = {};
  BPF_CORE_READ_STR_INTO(&comm, task, comm);
  if (!is_runtime_comm(comm)) {
    // A root's child running something else; a daemon's descendants stay pending (a shim).
    if (t && !(t->flags & PENDING_DESCENDANTS)) bpf_map_delete_elem(&sessions, &tgid);
    if (t && (t->flags & PENDING_DESCENDANTS) && is_helper_comm(comm)) {
      struct fl_start_event *e = new_event(FL_START_HELPER_EXEC, tgid, task);
      if (!e) return 0;
      // The head of argv: where shims and conmon name their container (-id ID, -c ID).
      unsigned long start = BPF_CORE_READ(task, mm, arg_start);
      read_user_text(e, start, BPF_CORE_READ(task, mm, arg_end) - start);
      fl_submit(e);
    }
    return 0;
  }
  struct tracked started = {
      .session = tgid, .flags = 0, .nsproxy = (__u64)BPF_CORE_READ(task, nsproxy)};
  bpf_map_update_elem(&sessions, &tgid, &started, BPF_ANY);
  struct fl_start_event *e = new_event(FL_START_RUNTIME_EXEC, tgid, task);
  if (!e) return 0;
  // The tail of argv (the container id comes last in runtime command lines).
  unsigned long start = BPF_CORE_READ(task, mm, arg_start);
  unsigned long end = BPF_CORE_READ(task, mm, arg_end);
  unsigned long from = end - start > FL_TEXT_LEN ? end - FL_TEXT_LEN : start;
  read_user_text(e, from, end - from);
  fl_submit(e);
  return 0;
}
FL_TRACEPOINT(sched_process_exec, on_exec(p, bprm), struct task_struct *p, pid_t old_pid,
              struct linux_binprm *bprm)

static __always_inline int on_cgroup_mkdir(struct cgroup *cgrp, const char *path) {
  struct tracked *t = current_session();
  if (!t) return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct fl_start_event *e = new_event(FL_START_CGROUP_MKDIR, t->session, task);
  if (!e) return 0;
  e->arg = BPF_CORE_READ(cgrp, root, hierarchy_id);
  long n = bpf_probe_read_kernel_str(&e->text, sizeof(e->text), path);
  e->text_len = n > 0 ? n : 0;
  fl_submit(e);
  return 0;
}
FL_TRACEPOINT(cgroup_mkdir, on_cgroup_mkdir(cgrp, path), struct cgroup *cgrp, const char *path)

// unshare() creating namespaces, at its return, where the kernel lets a program attach to the
// one function behind the syscall (fexit; the loader drops it where refused). Never a program on
// every syscall exit: that would put every task of the host on the kernel's slow syscall path.
// Without it, the fork or exec after the unshare() reports the new namespaces (above).
SEC("fexit/ksys_unshare")
int BPF_PROG(ksys_unshare_fexit, unsigned long flags, int ret) {
  if (ret != 0 || !(flags & CLONE_NEW_ANY)) return 0;
  struct tracked *t = current_session();
  if (!t) return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  t->nsproxy = (__u64)BPF_CORE_READ(task, nsproxy);  // seen: the next fork is no news
  struct fl_start_event *e = new_event(FL_START_NAMESPACES, t->session, task);
  if (!e) return 0;
  e->arg = flags;
  fl_submit(e);
  return 0;
}

static __always_inline int on_sock_state(const struct sock *sk, int newstate) {
  if (newstate != TCP_LISTEN_STATE) return 0;
  struct tracked *t = current_session();
  if (!t) return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct fl_start_event *e = new_event(FL_START_LISTEN, t->session, task);
  if (!e) return 0;
  e->arg = BPF_CORE_READ(sk, __sk_common.skc_num);
  fl_submit(e);
  return 0;
}
FL_TRACEPOINT(inet_sock_set_state, on_sock_state(sk, newstate), const struct sock *sk, int oldstate,
              int newstate)

static __always_inline int on_exit(struct task_struct *task) {
  if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid)) return 0;
  __u32 tgid = BPF_CORE_READ(task, tgid);
  struct tracked *t = bpf_map_lookup_elem(&sessions, &tgid);
  if (!t) return 0;
  if (t->flags & FL_FLAG_PID1) {
    struct fl_start_event *e = new_event(FL_START_EXIT, t->session, task);
    if (e) {
      e->arg = BPF_CORE_READ(task, exit_code);
      fl_submit(e);
    }
  }
  bpf_map_delete_elem(&sessions, &tgid);
  return 0;
}
FL_TRACEPOINT(sched_process_exit, on_exit(p), struct task_struct *p)
