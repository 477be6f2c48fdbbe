/* SPDX-License-Identifier: GPL-2.0 */
/* VMA records: written by vma.bpf.c, read by the CLI.  No libc here. */
#ifndef VMSCOPE_VMA_H
#define VMSCOPE_VMA_H

#if !defined(__KERNEL__) && !defined(__VMLINUX_H__)
#include <linux/types.h>
#endif

#define VMS_NAME_MAX	4096	/* PATH_MAX: the longest name, with its NUL */
#define VMS_COMM_LEN	16

/*
 * Names live in a string table beside the records, so a record stays small
 * (64 bytes) and a file's path is stored once however many VMAs map it.
 * The table is an array of chunks; a string never crosses a chunk.
 */
#define VMS_STR_CHUNK	65536
#define VMS_STR_CHUNKS	64

/* enum vms_name_kind and VMS_R_* are shared with the module. */
#include "vmscope_uapi.h"

/*
 * One VMA: the fields of /proc/PID/maps, kept raw (vm_flags, kernel dev_t)
 * so the reader decides how to show them.  Fixed size.
 */
struct vms_vma {
	__u64 start;
	__u64 end;
	__u64 vm_flags;
	__u64 pgoff;		/* file offset in bytes; 0 for anonymous memory */
	__u64 ino;
	__u32 dev;		/* kernel dev_t: major << 20 | minor */
	__u32 pid;		/* tgid */
	__u32 name_off;		/* string table offset of the name (if name_len) */
	__u16 name_len;		/* without the NUL; 0: no name */
	__u8 name_kind;		/* enum vms_name_kind */
	__u8 rflags;
	__u32 comm_off;		/* string table offset of the process's comm */
	__u32 reserved;
};

/* vm_flags bits the reader decodes (stable across kernels). */
#define VMS_VM_READ	0x1ull
#define VMS_VM_WRITE	0x2ull
#define VMS_VM_EXEC	0x4ull
#define VMS_VM_SHARED	0x8ull
#define VMS_VM_MAYSHARE	0x80ull

#endif /* VMSCOPE_VMA_H */
