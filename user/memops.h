/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's memory kfuncs from user space, through bpf/vmem.bpf.c.
 * Self-contained (libbpf only, no CLI helpers), so tests include vmem.c
 * directly.  Functions return >= 0 or -errno; none prints.
 */
#ifndef VMSCOPE_MEMOPS_H
#define VMSCOPE_MEMOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "vmscope_uapi.h"
#include "vmem.h"

struct vmem;

/* Load the programs.  The module must be loaded (check first: a missing
 * kfunc makes the load fail). */
struct vmem *vmem_open(int *err);
void vmem_close(struct vmem *v);

/* Lookups of n addresses in batches; vi[i].addr set on entry; names
 * (optional) get the /proc/PID/maps names.  Returns the number found. */
int vmem_find(struct vmem *v, pid_t pid, struct vms_vmainfo *vi, size_t n,
	      unsigned int flags, char (*names)[VMS_VI_NAME_LEN]);
/* In place: fill vmem_find_buf(v)[i].addr for i < n, run; the records (and
 * with VMS_FIND_NAME the names after them) stay in the buffer. */
struct vms_vmainfo *vmem_find_buf(struct vmem *v);
int vmem_find_run(struct vmem *v, pid_t pid, size_t n, unsigned int flags);
/* Walk n addresses (w[i].addr set); each w[i].err is its own result. */
int vmem_walk(struct vmem *v, pid_t pid, struct vms_walk *w, size_t n);
/* One range-walk run from start: records in the mmapped buffer.
 * *hdr, *recs and *dirs point into it until the next call. */
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
/* Write len (<= VMEM_WBUF_SIZE) bytes; old/new (may be NULL) get the bytes
 * before and after, and old_n, new_n how many could be read. */
ssize_t vmem_write(struct vmem *v, pid_t pid, uint64_t addr, const void *src,
		   size_t len, bool force, void *old, ssize_t *old_n, void *new_,
		   ssize_t *new_n);

/* Records per find/walk run. */
#define VMEM_FIND_BATCH	(VMEM_BUF_SIZE / sizeof(struct vms_vmainfo))
#define VMEM_FIND_NAME_BATCH (VMEM_BUF_SIZE / (sizeof(struct vms_vmainfo) + VMS_VI_NAME_LEN))
#define VMEM_WALK_BATCH	(VMEM_BUF_SIZE / sizeof(struct vms_walk))

#endif
