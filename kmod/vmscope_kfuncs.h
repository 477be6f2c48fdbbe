/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmscope kfuncs: one header for the module (which defines them) and for
 * BPF programs (which call them).  BPF sees them as weak ksyms so that an
 * object loads where the module is absent, as long as the programs that
 * call them are not loaded: user space checks the module's BTF first
 * (libbpf 1.1 cannot resolve bpf_ksym_exists() on a module kfunc).
 */
#ifndef VMSCOPE_KFUNCS_H
#define VMSCOPE_KFUNCS_H

#include "vmscope_uapi.h"

#ifdef __KERNEL__
int vmscope_abi_version(void);
int vmscope_find_vmas(int pid, void *buf, u32 buf__sz, u32 n, u32 flags);
int vmscope_walk(int pid, void *buf, u32 buf__sz);
int vmscope_walk_range(int pid, void *buf, u32 buf__sz);
long vmscope_read(int pid, u64 addr, void *buf, u32 buf__sz);
long vmscope_write(int pid, u64 addr, void *buf, u32 buf__sz, u32 flags);
#else
#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif

extern int vmscope_abi_version(void) __ksym __weak;

/*
 * All below are sleepable (SEC("syscall") programs), take a pid in the
 * caller's pid namespace and return >= 0 or -errno.  Another process needs
 * CAP_SYS_PTRACE; PFNs and physical addresses need CAP_SYS_ADMIN.
 */
/* buf: n struct vms_vmainfo with addr set [+ n names]. Returns found. */
extern int vmscope_find_vmas(int pid, void *buf, __u32 buf__sz, __u32 n,
			     __u32 flags) __ksym __weak;
/* buf: struct vms_walk[] with addr set.  Returns the number walked. */
extern int vmscope_walk(int pid, void *buf, __u32 buf__sz) __ksym __weak;
/* buf: struct vms_range + records + dirs.  Returns records filled. */
extern int vmscope_walk_range(int pid, void *buf, __u32 buf__sz) __ksym __weak;
/* Returns bytes read/written (short at the first inaccessible page). */
extern long vmscope_read(int pid, __u64 addr, void *buf, __u32 buf__sz) __ksym __weak;
extern long vmscope_write(int pid, __u64 addr, void *buf, __u32 buf__sz,
			  __u32 flags) __ksym __weak;
#endif /* __KERNEL__ */

#endif /* VMSCOPE_KFUNCS_H */
