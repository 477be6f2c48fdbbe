/* SPDX-License-Identifier: GPL-2.0 */
/* Collect VMA records from the iterators in bpf/vma.bpf.c. */
#ifndef VMSCOPE_VMALIST_H
#define VMSCOPE_VMALIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "vma.h"

struct vma_bpf;

/* Records plus the strings their name_off/comm_off point into. */
struct vmalist {
	struct vms_vma *v;
	size_t n;
	size_t cap;
	char *str;
	size_t str_len;
	size_t str_cap;
};

/* Open and load the iterator objects; only those asked for. */
#define VMALIST_RECORDS	(1u << 0)	/* binary records for the CLI */
#define VMALIST_TEXT	(1u << 1)	/* /proc/PID/maps text, for pins */
#define VMALIST_ALL	(1u << 2)	/* sized for every process at once */
/*
 * Use the fast path (open-coded task_vma iterator, Linux 6.7+) when the
 * kernel has it: it lists each VMA in about a third of the time, but the
 * verifier takes 5 times longer to load it (it checks pointer trust with
 * BTF name lookups, once per loop state), so it pays off only for a
 * long-lived user or tens of thousands of VMAs.  One-shot commands list
 * through the task_vma iterator.
 */
#define VMALIST_FAST	(1u << 3)
struct vma_bpf *vmalist_open(unsigned int flags, int *err);
void vmalist_close(struct vma_bpf *obj);
/* Whether the fast path (the open-coded task_vma iterator, 6.7+) is used. */
bool vmalist_fast(const struct vma_bpf *obj);

/*
 * vm_flags of the [vsyscall] gate VMA on this machine, as this process's
 * own /proc/self/maps shows it (its permissions follow vsyscall=), or 0
 * when there is none.
 */
__u64 vsyscall_vm_flags(void);

/*
 * All VMAs of one process (pid > 0) or of every process (pid == 0), each
 * process's [vsyscall] included, as /proc/PID/maps lists them.  Appends
 * to *out; returns 0 or -errno (message not printed).
 */
int vmalist_collect(struct vma_bpf *obj, pid_t pid, struct vmalist *out);
/* Forget the records but keep the buffers. */
void vmalist_reset(struct vmalist *l);
void vmalist_free(struct vmalist *l);

static inline const char *vma_name_of(const struct vmalist *l, const struct vms_vma *r)
{
	return r->name_len ? l->str + r->name_off : "";
}

static inline const char *vma_comm_of(const struct vmalist *l, const struct vms_vma *r)
{
	return l->str + r->comm_off;
}

/* Attach the text program (pid 0: all) and pin the link at path. */
int vmalist_pin_text(struct vma_bpf *obj, pid_t pid, const char *path);

/* One /proc/PID/maps line for r, exactly as the kernel prints it. */
int vma_format_maps(const struct vmalist *l, const struct vms_vma *r, char *buf, size_t sz);

#endif /* VMSCOPE_VMALIST_H */
