// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope thp PID [NAME|ADDR]: for every 2 MiB-aligned slot of the chosen
 * VMAs, whether it is a PMD-mapped THP, PTE-mapped large folios, small
 * pages or empty, and for each slot that is not huge, why, by the running
 * kernel's rules (mm/huge_memory.c __thp_vma_allowable_orders(),
 * mm/shmem.c shmem_allowable_huge_orders(), mm/khugepaged.c
 * hpage_collapse_scan_pmd()), checked in the kernel's order:
 *  - the VMA: hugetlb and special mappings never hold THP; the slot must
 *    lie wholly inside the VMA, and a file's offset be 2 MiB-aligned with
 *    the address; MADV_NOHUGEPAGE; prctl(PR_SET_THP_DISABLE);
 *  - the policy: transparent_hugepage/enabled and the 2M size's own
 *    hugepages-2048kB/enabled (6.8+) for anonymous memory and files,
 *    shmem_enabled and the tmpfs mount's huge= for shmem; a file needs a
 *    file system with large folios;
 *  - the content, for khugepaged: none or zero PTEs above max_ptes_none,
 *    swap entries above max_ptes_swap, shared pages above max_ptes_shared,
 *    uffd-wp, no writable PTE, no young PTE; else it is eligible and
 *    khugepaged has not got there yet.
 * The page states come from the module's range walk (pagemap without it:
 * then no PTE bits, so the writable and young rules are not checked, said
 * so).  smaps' THPeligible and PMD-mapped kB of each VMA are shown beside
 * the answer: the kernel's own verdict.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "backing.h"
#include "cmds.h"
#include "common.h"
#include "pagesrc.h"
#include "vmalist.h"

#define SLOT		(2ull << 20)
#define SLOT_PAGES	512
#define THP_SYS		"/sys/kernel/mm/transparent_hugepage"
/* Pages one run walks at most: a reserved 128 TiB arena is not walked page by page. */
#define WALK_LIMIT	(16ull << 20)

/* ---- the kernel's settings ------------------------------------------------------------ */

struct thp_sys {
	bool supported;
	char enabled[16], defrag[24], shmem[16], size_enabled[16], size_shmem[16];
	bool have_size, have_size_shmem;
	long max_none, max_swap, max_shared, to_scan, sleep_ms, full_scans;
};

/* The bracketed choice of a sysfs file ("always [madvise] never"), or the value. */
static bool sys_choice(const char *path, char *out, size_t sz)
{
	char buf[256], *a, *b;
	FILE *f = fopen(path, "re");

	out[0] = 0;
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return false;
	}
	fclose(f);
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b)
		snprintf(out, sz, "%.*s", (int)(b - a - 1), a + 1);
	else
		snprintf(out, sz, "%.*s", (int)strcspn(buf, "\n"), buf);
	return true;
}

static long sys_long(const char *name)
{
	char path[160], buf[32];

	snprintf(path, sizeof(path), THP_SYS "/khugepaged/%s", name);
	return sys_choice(path, buf, sizeof(buf)) ? strtol(buf, NULL, 10) : -1;
}

static void thp_sys_read(struct thp_sys *t)
{
	memset(t, 0, sizeof(*t));
	t->supported = sys_choice(THP_SYS "/enabled", t->enabled, sizeof(t->enabled));
	if (!t->supported)
		return;
	sys_choice(THP_SYS "/defrag", t->defrag, sizeof(t->defrag));
	sys_choice(THP_SYS "/shmem_enabled", t->shmem, sizeof(t->shmem));
	t->have_size = sys_choice(THP_SYS "/hugepages-2048kB/enabled", t->size_enabled,
				  sizeof(t->size_enabled));
	t->have_size_shmem = sys_choice(THP_SYS "/hugepages-2048kB/shmem_enabled", t->size_shmem,
					sizeof(t->size_shmem));
	t->max_none = sys_long("max_ptes_none");
	t->max_swap = sys_long("max_ptes_swap");
	t->max_shared = sys_long("max_ptes_shared");
	t->to_scan = sys_long("pages_to_scan");
	t->sleep_ms = sys_long("scan_sleep_millisecs");
	t->full_scans = sys_long("full_scans");
}

/* The anonymous 2M policy: the size's own setting, or the global one it inherits. */
static const char *anon_policy(const struct thp_sys *t)
{
	return t->have_size && strcmp(t->size_enabled, "inherit") ? t->size_enabled : t->enabled;
}

/* ---- the process ------------------------------------------------------------------------- */

/* THP_enabled of /proc/PID/status: 1, 0, or -1 (not there). */
static int status_thp(pid_t pid)
{
	char path[64], line[128];
	int v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "THP_enabled: %d", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* What smaps says of one VMA. */
struct smaps_thp {
	bool known;
	int eligible;		/* THPeligible: 1, 0, -1 (no such line) */
	long pmd_kb;		/* AnonHugePages + ShmemPmdMapped + FilePmdMapped */
	bool hg, nh;		/* VmFlags hg, nh */
};

/* smaps for the VMAs starting at starts[0..n) (sorted), read once up to the last. */
static void smaps_thp_read(pid_t pid, const uint64_t *starts, size_t n, struct smaps_thp *out)
{
	char path[64], *line = NULL;
	size_t cap = 0, k = 0;
	long cur = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f || !n) {
		if (f)
			fclose(f);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		unsigned long long s, e;
		size_t tok = strcspn(line, " ");
		long kbv;

		if (memchr(line, '-', tok) && !memchr(line, ':', tok) &&
		    sscanf(line, "%llx-%llx", &s, &e) == 2) {
			while (k < n && starts[k] < s)
				k++;
			if (k == n)
				break;
			cur = starts[k] == s ? (long)k : -1;
			if (cur >= 0) {
				out[cur].known = true;
				out[cur].eligible = -1;
			}
			continue;
		}
		if (cur < 0)
			continue;
		if (sscanf(line, "THPeligible: %d", &out[cur].eligible) == 1)
			continue;
		if (sscanf(line, "AnonHugePages: %ld kB", &kbv) == 1 ||
		    sscanf(line, "ShmemPmdMapped: %ld kB", &kbv) == 1 ||
		    sscanf(line, "FilePmdMapped: %ld kB", &kbv) == 1)
			out[cur].pmd_kb += kbv;
		else if (!strncmp(line, "VmFlags:", 8)) {
			out[cur].hg = strstr(line, " hg") != NULL;
			out[cur].nh = strstr(line, " nh") != NULL;
		}
	}
	free(line);
	fclose(f);
}

