// Events of the container_start probe, shared by the BPF program and its C++ loader.
#pragma once

#ifndef __bpf__
#include <linux/types.h>
#endif

#define FL_COMM_LEN 16
#define FL_TEXT_LEN 512
#define FL_MAX_RUNTIMES 4
#define FL_MAX_HELPERS 2

enum fl_start_event_kind {
  FL_START_RUNTIME_EXEC = 1,  // a runtime binary exec'd: a session starts (text: argv tail)
  FL_START_EXEC = 2,          // a session process exec'd (arg: FL_FLAG_PID1; text: filename tail)
  FL_START_CGROUP_MKDIR = 3,  // a session process created a cgroup (text: path; arg: hierarchy)
  FL_START_NAMESPACES = 4,    // unshare() or clone() created namespaces (arg: CLONE_NEW* flags)
  FL_START_PID1_FORK = 5,     // a session process forked pid 1 of a new pid namespace (pid: it)
  FL_START_LISTEN = 6,        // a session process put a TCP socket into LISTEN (arg: port)
  FL_START_EXIT = 7,          // a container pid 1 exited (arg: exit code as wait(2) encodes it)
  FL_START_HELPER_EXEC = 8,   // a daemon's descendant exec'd a helper (a shim, conmon) that
                              // starts the runtime for one container (text: argv head)
};

#define FL_FLAG_PID1 1u

struct fl_start_event {
  __u64 ts_ns;     // bpf_ktime_get_boot_ns
  __u32 kind;      // enum fl_start_event_kind
  __u32 session;   // tgid of the runtime process that began the session
  __u32 pid;       // tgid of the process the event is about
  __u32 ppid;      // its parent's tgid (fork: the forking process)
  __u32 pidns;     // inode of the pid namespace the process lives in
  __u32 text_len;  // meaningful bytes of text (argv tails are NUL-separated)
  __u64 arg;
  char comm[FL_COMM_LEN];
  char text[FL_TEXT_LEN];
};
