// SPDX-License-Identifier: GPL-2.0
/*
 * 'vmscope page' without the module: /proc/PID/pagemap, /proc/kpageflags,
 * /proc/kpagecount and /proc/PID/smaps read into the module's records
 * (pagemap.h says what each field holds).  Reads are large: a range costs
 * one pread of pagemap per stretch of adjacent VMAs (up to PM_BATCH pages);
 * kpageflags and kpagecount are read 8 bytes a page, or a whole 2 MiB
 * window for a compound page (once per THP); smaps is read once, and only
 * as far as the VMAs asked about.
 *
 * Nothing here is a snapshot: pagemap, kpageflags and smaps are read one
 * after the other while the process runs, so a page that changes between
 * them can look inconsistent, as it would to any reader of those files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/kernel-page-flags.h>
#include "common.h"
#include "pagemap.h"
#include "vmalist.h"

#define PG_SHIFT	12
#define PG_SIZE		(1ull << PG_SHIFT)
#define PMD_SIZE_	(1ull << 21)
#define PM_BATCH	65536		/* pages per range run: 512 KiB of pagemap */
#define KPF_WIN		512		/* a window of kpageflags: one 2 MiB folio */
#define KPF(b)		(1ull << (b))
/* kpageflags bits of fs/proc/page.c that the UAPI header leaves out */
#define KPF_RESERVED_	32
#define KPF_MLOCKED_	33
#define KPF_COMPOUND	(KPF(KPF_COMPOUND_HEAD) | KPF(KPF_COMPOUND_TAIL))
/*
 * Before 6.9 a tail page's kpageflags are its own, mostly empty; the module
 * reports the folio's.  These bits are the tail's own in both; the others
 * are taken from the head.
 */
#define KPF_PER_PAGE	(KPF(KPF_ANON) | KPF(KPF_KSM) | KPF(KPF_THP) | KPF(KPF_HUGE) | \
			 KPF(KPF_ZERO_PAGE) | KPF_COMPOUND | KPF(KPF_RESERVED_))

/* vm_flags bits of include/linux/mm.h, the same on every kernel */
#define VM_PFNMAP_	0x00000400ull
#define VM_IO_		0x00004000ull
#define VM_HUGETLB_	0x00400000ull

/*
 * Swap types from here up are Linux's special entries (migration, device,
 * hwpoison, markers: MAX_SWAPFILES and above), 24 with all of them
 * configured as Debian does; no machine has that many swap areas.
 */
#define SWP_FIRST_SPECIAL	24

/* What smaps adds to a VMA of the listing. */
struct vma_facts {
	bool known;		/* the VMA was found in smaps */
	bool hugetlb, pfnmap, io;	/* VmFlags ht, pf, io */
	uint8_t kps_shift;	/* KernelPageSize: 12, 21, 30 */
	uint64_t pmd_kb;	/* PMD-mapped THP: AnonHugePages, ShmemPmdMapped, FilePmdMapped */
};

struct pagemap {
	pid_t pid;
	int pm_fd, kpf_fd, kpc_fd;
	bool pfns;		/* PFNs and swap entries show */
	bool state;		/* kpageflags and kpagecount can be read */
	bool ksm_quirk;		/* kpageflags marks every anonymous page KSM */
	bool swap_on;		/* a swap area is active */
	bool full_flags;	/* the listing has every vm_flags bit (BPF) */
	struct vma_bpf *obj;
	struct vmalist l;
	struct vma_facts *facts;	/* one per listed VMA */
	FILE *smaps;
	char *line;
	size_t line_cap;
	long smaps_cur;		/* listing index of the VMA smaps is at, or -1 */
	uint64_t smaps_at;	/* start of that VMA */
	bool smaps_started, smaps_done;
	/* the last kpageflags and kpagecount window */
	bool win_valid;
	uint64_t win_base;
	uint64_t win_kpf[KPF_WIN], win_kpc[KPF_WIN];
	uint64_t win_next;	/* kpageflags of the page after the window */
	/* a range run's results */
	struct vms_range hdr;
	struct vms_prec *recs;
	uint64_t *pme;
};