/* ---- slots -------------------------------------------------------------------------------- */

enum state {
	ST_HUGE, ST_HUGE_ZERO, ST_LARGE, ST_SMALL, ST_SWAPPED, ST_EMPTY, ST_HUGETLB, ST_UNWALKED,
};
static const char *const state_names[] = {
	"huge", "huge zero", "large folios", "small pages", "swapped", "empty", "hugetlb",
	"not walked",
};

enum why {
	W_NONE, W_NO_THP, W_HUGETLB, W_SPECIAL, W_PARTIAL, W_UNALIGNED, W_NOHUGEPAGE, W_PRCTL,
	W_PRCTL_ADVISED, W_NEVER, W_MADVISE, W_SHMEM_POLICY, W_NO_LARGE_FOLIOS, W_SMALL_FOLIOS,
	W_EMPTY, W_MAX_NONE, W_MAX_SWAP, W_MAX_SHARED, W_UFFD_WP, W_NOT_WRITABLE, W_NOT_YOUNG,
	W_PTE_MAPPED, W_ELIGIBLE, W_FILE_ELIGIBLE, W_NR,
};
static const char *const why_names[W_NR] = {
	"", "no_thp", "hugetlb", "special", "partial_slot", "unaligned_file_offset",
	"madv_nohugepage", "prctl_thp_disable", "prctl_except_advised", "thp_never",
	"thp_madvise", "shmem_policy", "no_large_folios", "small_folios", "empty",
	"max_ptes_none", "max_ptes_swap", "max_ptes_shared", "uffd_wp", "no_writable_pte",
	"not_young", "pte_mapped_thp", "not_collapsed_yet", "file_not_collapsed_yet",
};
/* What would make such a slot huge. */
static const char *const remedies[W_NR] = {
	[W_NO_THP] = "a kernel built with CONFIG_TRANSPARENT_HUGEPAGE, or hugetlb pages",
	[W_HUGETLB] = "nothing: hugetlb pages are huge already, from the hugetlb pool",
	[W_SPECIAL] = "nothing: a special mapping (PFN or I/O map) is the driver's",
	[W_PARTIAL] = "a VMA that covers the whole 2 MiB slot (map it 2 MiB-aligned and larger)",
	[W_UNALIGNED] = "map the file at an address whose offset into the slot matches the file "
			"offset's (a 2 MiB-aligned offset at a 2 MiB-aligned address)",
	[W_NOHUGEPAGE] = "madvise(MADV_HUGEPAGE) on the range (clears MADV_NOHUGEPAGE)",
	[W_PRCTL] = "prctl(PR_SET_THP_DISABLE, 0) in the process (it is inherited over fork "
		    "and exec)",
	[W_PRCTL_ADVISED] = "madvise(MADV_HUGEPAGE) on the range",
	[W_NEVER] = "THP enabled=madvise or always (/sys/kernel/mm/transparent_hugepage)",
	[W_MADVISE] = "madvise(MADV_HUGEPAGE) on the range, or enabled=always",
	[W_SHMEM_POLICY] = "shmem_enabled (or the tmpfs mount's huge=) always, within_size, or "
			   "advise with madvise(MADV_HUGEPAGE)",
	[W_NO_LARGE_FOLIOS] = "a file system whose page cache takes large folios (xfs, tmpfs "
			      "with huge=, ...)",
	[W_SMALL_FOLIOS] = "madvise(MADV_HUGEPAGE) before the first read (readahead then "
			   "allocates 2 MiB folios), or read the file through again",
	[W_EMPTY] = "touch it: the first fault maps a 2M THP when one can be allocated",
	[W_MAX_NONE] = "touch the slot's missing pages, or raise khugepaged/max_ptes_none",
	[W_MAX_SWAP] = "bring the pages back from swap, or raise khugepaged/max_ptes_swap",
	[W_MAX_SHARED] = "raise khugepaged/max_ptes_shared, or unshare (write) the pages",
	[W_UFFD_WP] = "remove the userfaultfd write protection",
	[W_NOT_WRITABLE] = "write to the slot once: khugepaged collapses writable regions only",
	[W_NOT_YOUNG] = "use the pages: khugepaged wants recently accessed ones",
	[W_PTE_MAPPED] = "madvise(MADV_COLLAPSE), or wait for khugepaged to map the folio by a PMD",
	[W_ELIGIBLE] = "wait for khugepaged, or madvise(MADV_COLLAPSE) now",
	[W_FILE_ELIGIBLE] = "wait for khugepaged, or madvise(MADV_COLLAPSE) now",
};

