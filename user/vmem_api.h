/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's memory kfuncs from user space, through bpf/vmem.bpf.c.
 * Self-contained (libbpf only, no CLI helpers), so tests include vmem.c
 * directly.  Functions return >= 0 or -errno; none prints.
 */
#ifndef VMSCOPE_VMEM_API_H
#define VMSCOPE_VMEM_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "vmscope_uapi.h"
#include "vmem.h"

struct vmem;

/* Load the programs.  The module must be loaded (check first: a missing
 * kfunc makes the load fail).  vmem_open_for() loads the smallest object
 * that has the programs progs names (VMEM_P_*; vmem.h says why): calling
 * a function of another program then returns -ENOSYS.  vmem_open()
 * loads them all. */
struct vmem *vmem_open_for(unsigned int progs, int *err);
struct vmem *vmem_open(int *err);
/* Which object: "find", "read", "walk", "page", "write", "cmpxchg" or "all". */
const char *vmem_set(const struct vmem *v);
void vmem_close(struct vmem *v);
/* The loaded module's VMSCOPE_ABI_VERSION, 0 when it cannot say, or -errno. */
int vmem_abi(struct vmem *v);

/* A growing string table for the names of lookups. */
struct vmem_str {
	char *s;
	size_t len, cap;
};
void vmem_str_free(struct vmem_str *t);
/* Append n bytes of s, growing the table; 0 or -ENOMEM. */
int vmem_str_append(struct vmem_str *t, const char *s, size_t n);

/*
 * Look up n addresses (vi[i].addr set on entry) in as many runs as needed.
 * With names (not NULL) the /proc/PID/maps names are appended to it and
 * each vi[i].vma.name_off points into names->s.  Returns the number found.
 */
int vmem_find(struct vmem *v, pid_t pid, struct vms_vmainfo *vi, size_t n,
	      struct vmem_str *names);
/* One run in place: fill vmem_find_recs(v)[i].addr for i < n, run; returns
 * the records filled (their names in the string area after them). */
struct vms_vmainfo *vmem_find_recs(struct vmem *v);
int vmem_find_run(struct vmem *v, pid_t pid, size_t n, unsigned int flags);
/* Walk n addresses (w[i].addr set); each w[i].err is its own result. */
int vmem_walk(struct vmem *v, pid_t pid, struct vms_walk *w, size_t n);
/*
 * Read-ahead for callers that walk a process VMA by VMA: from now on a
 * range walk goes on to end (or to the next hole, until the buffer is full,
 * or until a writer waits for the target's mmap_lock) and the following vmem_walk_range() calls of the same pid are
 * answered from it while they fall in what it walked, so adjoining VMAs
 * cost one program run per buffer, not one each.  The answers are those
 * of a walk of just the asked range.  0: no read-ahead (the default).
 */
void vmem_walk_ahead(struct vmem *v, uint64_t end);

/*
 * One range-walk run from start: records for the mapped pages from
 * (*hdr)->first, in the mmapped buffer; *hdr, *recs and *dirs point into
 * it until the next call.  Continue at (*hdr)->next.  Returns the records.
 */
int vmem_walk_range(struct vmem *v, pid_t pid, uint64_t start, uint64_t end,
		    const struct vms_range **hdr, const struct vms_prec **recs,
		    const struct vms_pdir **dirs);
/* Read len bytes into dst (several runs if needed).  Returns the bytes
 * read (short at the first failure) or -errno if none. */
ssize_t vmem_read(struct vmem *v, pid_t pid, uint64_t addr, void *dst, size_t len);
/* One run: read up to VMEM_BUF_SIZE bytes into the mmapped buffer;
 * *data points at them. */
ssize_t vmem_read_chunk(struct vmem *v, pid_t pid, uint64_t addr, size_t len,
			const void **data);
/* Write len (<= VMEM_WBUF_SIZE) bytes, all or nothing; old/new (may be
 * NULL) get the bytes before and after, and old_n, new_n how many could be
 * read.  Returns len or -errno (then nothing was written). */
ssize_t vmem_write(struct vmem *v, pid_t pid, uint64_t addr, const void *src,
		   size_t len, bool force, void *old, ssize_t *old_n, void *new_,
		   ssize_t *new_n);

/*
 * Compare-and-write len (<= VMEM_WBUF_SIZE) bytes at addr: new where the
 * bytes are still old, else nothing.  Returns len, -ECANCELED (they were
 * not old), or -errno.
 */
ssize_t vmem_cmpxchg(struct vmem *v, pid_t pid, uint64_t addr, const void *old,
		     const void *new_, size_t len, bool force);

/*
 * A journaled write, in one run of the compare-and-write program: read
 * the len (<= VMEM_WBUF_SIZE) bytes at addr into old, then write new_
 * where they are still those.  *old_n: how many old bytes could be read
 * (short or -errno: nothing was written); now (or NULL) gets the bytes
 * after a write, *now_n how many.  Returns len, -ECANCELED (the bytes
 * changed between the read and the write: nothing written), or -errno.
 */
ssize_t vmem_swap(struct vmem *v, pid_t pid, uint64_t addr, const void *new_, size_t len,
		  bool force, void *old, ssize_t *old_n, void *now, ssize_t *now_n);

/*
 * Every process mapping the page at addr of pid (CAP_SYS_ADMIN and
 * CAP_SYS_PTRACE): *hdr and recs point into the mmapped buffer until the
 * next call.  Returns the number of records or -errno.
 */
int vmem_sharers(struct vmem *v, pid_t pid, uint64_t addr, const struct vms_share **hdr,
		 const struct vms_sharer **recs);

/* Lookups per find run (without names), walks per walk run. */
#define VMEM_FIND_BATCH	((VMEM_BUF_SIZE - sizeof(struct vms_find)) / sizeof(struct vms_vmainfo))
#define VMEM_FIND_NAME_BATCH	4096
#define VMEM_WALK_BATCH	(VMEM_BUF_SIZE / sizeof(struct vms_walk))

#endif