/* ---- reading ------------------------------------------------------------------- */

/*
 * n 8-byte entries from index idx of a /proc file into out.  Returns how
 * many were read (fewer at the end of the file), or -errno.
 */
static ssize_t read_u64s(int fd, uint64_t idx, uint64_t *out, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)out + done * 8, (n - done) * 8,
				  (off_t)((idx + done) * 8));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		done += r / 8;
	}
	return done;
}

/* Pagemap entries: all of them, or -EINVAL when the process has gone. */
static int read_pagemap(struct pagemap *pm, uint64_t addr, uint64_t *out, size_t n)
{
	ssize_t r = read_u64s(pm->pm_fd, addr >> PG_SHIFT, out, n);

	if (r < 0)
		return r;
	return (size_t)r == n ? 0 : -EINVAL;	/* its mm is gone: exited */
}

/*
 * Whether the pagemap files this process opens show PFNs (CAP_SYS_ADMIN
 * in the initial user namespace, checked at open): its own pagemap tells.
 */
static bool pfns_shown(void)
{
	static volatile char probe;
	uint64_t e = 0;
	int fd;

	probe = 1;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read_u64s(fd, (uintptr_t)&probe >> PG_SHIFT, &e, 1) != 1)
		e = 0;
	close(fd);
	return (e & PM_PRESENT) && (e & PM_PFN_MASK);
}

/*
 * 6.12's kpageflags tests "mapping & PAGE_MAPPING_KSM", which every
 * anonymous page passes, so its KSM bit means nothing there: a fresh
 * anonymous page of this process, never merged, tells.
 */
static bool kpf_ksm_quirk(int kpf_fd)
{
	char *p = mmap(NULL, PG_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e = 0, k = 0;
	int fd;

	if (p == MAP_FAILED)
		return false;
	p[0] = 1;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read_u64s(fd, (uintptr_t)p >> PG_SHIFT, &e, 1) == 1 && (e & PM_PRESENT))
		read_u64s(kpf_fd, e & PM_PFN_MASK, &k, 1);
	if (fd >= 0)
		close(fd);
	munmap(p, PG_SIZE);
	return k & KPF(KPF_KSM);
}

static bool swap_active(void)
{
	FILE *f = fopen("/proc/swaps", "re");
	char line[256];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n > 1;	/* a header, then one line per area */
}

/* ---- VMAs ------------------------------------------------------------------------- */

