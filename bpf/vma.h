/* SPDX-License-Identifier: GPL-2.0 */
/* VMA records: written by vma.bpf.c, read by the CLI.  No libc here. */
#ifndef VMSCOPE_VMA_H
#define VMSCOPE_VMA_H

/* enum vms_name_kind and VMS_R_* are shared with the module. */
#include "vmscope_uapi.h"

#define VMS_NAME_LEN	256
#define VMS_COMM_LEN	16

/*
 * One VMA.  Fixed size so that user space reads whole records; fields are
 * those of /proc/PID/maps, kept raw (vm_flags, kernel dev_t) so the reader
 * decides how to show them.
 */
struct vms_vma {
	__u64 start;
	__u64 end;
	__u64 vm_flags;
	__u64 pgoff;		/* file offset in bytes; 0 for anonymous memory */
	__u64 ino;
	__u32 dev;		/* kernel dev_t: major << 20 | minor */
	__u32 pid;		/* tgid */
	__u32 name_kind;	/* enum vms_name_kind */
	__u32 rflags;
	char comm[VMS_COMM_LEN];
	char name[VMS_NAME_LEN];	/* NUL-terminated */
};

/* vm_flags bits the reader decodes (stable across kernels). */
#define VMS_VM_READ	0x1ull
#define VMS_VM_WRITE	0x2ull
#define VMS_VM_EXEC	0x4ull
#define VMS_VM_SHARED	0x8ull
#define VMS_VM_MAYSHARE	0x80ull

#endif /* VMSCOPE_VMA_H */
