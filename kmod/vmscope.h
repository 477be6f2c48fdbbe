/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of the vmscope module.  The kfuncs,
 * /proc/mtest and the device all go through these, so each behaviour
 * (the walk, a COW-safe access) exists once.
 */
#ifndef VMSCOPE_H
#define VMSCOPE_H

#include <linux/types.h>
#include "vmscope_uapi.h"

struct mm_struct;

int vmscope_kfuncs_init(void);

/* procfs.c: /proc/vmscope/ and its vmsize entry. */
int vms_procfs_init(void);
void vms_procfs_exit(void);

/* mtest.c: /proc/mtest, the lab's command file. */
int vms_mtest_init(void);
void vms_mtest_exit(void);

/* dev.c: /dev/vmscope, the mmap device. */
int vms_dev_init(void);
void vms_dev_exit(void);

/*
 * task.c: the mm of a process named by a pid in the caller's pid namespace.
 * Returns a reference (mmput() it) or an ERR_PTR: -ESRCH no such process,
 * -EINVAL a kernel thread or an exited process (no mm).
 */
struct mm_struct *vms_get_mm(pid_t pid);

/*
 * walk.c: a read-only snapshot of addr's translation, under
 * mmap_read_lock (taken here).  show_pfn: the caller may see physical
 * addresses (CAP_SYS_ADMIN).  Returns 0 or -errno.
 */
int vms_walk_addr(struct mm_struct *mm, unsigned long addr, bool show_pfn,
		  struct vms_walk *w);

/*
 * access.c: read or write len bytes at addr through the fault path (GUP,
 * kmap, copy, set_page_dirty_lock, put_page), never a raw PFN.  Returns the
 * bytes done (short at the first page that cannot be accessed) or -errno
 * when nothing could be done.
 */
#define VMS_ACC_WRITE	(1u << 0)
#define VMS_ACC_FORCE	(1u << 1)	/* FOLL_FORCE: read-only private -> COW copy */
long vms_access(struct mm_struct *mm, unsigned long addr, void *buf,
		size_t len, unsigned int flags);

#endif /* VMSCOPE_H */
