/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The listings' string table: written by the listing programs
 * (vma_rec.bpf.h, for vma_seq.bpf.c, vma_fast.bpf.c and vma_pid.bpf.c),
 * read by the CLI (user/vmalist.c).  The records themselves (struct
 * vms_vma) are shared with the module's lookup kfunc in vmscope_uapi.h.
 * No libc here.
 */
#ifndef VMSCOPE_VMA_H
#define VMSCOPE_VMA_H

#if !defined(__KERNEL__) && !defined(__VMLINUX_H__)
#include <linux/types.h>
#endif

#include "vmscope_uapi.h"

/*
 * The string table is an array of chunks; a string never crosses a chunk,
 * so a BPF program can bound every write by the chunk it is in.
 */
#define VMS_STR_CHUNK	65536
#define VMS_STR_CHUNKS	64	/* the most; user space sizes it per listing */

/* Records the fast listing holds per pass (user space may size it down). */
#define VMS_FAST_CAP	16384

/* How the listings name file mappings (rodata name_route, vma_name.bpf.h). */
#define VMS_NAMES_D_PATH	0	/* bpf_d_path() */
#define VMS_NAMES_WALK		1	/* the dentry and mount chains, read in BPF */

/* The [vsyscall] gate VMA of x86-64: never in the VMA tree, always here. */
#define VMS_VSYSCALL_START	0xffffffffff600000ull
#define VMS_VSYSCALL_END	0xffffffffff601000ull

#endif /* VMSCOPE_VMA_H */
