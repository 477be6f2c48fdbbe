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
 * walk.c: walk [r->start, r->end) page by page into recs (max_pages of
 * them) and dirs (ndirs_max), under mmap_read_lock.  Fills r's (out)
 * fields.  Returns the number of records or -errno.
 */
int vms_walk_range(struct mm_struct *mm, struct vms_range *r, u32 max_pages,
		   bool show_pfn, struct vms_prec *recs, struct vms_pdir *dirs,
		   u32 ndirs_max);

/*
 * vma.c: for each of n lookups, the VMA covering vi->addr or the next one,
 * with its /proc/PID/maps name in names[i * VMS_VI_NAME_LEN] when names is
 * not NULL.  Returns how many were found or -errno.
 */
int vms_find_vmas(struct mm_struct *mm, struct vms_vmainfo *vi, u32 n,
		  char *names, unsigned int flags);

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
