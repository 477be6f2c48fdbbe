/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of the vmscope module.  The kfuncs,
 * /proc/mtest and the device all go through these, so each behaviour
 * (the walk, a COW-safe access, a permission check) exists once.
 *
 * Unless said otherwise, results are written to kernel memory: callers
 * that serve a buffer user space can see copy them out once.
 */
#ifndef VMSCOPE_H
#define VMSCOPE_H

#include <linux/sched.h>	/* TASK_COMM_LEN */
#include <linux/types.h>
#include "vmscope_uapi.h"

struct file;
struct mm_struct;

int vms_kfuncs_init(void);

/* procfs.c: /proc/vmscope/ and its vmsize entry. */
int vms_procfs_init(void);
void vms_procfs_exit(void);

/* mtest.c: /proc/mtest, the lab's command file. */
int vms_mtest_init(void);
void vms_mtest_exit(void);

/* maptest.c: /proc/maptest, the labs' one-page mmap file. */
int vms_maptest_init(void);
void vms_maptest_exit(void);

/* dev.c: /dev/vmscope, the mmap device. */
int vms_dev_init(void);
void vms_dev_exit(void);

/* Who a request is for: what a listing in several calls checks. */
struct vms_who {
	u64 mm_id;			/* vms_get_mm(): keyed hash, never a pointer */
	char comm[TASK_COMM_LEN];
};

/*
 * policy.c: who may do what; the rules are written out there, once.
 * file: the open file the request came through (its opener's credentials
 * count too), or NULL for kfuncs.
 */
struct mm_struct *vms_get_mm_checked(pid_t pid, const struct file *file,
				     struct vms_who *who);
bool vms_may_see_phys(const struct file *file);
bool vms_may_force(void);

/*
 * kfuncs.c: the call token of rule 5a, from vmscope_call_begin() to
 * vmscope_call_end() of one program run: whose run it is, and the mm (a
 * reference) of the process it may look into.  policy.c checks, rule 5:
 * vms_kfunc_begin(caller, frame, call) for vmscope_call_begin() (caller:
 * its return address, frame: its frame record; it fills in call->main and
 * call->main_len), vms_kfunc_context(call, caller, frame) for every memory
 * kfunc.  Each returns
 * 0, -EDEADLK (a lock or an RCU read section is held, or not a task, or,
 * on a kernel without a preempt count, a caller outside the program's main
 * function), -EPERM, or (begin) -EAGAIN when it could not look at the
 * call's attr now.
 */
#define VMS_CALL_MAGIC	0x766d7363616c6cUL	/* "vmscall" */
struct vms_call {
	unsigned long magic;
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned long main;	/* the JIT image of the program's main function */
	unsigned long main_len;
	struct vms_who who;		/* the process, when the token was made */
};
int vms_kfunc_begin(unsigned long caller, unsigned long frame, struct vms_call *call);
int vms_kfunc_context(const struct vms_call *call, unsigned long caller, unsigned long frame);

/*
 * How long a request may wait (rule 5c/d): the kfuncs never block on
 * mmap_lock or on a fault (VMS_NOWAIT: -EAGAIN instead); /proc/mtest and
 * the device wait killably.
 */
#define VMS_NOWAIT	true
#define VMS_WAIT	false
/* task.c: mmap_read_lock, killable or a trylock: 0, -EINTR or -EAGAIN. */
int vms_mmap_read_lock(struct mm_struct *mm, bool nowait);

/*
 * task.c: the mm of a process named by a pid in the caller's pid namespace.
 * Returns a reference (mmput() it) or an ERR_PTR: -ESRCH no such process,
 * -EINVAL a kernel thread or an exited process (no mm).  No permission
 * check: use vms_get_mm_checked().  who (or NULL): the task's name and an
 * identity of the mm (vms_task_init() keys it, at module load).
 */
struct mm_struct *vms_get_mm(pid_t pid, struct vms_who *who);
void vms_task_init(void);

/*
 * walk.c: a read-only snapshot of addr's translation into *w, under
 * mmap_read_lock (taken here; nowait: trylocked, -EAGAIN).  priv: the
 * caller may see physical addresses and page state.  Returns 0 or -errno.
 */
int vms_walk_addr(struct mm_struct *mm, unsigned long addr, bool priv, bool nowait,
		  struct vms_walk *w);

/* walk.c: a range walk (see struct vms_range in vmscope_uapi.h). */
struct vms_range_args {
	unsigned long start, end;	/* in */
	u32 max_pages, max_dirs;	/* in: room at recs and dirs */
	bool priv;			/* in */
	bool nowait;			/* in: VMS_NOWAIT */
	struct vms_prec *recs;		/* out: written once, never read */
	struct vms_pdir *dirs;		/* out: written once, never read */
	struct vms_range hdr;		/* out: first, next, npages, ndirs, ... */
};
/* Returns the number of records or -errno (with hdr filled either way). */
int vms_walk_range(struct mm_struct *mm, struct vms_range_args *a);

/*
 * vma.c: the name column of /proc/PID/maps for vma (mmap_lock held): a
 * string in buf (size bytes), or a constant.  *kind is enum vms_name_kind,
 * *rflags VMS_R_*.  File names are not escaped.
 */
struct vm_area_struct;
const char *vms_vma_name(struct vm_area_struct *vma, char *buf, size_t size,
			 u32 *kind, u32 *rflags);

/*
 * vma.c: for each of n lookups, the VMA covering vi[i].addr or the next
 * one (PROCMAP_QUERY's COVERING_OR_NEXT); with VMS_FIND_NAME, names are
 * appended to str (str_room bytes; *str_len in/out).  vi and str may be
 * user-visible: written once, never read back; vi[i].addr is read once
 * (with VMS_FIND_CHAIN only vi[0].addr: the others follow the VMAs found).
 * Returns how many records were filled (fewer than n when str is full)
 * or -errno; *found counts those with a VMA.
 */
int vms_find_vmas(struct mm_struct *mm, struct vms_vmainfo *vi, u32 n, unsigned int flags,
		  bool nowait, char *str, u32 str_room, u32 *str_len, u32 *found);

/*
 * access.c: read or write len bytes at addr through the fault path (GUP,
 * kmap, copy, set_page_dirty_lock, put_page), never a raw PFN.  Reads
 * return the bytes done (short at the first page that cannot be read) or
 * -errno when none could be.  Writes are all or nothing: len, or -errno
 * and no byte changed.  buf is read (write) or written (read) once.
 */
#define VMS_ACC_WRITE	(1u << 0)
#define VMS_ACC_FORCE	(1u << 1)	/* FOLL_FORCE: read-only private -> COW copy */
#define VMS_ACC_NOWAIT	(1u << 2)	/* trylock mmap_lock, FOLL_NOWAIT: -EAGAIN */
#define VMS_ACC_MAX	(64ul << 20)	/* longest access in one call */
long vms_access(struct mm_struct *mm, unsigned long addr, void *buf, size_t len,
		unsigned int flags);
/* access.c: compare-and-write (flags: VMS_ACC_FORCE); len, -ECANCELED or -errno. */
long vms_cmpxchg(struct mm_struct *mm, unsigned long addr, const void *old, const void *new,
		 size_t len, unsigned int flags);

/*
 * share.c: every process mapping the page at h->addr of mm (kernel
 * memory: h, and out for up to max records).  Returns how many, or -errno.
 */
int vms_page_sharers(struct mm_struct *mm, struct vms_share *h, struct vms_sharer *out,
		     u32 max);

#endif /* VMSCOPE_H */
