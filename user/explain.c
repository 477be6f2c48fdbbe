// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope explain PID ADDR...: one complete answer per address.  The VMA
 * (every vm_flags bit by name, what backs it), the page-table walk (as
 * page shows it), the page (kind, folio size, state, LRU list, node), a
 * swap entry's device, whether a write here would copy and why, and every
 * process that maps the same physical page.
 *
 * The module is the source: its walk, its lookup of the VMA and its
 * reverse-map search (vmscope_page_sharers, root only).  The module cannot
 * follow a KSM page's reverse map (it lives in mm/ksm.c's private trees):
 * those sharers are found by walking every process's VM_MERGEABLE VMAs
 * with the range walk and matching the PFN, bounded in pages and time and
 * saying when a bound was hit.  Without the module, pagemap and
 * kpageflags tell present, PFN, exclusive and the page's flags; the levels,
 * refcount, NUMA node and sharers are said to need the module, never
 * guessed.  Everything here reads; nothing is written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "backing.h"
#include "cmds.h"
#include "common.h"
#include "pagesrc.h"
#include "vmalist.h"
#include "vmflags.h"
#include "walkfmt.h"

/* The KSM scan's bounds: pages walked (--scan-limit) and seconds. */
#define SCAN_LIMIT_DEFAULT	(1ull << 20)
#define SCAN_SECONDS		5.0

struct explain_opts {
	const char *cmd;
	pid_t pid;
	uint64_t *addrs;
	int n;
	int source;		/* --source, or -1 */
	uint64_t scan_limit;	/* --scan-limit: pages the KSM scan may walk */
};

enum pkind {
	PK_NONE, PK_SWAP, PK_ENTRY, PK_HIDDEN, PK_ANON, PK_FILE, PK_SHMEM, PK_KSM, PK_ZERO,
	PK_HUGE_ZERO, PK_DEVICE, PK_PFNMAP,
};
static const char *const pkind_names[] = {
	"none", "swapped", "other entry", "hidden", "anon", "file", "shmem", "ksm", "zero",
	"huge zero", "device", "pfnmap",
};

enum cow { COW_COPY, COW_NO_COPY, COW_REFUSED, COW_DEPENDS };
static const char *const cow_names[] = { "copy", "no copy", "refused", "depends" };

enum shs {
	SHS_LISTED, SHS_KSM_SCAN, SHS_ZERO, SHS_NOPAGE, SHS_NOT_PRESENT, SHS_NEEDS_ROOT,
	SHS_NEEDS_MODULE, SHS_ERROR,
};
static const char *const shs_names[] = {
	"listed", "ksm scan", "zero page", "no struct page", "not present", "needs root",
	"needs module", "error",
};

struct sharer {
	pid_t pid;
	bool self;
	uint64_t addr, vm_flags;
	char comm[VMS_COMM_LEN];
};

struct sharers {
	enum shs status;
	int err;
	struct sharer *s;
	size_t n, cap;
	int mapcount;		/* of the page, as the module read it */
	uint32_t candidates;	/* VMAs the reverse map gave */
	bool truncated, cand_limit, busy;
	/* the KSM scan */
	uint64_t scan_pages, scan_vmas, scan_limit;
	double scan_secs;
	bool hit_pages, hit_time, scan_unfiltered;
};

struct explain_one {
	uint64_t addr;
	int err;
	struct vms_walk w;
	uint64_t pme;
	bool have_vma;
	struct vms_vma vma;
	const char *name;
	struct vmflags_names fl;
	enum backing backing;
	const char *backing_what;	/* memfd, shared anonymous memory, ... or NULL */
	enum pkind kind;
	char folio[64];
	char lru[96];
	int dirty;			/* -1: not known */
	char swapdev[256];
	int swap_sure;			/* 1: certain, 0: by /proc/swaps order, -1: none */
	enum cow cow;
	char cow_why[512];
	struct sharers sh;
};

struct explain_result {
	pid_t pid;
	enum page_source source;
	char command[256];
	struct explain_one *a;
	int n;
	bool lru_gen;			/* the multi-gen LRU is on: no active/inactive */
	struct vmem_str names;		/* module: the VMA names */
	struct vmalist all;		/* the KSM scan: every process's VMAs */
	bool all_listed, all_bpf;
};

/* ---- the VMA -------------------------------------------------------------------- */

static int lookup_vmas(struct page_src *s, struct explain_result *r)
{
	struct vms_vmainfo *vi;
	int i, err;

	if (s->source == SRC_PAGEMAP) {
		const struct vmalist *l = pagemap_vmas(s->pm);

		for (i = 0; i < r->n; i++) {
			size_t k;

			for (k = 0; k < l->n; k++) {
				if (l->v[k].start <= r->a[i].addr && r->a[i].addr < l->v[k].end) {
					r->a[i].have_vma = true;
					r->a[i].vma = l->v[k];
					r->a[i].name = vma_name_of(l, &l->v[k]);
					break;
				}
			}
		}
		return 0;
	}
	vi = calloc(r->n, sizeof(*vi));
	if (!vi)
		return -ENOMEM;
	for (i = 0; i < r->n; i++)
		vi[i].addr = r->a[i].addr;
	err = vmem_find(s->v, r->pid, vi, r->n, &r->names);
	for (i = 0; err >= 0 && i < r->n; i++) {
		/* find answers with the next VMA too: only a covering one is this one */
		if (vi[i].err || vi[i].vma.start > r->a[i].addr)
			continue;
		r->a[i].have_vma = true;
		r->a[i].vma = vi[i].vma;
		r->a[i].name = vi[i].vma.name_len ? r->names.s + vi[i].vma.name_off : "";
	}
	free(vi);
	return err < 0 ? err : 0;
}

