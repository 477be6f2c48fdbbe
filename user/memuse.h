/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory use per VMA, as /proc/PID/smaps counts it (the numbers of
 * `vmscope maps -x`): from smaps itself, or from the module's range walk,
 * which applies smaps' rules page by page.
 */
#ifndef VMSCOPE_MEMUSE_H
#define VMSCOPE_MEMUSE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Bytes, except pss_fp: bytes << MEMUSE_PSS_SHIFT, as the kernel sums PSS. */
#define MEMUSE_PSS_SHIFT 12
struct memuse {
	uint64_t rss;
	uint64_t pss_fp;
	uint64_t dirty;
	uint64_t swap;
	uint64_t anon;
	uint64_t priv;		/* resident, mapped once (smaps' Private_*) */
	/*
	 * Mapped by huge pages: PMD-mapped THP (part of rss) and hugetlb
	 * pages, which smaps keeps out of Rss (AnonHugePages, ShmemPmdMapped,
	 * FilePmdMapped, Shared_Hugetlb and Private_Hugetlb together).
	 */
	uint64_t huge;
};

/* kB as smaps prints them (truncated). */
static inline uint64_t memuse_pss_kb(const struct memuse *m)
{
	return (m->pss_fp >> MEMUSE_PSS_SHIFT) >> 10;
}

static inline void memuse_add(struct memuse *t, const struct memuse *m)
{
	t->rss += m->rss;
	t->pss_fp += m->pss_fp;
	t->dirty += m->dirty;
	t->swap += m->swap;
	t->anon += m->anon;
	t->priv += m->priv;
	t->huge += m->huge;
}

/*
 * smaps of pid: one entry per VMA (start, end, use).  Returns the number
 * of entries (*out malloc'd) or -errno.
 */
struct memuse_vma {
	uint64_t start, end;
	struct memuse use;
	bool hugetlb;		/* VmFlags: ht */
};
int smaps_read(pid_t pid, struct memuse_vma **out);
/* smaps_rollup of pid: the process total, computed before kB rounding. */
int smaps_rollup(pid_t pid, struct memuse *total);

/*
 * One page of a range walk (the module's, or pagemap's with page state)
 * into m, by smaps' rules.  Returns whether it counts as resident.
 */
struct vms_prec;
bool memuse_page(struct memuse *m, const struct vms_prec *r);

/*
 * The module's range walk of pid, by smaps' rules: use[i] (zeroed here)
 * gets the memory use of the i-th of the n ranges (VMAs), which are
 * sorted by address and do not overlap.  The walk reads ahead
 * (vmem_walk_ahead()), so a run of adjoining VMAs costs one walk call
 * per buffer of pages, not one each.
 */
struct vmem;
struct vms_vma;
int memuse_walk(struct vmem *v, pid_t pid, const struct vms_vma *vmas, size_t n,
		struct memuse *use);

#endif