struct slot {
	uint64_t start;			/* the 2 MiB-aligned address */
	uint32_t pages;			/* of the slot inside the VMA */
	uint32_t present, none, zero, swap, other, shared, writable, young, uffd, pmd,
		 pmd_zero, large, hugetlb;
	uint32_t max_order;
	bool walked;
	enum state state;
	enum why why;
	char text[200];
};

struct tvma {
	struct vms_vma v;
	const char *name;
	enum backing bk;
	const char *what;
	bool hugepage, nohugepage;
	int large_folios;		/* the file takes large folios: 1, 0, -1 not known */
	uint32_t wflags;		/* the module's: THP_DISABLED, THP_ADVISED */
	struct smaps_thp sm;
	struct slot *slots;
	size_t nslots;
	uint64_t huge_bytes, slot_bytes;
	bool walk_cut;
	int err;
};

struct thp_result {
	pid_t pid;
	char command[256];
	enum page_source source;
	struct thp_sys sys;
	int status_thp;
	struct tvma *v;
	size_t n;
	size_t not_shown;		/* default selection: VMAs that cannot hold a 2M THP */
	struct vmalist own;		/* the listing, when the module is the source */
	bool full_flags;		/* the listing has every vm_flags bit (BPF) */
	uint64_t walk_limit;
};

struct thp_opts {
	const char *cmd;
	pid_t pid;
	const char *sel;		/* NAME or ADDR, or NULL */
	uint64_t addr;
	bool by_addr;
	int source;
};