/* What backs the VMA; the walk's flags stand in for a listing without vm_flags. */
static void classify_backing(pid_t pid, struct explain_one *e)
{
	struct vms_vma v = e->vma;

	if (!e->have_vma) {
		memset(&v, 0, sizeof(v));
		v.start = e->w.vm_start;
		v.end = e->w.vm_end;
	}
	v.vm_flags = e->w.vm_flags | (e->w.wflags & VMS_W_PFNMAP ? VMS_VM_PFNMAP : 0) |
		     (e->w.wflags & VMS_W_HUGETLB_VMA ? VMS_VM_HUGETLB : 0);
	e->backing = vma_backing(pid, &v, e->name, &e->backing_what);
}

/* ---- the page -------------------------------------------------------------------- */

/* The multi-gen LRU (6.1+) keeps generations, not active and inactive lists. */
static bool lru_gen_on(void)
{
	FILE *f = fopen("/sys/kernel/mm/lru_gen/enabled", "re");
	unsigned int v = 0;

	if (!f)
		return false;
	if (fscanf(f, "%x", &v) != 1)
		v = 0;
	fclose(f);
	return v & 1;
}

static void classify_page(struct explain_one *e, enum page_source src, bool lru_gen)
{
	const struct vms_walk *w = &e->w;
	uint32_t f = w->page_flags;
	bool anon_lru;

	e->dirty = -1;
	e->folio[0] = e->lru[0] = 0;
	if (w->stop_reason == VMS_STOP_NONE_ENTRY) {
		e->kind = PK_NONE;
		return;
	}
	if (w->stop_reason == VMS_STOP_NOT_PRESENT) {
		e->kind = w->swp_kind == VMS_SWP_SWAP ? PK_SWAP : PK_ENTRY;
		return;
	}
	if (w->stop_reason != VMS_STOP_LEAF) {
		e->kind = e->backing == BK_PFNMAP ? PK_PFNMAP : PK_ENTRY;
		return;
	}
	if (w->wflags & VMS_W_PAGE_HIDDEN)
		e->kind = PK_HIDDEN;
	else if (w->bits[w->stop_level < VMS_NR_LEVELS ? w->stop_level : 0] & VMS_E_DEVMAP)
		e->kind = PK_DEVICE;
	else if (f & VMS_PG_NOPAGE)
		e->kind = PK_PFNMAP;
	else if ((f & VMS_PG_ZERO) && (f & VMS_PG_THP))
		e->kind = PK_HUGE_ZERO;
	else if (f & VMS_PG_ZERO)
		e->kind = PK_ZERO;
	else if (f & VMS_PG_KSM)
		e->kind = PK_KSM;
	else if (f & VMS_PG_ANON)
		e->kind = PK_ANON;
	else if (f & VMS_PG_FILE)
		e->kind = e->backing == BK_SHMEM ? PK_SHMEM : PK_FILE;
	else
		e->kind = PK_HIDDEN;

	/* The folio's size: hugetlb, a PMD-mapped THP, a large folio by PTEs, 4K. */
	if (f & VMS_PG_HUGETLB || e->backing == BK_HUGETLB)
		snprintf(e->folio, sizeof(e->folio), "hugetlb %s", walk_leaf_str(w->leaf_shift));
	else if (e->kind == PK_HUGE_ZERO)
		snprintf(e->folio, sizeof(e->folio), "huge zero page (2M, mapped by a PMD)");
	else if (w->leaf_shift == 21)
		snprintf(e->folio, sizeof(e->folio), "PMD-mapped THP (2M)");
	else if (w->leaf_shift == 30)
		snprintf(e->folio, sizeof(e->folio), "PUD-mapped (1G)");
	else if (w->order == PAGEMAP_ORDER_UNKNOWN || !(w->wflags & VMS_W_HAVE_PAGE))
		snprintf(e->folio, sizeof(e->folio), "%s page, folio size not known",
			 walk_leaf_str(w->leaf_shift));
	else if (w->order == 9)
		snprintf(e->folio, sizeof(e->folio), "a 2M THP mapped by PTEs (order 9)");
	else if (w->order)
		snprintf(e->folio, sizeof(e->folio), "mTHP order %u (%lluK), mapped by PTEs",
			 w->order, 4ull << w->order);
	else
		snprintf(e->folio, sizeof(e->folio), "4K");

	if (!(w->wflags & VMS_W_HAVE_PAGE))
		return;
	e->dirty = (f & VMS_PG_DIRTY) ||
		   (src == SRC_MODULE && (w->bits[w->stop_level] & VMS_E_DIRTY));
	/* Swap-backed pages (anonymous and shmem) live on the anon LRU lists. */
	anon_lru = (f & VMS_PG_ANON) || e->kind == PK_SHMEM;
	if (f & VMS_PG_UNEVICTABLE)
		snprintf(e->lru, sizeof(e->lru), "unevictable%s", f & VMS_PG_MLOCKED ?
			 " (mlocked)" : "");
	else if (!(f & VMS_PG_LRU))
		snprintf(e->lru, sizeof(e->lru), "not on an LRU list%s",
			 e->kind == PK_ZERO || e->kind == PK_HUGE_ZERO ? " (the zero page)" :
			 " (isolated, or not tracked there)");
	else if (lru_gen)
		snprintf(e->lru, sizeof(e->lru), "multi-gen LRU, %s (its generation is not "
			 "reported)", anon_lru ? "anon" : "file");
	else
		snprintf(e->lru, sizeof(e->lru), "%s %s", f & VMS_PG_ACTIVE ? "active" :
			 "inactive", anon_lru ? "anon" : "file");
}

/*
 * The swap area of a swap entry.  The kernel numbers areas by the first
 * free slot at swapon; /proc/swaps lists the areas in use in that order
 * but without their numbers, so after a swapoff the Nth line may not be
 * type N.  With one area it is certain; with several, it is said.
 */