/* Index of the first VMA that ends above addr (l.n: none). */
static size_t vma_from(const struct pagemap *pm, uint64_t addr)
{
	size_t lo = 0, hi = pm->l.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->l.v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static long vma_covering(const struct pagemap *pm, uint64_t addr)
{
	size_t i = vma_from(pm, addr);

	return i < pm->l.n && pm->l.v[i].start <= addr ? (long)i : -1;
}

static long vma_starting(const struct pagemap *pm, uint64_t start)
{
	size_t i = vma_from(pm, start);

	return i < pm->l.n && pm->l.v[i].start == start ? (long)i : -1;
}

/* An smaps header line ("start-end perms ..."): its start. */
static bool smaps_header(const char *line, unsigned long long *start)
{
	size_t tok = strcspn(line, " ");
	unsigned long long end;

	return memchr(line, '-', tok) && !memchr(line, ':', tok) &&
	       sscanf(line, "%llx-%llx", start, &end) == 2;
}

static void smaps_field(struct vma_facts *f, const char *line)
{
	unsigned long kb;

	if (sscanf(line, "KernelPageSize: %lu kB", &kb) == 1 && kb && !(kb & (kb - 1))) {
		f->kps_shift = 10 + __builtin_ctzl(kb);
	} else if (sscanf(line, "AnonHugePages: %lu kB", &kb) == 1 ||
		   sscanf(line, "ShmemPmdMapped: %lu kB", &kb) == 1 ||
		   sscanf(line, "FilePmdMapped: %lu kB", &kb) == 1) {
		f->pmd_kb += kb;
	} else if (!strncmp(line, "VmFlags:", 8)) {
		f->hugetlb = strstr(line, " ht") != NULL;
		f->pfnmap = strstr(line, " pf") != NULL;
		f->io = strstr(line, " io") != NULL;
	}
}

/*
 * Read smaps on until VMA i is read whole (the next VMA's header, or the
 * end).  Every VMA read on the way is kept.
 */
static void smaps_until(struct pagemap *pm, size_t i)
{
	uint64_t want = pm->l.v[i].start;

	while (!pm->smaps_done && !(pm->smaps_started && pm->smaps_at > want)) {
		unsigned long long s;

		if (!pm->smaps) {
			char path[64];

			snprintf(path, sizeof(path), "/proc/%d/smaps", pm->pid);
			pm->smaps = fopen(path, "re");
			pm->smaps_cur = -1;
			if (!pm->smaps) {
				pm->smaps_done = true;
				break;
			}
		}
		if (getline(&pm->line, &pm->line_cap, pm->smaps) <= 0) {
			pm->smaps_done = true;
			break;
		}
		if (smaps_header(pm->line, &s)) {
			pm->smaps_started = true;
			pm->smaps_at = s;
			pm->smaps_cur = vma_starting(pm, s);
			if (pm->smaps_cur >= 0)
				pm->facts[pm->smaps_cur].known = true;
			continue;
		}
		if (pm->smaps_cur >= 0)
			smaps_field(&pm->facts[pm->smaps_cur], pm->line);
	}
}

static const struct vma_facts *facts_of(struct pagemap *pm, size_t i)
{
	smaps_until(pm, i);
	return pm->facts[i].known ? &pm->facts[i] : NULL;
}

/* VM_HUGETLB, VM_PFNMAP, VM_IO: from the listing, or from smaps' VmFlags. */
static bool vma_has(struct pagemap *pm, size_t i, uint64_t flag)
{
	const struct vma_facts *f;

	if (pm->full_flags)
		return pm->l.v[i].vm_flags & flag;
	f = facts_of(pm, i);
	if (!f)
		return false;
	return flag == VM_HUGETLB_ ? f->hugetlb : flag == VM_PFNMAP_ ? f->pfnmap : f->io;
}

/* Private anonymous memory: only anonymous pages and zero pages live there. */
static bool vma_anon_private(const struct vms_vma *v)
{
	return !(v->vm_flags & VMS_VM_MAYSHARE) && !v->ino &&
	       (v->name_kind == VMS_NAME_NONE || v->name_kind == VMS_NAME_HEAP ||
		v->name_kind == VMS_NAME_STACK || v->name_kind == VMS_NAME_ANON);
}

/* ---- pages ------------------------------------------------------------------------ */

/* Load the kpageflags and kpagecount of the 2 MiB-aligned block at base. */
static int load_window(struct pagemap *pm, uint64_t base)
{
	ssize_t a, b;

	pm->win_valid = false;
	a = read_u64s(pm->kpf_fd, base, pm->win_kpf, KPF_WIN);
	b = read_u64s(pm->kpc_fd, base, pm->win_kpc, KPF_WIN);
	if (a < 0 || b < 0)
		return a < 0 ? a : b;
	/* past the end of memory: no page frame */
	for (; a < KPF_WIN; a++)
		pm->win_kpf[a] = KPF(KPF_NOPAGE);
	for (; b < KPF_WIN; b++)
		pm->win_kpc[b] = 0;
	/* once per window, not once per page of a folio that fills it */
	if (read_u64s(pm->kpf_fd, base + KPF_WIN, &pm->win_next, 1) != 1)
		pm->win_next = 0;
	pm->win_base = base;
	pm->win_valid = true;
	return 0;
}

/* kpageflags and kpagecount of pfn; a compound page's window stays loaded. */
static int kpage(struct pagemap *pm, uint64_t pfn, uint64_t *k, uint64_t *c)
{
	uint64_t base = pfn & ~(uint64_t)(KPF_WIN - 1);
	int err;

	if (!pm->win_valid || pm->win_base != base) {
		if (read_u64s(pm->kpf_fd, pfn, k, 1) != 1)
			return -EIO;
		if (!(*k & KPF_COMPOUND)) {
			*c = 0;
			return read_u64s(pm->kpc_fd, pfn, c, 1) == 1 ? 0 : -EIO;
		}
		err = load_window(pm, base);
		if (err)
			return err;
	}
	*k = pm->win_kpf[pfn - base];
	*c = pm->win_kpc[pfn - base];
	return 0;
}

/*
 * The folio of a compound page pfn (in the loaded window): its head and
 * pages.  False when the head or the end lies outside the window, as for
 * a 1 GiB page.
 */
static bool folio_of(struct pagemap *pm, uint64_t pfn, uint64_t *head, uint64_t *nr)
{
	uint64_t j = pfn - pm->win_base, cnt, next = 0;

	while (!(pm->win_kpf[j] & KPF(KPF_COMPOUND_HEAD))) {
		if (!j || !(pm->win_kpf[j] & KPF(KPF_COMPOUND_TAIL)))
			return false;
		j--;
	}
	for (cnt = 1; j + cnt < KPF_WIN; cnt++) {
		uint64_t t = pm->win_kpf[j + cnt];

		if (!(t & KPF(KPF_COMPOUND_TAIL)) || (t & KPF(KPF_COMPOUND_HEAD)))
			break;
	}
	/*
	 * Folios are aligned to their size: only one that fills the window
	 * can go on past it (a 1 GiB page).
	 */
	next = pm->win_next;
	if (cnt == KPF_WIN && (next & KPF(KPF_COMPOUND_TAIL)) && !(next & KPF(KPF_COMPOUND_HEAD)))
		return false;
	*head = pm->win_base + j;
	*nr = cnt;
	return true;
}

static uint32_t kpf_to_vms(const struct pagemap *pm, uint64_t k, uint64_t e)
{
	static const struct { int kpf; uint32_t vms; } map[] = {
		{ KPF_ANON, VMS_PG_ANON }, { KPF_ZERO_PAGE, VMS_PG_ZERO }, { KPF_THP, VMS_PG_THP },
		{ KPF_HUGE, VMS_PG_HUGETLB }, { KPF_LRU, VMS_PG_LRU }, { KPF_DIRTY, VMS_PG_DIRTY },
		{ KPF_LOCKED, VMS_PG_LOCKED }, { KPF_SWAPCACHE, VMS_PG_SWAPCACHE },
		{ KPF_WRITEBACK, VMS_PG_WRITEBACK }, { KPF_UPTODATE, VMS_PG_UPTODATE },
		{ KPF_ACTIVE, VMS_PG_ACTIVE }, { KPF_REFERENCED, VMS_PG_REFERENCED },
		{ KPF_UNEVICTABLE, VMS_PG_UNEVICTABLE }, { KPF_MLOCKED_, VMS_PG_MLOCKED },
		{ KPF_RESERVED_, VMS_PG_RESERVED },
	};
	uint32_t f = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (k & KPF(map[i].kpf))
			f |= map[i].vms;
	if ((k & KPF(KPF_KSM)) && !pm->ksm_quirk)
		f |= VMS_PG_KSM;
	if (k & KPF_COMPOUND)
		f |= VMS_PG_COMPOUND;
	/* page cache (shmem too): pagemap's file bit, but not the huge zero page */
	if ((e & PM_FILE) && !(k & (KPF(KPF_ANON) | KPF(KPF_ZERO_PAGE))))
		f |= VMS_PG_FILE;
	return f;
}

/* 2 MiB blocks wholly inside v. */
static uint64_t pmd_blocks(const struct vms_vma *v)
{
	uint64_t a = (v->start + PMD_SIZE_ - 1) & ~(PMD_SIZE_ - 1), b = v->end & ~(PMD_SIZE_ - 1);

	return b > a ? (b - a) / PMD_SIZE_ : 0;
}

/*
 * The leaf size of a present page at va of a VMA that is not hugetlb: a
 * 2 MiB leaf maps a whole aligned 2 MiB folio whose pages sit at the same
 * offsets in the block of va; smaps' PMD-mapped kB of the VMA tell when
 * there is none, or when every block is one.  0: not known.
 */
static uint8_t thp_leaf(struct pagemap *pm, size_t vi, uint64_t va, uint64_t e, uint64_t k,
			bool have_folio, uint64_t head, uint64_t nr)
{
	const struct vms_vma *v = &pm->l.v[vi];
	uint64_t blk = va & ~(PMD_SIZE_ - 1);
	const struct vma_facts *f;

	if (blk < v->start || blk + PMD_SIZE_ > v->end)
		return 12;
	if (pm->state && (e & PM_PFN_MASK)) {
		/* the huge zero page is only ever mapped by a PMD */
		if ((k & KPF(KPF_ZERO_PAGE)) && (k & KPF(KPF_THP)))
			return 21;
		if (!have_folio || nr != KPF_WIN ||
		    ((va >> PG_SHIFT) & (KPF_WIN - 1)) != (e & PM_PFN_MASK) - head)
			return 12;
		f = facts_of(pm, vi);
		return f && !f->pmd_kb ? 12 : 21;
	}
	/* In private anonymous memory only the huge zero page is not anonymous. */
	if ((e & PM_FILE) && vma_anon_private(v))
		return 21;
	f = facts_of(pm, vi);
	if (!f)
		return 0;
	if (!f->pmd_kb)
		return 12;
	return f->pmd_kb * 1024 >= pmd_blocks(v) * PMD_SIZE_ ? 21 : 0;
}

/* A present page: PFN, state (kpageflags, kpagecount), leaf size, order. */
static void decode_present(struct pagemap *pm, size_t vi, uint64_t va, uint64_t e,
			   struct vms_prec *r, uint32_t *order)
{
	uint64_t pfn = e & PM_PFN_MASK, k = 0, c = 0, head = pfn, nr = 1;
	bool have_folio = false, hugetlb = vma_has(pm, vi, VM_HUGETLB_);

	r->stop = VMS_STOP_LEAF;
	r->pfn = pfn;
	if (pm->state && pfn && !kpage(pm, pfn, &k, &c)) {
		have_folio = !(k & KPF_COMPOUND) || folio_of(pm, pfn, &head, &nr);
		if ((k & KPF(KPF_COMPOUND_TAIL)) && have_folio)
			k = (k & KPF_PER_PAGE) | (pm->win_kpf[head - pm->win_base] & ~KPF_PER_PAGE);
		r->page_flags = kpf_to_vms(pm, k, e);
		r->mapcount = (int32_t)c;
		if (have_folio && !(nr & (nr - 1)))
			*order = __builtin_ctzll(nr);
	}
	if (hugetlb) {
		const struct vma_facts *f = facts_of(pm, vi);

		r->leaf_shift = f ? f->kps_shift : 0;
		if (r->leaf_shift && pm->state && pfn)
			*order = r->leaf_shift - PG_SHIFT;
	} else {
		r->leaf_shift = thp_leaf(pm, vi, va, e, k, have_folio, head, nr);
	}
}

/*
 * A non-present entry.  pagemap sets its swap bit for every one: swap,
 * migration, device, hwpoison and markers alike.  A guard region says so;
 * a special type (shown to CAP_SYS_ADMIN) or no active swap area means it
 * is not swap, with no more said.
 */
static void decode_swap(const struct pagemap *pm, uint64_t e, struct vms_prec *r)
{
	uint64_t frame = e & PM_PFN_MASK;
	uint32_t type = frame & ((1u << PM_SWAP_TYPE_BITS) - 1);

	r->stop = VMS_STOP_NOT_PRESENT;
	r->swp_type = type;
	r->pfn = frame >> PM_SWAP_TYPE_BITS;
	if (e & PM_GUARD)
		r->swp_kind = VMS_SWP_MARKER;
	else if (frame && type >= SWP_FIRST_SPECIAL)
		r->swp_kind = (e & PM_UFFD_WP) ? VMS_SWP_MARKER : VMS_SWP_OTHER;
	else
		r->swp_kind = pm->swap_on ? VMS_SWP_SWAP : VMS_SWP_OTHER;
}

/* One page at va of VMA vi, whose pagemap entry is e, into r. */
static void decode(struct pagemap *pm, size_t vi, uint64_t va, uint64_t e, struct vms_prec *r,
		   uint32_t *order)
{
	memset(r, 0, sizeof(*r));
	r->level = VMS_NR_LEVELS;
	r->mapcount = -1;
	*order = PAGEMAP_ORDER_UNKNOWN;
	/* pagemap skips VM_PFNMAP VMAs: it says nothing about their pages */
	if (vma_has(pm, vi, VM_PFNMAP_))
		return;
	if (e & PM_PRESENT)
		decode_present(pm, vi, va, e, r, order);
	else if (e & PM_SWAP)
		decode_swap(pm, e, r);
	else
		r->stop = VMS_STOP_NONE_ENTRY;
}

/* ---- the interface ------------------------------------------------------------------ */

struct pagemap *pagemap_open(pid_t pid, int *err)
{
	struct pagemap *pm = calloc(1, sizeof(*pm));
	char path[64];
	uint64_t e;

	if (!pm) {
		*err = -ENOMEM;
		return NULL;
	}
	pm->pid = pid;
	pm->kpf_fd = pm->kpc_fd = -1;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm->pm_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pm->pm_fd < 0) {
		/* A kernel thread or an exited process has no mm: ESRCH (6.x). */
		*err = errno == ENOENT ? -ESRCH : errno == EPERM ? -EACCES :
		       errno == ESRCH && pid_exists(pid) ? -EINVAL : -errno;
		goto fail;
	}
	/* Older kernels open it and read nothing. */
	*err = read_pagemap(pm, 0, &e, 1);
	if (*err)
		goto fail;
	pm->obj = vmalist_open(VMALIST_RECORDS, err);
	if (!pm->obj)
		goto fail;
	*err = vmalist_collect(pm->obj, pid, &pm->l);
	if (*err)
		goto fail;
	if (!pm->l.n) {
		*err = -EINVAL;
		goto fail;
	}
	pm->full_flags = vmalist_source(pm->obj) == VMALIST_SRC_BPF;
	pm->facts = calloc(pm->l.n, sizeof(*pm->facts));
	if (!pm->facts) {
		*err = -ENOMEM;
		goto fail;
	}
	pm->pfns = pfns_shown();
	if (pm->pfns) {
		pm->kpf_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
		pm->kpc_fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
		pm->state = pm->kpf_fd >= 0 && pm->kpc_fd >= 0;
		pm->ksm_quirk = pm->state && kpf_ksm_quirk(pm->kpf_fd);
	}
	pm->swap_on = swap_active();
	*err = 0;
	return pm;
fail:
	pagemap_close(pm);
	return NULL;
}