static void slot_why(struct slot *s, enum why w, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void slot_why(struct slot *s, enum why w, const char *fmt, ...)
{
	va_list ap;

	s->why = w;
	va_start(ap, fmt);
	vsnprintf(s->text, sizeof(s->text), fmt, ap);
	va_end(ap);
}

/* One record into its slot. */
static void slot_add(struct slot *s, const struct vms_prec *r)
{
	if (r->stop == VMS_STOP_NONE_ENTRY) {
		s->none++;
		return;
	}
	if (r->stop == VMS_STOP_NOT_PRESENT) {
		if (r->swp_kind == VMS_SWP_SWAP)
			s->swap++;
		else
			s->other++;
		if (r->bits & VMS_E_UFFD_WP)
			s->uffd++;
		return;
	}
	if (r->stop != VMS_STOP_LEAF)
		return;
	s->present++;
	if (r->page_flags & VMS_PG_HUGETLB) {
		s->hugetlb++;
		return;
	}
	if (r->leaf_shift == 21) {
		s->pmd++;
		if (r->page_flags & VMS_PG_ZERO)
			s->pmd_zero++;
	} else if (r->page_flags & VMS_PG_ZERO) {
		s->zero++;
	} else if (r->order) {
		s->large++;
		if (r->order > s->max_order)
			s->max_order = r->order;
	}
	if (r->mapcount >= 2 && !(r->page_flags & VMS_PG_ZERO))
		s->shared++;
	if (r->bits & VMS_E_WRITE)
		s->writable++;
	if (r->bits & VMS_E_ACCESSED)
		s->young++;
	if (r->bits & VMS_E_UFFD_WP)
		s->uffd++;
}

static void slot_state(struct slot *s)
{
	if (!s->walked)
		s->state = ST_UNWALKED;
	else if (s->hugetlb)
		s->state = ST_HUGETLB;
	else if (s->pmd_zero && s->pmd_zero == s->pages)
		s->state = ST_HUGE_ZERO;
	else if (s->pmd && s->pmd == s->pages)
		s->state = ST_HUGE;
	else if (s->large)
		s->state = ST_LARGE;
	else if (s->present)
		s->state = ST_SMALL;
	else if (s->swap || s->other)
		s->state = ST_SWAPPED;
	else
		s->state = ST_EMPTY;
}

/* Shmem's policy for v: 0 allowed, or W_SHMEM_POLICY with words in s. */
static bool shmem_allows(const struct thp_result *r, const struct tvma *v, struct slot *s)
{
	const char *g = r->sys.shmem, *sb = g;
	bool anon_shmem = v->what && !strcmp(v->what, "shared anonymous memory");
	char size_s[16] = "";

	if (!strcmp(g, "force"))
		return true;
	if (!strcmp(g, "deny")) {
		slot_why(s, W_SHMEM_POLICY, "shmem_enabled=deny: THP off for all shmem");
		return false;
	}
	if (v->what && !strcmp(v->what, "a tmpfs file")) {
		/* a mounted tmpfs: its own huge= option decides, not shmem_enabled */
		slot_why(s, W_SHMEM_POLICY, "a file on a mounted tmpfs: its huge= mount option "
			 "decides (THPeligible %d)", v->sm.eligible);
		return v->sm.eligible == 1;
	}
	if (anon_shmem && r->sys.have_size_shmem && strcmp(r->sys.size_shmem, "inherit"))
		snprintf(size_s, sizeof(size_s), "%s", r->sys.size_shmem);
	if (!strcmp(sb, "always") || !strcmp(size_s, "always"))
		return true;
	if ((!strcmp(sb, "advise") || !strcmp(size_s, "advise")) && v->hugepage)
		return true;
	if (!strcmp(sb, "within_size") || !strcmp(size_s, "within_size")) {
		if (v->sm.eligible == 1)
			return true;
		slot_why(s, W_SHMEM_POLICY, "shmem_enabled=within_size: only slots inside the "
			 "file's size");
		return false;
	}
	slot_why(s, W_SHMEM_POLICY, "shmem_enabled=%s%s%s%s", sb, size_s[0] ?
		 " (hugepages-2048kB/shmem_enabled=" : "", size_s, size_s[0] ? ")" : "");
	if (!strcmp(sb, "advise") || !strcmp(size_s, "advise"))
		snprintf(s->text + strlen(s->text), sizeof(s->text) - strlen(s->text),
			 " and no MADV_HUGEPAGE here");
	return false;
}

/* Why slot s of v is not huge. */
static void slot_explain(const struct thp_result *r, const struct tvma *v, struct slot *s)
{
	const struct thp_sys *t = &r->sys;
	bool module = r->source == SRC_MODULE, anon = v->bk == BK_ANON;
	uint64_t pgoff_pages = v->v.pgoff >> 12;
	const char *pol;

	s->why = W_NONE;
	s->text[0] = 0;
	if (s->state == ST_HUGE || s->state == ST_HUGE_ZERO || s->state == ST_HUGETLB ||
	    s->state == ST_UNWALKED)
		return;
	if (!t->supported)
		return slot_why(s, W_NO_THP, "this kernel has no transparent huge pages "
				"(CONFIG_TRANSPARENT_HUGEPAGE is off, as in Debian's PREEMPT_RT "
				"builds)");
	if (v->bk == BK_HUGETLB)
		return slot_why(s, W_HUGETLB, "a hugetlb mapping: huge pages from the hugetlb "
				"pool, never THP");
	if (v->bk == BK_PFNMAP || v->bk == BK_SPECIAL || (v->v.vm_flags & VMS_VM_MIXEDMAP))
		return slot_why(s, W_SPECIAL, "a special mapping (%s): no THP",
				v->bk == BK_SPECIAL ? v->name : "VM_PFNMAP, VM_IO or VM_MIXEDMAP");
	if (s->pages < SLOT_PAGES)
		return slot_why(s, W_PARTIAL, "the slot is not entirely inside the VMA (%u of its "
				"512 pages are)", s->pages);
	if (v->bk != BK_ANON && ((v->v.start >> 12) - pgoff_pages) % SLOT_PAGES)
		return slot_why(s, W_UNALIGNED, "the file offset (0x%llx) is not 2 MiB-aligned "
				"with the address", (unsigned long long)v->v.pgoff);
	if (v->nohugepage)
		return slot_why(s, W_NOHUGEPAGE, "MADV_NOHUGEPAGE on this VMA");
	if (v->wflags & VMS_W_THP_DISABLED || r->status_thp == 0)
		return slot_why(s, W_PRCTL, "prctl(PR_SET_THP_DISABLE) in this process "
				"(/proc/PID/status THP_enabled: 0)");
	if ((v->wflags & VMS_W_THP_ADVISED) && !v->hugepage)
		return slot_why(s, W_PRCTL_ADVISED, "prctl(PR_SET_THP_DISABLE, "
				"PR_THP_DISABLE_EXCEPT_ADVISED): THP only where MADV_HUGEPAGE "
				"is");
	if (v->bk == BK_SHMEM) {
		if (!shmem_allows(r, v, s))
			return;
	} else {
		pol = anon || v->bk == BK_FILE ? anon_policy(t) : t->enabled;
		if (!strcmp(pol, "never"))
			return slot_why(s, W_NEVER, "THP is off: %s=never", pol == t->enabled ?
					"enabled" : "hugepages-2048kB/enabled");
		if (!strcmp(pol, "madvise") && !v->hugepage)
			return slot_why(s, W_MADVISE, "%s=madvise and no MADV_HUGEPAGE here",
					pol == t->enabled ? "enabled" : "hugepages-2048kB/enabled");
	}
	if (v->bk == BK_FILE) {
		if (v->large_folios == 0)
			return slot_why(s, W_NO_LARGE_FOLIOS, "the file's file system does not "
					"take large folios: its page cache is 4K pages");
		if (!s->present && !s->swap && !s->other)
			return slot_why(s, W_EMPTY, "nothing mapped yet: a fault maps the page "
					"cache's folio by a PMD when it is a whole 2M one (readahead "
					"makes them under MADV_HUGEPAGE)");
		if (s->max_order == 9)
			return slot_why(s, W_PTE_MAPPED, "a 2M folio mapped by PTEs");
		if (s->present && s->max_order < 9)
			return slot_why(s, W_SMALL_FOLIOS, "the page cache holds smaller folios "
					"here (largest order %u): readahead sized them",
					s->max_order);
		return slot_why(s, W_FILE_ELIGIBLE, "eligible: file pages are collapsed by "
				"khugepaged from the page cache (not these PTEs); not yet");
	}
	if (!s->present && !s->swap && !s->other)
		return slot_why(s, W_EMPTY, "nothing faulted in: the first touch faults in a 2M "
				"THP if one can be allocated (defrag=%s)", t->defrag);
	if (v->bk == BK_SHMEM)
		return slot_why(s, W_FILE_ELIGIBLE, "eligible: shmem pages are collapsed by "
				"khugepaged from the page cache (not these PTEs); not yet");
	/* anonymous memory: khugepaged's hpage_collapse_scan_pmd() */
	if (s->uffd)
		return slot_why(s, W_UFFD_WP, "%u PTEs are userfaultfd write-protected", s->uffd);
	if (t->max_swap >= 0 && s->swap > t->max_swap)
		return slot_why(s, W_MAX_SWAP, "%u swap entries > khugepaged/max_ptes_swap %ld",
				s->swap, t->max_swap);
	if (t->max_none >= 0 && s->none + s->zero > t->max_none)
		return slot_why(s, W_MAX_NONE, "%u of 512 PTEs none or the zero page > "
				"khugepaged/max_ptes_none %ld", s->none + s->zero, t->max_none);
	if (t->max_shared >= 0 && s->shared > t->max_shared)
		return slot_why(s, W_MAX_SHARED, "%u pages shared with other processes > "
				"khugepaged/max_ptes_shared %ld", s->shared, t->max_shared);
	if (module && !s->writable)
		return slot_why(s, W_NOT_WRITABLE, "no writable PTE (khugepaged skips read-only "
				"regions)");
	if (module && (!s->young || (s->swap && s->young < SLOT_PAGES / 2)))
		return slot_why(s, W_NOT_YOUNG, "%u recently accessed PTEs (khugepaged wants %s)",
				s->young, s->swap ? "256 when some are swapped" : "at least one");
	if (s->max_order == 9)
		return slot_why(s, W_PTE_MAPPED, "a 2M THP mapped by PTEs (after mprotect, "
				"mremap or a partial unmap)");
	slot_why(s, W_ELIGIBLE, "eligible, not collapsed yet: khugepaged scans %ld pages every "
		 "%ld ms (%ld full scans so far)%s", t->to_scan, t->sleep_ms, t->full_scans,
		 module ? "" : "; without the module the writable and young PTE rules were not "
		 "checked");
}

/* ---- run ------------------------------------------------------------------------------------ */

/* Whether v can hold a 2M THP at all (the default selection). */
static bool could_hold(const struct vms_vma *v, enum backing bk)
{
	uint64_t a = (v->start + SLOT - 1) & ~(SLOT - 1), b = v->end & ~(SLOT - 1);

	if (bk == BK_HUGETLB || bk == BK_PFNMAP || bk == BK_SPECIAL || v->start >= VMS_VSYSCALL_START)
		return false;
	if (!(v->vm_flags & (VMS_VM_READ | VMS_VM_WRITE | VMS_VM_EXEC)))
		return false;	/* PROT_NONE: reserved or a guard, nothing faults in */
	return b > a;
}

static bool name_matches(const char *n, const char *want)
{
	size_t len = strlen(n), nl = strlen(want);

	return !strcmp(n, want) || (len > nl && n[len - nl - 1] == '/' &&
				    !strcmp(n + len - nl, want));
}

static int pick_vmas(const struct thp_opts *o, const struct vmalist *l, struct thp_result *r)
{
	size_t i;

	r->v = calloc(l->n ? l->n : 1, sizeof(*r->v));
	if (!r->v)
		return -ENOMEM;
	for (i = 0; i < l->n; i++) {
		const struct vms_vma *v = &l->v[i];
		const char *name = vma_name_of(l, v), *what;
		enum backing bk = vma_backing(o->pid, v, name, &what);
		struct tvma *t;

		if (o->by_addr ? !(v->start <= o->addr && o->addr < v->end) :
		    o->sel ? !name_matches(name, o->sel) : !could_hold(v, bk)) {
			if (!o->sel)
				r->not_shown++;
			continue;
		}
		t = &r->v[r->n++];
		t->v = *v;
		t->name = name;
		t->bk = bk;
		t->what = what;
		t->large_folios = -1;
	}
	return 0;
}

static int walk_vma(struct page_src *src, struct thp_result *r, struct tvma *t, uint64_t *budget)
{
	uint64_t first = t->v.start & ~(SLOT - 1), addr = t->v.start, i;

	t->nslots = (t->v.end - first + SLOT - 1) / SLOT;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	for (i = 0; i < t->nslots; i++) {
		uint64_t s = first + i * SLOT, a = s < t->v.start ? t->v.start : s,
			 b = s + SLOT > t->v.end ? t->v.end : s + SLOT;

		t->slots[i].start = s;
		t->slots[i].pages = (b - a) / 4096;
	}
	while (addr < t->v.end) {
		const struct vms_range *h;
		const struct vms_prec *rec;
		const uint64_t *pme;
		uint64_t end = t->v.end;
		int n, k;

		if ((end - addr) / 4096 > *budget)
			end = addr + *budget * 4096;
		if (end <= addr) {
			t->walk_cut = true;
			break;
		}
		n = page_src_range(src, r->pid, addr, end, &h, &rec, &pme);
		if (n < 0)
			return n;
		for (k = 0; k < n; k++) {
			uint64_t a = h->first + (uint64_t)k * 4096;

			slot_add(&t->slots[(a - first) / SLOT], &rec[k]);
			t->slots[(a - first) / SLOT].walked = true;
		}
		*budget -= n;
		if (h->next <= addr)
			break;
		addr = h->next;
	}
	return 0;
}

static int thp_run(struct page_src *src, const struct thp_opts *o, struct thp_result *r)
{
	const struct vmalist *l;
	uint64_t budget = WALK_LIMIT, *starts = NULL;
	struct smaps_thp *sm = NULL;
	size_t i, j;
	int err;

	r->pid = o->pid;
	r->source = src->source;
	r->walk_limit = WALK_LIMIT;
	pid_cmdline(o->pid, r->command, sizeof(r->command));
	thp_sys_read(&r->sys);
	r->status_thp = status_thp(o->pid);
	if (src->pm) {
		l = pagemap_vmas(src->pm);
		r->full_flags = vmalist_source(pagemap_listing(src->pm)) == VMALIST_SRC_BPF;
	} else {
		struct vma_bpf *obj = vmalist_open(VMALIST_RECORDS, &err);

		if (!obj)
			return err;
		err = vmalist_collect(obj, o->pid, &r->own);
		r->full_flags = vmalist_source(obj) == VMALIST_SRC_BPF;
		vmalist_close(obj);
		if (err)
			return err;
		l = &r->own;
	}
	err = pick_vmas(o, l, r);
	if (err)
		return err;
	if (!r->n && (o->sel || o->by_addr))
		return -ENOENT;
	starts = calloc(r->n ? r->n : 1, sizeof(*starts));
	sm = calloc(r->n ? r->n : 1, sizeof(*sm));
	if (!starts || !sm) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < r->n; i++)
		starts[i] = r->v[i].v.start;
	smaps_thp_read(o->pid, starts, r->n, sm);
	for (i = 0; i < r->n; i++) {
		struct tvma *t = &r->v[i];

		t->sm = sm[i];
		/* MADV_(NO)HUGEPAGE: the listing's vm_flags, or smaps' VmFlags */
		if (r->full_flags || !sm[i].known) {
			t->hugepage = t->v.vm_flags & VMS_VM_HUGEPAGE;
			t->nohugepage = t->v.vm_flags & VMS_VM_NOHUGEPAGE;
		} else {
			t->hugepage = sm[i].hg;
			t->nohugepage = sm[i].nh;
		}
		if (src->source == SRC_MODULE) {
			struct vms_walk w = { .addr = t->v.start };
			uint64_t pme;

			if (page_src_walk(src, o->pid, &w, &pme, 1) == 1 && !w.err) {
				t->wflags = w.wflags;
				if (t->v.ino)
					t->large_folios = !!(w.wflags & VMS_W_LARGE_FOLIOS);
			}
		}
		t->err = walk_vma(src, r, t, &budget);
		if (t->err == -ENOMEM) {
			err = t->err;
			goto out;
		}
		for (j = 0; j < t->nslots; j++) {
			struct slot *s = &t->slots[j];

			slot_state(s);
			slot_explain(r, t, s);
			t->slot_bytes += (uint64_t)s->pages * 4096;
			if (s->state == ST_HUGE || s->state == ST_HUGE_ZERO)
				t->huge_bytes += (uint64_t)s->pages * 4096;
		}
	}
out:
	free(starts);
	free(sm);
	return err;
}

