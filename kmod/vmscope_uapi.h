/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Types and numbers shared by the vmscope module, its BPF programs, the CLI
 * and the tests.  Only __u64-style types: this file is included by kernel
 * code, by BPF code (vmlinux.h) and by user space (<linux/types.h>).
 */
#ifndef VMSCOPE_UAPI_H
#define VMSCOPE_UAPI_H

#if !defined(__KERNEL__) && !defined(__VMLINUX_H__)
#include <linux/types.h>
#endif

/*
 * Bumped on any change to a kfunc prototype or to a structure below.  The
 * CLI refuses to drive a module whose ABI differs from the one it was built
 * with.
 */
#define VMSCOPE_ABI_VERSION	1

#endif /* VMSCOPE_UAPI_H */