void pagemap_close(struct pagemap *pm)
{
	if (!pm)
		return;
	if (pm->pm_fd >= 0)
		close(pm->pm_fd);
	if (pm->kpf_fd >= 0)
		close(pm->kpf_fd);
	if (pm->kpc_fd >= 0)
		close(pm->kpc_fd);
	if (pm->smaps)
		fclose(pm->smaps);
	free(pm->line);
	free(pm->facts);
	free(pm->recs);
	free(pm->pme);
	vmalist_free(&pm->l);
	vmalist_close(pm->obj);
	free(pm);
}

const struct vma_bpf *pagemap_listing(const struct pagemap *pm)
{
	return pm->obj;
}

const struct vmalist *pagemap_vmas(const struct pagemap *pm)
{
	return &pm->l;
}

bool pagemap_pfns_shown(const struct pagemap *pm)
{
	return pm->pfns;
}

bool pagemap_state_shown(const struct pagemap *pm)
{
	return pm->state;
}

int pagemap_walk(struct pagemap *pm, struct vms_walk *w, uint64_t *pme, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t addr = w[i].addr;
		const struct vms_vma *v;
		struct vms_prec r;
		uint32_t order;
		long vi;
		int err;

		memset(&w[i], 0, sizeof(w[i]));
		w[i].addr = addr;
		pme[i] = 0;
		vi = vma_covering(pm, addr);
		if (vi < 0) {
			w[i].err = -ENOENT;
			w[i].wflags = VMS_W_NO_VMA;
			continue;
		}
		v = &pm->l.v[vi];
		w[i].vm_start = v->start;
		w[i].vm_end = v->end;
		w[i].vm_flags = v->vm_flags;
		if (vma_has(pm, vi, VM_PFNMAP_) || vma_has(pm, vi, VM_IO_))
			w[i].wflags |= VMS_W_PFNMAP;
		if (vma_has(pm, vi, VM_HUGETLB_))
			w[i].wflags |= VMS_W_HUGETLB_VMA;
		err = read_pagemap(pm, addr, &pme[i], 1);
		if (err)
			return err;
		decode(pm, vi, addr, pme[i], &r, &order);
		w[i].stop_reason = r.stop;
		w[i].leaf_shift = r.leaf_shift;
		w[i].refcount = -1;
		w[i].mapcount = r.mapcount;
		w[i].order = order;
		if (r.stop == VMS_STOP_LEAF) {
			if (r.pfn) {
				w[i].pfn = r.pfn;
				w[i].phys = r.pfn << PG_SHIFT | (addr & (PG_SIZE - 1));
				w[i].wflags |= VMS_W_PFN_VALID;
			} else {
				w[i].wflags |= VMS_W_PFN_HIDDEN;
			}
			w[i].page_flags = r.page_flags;
			w[i].wflags |= r.mapcount >= 0 ? VMS_W_HAVE_PAGE : VMS_W_PAGE_HIDDEN;
		} else if (r.stop == VMS_STOP_NOT_PRESENT) {
			w[i].swp_kind = r.swp_kind;
			w[i].swp_type = r.swp_type;
			w[i].swp_offset = r.pfn;
			if (!pm->pfns)
				w[i].wflags |= VMS_W_PFN_HIDDEN;
		}
	}
	return (int)n;
}