static void thp_free(struct thp_result *r)
{
	size_t i;

	for (i = 0; r->v && i < r->n; i++)
		free(r->v[i].slots);
	free(r->v);
	vmalist_free(&r->own);
}

/* ---- output ----------------------------------------------------------------------------------- */

/* A run: consecutive slots in the same state for the same reason. */
struct run {
	size_t first, n;
	struct slot sum;		/* counts summed */
};

static bool same_run(const struct slot *a, const struct slot *b)
{
	return a->state == b->state && a->why == b->why && !strcmp(a->text, b->text);
}

/* The next run of t from slot *i; false at the end. */
static bool next_run(const struct tvma *t, size_t *i, struct run *run)
{
	size_t j;

	if (*i >= t->nslots)
		return false;
	memset(run, 0, sizeof(*run));
	run->first = *i;
	run->sum = t->slots[*i];
	for (j = *i + 1; j < t->nslots && same_run(&t->slots[*i], &t->slots[j]); j++) {
		const struct slot *s = &t->slots[j];

		run->sum.pages += s->pages;
		run->sum.present += s->present;
		run->sum.none += s->none;
		run->sum.zero += s->zero;
		run->sum.swap += s->swap;
		run->sum.shared += s->shared;
		run->sum.writable += s->writable;
		run->sum.young += s->young;
		run->sum.pmd += s->pmd;
		run->sum.large += s->large;
		if (s->max_order > run->sum.max_order)
			run->sum.max_order = s->max_order;
	}
	run->n = j - *i;
	*i = j;
	return true;
}