static void swap_device(struct explain_one *e)
{
	FILE *f = fopen("/proc/swaps", "re");
	char line[512], dev[256], only[256] = "", at[256] = "";
	unsigned int n = 0;

	e->swap_sure = -1;
	e->swapdev[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s", dev) != 1 || !strcmp(dev, "Filename"))
			continue;
		if (n == 0)
			snprintf(only, sizeof(only), "%s", dev);
		if (n == e->w.swp_type)
			snprintf(at, sizeof(at), "%s", dev);
		n++;
	}
	fclose(f);
	if (n == 1) {
		/* the one area: a live swap entry cannot point anywhere else */
		snprintf(e->swapdev, sizeof(e->swapdev), "%s", only);
		e->swap_sure = 1;
	} else if (at[0]) {
		snprintf(e->swapdev, sizeof(e->swapdev), "%s", at);
		e->swap_sure = 0;
	}
}

/* ---- would a write copy? ------------------------------------------------------------ */

static void cow_set(struct explain_one *e, enum cow c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cow_set(struct explain_one *e, enum cow c, const char *fmt, ...)
{
	va_list ap;

	e->cow = c;
	va_start(ap, fmt);
	vsnprintf(e->cow_why, sizeof(e->cow_why), fmt, ap);
	va_end(ap);
}

/* What a store into a read-only private mapping with --force (FOLL_FORCE) does. */
static const char *forced_write(const struct explain_one *e)
{
	switch (e->kind) {
	case PK_ANON:
		return e->w.mapcount == 1 ? "writes this page in place if it is exclusive to "
					    "this process, else a private copy" :
					    "gets a private copy (the page is shared)";
	case PK_NONE:
		return "faults in a private page first";
	default:
		return "gets a private copy: the original stays as it is";
	}
}

static void cow_verdict(struct explain_one *e, enum page_source src)
{
	const struct vms_walk *w = &e->w;
	uint64_t fl = w->vm_flags;
	bool shared = fl & VMS_VM_MAYSHARE, module = src == SRC_MODULE;
	int mc = w->wflags & VMS_W_HAVE_PAGE ? w->mapcount : -1;

	if (e->backing == BK_PFNMAP) {
		cow_set(e, (fl & VMS_VM_WRITE) ? COW_NO_COPY : COW_REFUSED,
			"a PFN map: the driver's memory, with no struct page; a store goes to it "
			"as the driver mapped it%s", (fl & VMS_VM_WRITE) ? "" :
			" (read-only: a store faults)");
		return;
	}
	if (!(fl & VMS_VM_WRITE)) {
		if (shared)
			cow_set(e, COW_REFUSED, "a read-only shared mapping: a store faults "
				"(SIGSEGV); vmscope write refuses it even with --force");
		else
			cow_set(e, COW_REFUSED, "a read-only private mapping: a store faults "
				"(SIGSEGV); vmscope write --force (FOLL_FORCE, as a debugger does) %s",
				forced_write(e));
		return;
	}
	if (shared) {
		cow_set(e, COW_NO_COPY, "a shared mapping: the write reaches the %s itself, and "
			"every process mapping it sees it", e->backing == BK_HUGETLB ?
			"hugetlb page" : e->backing == BK_SHMEM ? "shmem page" :
			e->backing == BK_FILE ? "file's page cache (written back to the file)" :
			"shared page");
		return;
	}
	switch (e->kind) {
	case PK_NONE:
		if (e->backing == BK_FILE || e->backing == BK_SHMEM)
			cow_set(e, COW_COPY, "nothing mapped yet: the write fault copies the file's "
				"page into a private anonymous page (the file is not written)");
		else
			cow_set(e, COW_NO_COPY, "nothing mapped yet: the write fault allocates a "
				"fresh zeroed private page");
		return;
	case PK_SWAP:
		cow_set(e, COW_DEPENDS, "swapped out: the write fault reads it back first; the "
			"page is reused if no other process holds the swap entry, else copied");
		return;
	case PK_ENTRY:
		cow_set(e, COW_DEPENDS, "a %s entry: the write fault waits for it to settle, "
			"then decides", walk_swp_str(w->swp_kind));
		return;
	case PK_HIDDEN:
		cow_set(e, COW_DEPENDS, "the page's state needs CAP_SYS_ADMIN: whether it is "
			"shared is not known");
		return;
	case PK_ZERO:
		cow_set(e, COW_COPY, "the shared zero page (what every untouched read maps): a "
			"write gets a fresh private page");
		return;
	case PK_HUGE_ZERO:
		cow_set(e, COW_COPY, "the huge zero page: a write gets a private THP, or splits "
			"the mapping and gets a 4K page");
		return;
	case PK_KSM:
		cow_set(e, COW_COPY, "a KSM page (identical pages merged, write-protected in "
			"every mapping): a write gets a private copy");
		return;
	case PK_FILE:
	case PK_SHMEM:
		cow_set(e, COW_COPY, "a page-cache page in a private mapping: a write gets a "
			"private anonymous copy; the file and its other mappers keep the original");
		return;
	case PK_DEVICE:
	case PK_PFNMAP:
		cow_set(e, COW_DEPENDS, "a page without a struct page the kernel manages: the "
			"driver decides");
		return;
	case PK_ANON:
		break;
	}
	/* An anonymous page in a writable private mapping. */
	if (module && (w->bits[w->stop_level] & VMS_E_WRITE))
		cow_set(e, COW_NO_COPY, "the entry is writable already: a store lands in this "
			"page without a fault");
	else if (module && (w->page_flags & VMS_PG_ANON_EXCL))
		cow_set(e, COW_NO_COPY, "anonymous and exclusive to this process "
			"(PageAnonExclusive): the write fault only makes the entry writable");
	else if (mc > 1)
		cow_set(e, COW_COPY, "the page is mapped %d times (shared since fork()): the "
			"write fault copies it, and the others keep the original", mc);
	else if (mc == 1 && module && w->refcount > 1)
		cow_set(e, COW_DEPENDS, "mapped once, but with %d references (swap cache, a "
			"pin): the write fault copies it unless they go away first", w->refcount);
	else if (mc == 1)
		cow_set(e, COW_NO_COPY, "mapped only here%s: the write fault reuses the page",
			module ? "" : " (pagemap's exclusive bit)");
	else if (!module && (e->pme & PM_EXCLUSIVE))
		cow_set(e, COW_NO_COPY, "mapped only here (pagemap's exclusive bit): the write "
			"fault reuses the page");
	else
		cow_set(e, COW_DEPENDS, "whether another process maps it is not known (page "
			"state needs root)");
}

/* ---- who else maps it --------------------------------------------------------------- */

static int sharer_add(struct sharers *sh, pid_t pid, bool self, uint64_t addr, uint64_t vm_flags,
		      const char *comm)
{
	if (sh->n == sh->cap) {
		size_t cap = sh->cap ? sh->cap * 2 : 16;
		struct sharer *p = realloc(sh->s, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		sh->s = p;
		sh->cap = cap;
	}
	sh->s[sh->n].pid = pid;
	sh->s[sh->n].self = self;
	sh->s[sh->n].addr = addr;
	sh->s[sh->n].vm_flags = vm_flags;
	snprintf(sh->s[sh->n].comm, sizeof(sh->s[sh->n].comm), "%s", comm);
	sh->n++;
	return 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * A KSM page: every VM_MERGEABLE VMA of every process, walked, its PFNs
 * compared.  Bounded by opt->scan_limit pages and SCAN_SECONDS.
 */
static void ksm_scan(struct vmem *v, struct explain_result *r, struct explain_one *e,
		     uint64_t limit)
{
	struct sharers *sh = &e->sh;
	double t0;
	size_t i;
	int err;

	sh->status = SHS_KSM_SCAN;
	sh->scan_limit = limit;
	if (!r->all_listed) {
		struct vma_bpf *obj = vmalist_open(VMALIST_RECORDS | VMALIST_ALL, &err);

		if (!obj) {
			sh->err = err;
			return;
		}
		r->all_bpf = vmalist_source(obj) == VMALIST_SRC_BPF;
		err = vmalist_collect(obj, 0, &r->all);
		vmalist_close(obj);
		if (err) {
			sh->err = err;
			return;
		}
		r->all_listed = true;
	}
	/*
	 * The bound is the scan's: the listing above is not counted (a first
	 * load of the listing in a boot can take seconds on a debug kernel,
	 * and then no page at all would be scanned).
	 */
	t0 = now_s();
	/* Without the BPF listing there are no vm_flags: every private VMA is looked at. */
	sh->scan_unfiltered = !r->all_bpf;
	for (i = 0; i < r->all.n && !sh->hit_pages && !sh->hit_time; i++) {
		const struct vms_vma *vm = &r->all.v[i];
		uint64_t addr = vm->start;

		if (vm->start >= VMS_VSYSCALL_START || (r->all_bpf ?
		    !(vm->vm_flags & VMS_VM_MERGEABLE) :
		    (vm->vm_flags & VMS_VM_MAYSHARE) || vm->ino))
			continue;
		sh->scan_vmas++;
		while (addr < vm->end) {
			const struct vms_range *h;
			const struct vms_prec *rec;
			const struct vms_pdir *d;
			uint64_t end = vm->end;
			int n, k;

			if (sh->scan_pages + (end - addr) / 4096 > limit)
				end = addr + (limit - sh->scan_pages) * 4096;
			if (end <= addr) {
				sh->hit_pages = true;
				break;
			}
			n = vmem_walk_range(v, vm->pid, addr, end, &h, &rec, &d);
			if (n < 0)
				break;	/* the process went away, or is busy: skip it */
			for (k = 0; k < n; k++)
				if (rec[k].stop == VMS_STOP_LEAF && rec[k].pfn == e->w.pfn &&
				    sharer_add(sh, vm->pid, (pid_t)vm->pid == r->pid,
					       h->first + (uint64_t)k * 4096 + (e->addr & 4095),
					       vm->vm_flags, vma_comm_of(&r->all, vm)))
					return;
			sh->scan_pages += n;
			if (h->next <= addr)
				break;
			addr = h->next;
			if (now_s() - t0 > SCAN_SECONDS) {
				sh->hit_time = true;
				break;
			}
		}
	}
	sh->scan_secs = now_s() - t0;
}

static void find_sharers(struct page_src *s, struct explain_result *r, struct explain_one *e,
			 uint64_t limit)
{
	struct sharers *sh = &e->sh;
	const struct vms_share *h;
	const struct vms_sharer *rec;
	int n, i;

	sh->mapcount = -1;
	if (s->source != SRC_MODULE) {
		sh->status = SHS_NEEDS_MODULE;
		return;
	}
	if (e->w.stop_reason != VMS_STOP_LEAF) {
		sh->status = SHS_NOT_PRESENT;
		return;
	}
	n = vmem_sharers(s->v, r->pid, e->addr, &h, &rec);
	if (n == -EPERM) {
		sh->status = SHS_NEEDS_ROOT;
		return;
	}
	if (n < 0) {
		sh->status = SHS_ERROR;
		sh->err = n;
		return;
	}
	sh->mapcount = h->mapcount;
	sh->candidates = h->candidates;
	sh->truncated = h->flags & VMS_SH_TRUNC;
	sh->cand_limit = h->flags & VMS_SH_SCAN_LIMIT;
	sh->busy = h->flags & VMS_SH_BUSY;
	switch (h->kind) {
	case VMS_SH_ZERO:
		sh->status = SHS_ZERO;
		return;
	case VMS_SH_NOPAGE:
		sh->status = SHS_NOPAGE;
		return;
	case VMS_SH_NONE:
		sh->status = SHS_NOT_PRESENT;
		return;
	case VMS_SH_KSM:
		ksm_scan(s->v, r, e, limit);
		return;
	}
	sh->status = SHS_LISTED;
	for (i = 0; i < n; i++)
		if (sharer_add(sh, rec[i].pid, rec[i].flags & VMS_SHR_SELF, rec[i].addr,
			       rec[i].vm_flags, rec[i].comm))
			break;
}

/* ---- run ------------------------------------------------------------------------------ */

static int explain_run(struct page_src *s, const struct explain_opts *o, struct explain_result *r)
{
	struct vms_walk *w;
	uint64_t *pme;
	int i, err;

	r->pid = o->pid;
	r->source = s->source;
	r->n = o->n;
	r->lru_gen = lru_gen_on();
	pid_cmdline(o->pid, r->command, sizeof(r->command));
	r->a = calloc(o->n, sizeof(*r->a));
	w = calloc(o->n, sizeof(*w));
	pme = calloc(o->n, sizeof(*pme));
	if (!r->a || !w || !pme) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < o->n; i++)
		w[i].addr = o->addrs[i];
	err = page_src_walk(s, o->pid, w, pme, o->n);
	if (err < 0)
		goto out;
	for (i = 0; i < o->n; i++) {
		r->a[i].addr = o->addrs[i];
		r->a[i].w = w[i];
		r->a[i].pme = pme[i];
		r->a[i].err = w[i].err;
	}
	err = lookup_vmas(s, r);
	if (err < 0)
		goto out;
	for (i = 0; i < o->n; i++) {
		struct explain_one *e = &r->a[i];

		if (e->err)
			continue;
		vmflags_decode(o->pid, e->w.vm_start, e->w.vm_flags, &e->fl);
		classify_backing(o->pid, e);
		classify_page(e, s->source, r->lru_gen);
		if (e->kind == PK_SWAP && !(e->w.wflags & VMS_W_PFN_HIDDEN))
			swap_device(e);
		else
			e->swap_sure = -1;
		cow_verdict(e, s->source);
		find_sharers(s, r, e, o->scan_limit);
	}
	err = 0;
out:
	free(w);
	free(pme);
	return err;
}

static void explain_free(struct explain_result *r)
{
	int i;

	for (i = 0; r->a && i < r->n; i++)
		free(r->a[i].sh.s);
	free(r->a);
	vmem_str_free(&r->names);
	vmalist_free(&r->all);
}

/* ---- plain text ------------------------------------------------------------------------ */

static void vmflags_plain(const struct vmflags_names *fl)
{
	char how[64];
	int bit, n = 0;

	printf("  vm_flags 0x%llx:", (unsigned long long)fl->vm_flags);
	for (bit = 0; bit < 64; bit++) {
		if (!(fl->vm_flags >> bit & 1))
			continue;
		if (fl->name[bit])
			printf("%s%s", n++ ? "," : " ", fl->name[bit]);
		else
			printf("%sunknown bit %d", n++ ? "," : " ", bit);
	}
	printf("  (names: %s)\n", vmflags_how_str(fl, how, sizeof(how)));
}

static void backing_plain(const struct explain_one *e)
{
	const struct vms_vma *v = &e->vma;

	printf("  backing  ");
	switch (e->backing) {
	case BK_ANON:
		printf("anonymous memory (%s)", e->w.vm_flags & VMS_VM_MAYSHARE ? "shared" :
		       "private");
		if (e->have_vma && v->name_kind == VMS_NAME_HEAP)
			printf(", the heap");
		else if (e->have_vma && v->name_kind == VMS_NAME_STACK)
			printf(", the stack");
		else if (e->have_vma && v->name_kind == VMS_NAME_ANON)
			printf(", named %s", e->name);
		printf("\n");
		return;
	case BK_SPECIAL:
		printf("special mapping %s (the kernel's own pages)\n", e->name ? e->name : "");
		return;
	case BK_PFNMAP:
		printf("a PFN map (VM_PFNMAP/VM_IO: device or driver memory, no struct pages)");
		break;
	case BK_HUGETLB:
		printf("hugetlb: %s", e->backing_what);
		break;
	case BK_SHMEM:
		printf("shmem: %s", e->backing_what);
		break;
	case BK_FILE:
	case BK_NR:
		printf("file");
		break;
	}
	if (e->have_vma && v->ino) {
		printf(" ");
		fput_name(stdout, e->name);
		printf(" offset 0x%llx dev %02x:%02x inode %llu", (unsigned long long)v->pgoff,
		       v->dev >> 20, v->dev & 0xfffff, (unsigned long long)v->ino);
	}
	printf("\n");
}

static void page_plain(const struct explain_one *e, const struct explain_result *r)
{
	const struct vms_walk *w = &e->w;
	bool module = r->source == SRC_MODULE;

	printf("PAGE     ");
	switch (e->kind) {
	case PK_NONE:
		printf("none: nothing mapped here yet (never touched, or discarded)\n");
		return;
	case PK_SWAP:
		printf("swapped out");
		if (w->wflags & VMS_W_PFN_HIDDEN)
			printf(" (the swap device and offset need CAP_SYS_ADMIN)\n");
		else if (e->swap_sure < 0)
			printf(": type %u offset 0x%llx; no active swap area in /proc/swaps\n",
			       w->swp_type, (unsigned long long)w->swp_offset);
		else
			printf(" to %s, offset 0x%llx (type %u%s)\n", e->swapdev,
			       (unsigned long long)w->swp_offset, w->swp_type, e->swap_sure ?
			       "" : "; several swap areas are active and /proc/swaps does not "
			       "number them: this is the area listed at that position, which a "
			       "swapoff since boot would make wrong");
		return;
	case PK_ENTRY:
		printf("not present: a %s entry\n", walk_swp_str(w->swp_kind));
		return;
	case PK_HIDDEN:
		printf("present; its state needs CAP_SYS_ADMIN (like /proc/kpageflags)\n");
		return;
	default:
		break;
	}
	printf("%s, %s", e->kind == PK_ANON ? "anonymous" : e->kind == PK_FILE ?
	       "file (page cache)" : e->kind == PK_SHMEM ? "shmem (page cache, swap-backed)" :
	       e->kind == PK_KSM ? "KSM (merged by ksmd)" : e->kind == PK_ZERO ?
	       "the zero page" : e->kind == PK_HUGE_ZERO ? "the huge zero page" :
	       e->kind == PK_DEVICE ? "device memory (ZONE_DEVICE)" : "a PFN without a struct page",
	       e->folio);
	if (module && w->nid >= 0)
		printf(", NUMA node %d", w->nid);
	else if (!module)
		printf(", NUMA node not known without the module");
	printf("\n");
	if (!(w->wflags & VMS_W_HAVE_PAGE))
		return;
	{
		char flags[256];

		walk_join_bits(w->page_flags, walk_pgbits, walk_pgnames, walk_npgbits, flags,
			       sizeof(flags));
		printf("  flags    %s\n", flags);
	}
	if (module)
		printf("  counts   refcount %d, mapcount %d\n", w->refcount, w->mapcount);
	else
		printf("  counts   mapcount %d (/proc/kpagecount); refcount needs the module\n",
		       w->mapcount);
	printf("  state    %s, %s in the swap cache\n", e->dirty ? "dirty" : "clean",
	       w->page_flags & VMS_PG_SWAPCACHE ? "" : "not");
	printf("  LRU      %s\n", e->lru);
	if (e->kind == PK_ANON || e->kind == PK_KSM) {
		if (module)
			printf("  anon-exclusive %s\n", w->page_flags & VMS_PG_ANON_EXCL ?
			       "yes (only this process may map it: no COW needed)" :
			       e->kind == PK_KSM ? "no (KSM pages never are)" :
			       "no (it may be shared: since fork(), or once was)");
		else
			printf("  anon-exclusive not known (pagemap's exclusive bit %s: "
			       "mapcount 1, not PageAnonExclusive)\n",
			       e->pme & PM_EXCLUSIVE ? "is set" : "is clear");
	}
}

static void sharers_plain(const struct explain_one *e)
{
	const struct sharers *sh = &e->sh;
	char perms[5];
	size_t i;

	printf("SHARERS  ");
	switch (sh->status) {
	case SHS_NEEDS_MODULE:
		printf("need the module (its reverse-map search); pagemap shows only this "
		       "process's view\n");
		return;
	case SHS_NEEDS_ROOT:
		printf("need root (CAP_SYS_ADMIN and CAP_SYS_PTRACE), like /proc/kpageflags\n");
		return;
	case SHS_NOT_PRESENT:
		printf("none: no page is present here\n");
		return;
	case SHS_ZERO:
		printf("the shared zero page: every untouched read of anonymous memory maps it, "
		       "in every process (not listed)\n");
		return;
	case SHS_NOPAGE:
		printf("not known: a PFN without a struct page has no reverse map\n");
		return;
	case SHS_ERROR:
		printf("the search failed: %s\n", strerror(-sh->err));
		return;
	case SHS_LISTED:
		printf("%zu mapping%s of PFN 0x%llx (mapcount %d; %u VMA%s from the reverse "
		       "map)%s%s%s\n", sh->n, sh->n == 1 ? "" : "s", (unsigned long long)e->w.pfn,
		       sh->mapcount, sh->candidates, sh->candidates == 1 ? "" : "s",
		       sh->truncated ? "; more than fit: the list is cut" : "",
		       sh->cand_limit ? "; the reverse map was bigger than the search bound" : "",
		       sh->busy ? "; some processes were busy and were skipped" : "");
		break;
	case SHS_KSM_SCAN:
		if (sh->err) {
			printf("a KSM page: the scan could not list the processes: %s\n",
			       bpf_err_hint(sh->err));
			return;
		}
		printf("a KSM page: %zu mapping%s found by walking %llu pages of %llu %s "
		       "VMAs in %.2f s (the module cannot follow KSM's reverse map)%s%s\n",
		       sh->n, sh->n == 1 ? "" : "s", (unsigned long long)sh->scan_pages,
		       (unsigned long long)sh->scan_vmas, sh->scan_unfiltered ?
		       "private anonymous" : "VM_MERGEABLE", sh->scan_secs,
		       sh->hit_pages ? "; the page bound (--scan-limit) was hit: the list may be "
		       "incomplete" : "", sh->hit_time ? "; the time bound was hit: the list may "
		       "be incomplete" : "");
		break;
	}
	if (!sh->n)
		return;
	printf("  %-8s %-16s %-18s %s\n", "PID", "COMM", "ADDRESS", "PERMS");
	for (i = 0; i < sh->n; i++) {
		vm_flags_perms(sh->s[i].vm_flags, perms);
		printf("  %-8d %-16s 0x%-16llx %s%s\n", sh->s[i].pid, sh->s[i].comm,
		       (unsigned long long)sh->s[i].addr, perms,
		       sh->s[i].self ? "  (this process)" : "");
	}
}

static void one_plain(const struct explain_one *e, const struct explain_result *r)
{
	char perms[5], size[16];

	printf("PID %d  ADDRESS 0x%llx  source: %s\n", r->pid, (unsigned long long)e->addr,
	       page_src_names[r->source]);
	if (e->err) {
		printf("  %s\n", e->err == -ENOENT ? "in no VMA: nothing is mapped at this address" :
		       strerror(-e->err));
		return;
	}
	vm_flags_perms(e->w.vm_flags, perms);
	printf("VMA      %llx-%llx %s %s\n", (unsigned long long)e->w.vm_start,
	       (unsigned long long)e->w.vm_end, perms,
	       fmt_size(e->w.vm_end - e->w.vm_start, size, sizeof(size)));
	vmflags_plain(&e->fl);
	backing_plain(e);
	printf("WALK     ");
	if (r->source == SRC_MODULE)
		printf("%d-level paging\n", e->w.levels);
	else
		printf("from /proc/PID/pagemap: the page-table levels need the module\n");
	walk_print_plain(&e->w, e->pme, r->source == SRC_PAGEMAP, false);
	page_plain(e, r);
	printf("WRITE    %s: %s\n", cow_names[e->cow], e->cow_why);
	sharers_plain(e);
}

static void print_explain_plain(const struct explain_result *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		if (i)
			printf("\n");
		one_plain(&r->a[i], r);
	}
}

/* ---- JSON -------------------------------------------------------------------------------- */

static void vma_json(const struct explain_one *e)
{
	const struct vmflags_names *fl = &e->fl;
	static const char *const how[] = { "smaps", "layout", "common" };
	int bit;

	jw_key("vma");
	jw_start_obj();
	if (e->have_vma) {
		jw_vma(&e->vma, e->name ? e->name : "");
	} else {
		char perms[5];

		vm_flags_perms(e->w.vm_flags, perms);
		jw_hex("start", e->w.vm_start);
		jw_hex("end", e->w.vm_end);
		jw_u64("size", e->w.vm_end - e->w.vm_start);
		jw_str("perms", perms);
		jw_hex("vm_flags", e->w.vm_flags);
	}
	jw_key("flags");
	jw_start_arr();
	for (bit = 0; bit < 64; bit++)
		if ((fl->vm_flags >> bit & 1) && fl->name[bit])
			jw_str(NULL, fl->name[bit]);
	jw_end_arr();
	jw_key("unknown_bits");
	jw_start_arr();
	for (bit = 0; bit < 64; bit++)
		if ((fl->vm_flags >> bit & 1) && !fl->name[bit])
			jw_u64(NULL, bit);
	jw_end_arr();
	jw_str("flag_names_from", how[fl->how]);
	jw_end_obj();

	jw_key("backing");
	jw_start_obj();
	jw_str("type", backing_names[e->backing]);
	if (e->backing_what)
		jw_str("what", e->backing_what);
	else
		jw_null("what");
	jw_bool("shared", e->w.vm_flags & VMS_VM_MAYSHARE);
	if (e->have_vma && e->vma.ino) {
		jw_str("path", e->name);
		jw_hex("offset", e->vma.pgoff);
		jw_u64("dev_major", e->vma.dev >> 20);
		jw_u64("dev_minor", e->vma.dev & 0xfffff);
		jw_u64("inode", e->vma.ino);
	} else {
		jw_null("path");
	}
	if (e->have_vma && e->vma.name_kind == VMS_NAME_ANON)
		jw_str("anon_name", e->name);
	else
		jw_null("anon_name");
	jw_end_obj();
}

static void page_json(const struct explain_one *e, const struct explain_result *r)
{
	const struct vms_walk *w = &e->w;
	bool module = r->source == SRC_MODULE, have = w->wflags & VMS_W_HAVE_PAGE;

	jw_key("page");
	jw_start_obj();
	jw_str("kind", pkind_names[e->kind]);
	if (e->folio[0])
		jw_str("folio", e->folio);
	else
		jw_null("folio");
	if (have && w->order != PAGEMAP_ORDER_UNKNOWN)
		jw_u64("order", w->order);
	else
		jw_null("order");
	if (have)
		jw_flags("flags", w->page_flags, walk_pgbits, walk_pgnames, walk_npgbits);
	else
		jw_null("flags");
	if (have && module)
		jw_i64("refcount", w->refcount);
	else
		jw_null("refcount");
	if (have)
		jw_i64("mapcount", w->mapcount);
	else
		jw_null("mapcount");
	jw_tristate("dirty", have ? e->dirty : -1);
	jw_tristate("swapcache", have ? !!(w->page_flags & VMS_PG_SWAPCACHE) : -1);
	if (e->lru[0])
		jw_str("lru", e->lru);
	else
		jw_null("lru");
	if (module && have && w->nid >= 0)
		jw_i64("nid", w->nid);
	else
		jw_null("nid");
	jw_tristate("anon_exclusive", module && have && (e->kind == PK_ANON || e->kind == PK_KSM) ?
		    !!(w->page_flags & VMS_PG_ANON_EXCL) : -1);
	jw_end_obj();
	jw_key("swap");
	if (e->kind != PK_SWAP) {
		jw_null(NULL);
		return;
	}
	jw_start_obj();
	if (w->wflags & VMS_W_PFN_HIDDEN) {
		jw_null("type");
		jw_null("offset");
	} else {
		jw_u64("type", w->swp_type);
		jw_hex("offset", w->swp_offset);
	}
	if (e->swap_sure >= 0)
		jw_str("device", e->swapdev);
	else
		jw_null("device");
	jw_bool("device_certain", e->swap_sure == 1);
	jw_end_obj();
}

static void sharers_json(const struct explain_one *e)
{
	const struct sharers *sh = &e->sh;
	char perms[5];
	size_t i;

	jw_key("sharers");
	jw_start_obj();
	jw_str("status", shs_names[sh->status]);
	if (sh->status == SHS_LISTED || sh->status == SHS_KSM_SCAN) {
		jw_key("list");
		jw_start_arr();
		for (i = 0; i < sh->n; i++) {
			vm_flags_perms(sh->s[i].vm_flags, perms);
			jw_start_obj();
			jw_u64("pid", sh->s[i].pid);
			jw_str("comm", sh->s[i].comm);
			jw_hex("addr", sh->s[i].addr);
			jw_str("perms", perms);
			jw_bool("self", sh->s[i].self);
			jw_end_obj();
		}
		jw_end_arr();
	} else {
		jw_null("list");
	}
	if (sh->mapcount >= 0)
		jw_i64("mapcount", sh->mapcount);
	else
		jw_null("mapcount");
	jw_bool("truncated", sh->truncated);
	jw_bool("busy_skipped", sh->busy);
	if (sh->status == SHS_KSM_SCAN) {
		jw_key("scan");
		jw_start_obj();
		jw_u64("pages", sh->scan_pages);
		jw_u64("vmas", sh->scan_vmas);
		jw_u64("page_limit", sh->scan_limit);
		jw_bool("page_limit_hit", sh->hit_pages);
		jw_bool("time_limit_hit", sh->hit_time);
		jw_bool("unfiltered", sh->scan_unfiltered);
		jw_end_obj();
	} else {
		jw_null("scan");
	}
	if (sh->status == SHS_ERROR || (sh->status == SHS_KSM_SCAN && sh->err)) {
		jw_str("error", strerror(-sh->err));
		jw_i64("errno", -sh->err);
	}
	jw_end_obj();
}

static void one_json(const struct explain_one *e, const struct explain_result *r)
{
	jw_start_obj();
	jw_hex("addr", e->addr);
	if (e->err) {
		jw_str("error", e->err == -ENOENT ? "in no VMA" : strerror(-e->err));
		jw_i64("errno", -e->err);
		jw_end_obj();
		return;
	}
	vma_json(e);
	jw_key("walk");
	jw_start_obj();
	jw_hex("addr", e->addr);
	walk_print_json(&e->w, e->pme, r->source == SRC_PAGEMAP);
	jw_end_obj();
	page_json(e, r);
	jw_key("cow");
	jw_start_obj();
	jw_str("verdict", cow_names[e->cow]);
	jw_str("reason", e->cow_why);
	jw_end_obj();
	sharers_json(e);
	jw_end_obj();
}

static void print_explain_json(const struct explain_result *r)
{
	int i;

	jw_start_obj();
	jw_u64("pid", r->pid);
	jw_str("command", r->command);
	jw_str("source", page_src_names[r->source]);
	jw_key("addresses");
	jw_start_arr();
	for (i = 0; i < r->n; i++)
		one_json(&r->a[i], r);
	jw_end_arr();
	jw_end_obj();
	jw_done();
}

/* ---- the command --------------------------------------------------------------------------- */

static int explain_opts(int argc, char **argv, struct explain_opts *o)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 'S' },
		{ "scan-limit", required_argument, NULL, 'L' },
		COMMON_LONG,
		{}
	};
	int c, i, rc;

	o->cmd = argv[0];
	o->source = -1;
	o->scan_limit = SCAN_LIMIT_DEFAULT;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		if (c == 'S') {
			if (page_src_parse(o->cmd, optarg, &o->source))
				return EXIT_USAGE;
			continue;
		}
		if (c == 'L') {
			if (parse_size(optarg, "scan limit", &o->scan_limit))
				return EXIT_USAGE;
			if (!o->scan_limit) {
				p_usage(o->cmd, "invalid scan limit '%s': at least 1 page", optarg);
				return EXIT_USAGE;
			}
			continue;
		}
		rc = cmd_common(o->cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind < 2) {
		p_usage(o->cmd, "expected a PID and at least one address");
		return EXIT_USAGE;
	}
	if (parse_pid(argv[optind], &o->pid))
		return EXIT_USAGE;
	o->addrs = calloc(argc, sizeof(*o->addrs));
	if (!o->addrs) {
		p_error(ENOMEM, "%s: out of memory", o->cmd);
		return EXIT_RUNTIME;
	}
	for (i = optind + 1; i < argc; i++)
		if (parse_addr(argv[i], &o->addrs[o->n++]))
			return EXIT_USAGE;
	return -1;
}

