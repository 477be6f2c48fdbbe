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
 *  - everything else: SEC("syscall") programs only.  They may sleep and
 *    take mmap_lock, and every permission check is about the task running
 *    the program (current), which for a syscall program is the task that
 *    called BPF_PROG_TEST_RUN.  They take a pid in that task's pid namespace
 *    and return >= 0 or -errno.  Another process needs CAP_SYS_PTRACE;
 *    physical addresses and page state need CAP_SYS_ADMIN.
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

/* The ABI this module speaks (VMSCOPE_ABI_VERSION).  Never changes shape. */
VMS_KFUNC(int, vmscope_abi_version, void);
/* buf: struct vms_find + records + string area.  Returns records filled. */
VMS_KFUNC(int, vmscope_find_vmas, int pid, void *buf, __u32 buf__sz);
/* buf: struct vms_walk[] with addr set; each gets its own err.  Returns n. */
VMS_KFUNC(int, vmscope_walk, int pid, void *buf, __u32 buf__sz);
/* buf: struct vms_range + records + dirs.  Returns records filled. */
VMS_KFUNC(int, vmscope_walk_range, int pid, void *buf, __u32 buf__sz);
/* Returns the bytes read (short at the first unreadable page) or -errno. */
VMS_KFUNC(long, vmscope_read, int pid, __u64 addr, void *buf, __u32 buf__sz);
/* All or nothing: returns buf__sz, or -errno with no byte written. */
VMS_KFUNC(long, vmscope_write, int pid, __u64 addr, void *buf, __u32 buf__sz,
	  __u32 flags);

#endif /* VMSCOPE_KFUNCS_H */