/* Slots not huge, by reason, over every VMA. */
static void reasons(const struct thp_result *r, size_t count[W_NR])
{
	size_t i, j;

	memset(count, 0, W_NR * sizeof(*count));
	for (i = 0; i < r->n; i++)
		for (j = 0; j < r->v[i].nslots; j++)
			count[r->v[i].slots[j].why]++;
}

static uint64_t total_huge(const struct thp_result *r, uint64_t *slot_bytes)
{
	uint64_t huge = 0;
	size_t i;

	*slot_bytes = 0;
	for (i = 0; i < r->n; i++) {
		huge += r->v[i].huge_bytes;
		*slot_bytes += r->v[i].slot_bytes;
	}
	return huge;
}

static void sys_plain(const struct thp_result *r)
{
	const struct thp_sys *t = &r->sys;

	if (!t->supported) {
		printf("THP: none: this kernel has no transparent huge pages "
		       "(CONFIG_TRANSPARENT_HUGEPAGE is off, as in Debian's PREEMPT_RT builds); "
		       "only hugetlb pages are huge\n");
		return;
	}
	printf("THP: enabled=%s", t->enabled);
	if (t->have_size)
		printf(" (hugepages-2048kB: %s)", t->size_enabled);
	printf(" defrag=%s shmem_enabled=%s", t->defrag, t->shmem);
	if (t->have_size_shmem)
		printf(" (hugepages-2048kB: %s)", t->size_shmem);
	printf("\nkhugepaged: max_ptes_none %ld, max_ptes_swap %ld, max_ptes_shared %ld; %ld "
	       "pages every %ld ms, %ld full scans\n", t->max_none, t->max_swap, t->max_shared,
	       t->to_scan, t->sleep_ms, t->full_scans);
}

