/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What backs a VMA, the same way for every command that says it (explain,
 * share, thp): anonymous memory, a file, shmem (tmpfs files, memfds, shared
 * anonymous memory, SysV segments), hugetlb, the kernel's special mappings,
 * or a PFN map.  vm_flags must be the full word (the module's or the BPF
 * listing's); from /proc/PID/maps text hugetlb and PFN maps are missed.
 */
#ifndef VMSCOPE_BACKING_H
#define VMSCOPE_BACKING_H

#include <sys/types.h>
#include "vmscope_uapi.h"

enum backing { BK_ANON, BK_FILE, BK_SHMEM, BK_HUGETLB, BK_SPECIAL, BK_PFNMAP, BK_NR };
extern const char *const backing_names[BK_NR];	/* "anon", "file", ... */

/* vm_flags bits that are the same on every kernel (include/linux/mm.h). */
#define VMS_VM_PFNMAP		(1ull << 10)
#define VMS_VM_IO		(1ull << 14)
#define VMS_VM_HUGETLB		(1ull << 22)
#define VMS_VM_MIXEDMAP		(1ull << 28)
#define VMS_VM_HUGEPAGE		(1ull << 29)
#define VMS_VM_NOHUGEPAGE	(1ull << 30)
#define VMS_VM_MERGEABLE	(1ull << 31)

/*
 * The backing of VMA v of pid, named name; *what (may be NULL) gets words
 * for shmem and hugetlb ("a memfd", "a tmpfs file", ...) or NULL.  A file
 * on a mount without a device is asked whether it is tmpfs through
 * /proc/PID/map_files (root).
 */
enum backing vma_backing(pid_t pid, const struct vms_vma *v, const char *name,
			 const char **what);

#endif /* VMSCOPE_BACKING_H */
