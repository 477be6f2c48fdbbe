/* SPDX-License-Identifier: GPL-2.0 */
/* Collect VMA records from the iterators in bpf/vma.bpf.c. */
#ifndef VMSCOPE_VMALIST_H
#define VMSCOPE_VMALIST_H

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
struct vma_bpf *vmalist_open(int want_records, int want_text, int *err);
void vmalist_close(struct vma_bpf *obj);

/* All VMAs of one process (pid > 0) or of every process (pid == 0).
 * Appends to *out; returns 0 or -errno (message not printed). */
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