static void vma_plain(const struct thp_result *r, const struct tvma *t)
{
	char perms[5], size[16], a[16], b[16];
	struct run run;
	size_t i = 0;

	vm_flags_perms(t->v.vm_flags, perms);
	printf("\nVMA %llx-%llx %s %s ", (unsigned long long)t->v.start,
	       (unsigned long long)t->v.end, perms, fmt_size(t->v.end - t->v.start, size,
							       sizeof(size)));
	fput_name(stdout, *t->name ? t->name : "[ anon ]");
	printf("  (%s%s%s%s)", backing_names[t->bk], t->hugepage ? ", MADV_HUGEPAGE" : "",
	       t->nohugepage ? ", MADV_NOHUGEPAGE" : "", t->large_folios == 1 ?
	       ", large folios" : t->large_folios == 0 ? ", no large folios" : "");
	if (t->sm.known)
		printf("  smaps: THPeligible %d, PMD-mapped %ld kB", t->sm.eligible, t->sm.pmd_kb);
	putchar('\n');
	if (t->err) {
		printf("  walk failed: %s\n", strerror(-t->err));
		return;
	}
	printf("  %-16s %5s %-12s %s\n", "SLOT", "SLOTS", "STATE", "WHY NOT HUGE");
	while (next_run(t, &i, &run)) {
		const struct slot *s = &t->slots[run.first];

		printf("  %016llx %5zu %-12s %s", (unsigned long long)s->start, run.n,
		       state_names[s->state], s->why ? s->text : s->state == ST_UNWALKED ?
		       "the walk's bound was hit" : "-");
		if (s->state == ST_LARGE)
			printf("%s(largest order %u)", s->why ? " " : "", run.sum.max_order);
		putchar('\n');
	}
	printf("  %s of %s in 2 MiB slots huge\n", fmt_size(t->huge_bytes, a, sizeof(a)),
	       fmt_size(t->slot_bytes, b, sizeof(b)));
}

static void print_thp_plain(const struct thp_result *r)
{
	size_t count[W_NR], i;
	uint64_t slots, huge = total_huge(r, &slots);
	char a[16], b[16];

	printf("PID %d  %s  source: %s\n", r->pid, r->command, page_src_names[r->source]);
	sys_plain(r);
	if (r->status_thp >= 0)
		printf("this process: THP_enabled %d (/proc/PID/status)\n", r->status_thp);
	for (i = 0; i < r->n; i++)
		vma_plain(r, &r->v[i]);
	reasons(r, count);
	printf("\nsummary: %s of %s huge in %zu VMA%s", fmt_size(huge, a, sizeof(a)),
	       fmt_size(slots, b, sizeof(b)), r->n, r->n == 1 ? "" : "s");
	if (r->not_shown)
		printf(" (%zu more cannot hold a 2M THP: name one to see why)", r->not_shown);
	printf("%s\n", huge < slots ? "; to make the rest huge:" : "");
	for (i = 1; i < W_NR; i++) {
		if (!count[i])
			continue;
		printf("  %zu slot%s %s: %s\n", count[i], count[i] == 1 ? "" : "s",
		       why_names[i], remedies[i]);
	}
}

static void counts_json(const struct run *run, bool module)
{
	jw_key("counts");
	jw_start_obj();
	jw_u64("pages", run->sum.pages);
	jw_u64("present", run->sum.present);
	jw_u64("none", run->sum.none);
	jw_u64("zero", run->sum.zero);
	jw_u64("swap", run->sum.swap);
	jw_u64("shared", run->sum.shared);
	if (module) {
		jw_u64("writable", run->sum.writable);
		jw_u64("young", run->sum.young);
	} else {
		jw_null("writable");
		jw_null("young");
	}
	jw_u64("pmd_mapped", run->sum.pmd);
	jw_u64("large_folio", run->sum.large);
	jw_u64("max_order", run->sum.max_order);
	jw_end_obj();
}

static void vma_json(const struct thp_result *r, const struct tvma *t)
{
	char perms[5];
	struct run run;
	size_t i = 0;

	vm_flags_perms(t->v.vm_flags, perms);
	jw_start_obj();
	jw_hex("start", t->v.start);
	jw_hex("end", t->v.end);
	jw_u64("size", t->v.end - t->v.start);
	jw_str("perms", perms);
	jw_str("name", t->name);
	jw_str("backing", backing_names[t->bk]);
	jw_bool("madv_hugepage", t->hugepage);
	jw_bool("madv_nohugepage", t->nohugepage);
	if (t->large_folios >= 0)
		jw_bool("large_folios", t->large_folios);
	else
		jw_null("large_folios");
	if (t->sm.known) {
		jw_key("smaps");
		jw_start_obj();
		if (t->sm.eligible >= 0)
			jw_i64("thp_eligible", t->sm.eligible);
		else
			jw_null("thp_eligible");
		jw_u64("pmd_mapped_kb", t->sm.pmd_kb);
		jw_end_obj();
	} else {
		jw_null("smaps");
	}
	jw_u64("huge_kb", t->huge_bytes >> 10);
	jw_u64("slot_kb", t->slot_bytes >> 10);
	if (t->err) {
		jw_str("error", strerror(-t->err));
		jw_i64("errno", -t->err);
	}
	jw_key("runs");
	jw_start_arr();
	while (!t->err && next_run(t, &i, &run)) {
		const struct slot *s = &t->slots[run.first];

		jw_start_obj();
		jw_hex("start", s->start);
		jw_hex("end", s->start + run.n * SLOT);
		jw_u64("slots", run.n);
		jw_str("state", state_names[s->state]);
		if (s->why) {
			jw_str("why", why_names[s->why]);
			jw_str("reason", s->text);
			jw_str("remedy", remedies[s->why]);
		} else {
			jw_null("why");
			jw_null("reason");
			jw_null("remedy");
		}
		counts_json(&run, r->source == SRC_MODULE);
		jw_end_obj();
	}
	jw_end_arr();
	jw_end_obj();
}

