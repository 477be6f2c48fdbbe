/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pagemap source of 'vmscope page': what the kernel's own files tell
 * about a process's pages when the module cannot.  /proc/PID/pagemap gives
 * each page's present or swapped bit, its PFN or swap entry (to
 * CAP_SYS_ADMIN only), and the exclusive, soft-dirty, uffd-wp and
 * file-or-shared bits; /proc/kpageflags and /proc/kpagecount (CAP_SYS_ADMIN)
 * the page's state, mapcount and, by its compound head, the folio's order;
 * the VMA comes from the listing (vmalist.h), and the page size of hugetlb
 * and the PMD-mapped THP of a VMA from /proc/PID/smaps.
 *
 * Results are the module's records, struct vms_walk and struct vms_prec,
 * with every field that means the same filled the same way, so one
 * renderer shows both.  What pagemap cannot tell is marked:
 *  - page tables: entry[], bits[], levels and stop_level stay 0, and a
 *    range record's level is VMS_NR_LEVELS (there are no per-level entries);
 *  - refcount: -1 (kpagecount is the mapcount);
 *  - the leaf size when neither kpageflags nor smaps settle it: leaf_shift
 *    0; the folio's order when kpageflags cannot: PAGEMAP_ORDER_UNKNOWN;
 *  - every page of a VM_PFNMAP VMA, which pagemap skips: stop 0;
 *  - the PTE's dirty bit (page_flags has PG_dirty only).
 * Every page's raw pagemap entry comes back beside the records (pme).
 */
#ifndef VMSCOPE_PAGEMAP_H
#define VMSCOPE_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "vmscope_uapi.h"

/* /proc/PID/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PFN_MASK	((1ull << 55) - 1)	/* PFN, or swap type (0-4) and offset */
#define PM_SOFT_DIRTY	(1ull << 55)
#define PM_EXCLUSIVE	(1ull << 56)	/* exclusively mapped (4.2+) */
#define PM_UFFD_WP	(1ull << 57)
#define PM_GUARD	(1ull << 58)	/* a guard region (6.15+) */
#define PM_FILE		(1ull << 61)	/* a file page or shared anonymous */
#define PM_SWAP		(1ull << 62)	/* any non-present entry but none */
#define PM_PRESENT	(1ull << 63)
#define PM_SWAP_TYPE_BITS	5

#define PAGEMAP_ORDER_UNKNOWN	0xffffffffu

struct pagemap;
struct vma_bpf;
struct vmalist;

/*
 * Open pid's pagemap and list its VMAs.  NULL and *err on failure: -ESRCH
 * (no such process), -EACCES (the caller may not read it: ptrace access
 * mode read), -EINVAL (no address space: a kernel thread, or exited), or
 * the listing's error.
 */
struct pagemap *pagemap_open(pid_t pid, int *err);
void pagemap_close(struct pagemap *pm);
/* The listing the VMAs came from (note_listing_source()), and the VMAs. */
const struct vma_bpf *pagemap_listing(const struct pagemap *pm);
const struct vmalist *pagemap_vmas(const struct pagemap *pm);
/* Whether PFNs and swap entries show (CAP_SYS_ADMIN), and page state. */
bool pagemap_pfns_shown(const struct pagemap *pm);
bool pagemap_state_shown(const struct pagemap *pm);

/*
 * Walk n addresses (w[i].addr set), as vmem_walk() does; pme[i] gets each
 * one's pagemap entry.  Returns n, or -errno for the whole call.
 */
int pagemap_walk(struct pagemap *pm, struct vms_walk *w, uint64_t *pme, size_t n);
/*
 * One range run, as vmem_walk_range() does: the records of the mapped
 * pages from (*hdr)->first, each page's pagemap entry in *pme; they point
 * into pm until the next call.  Continue at (*hdr)->next.  Returns the
 * records, or -errno.
 */
int pagemap_walk_range(struct pagemap *pm, uint64_t start, uint64_t end,
		       const struct vms_range **hdr, const struct vms_prec **recs,
		       const uint64_t **pme);

#endif /* VMSCOPE_PAGEMAP_H */
