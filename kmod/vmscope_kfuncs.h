/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmscope kfuncs, declared once for the module (which defines them) and for
 * BPF programs (which call them; there they are weak ksyms, so an object
 * loads where the module is absent as long as the programs that call them
 * are not loaded: user space checks the module's BTF first, because
 * libbpf 1.1 cannot resolve bpf_ksym_exists() on a module kfunc).
 *
 * Who may call what (kmod/policy.c has the rules in one place):
 *  - vmscope_abi_version(): any BPF program type the module registers for
 *    (TRACING and SYSCALL).
 *  - everything else: SEC("syscall") programs only.  Every permission
 *    check is about the task running the program (current), which for a
 *    syscall program is the task that called BPF_PROG_TEST_RUN.
 *  - The memory kfuncs take a call token for one process, which the
 *    program's own body gets from vmscope_call_begin(pid) (the permission
 *    check happens there) and must give back with vmscope_call_end()
 *    before it returns (the verifier enforces both).  A callback that runs
 *    later (bpf_timer, bpf_wq, bpf_task_work) cannot hold one, so the
 *    verifier refuses a program that tries.
 *  - They never block on mmap_lock and never wait for a fault: where
 *    they would, they return -EAGAIN and the caller tries again after the
 *    program returned.  Called where the caller holds a spinlock or is in
 *    an RCU read section, they return -EDEADLK.  Other errors are -errno;
 *    pids are in the caller's pid namespace.  Another process needs
 *    CAP_SYS_PTRACE; physical addresses and page state need CAP_SYS_ADMIN.
 */
#ifndef VMSCOPE_KFUNCS_H
#define VMSCOPE_KFUNCS_H

#include "vmscope_uapi.h"

#ifdef __KERNEL__
#define VMS_KFUNC(ret, name, ...)	ret name(__VA_ARGS__)
#else
#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#define VMS_KFUNC(ret, name, ...)	extern ret name(__VA_ARGS__) __ksym __weak
#endif

/*
 * The token's type.  Its fields are the module's own (kmod/vmscope.h); BPF
 * sees an empty struct, never a forward declaration: libbpf checks a kfunc
 * extern against the kernel's prototype, and a forward declaration is not
 * the same BTF kind as the module's struct.
 */
#ifdef __KERNEL__
struct vms_call;
#else
struct vms_call {
};
#endif

/* The ABI this module speaks (VMSCOPE_ABI_VERSION).  Never changes shape. */
VMS_KFUNC(int, vmscope_abi_version, void);
/*
 * A call token for process pid (in the caller's pid namespace), for this
 * program run; NULL with *err = -errno: -ESRCH, -EINVAL (a kernel thread
 * or an exited process), -EPERM (another's process without
 * CAP_SYS_PTRACE; or not called by the program's own task), -EDEADLK (a
 * lock or an RCU read section is held), -ENOMEM, -EAGAIN (ask again).
 */
VMS_KFUNC(struct vms_call *, vmscope_call_begin, int pid, int *err);
VMS_KFUNC(void, vmscope_call_end, struct vms_call *call);
/* buf: struct vms_find + records + string area.  Returns records filled. */
VMS_KFUNC(int, vmscope_find_vmas, struct vms_call *call, void *buf, __u32 buf__sz);
/* buf: struct vms_walk[] with addr set; each gets its own err.  Returns how
 * many were answered (fewer: ask again for the rest) or -errno. */
VMS_KFUNC(int, vmscope_walk, struct vms_call *call, void *buf, __u32 buf__sz);
/* buf: struct vms_range + records + dirs.  Returns records filled. */
VMS_KFUNC(int, vmscope_walk_range, struct vms_call *call, void *buf, __u32 buf__sz);
/* Returns the bytes read (short where it stopped: ask again from there) or
 * -errno. */
VMS_KFUNC(long, vmscope_read, struct vms_call *call, __u64 addr, void *buf, __u32 buf__sz);
/* All or nothing: returns buf__sz, or -errno with no byte written. */
VMS_KFUNC(long, vmscope_write, struct vms_call *call, __u64 addr, void *buf, __u32 buf__sz,
	  __u32 flags);
/* buf: old bytes then new bytes.  Returns buf__sz / 2 when written,
 * -ECANCELED when the bytes were not old (nothing written), or -errno. */
VMS_KFUNC(long, vmscope_cmpxchg, struct vms_call *call, __u64 addr, void *buf, __u32 buf__sz,
	  __u32 flags);
/* buf: struct vms_share + records.  Returns records filled or -errno;
 * CAP_SYS_ADMIN and CAP_SYS_PTRACE. */
VMS_KFUNC(int, vmscope_page_sharers, struct vms_call *call, void *buf, __u32 buf__sz);

#endif /* VMSCOPE_KFUNCS_H */