static void print_thp_json(const struct thp_result *r)
{
	const struct thp_sys *t = &r->sys;
	size_t count[W_NR], i;
	uint64_t slots, huge = total_huge(r, &slots);

	jw_start_obj();
	jw_u64("pid", r->pid);
	jw_str("command", r->command);
	jw_str("source", page_src_names[r->source]);
	jw_key("thp");
	jw_start_obj();
	jw_bool("supported", t->supported);
	if (t->supported) {
		jw_str("enabled", t->enabled);
		jw_str("defrag", t->defrag);
		jw_str("shmem_enabled", t->shmem);
		if (t->have_size)
			jw_str("enabled_2m", t->size_enabled);
		else
			jw_null("enabled_2m");
		if (t->have_size_shmem)
			jw_str("shmem_enabled_2m", t->size_shmem);
		else
			jw_null("shmem_enabled_2m");
		jw_key("khugepaged");
		jw_start_obj();
		jw_i64("max_ptes_none", t->max_none);
		jw_i64("max_ptes_swap", t->max_swap);
		jw_i64("max_ptes_shared", t->max_shared);
		jw_i64("pages_to_scan", t->to_scan);
		jw_i64("scan_sleep_millisecs", t->sleep_ms);
		jw_i64("full_scans", t->full_scans);
		jw_end_obj();
	}
	jw_end_obj();
	if (r->status_thp >= 0)
		jw_i64("thp_enabled", r->status_thp);
	else
		jw_null("thp_enabled");
	jw_key("vmas");
	jw_start_arr();
	for (i = 0; i < r->n; i++)
		vma_json(r, &r->v[i]);
	jw_end_arr();
	reasons(r, count);
	jw_key("summary");
	jw_start_obj();
	jw_u64("huge_kb", huge >> 10);
	jw_u64("slot_kb", slots >> 10);
	jw_u64("vmas", r->n);
	jw_u64("vmas_not_shown", r->not_shown);
	jw_key("not_huge");
	jw_start_arr();
	for (i = 1; i < W_NR; i++) {
		if (!count[i])
			continue;
		jw_start_obj();
		jw_str("why", why_names[i]);
		jw_u64("slots", count[i]);
		jw_str("remedy", remedies[i]);
		jw_end_obj();
	}
	jw_end_arr();
	jw_end_obj();
	jw_end_obj();
	jw_done();
}

/* ---- the command --------------------------------------------------------------------------- */

static int thp_opts(int argc, char **argv, struct thp_opts *o)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 'S' },
		COMMON_LONG,
		{}
	};
	int c, rc;

	o->cmd = argv[0];
	o->source = -1;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		if (c == 'S') {
			if (page_src_parse(o->cmd, optarg, &o->source))
				return EXIT_USAGE;
			continue;
		}
		rc = cmd_common(o->cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind < 1 || argc - optind > 2) {
		p_usage(o->cmd, "expected PID, and a VMA's NAME or an ADDR in it");
		return EXIT_USAGE;
	}
	if (parse_pid(argv[optind], &o->pid))
		return EXIT_USAGE;
	if (argc - optind == 2) {
		const char *a = argv[optind + 1];

		/* hex digits (with or without 0x) are an address; anything else a name */
		if ((a[0] == '0' && (a[1] == 'x' || a[1] == 'X')) ||
		    (*a && strspn(a, "0123456789abcdefABCDEF") == strlen(a))) {
			if (parse_addr(a, &o->addr))
				return EXIT_USAGE;
			o->by_addr = true;
		} else {
			o->sel = a;
		}
	}
	return -1;
}

static int do_thp(int argc, char **argv)
{
	struct thp_opts o = {};
	struct thp_result r = {};
	struct page_src src = {};
	int rc, err;

	rc = thp_opts(argc, argv, &o);
	if (rc >= 0)
		goto out;
	rc = EXIT_RUNTIME;
	if (page_src_open(&src, o.cmd, o.pid, o.by_addr ? o.addr : 0, o.source,
			  VMEM_P_RANGE))
		goto out;
	page_src_note(&src, o.cmd, o.pid);
	err = thp_run(&src, &o, &r);
	if (err == -ENOENT) {
		if (o.by_addr)
			p_error(ENOENT, "%s: process %d has no VMA at 0x%llx", o.cmd, o.pid,
				(unsigned long long)o.addr);
		else
			p_error(ENOENT, "%s: process %d has no VMA named '%s'", o.cmd, o.pid, o.sel);
		goto out;
	}
	if (err) {
		memcmd_err(o.cmd, o.pid, err, 0, false);
		goto out;
	}
	if (json_output)
		print_thp_json(&r);
	else
		print_thp_plain(&r);
	rc = 0;
out:
	thp_free(&r);
	page_src_close(&src);
	return rc;
}

const struct cmd cmd_thp = {
	.name = "thp",
	.fn = do_thp,
	.usage = "thp [OPTIONS] PID [NAME|ADDR]",
	.summary = "each 2 MiB slot: a THP, large folios, small pages or empty, and why it is not huge",
	.help = "      --source S     module (the default when it is loaded) or pagemap (no PTE\n"
	        "                     bits: khugepaged's writable and young rules unchecked)\n"
	        "  NAME chooses the VMAs of that name ([heap], a path or base name), ADDR\n"
	        "  (hex) the VMA holding it; by default every VMA that can hold a 2M THP.\n"
	        "examples:\n"
	        "  vmscope thp 1234\n"
	        "  vmscope thp 1234 '[heap]'\n"
	        "  vmscope -j thp 1234 0x7f0000000000 | jq '.summary'\n",
};