static int do_explain(int argc, char **argv)
{
	struct explain_opts o = {};
	struct explain_result r = {};
	struct page_src src = {};
	int i, rc, err;

	rc = explain_opts(argc, argv, &o);
	if (rc >= 0)
		goto out;
	rc = EXIT_RUNTIME;
	if (page_src_open(&src, o.cmd, o.pid, o.addrs[0], o.source, VMEM_P_ALL))
		goto out;
	page_src_note(&src, o.cmd, o.pid);
	err = explain_run(&src, &o, &r);
	if (err < 0) {
		memcmd_err(o.cmd, o.pid, err, 0, false);
		goto out;
	}
	if (json_output)
		print_explain_json(&r);
	else
		print_explain_plain(&r);
	rc = 0;
	for (i = 0; i < r.n; i++)
		if (r.a[i].err)
			rc = EXIT_RUNTIME;
out:
	explain_free(&r);
	page_src_close(&src);
	free(o.addrs);
	return rc;
}

const struct cmd cmd_explain = {
	.name = "explain",
	.fn = do_explain,
	.usage = "explain [OPTIONS] PID ADDR...",
	.summary = "everything about an address: its VMA, walk, page, whether a write copies, who "
	           "else maps it",
	.help = "      --source S       module (the default when it is loaded) or pagemap (no\n"
	        "                       levels, refcount, NUMA node or sharers)\n"
	        "      --scan-limit N   a KSM page's sharers are found by walking every\n"
	        "                       VM_MERGEABLE VMA: at most N pages (default 1M; K, M,\n"
	        "                       G) and 5 seconds\n"
	        "  PFNs, page state and the sharers need root (CAP_SYS_ADMIN, and\n"
	        "  CAP_SYS_PTRACE for the sharers).\n"
	        "examples:\n"
	        "  vmscope explain 1234 0x7ffd1c2a1f00\n"
	        "  vmscope -j explain 1234 0x55d0c0ffe2a0 | jq '.addresses[0].sharers'\n",
};
