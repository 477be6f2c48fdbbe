/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the views (summary, map, snapshot, diff, watch) see of a process:
 * its VMAs, each with a kind (code, data, heap, ...), its memory use by
 * smaps' rules, and its pages as runs of one state (present 4K, THP,
 * swapped, zero, ...) with flags (dirty, shared).
 *
 * Pages come from the module's range walk when it serves the process,
 * else from /proc/PID/pagemap (pagemap.h); memory use from the same walk
 * (the module, with page state: CAP_SYS_ADMIN) or else from
 * /proc/PID/smaps.  Each source is a field of the result, set here, and
 * every renderer shows it.
 */
#ifndef VMSCOPE_VIEW_H
#define VMSCOPE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "memuse.h"
#include "vmalist.h"
#include "vmscope_uapi.h"

struct vv_proc;

/* The kind of a VMA, as the summary groups them (view.c says how). */
enum vv_kind {
	VV_CODE, VV_DATA, VV_HEAP, VV_STACK, VV_ANON, VV_FILE, VV_SHM, VV_SPECIAL,
	VV_HUGETLB, VV_GUARD, VV_NKINDS,
};
extern const char *const vv_kind_names[VV_NKINDS];

/* The state of a page, one per run. */
enum vv_state {
	VV_S_NONE,	/* not faulted in: nothing in the page tables */
	VV_S_4K,	/* present, a small page */
	VV_S_LARGE,	/* present, part of a large folio mapped by PTEs */
	VV_S_THP,	/* present, a PMD-mapped transparent huge page */
	VV_S_HUGETLB,	/* present, a hugetlb page */
	VV_S_ZERO,	/* the shared zero page (4K or huge) */
	VV_S_SWAP,	/* swapped out: a swap entry */
	VV_S_OTHER,	/* another non-present entry: migration, marker, device */
	VV_S_PFN,	/* present, a PFN without a struct page (I/O, PFNMAP) */
	VV_S_UNKNOWN,	/* the source cannot tell (pagemap skips PFNMAP VMAs;
			   [vsyscall] has no page tables of the process) */
	VV_NSTATES,
};
extern const char *const vv_state_names[VV_NSTATES];

/* Run flags. */
#define VV_F_DIRTY	(1u << 0)	/* PTE or folio dirty */
#define VV_F_SHARED	(1u << 1)	/* mapped more than once (mapcount > 1) */
#define VV_F_ANON	(1u << 2)
#define VV_F_FILE	(1u << 3)	/* page cache, shmem included */
#define VV_F_KSM	(1u << 4)
#define VV_NFLAGS	5
extern const char *const vv_flag_names[VV_NFLAGS];

/* Pages in one state, with the same flags, one after the other. */
struct vv_run {
	uint64_t start;
	uint32_t pages;
	uint8_t state;		/* enum vv_state */
	uint8_t flags;		/* VV_F_* */
};

enum vv_src { VV_SRC_NONE, VV_SRC_MODULE, VV_SRC_PAGEMAP, VV_SRC_SMAPS, VV_NSRC };
extern const char *const vv_src_names[VV_NSRC];	/* "none", "module", ... */

struct vv_vma {
	uint8_t kind;		/* enum vv_kind */
	bool bss;		/* the anonymous VMA after a file's last one */
	int32_t file;		/* index into vv_proc.files, or -1 */
	struct memuse use;
	size_t run0, nruns;	/* its runs in vv_proc.runs (when kept) */
};

/* The per-file roll-up: every VMA of one file, and its bss. */
struct vv_file {
	const char *name;	/* in the listing's string table */
	size_t vmas;
	uint64_t size;
	struct memuse use;
};

struct vv_opts {
	const char *cmd;	/* for messages */
	int pages;		/* source of pages: VV_SRC_MODULE, _PAGEMAP, or
				   -1: the module when it serves, else pagemap;
				   VV_SRC_NONE: no pages (summary, watch) */
	bool use_smaps;		/* memory use from smaps even with the module */
	bool keep_runs;		/* keep every VMA's runs (else each VMA's runs
				   last until the next VMA is walked) */
	/*
	 * Called after each VMA's pages are walked (the runs are those of
	 * VMA i), in address order; nonzero stops the walk with that value.
	 */
	int (*each)(struct vv_proc *p, size_t i, void *arg);
	void *arg;
};

struct vv_proc {
	pid_t pid;
	char command[512];
	enum vv_src pages_src;	/* where the runs come from */
	enum vv_src use_src;	/* where the memory use comes from */
	char why[256];		/* why the module did not serve, when it was tried */
	bool dirty_known;	/* the PTE's dirty bit is seen (module) */
	bool shared_known;	/* mapcounts, or pagemap's exclusive bit */
	bool state_hidden;	/* page state hidden (no CAP_SYS_ADMIN) */
	const struct vmalist *l;	/* the VMAs */
	const struct vma_bpf *listing;	/* where they came from */
	struct vv_vma *v;		/* one per VMA of l */
	struct vv_file *files;
	size_t nfiles;
	struct vv_run *runs;
	size_t nruns, runs_cap;
	uint64_t pages;		/* pages walked */
	struct memuse total;
	uint64_t size;
	/* private */
	struct vmalist own;
	struct vma_bpf *obj;
	struct vmem *vm;
	struct pagemap *pm;
};

/*
 * Collect pid's view.  0, or -errno with a message for people in msg
 * (the caller prints it; errors of this kind name the process).
 */
int vv_collect(struct vv_proc *p, pid_t pid, const struct vv_opts *o, char *msg, size_t msz);
/*
 * Collect it again with the objects already loaded: for views without
 * pages (o->pages VV_SRC_NONE).  -ESRCH or -EINVAL: the process is gone.
 */
int vv_refresh(struct vv_proc *p, const struct vv_opts *o, char *msg, size_t msz);
void vv_free(struct vv_proc *p);

/* The state and flags of one page record (pme: pagemap's entry, or NULL). */
void vv_classify(const struct vms_prec *r, const uint64_t *pme, bool hugetlb_vma,
		 uint8_t *state, uint8_t *flags);

/* JSON: the members every view document carries about where data came from. */
void vv_json_sources(const struct vv_proc *p);
/* Memory use members: size_kb (when size is not ~0), rss_kb, pss_kb, ... */
void vv_json_use(const struct memuse *m, uint64_t size);

/* The kernel's release, for headers. */
const char *vv_kernel(void);
/* Now, as 2026-12-01T10:00:00Z. */
const char *vv_now(char *buf, size_t sz);

#endif /* VMSCOPE_VIEW_H */