int pagemap_walk_range(struct pagemap *pm, uint64_t start, uint64_t end,
		       const struct vms_range **hdr, const struct vms_prec **recs,
		       const uint64_t **pme)
{
	struct vms_range *h = &pm->hdr;
	uint64_t lim = (end + PG_SIZE - 1) & ~(PG_SIZE - 1), first, stop, va;
	size_t vi, j, n, i;
	int err;

	if (!pm->recs) {
		pm->recs = calloc(PM_BATCH, sizeof(*pm->recs));
		pm->pme = calloc(PM_BATCH, sizeof(*pm->pme));
		if (!pm->recs || !pm->pme)
			return -ENOMEM;
	}
	start &= ~(PG_SIZE - 1);
	memset(h, 0, sizeof(*h));
	h->start = start;
	h->end = end;
	h->max_pages = PM_BATCH;
	h->wflags = (pm->pfns ? 0 : VMS_W_PFN_HIDDEN) | (pm->state ? 0 : VMS_W_PAGE_HIDDEN);
	*hdr = h;
	*recs = pm->recs;
	*pme = pm->pme;
	vi = vma_from(pm, start);
	if (vi == pm->l.n || pm->l.v[vi].start >= lim) {
		h->first = h->next = end;
		return 0;
	}
	/* From the first VMA on, through the ones that adjoin it. */
	first = start > pm->l.v[vi].start ? start : pm->l.v[vi].start;
	stop = pm->l.v[vi].end < lim ? pm->l.v[vi].end : lim;
	for (j = vi + 1; j < pm->l.n && stop < lim && stop - first < PM_BATCH * PG_SIZE &&
	     pm->l.v[j].start == stop; j++)
		stop = pm->l.v[j].end < lim ? pm->l.v[j].end : lim;
	if (stop - first > PM_BATCH * PG_SIZE)
		stop = first + PM_BATCH * PG_SIZE;
	n = (stop - first) >> PG_SHIFT;
	err = read_pagemap(pm, first, pm->pme, n);
	if (err)
		return err;
	for (i = 0, va = first; i < n; i++, va += PG_SIZE) {
		uint32_t order;

		while (va >= pm->l.v[vi].end)
			vi++;
		decode(pm, vi, va, pm->pme[i], &pm->recs[i], &order);
	}
	h->first = first;
	h->next = stop;
	h->npages = n;
	return (int)n;
}
