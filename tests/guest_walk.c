// SPDX-License-Identifier: GPL-2.0
/*
 * Page walks checked against the kernel's own answers: for every page of
 * each kind of mapping in this process, the range walk's PFN, present and
 * swap bits equal /proc/self/pagemap, page flags and mapcount equal
 * /proc/kpageflags and /proc/kpagecount, the leaf size agrees with smaps,
 * and the page is of the kind the mapping should give.  Runs as root
 * (PFNs need CAP_SYS_ADMIN).  The suite runs under 5- and 4-level paging.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tap.h"
#include "vmem_api.h"
#include "guest_util.h"
#include <sys/ioctl.h>
#include "vmscope_dev_uapi.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << 26)
#define MAP_HUGE_1GB	(30 << 26)
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define PG	4096ul
#define KPF(b)	(1ull << (b))
#define PM_PRESENT	(1ull << 63)
#define PM_SWAP		(1ull << 62)
#define PM_PFN		((1ull << 55) - 1)

static struct vmem *v;
static pid_t self;
/*
 * 6.12's kpageflags tests "mapping & PAGE_MAPPING_KSM", which is true for
 * every anonymous page (PAGE_MAPPING_KSM includes PAGE_MAPPING_ANON): its
 * KSM bit is then useless and the KSM check uses smaps' KSM field instead.
 */
static bool kpf_ksm_broken;
static int pm_fd, kpf_fd, kpc_fd;

struct region {
	const char *name;
	uint64_t start, len;
	const char *skip;	/* why it could not be set up */
};

/* All records of [start, start + len), from as many runs as needed. */
static struct vms_prec *range_all(uint64_t start, uint64_t len, int *err)
{
	struct vms_prec *all = calloc(len / PG, sizeof(*all));
	uint64_t addr = start, end = start + len;

	*err = 0;
	while (all && addr < end) {
		const struct vms_range *h;
		const struct vms_prec *r;
		const struct vms_pdir *d;
		int n = vmem_walk_range(v, self, addr, end, &h, &r, &d);

		if (n <= 0) {
			*err = n ? n : -EIO;
			free(all);
			return NULL;
		}
		memcpy(all + (h->first - start) / PG, r, n * sizeof(*r));
		addr = h->next;
	}
	return all;
}

static uint64_t pread64_at(int fd, uint64_t idx)
{
	uint64_t val = 0;

	if (pread(fd, &val, 8, idx * 8) != 8)
		return ~0ull;
	return val;
}

/* Line 1: PFN, present and swap bits equal pagemap. */
static void check_pagemap(const struct region *g, const struct vms_prec *r)
{
	uint64_t i, n = g->len / PG, bad = 0, present = 0, swapped = 0;

	for (i = 0; i < n; i++) {
		uint64_t pm = pread64_at(pm_fd, (g->start + i * PG) / PG);
		int p = !!(pm & PM_PRESENT), s = !!(pm & PM_SWAP);
		int rp = r[i].stop == VMS_STOP_LEAF;
		int rs = r[i].stop == VMS_STOP_NOT_PRESENT && r[i].swp_kind == VMS_SWP_SWAP;
		int ok_ = p == rp && s == rs;

		if (ok_ && p)
			ok_ = (pm & PM_PFN) == r[i].pfn;
		if (ok_ && s)
			ok_ = (pm & 0x1f) == r[i].swp_type &&
			      ((pm & PM_PFN) >> 5) == r[i].pfn;
		present += p;
		swapped += s;
		if (!ok_ && bad++ < 3)
			diag("%s page %llu: pagemap %016llx, walk stop %u kind %u pfn %llx",
			     g->name, (unsigned long long)i, (unsigned long long)pm, r[i].stop,
			     r[i].swp_kind, (unsigned long long)r[i].pfn);
	}
	ok(!bad, "%s: PFN, present and swap bits equal pagemap (%llu pages, %llu present, "
	   "%llu swapped)", g->name, (unsigned long long)n, (unsigned long long)present,
	   (unsigned long long)swapped);
}

/* The VMS_PG_* view of a kpageflags word, for the flags both report. */
static uint32_t kpf_to_vms(uint64_t k)
{
	uint32_t f = 0;

	if (k & KPF(12)) f |= VMS_PG_ANON;
	if ((k & KPF(21)) && !kpf_ksm_broken) f |= VMS_PG_KSM;
	if (k & KPF(22)) f |= VMS_PG_THP;
	if (k & KPF(17)) f |= VMS_PG_HUGETLB;
	if (k & KPF(24)) f |= VMS_PG_ZERO;
	if (k & (KPF(15) | KPF(16))) f |= VMS_PG_COMPOUND;
	if (k & KPF(5)) f |= VMS_PG_LRU;
	if (k & KPF(4)) f |= VMS_PG_DIRTY;
	if (k & KPF(13)) f |= VMS_PG_SWAPCACHE;
	if (k & KPF(18)) f |= VMS_PG_UNEVICTABLE;
	if (k & KPF(33)) f |= VMS_PG_MLOCKED;
	if (k & KPF(32)) f |= VMS_PG_RESERVED;
	return f;
}

#define CMP_MASK (VMS_PG_ANON | VMS_PG_KSM | VMS_PG_THP | VMS_PG_HUGETLB | VMS_PG_ZERO | \
		  VMS_PG_COMPOUND | VMS_PG_LRU | VMS_PG_DIRTY | VMS_PG_SWAPCACHE | \
		  VMS_PG_UNEVICTABLE | VMS_PG_MLOCKED | VMS_PG_RESERVED)

/* Mismatches between the walk and kpageflags/kpagecount; *cmp: pages compared. */
static uint64_t flag_mismatches(const struct region *g, const struct vms_prec *r,
				uint64_t *cmp, bool report)
{
	uint64_t i, n = g->len / PG, step = n > 4096 ? n / 4096 : 1, bad = 0;

	*cmp = 0;
	for (i = 0; i < n; i += step) {
		uint64_t k, c;
		uint32_t want;

		if (r[i].stop != VMS_STOP_LEAF || (r[i].page_flags & VMS_PG_NOPAGE))
			continue;
		k = pread64_at(kpf_fd, r[i].pfn);
		c = pread64_at(kpc_fd, r[i].pfn);
		/*
		 * The walk reports the folio's state for every page of a huge
		 * leaf.  kpageflags does too from 6.9 on; before, a tail page
		 * showed its own, mostly empty, page flags (LRU, dirty, ...):
		 * those bits are then the head page's, the folio's own.
		 */
		if ((k & KPF(16)) && r[i].leaf_shift > 12) {
			uint64_t head = r[i].pfn & ~((1ull << (r[i].leaf_shift - 12)) - 1);
			/* Kept from the tail: folio-wide bits, and PG_reserved (per page). */
			uint64_t hk = pread64_at(kpf_fd, head), keep = KPF(12) | KPF(21) |
				KPF(22) | KPF(17) | KPF(24) | KPF(15) | KPF(16) | KPF(32);

			k = (k & keep) | (hk & ~keep);
		}
		want = kpf_to_vms(k);
		(*cmp)++;
		if ((r[i].page_flags & CMP_MASK & ~(kpf_ksm_broken ? VMS_PG_KSM : 0)) == want &&
		    (uint64_t)r[i].mapcount == c)
			continue;
		if (report && bad < 3)
			diag("%s page %llu pfn %llx: walk flags %x mapcount %d, kpageflags %llx "
			     "(as %x) kpagecount %llu", g->name, (unsigned long long)i,
			     (unsigned long long)r[i].pfn, r[i].page_flags & CMP_MASK, r[i].mapcount,
			     (unsigned long long)k, want, (unsigned long long)c);
		bad++;
	}
	return bad;
}

/*
 * Up to five comparisons by fn a moment apart (page state can move), the
 * range walked again between them (*rp: NULL when that failed); the last
 * one reports.  Returns the mismatches, *cmp the pages compared.
 */
static uint64_t compare_tries(const struct region *g, struct vms_prec **rp,
			      uint64_t (*fn)(const struct region *, const struct vms_prec *,
					     uint64_t *, bool), uint64_t *cmp)
{
	uint64_t bad = 0;
	int tries, err;

	for (tries = 0; tries < 5; tries++) {
		bad = fn(g, *rp, cmp, tries == 4);
		if (!bad || tries == 4)
			break;
		usleep(200000);
		free(*rp);
		*rp = range_all(g->start, g->len, &err);
		if (!*rp)
			break;
	}
	return bad;
}

/* Line 2: flags agree with kpageflags (LRU/dirty can move: retry a few times). */
static void check_kpageflags(const struct region *g, struct vms_prec **rp)
{
	uint64_t cmp = 0, bad = compare_tries(g, rp, flag_mismatches, &cmp);

	if (!cmp) {
		tap_skip("no page with a struct page is present", "%s: page flags and mapcount "
			 "equal kpageflags/kpagecount", g->name);
		return;
	}
	ok(!bad, "%s: page flags and mapcount equal kpageflags/kpagecount (%llu pages)",
	   g->name, (unsigned long long)cmp);
}

static long smaps_ksm = -1;	/* KSM: kB of the last smaps_of() VMA */

/* KernelPageSize and AnonHugePages (kB) of the VMA holding addr. */
static int smaps_of(uint64_t addr, long *kps, long *ahp)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0;

	*kps = *ahp = smaps_ksm = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;

		if (sscanf(line, "%llx-%llx ", &s, &e) == 2 && strchr(line, ' ') == line +
		    strcspn(line, " ")) {
			if (in)
				break;
			in = addr >= s && addr < e;
			continue;
		}
		if (!in)
			continue;
		sscanf(line, "KernelPageSize: %ld kB", kps);
		sscanf(line, "AnonHugePages: %ld kB", ahp);
		sscanf(line, "KSM: %ld kB", &smaps_ksm);
	}
	fclose(f);
	return *kps < 0 ? -1 : 0;
}

/* Line 3: the leaf sizes agree with smaps. */
static void check_leaf(const struct region *g, const struct vms_prec *r)
{
	uint64_t i, n = g->len / PG, pmd_leaves = 0, bad = 0;
	long kps, ahp;

	if (smaps_of(g->start, &kps, &ahp)) {
		ok(0, "%s: leaf size agrees with smaps (no smaps entry)", g->name);
		return;
	}
	for (i = 0; i < n; i++) {
		if (r[i].stop != VMS_STOP_LEAF)
			continue;
		if (kps > 4) {	/* hugetlb: every leaf is a KernelPageSize page */
			if ((1l << r[i].leaf_shift) != kps * 1024)
				bad++;
		} else if (r[i].leaf_shift == 21) {
			pmd_leaves++;
		} else if (r[i].leaf_shift != 12) {
			bad++;
		}
	}
	/* AnonHugePages counts PMD-mapped anonymous THPs (not the huge zero page, not shmem). */
	if (kps == 4 && ahp >= 0) {
		uint64_t anon_pmd = 0;

		for (i = 0; i < n; i++)
			if (r[i].stop == VMS_STOP_LEAF && r[i].leaf_shift == 21 &&
			    (r[i].page_flags & VMS_PG_ANON))
				anon_pmd++;
		if (anon_pmd * 4 != (uint64_t)ahp && g->len >= (uint64_t)ahp * 1024)
			bad++;
		if (bad)
			diag("%s: %llu PMD-leaf anon pages vs AnonHugePages %ld kB", g->name,
			     (unsigned long long)anon_pmd, ahp);
	}
	ok(!bad, "%s: leaf size agrees with smaps (KernelPageSize %ld kB, AnonHugePages %ld kB, "
	   "%llu PMD-mapped pages)", g->name, kps, ahp, (unsigned long long)pmd_leaves);
}

/* Line 4: every page of [first, last) is present with want flags (and
 * leaf_shift shift when non-zero). */
static void check_kind(const struct region *g, const struct vms_prec *r, uint64_t first,
		       uint64_t last, uint32_t want, int shift, const char *what)
{
	uint64_t i, bad = 0;

	for (i = first; i < last; i++) {
		if (r[i].stop == VMS_STOP_LEAF && (r[i].page_flags & want) == want &&
		    (!shift || r[i].leaf_shift == shift))
			continue;
		if (bad++ < 3)
			diag("%s page %llu: stop %u flags %x shift %u", g->name,
			     (unsigned long long)i, r[i].stop, r[i].page_flags, r[i].leaf_shift);
	}
	ok(!bad, "%s: %s", g->name, what);
}

/*
 * The page state bits that stay put between two walks a moment apart (LRU,
 * active, referenced, dirty and the like can move).
 */
#define STABLE_PG (VMS_PG_ANON | VMS_PG_KSM | VMS_PG_FILE | VMS_PG_THP | VMS_PG_HUGETLB | \
		   VMS_PG_ZERO | VMS_PG_COMPOUND | VMS_PG_RESERVED | VMS_PG_ANON_EXCL | \
		   VMS_PG_NOPAGE)

/* Sampled pages whose range record differs from a walk of the page alone. */
static uint64_t single_mismatches(const struct region *g, const struct vms_prec *r,
				  uint64_t *cmp, bool report)
{
	uint64_t i, n = g->len / PG, step = n > 64 ? n / 64 : 1, bad = 0;

	*cmp = 0;
	for (i = 0; i < n; i += step) {
		struct vms_walk w = { .addr = g->start + i * PG };

		if (vmem_walk(v, self, &w, 1) != 1 || w.err) {
			if (report && bad < 3)
				diag("%s page %llu: walk of it alone failed (%d)", g->name,
				     (unsigned long long)i, w.err);
			bad++;
			continue;
		}
		(*cmp)++;
		if (w.stop_reason == r[i].stop && w.stop_level == r[i].level &&
		    (r[i].stop != VMS_STOP_LEAF ||
		     (w.pfn == r[i].pfn && w.leaf_shift == r[i].leaf_shift &&
		      (w.page_flags & STABLE_PG) == (r[i].page_flags & STABLE_PG) &&
		      w.mapcount == r[i].mapcount && w.order == r[i].order)))
			continue;
		if (report && bad < 3)
			diag("%s page %llu: range stop %u level %u pfn %llx flags %x mapcount %d "
			     "order %u; alone stop %u level %u pfn %llx flags %x mapcount %d order %u",
			     g->name, (unsigned long long)i, r[i].stop, r[i].level,
			     (unsigned long long)r[i].pfn, r[i].page_flags & STABLE_PG, r[i].mapcount,
			     r[i].order, w.stop_reason, w.stop_level, (unsigned long long)w.pfn,
			     w.page_flags & STABLE_PG, w.mapcount, w.order);
		bad++;
	}
	return bad;
}

/*
 * Line 3: the range walk (its per-PTE loop, which reads a small folio's
 * state its own way) says what the walk of one address says, page state
 * included (AnonExclusive too, which kpageflags does not show).
 */
static void check_single(const struct region *g, struct vms_prec **rp)
{
	uint64_t cmp = 0, bad = compare_tries(g, rp, single_mismatches, &cmp);

	ok(*rp && !bad && cmp, "%s: range records equal the walk of each page alone "
	   "(%llu sampled, %llu differ)", g->name, (unsigned long long)cmp,
	   (unsigned long long)bad);
}

static void skip_region(const struct region *g, int lines)
{
	int i;

	for (i = 0; i < lines; i++)
		tap_skip(g->skip, "%s: check %d", g->name, i + 1);
}

/* The three checks against the kernel; returns the records (free them). */
static struct vms_prec *check_region(const struct region *g)
{
	struct vms_prec *r;
	int err;

	r = range_all(g->start, g->len, &err);
	if (!r) {
		ok(0, "%s: range walk (%s)", g->name, strerror(-err));
		tap_skip("range walk failed", "%s: kpageflags", g->name);
		tap_skip("range walk failed", "%s: walk alone", g->name);
		tap_skip("range walk failed", "%s: smaps", g->name);
		return NULL;
	}
	check_pagemap(g, r);
	check_kpageflags(g, &r);
	if (r)
		check_single(g, &r);
	else
		ok(0, "%s: walk alone (range walk failed)", g->name);
	if (r)
		check_leaf(g, r);
	else
		ok(0, "%s: leaf size (range walk failed)", g->name);
	return r;
}

/*
 * The three checks, then line 4: every page of the region is a leaf with
 * want flags at leaf_shift shift.
 */
static void check_region_kind(const struct region *g, uint32_t want, int shift, const char *what)
{
	struct vms_prec *r = check_region(g);

	if (r)
		check_kind(g, r, 0, g->len / PG, want, shift, what);
	else
		ok(0, "%s: kinds", g->name);
	free(r);
}

static void *map_aligned(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + align - 1) & ~(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + align - a);
	return (void *)a;
}

/*
 * Does the kernel run 5 page-table levels?  x86-64: the CPU's la57 flag
 * (cleared with no5lvl).  arm64 (Debian's 6.12 and later: 52-bit VA with
 * LPA2, the top level folded at boot when the CPU lacks LPA2): user space
 * gets addresses above 2^48 exactly when the fifth level is in use.
 */
static int has_l5(const char **why)
{
#if defined(__aarch64__)
	void *p = mmap((void *)(1UL << 50), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED_NOREPLACE, -1, 0);

	*why = p != MAP_FAILED ? "an address above 2^48 can be mapped" :
	       "no address above 2^48 can be mapped";
	if (p == MAP_FAILED)
		return 0;
	munmap(p, PG);
	return 1;
#else
	int l5 = run_cmd("grep -qw la57 /proc/cpuinfo") == 0;

	*why = l5 ? "la57 on" : "la57 off";
	return l5;
#endif
}

/*
 * A private mapping of a PFN range (here /dev/mem's first page, which
 * STRICT_DEVMEM allows) is VM_PFNMAP; a write COWs a page into it, an
 * ordinary anonymous page, which the walk must show as one (the rules of
 * vm_normal_page()), while the untouched page stays a bare PFN.
 */
static void case_pfnmap_cow(void)
{
	int fd = open("/dev/mem", O_RDWR);
	struct vms_walk w[2];
	char *m;
	int n;

	m = fd >= 0 ? mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	if (m == MAP_FAILED) {
		tap_skip("no /dev/mem to map privately (CONFIG_DEVMEM)",
			 "private PFNMAP: a COW'd page is an anonymous page");
		if (fd >= 0)
			close(fd);
		return;
	}
	(void)*(volatile char *)m;
	*(volatile char *)(m + PG) = 0x5a;
	memset(w, 0, sizeof(w));
	w[0].addr = (uintptr_t)m;
	w[1].addr = (uintptr_t)m + PG;
	n = vmem_walk(v, self, w, 2);
	ok(n == 2 && !w[0].err && !w[1].err &&
	   (w[0].wflags & VMS_W_PFNMAP) && w[0].stop_reason == VMS_STOP_LEAF &&
	   (w[0].page_flags & VMS_PG_NOPAGE) && !(w[0].wflags & VMS_W_HAVE_PAGE) &&
	   w[1].stop_reason == VMS_STOP_LEAF && (w[1].wflags & VMS_W_HAVE_PAGE) &&
	   (w[1].page_flags & VMS_PG_ANON) && w[1].pfn != 1 &&
	   (pread64_at(kpf_fd, w[1].pfn) & KPF(12)),
	   "private PFNMAP: a COW'd page is an anonymous page, an untouched one a bare PFN "
	   "(flags %x / %x)", w[0].page_flags, w[1].page_flags);
	munmap(m, 2 * PG);
	close(fd);
}

/* ---- the cases: one kind of mapping each --------------------------------- */

/* Paging levels, and a single walk agreeing with pagemap. */
static void case_single_walk(void)
{
	struct vms_walk w[2];
	uint64_t pm;
	char *p;
	const char *l5why;
	int n, l5;

	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ok(0, "single walk: mmap (%s)", strerror(errno));
		return;
	}
	memset(p, 1, 4 * PG);
	memset(w, 0, sizeof(w));
	w[0].addr = (uintptr_t)p + 123;
	w[1].addr = (uintptr_t)p + 3 * PG + 8;
	n = vmem_walk(v, self, w, 2);
	l5 = has_l5(&l5why);
	ok(n == 2 && !w[0].err && w[0].levels == (l5 ? 5u : 4u),
	   "walk reports %u-level paging, as the kernel runs (%s)", w[0].levels, l5why);
	pm = pread64_at(pm_fd, w[1].addr / PG);
	ok(!w[1].err && w[1].stop_level == VMS_LVL_PTE && w[1].stop_reason == VMS_STOP_LEAF &&
	   w[1].pfn == (pm & PM_PFN) && w[1].phys == ((pm & PM_PFN) << 12 | 8) &&
	   (w[1].bits[VMS_LVL_PTE] & (VMS_E_PRESENT | VMS_E_USER | VMS_E_WRITE | VMS_E_DIRTY)) ==
	   (VMS_E_PRESENT | VMS_E_USER | VMS_E_WRITE | VMS_E_DIRTY) &&
	   (w[1].page_flags & VMS_PG_ANON) && w[1].refcount >= 1 && w[1].mapcount == 1,
	   "single walk of a written anon page: PTE leaf, pfn/phys from pagemap, P/U/W/D bits, "
	   "anon, mapcount 1");
	munmap(p, 4 * PG);
}

/* anon 4K: every other page written. */
static void case_anon_4k(void)
{
	struct region g = { "anon 4K", 0, 32 * PG, NULL };
	struct vms_prec *r;
	char *p;
	int i;

	p = mmap(NULL, g.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ok(0, "%s: mmap (%s)", g.name, strerror(errno));
		return;
	}
	madvise(p, g.len, MADV_NOHUGEPAGE);
	for (i = 0; i < 32; i += 2)
		p[i * PG] = 1;
	g.start = (uintptr_t)p;
	r = check_region(&g);
	if (r) {
		uint64_t bad = 0;

		for (i = 0; i < 32; i++)
			if ((i % 2 == 0) != (r[i].stop == VMS_STOP_LEAF &&
					     (r[i].page_flags & (VMS_PG_ANON | VMS_PG_ANON_EXCL)) ==
					     (VMS_PG_ANON | VMS_PG_ANON_EXCL)) ||
			    (i % 2 && r[i].stop != VMS_STOP_NONE_ENTRY))
				bad++;
		ok(!bad, "anon 4K: written pages are anon-exclusive anon leaves, untouched ones "
		   "none entries");
	} else {
		ok(0, "anon 4K: kinds");
	}
	free(r);
	munmap(p, g.len);
}

/* THP: two PMD-aligned 2M regions written. */
static void case_thp(void)
{
	struct region g = { "THP", 0, 4 << 20, NULL };
	struct vms_prec *r;
	char *p;

	p = map_aligned(g.len, 2 << 20);
	if (!p) {
		ok(0, "%s: mmap (%s)", g.name, strerror(errno));
		return;
	}
	madvise(p, g.len, MADV_HUGEPAGE);
	p[0] = 1;
	p[2 << 20] = 1;
	g.start = (uintptr_t)p;
	r = check_region(&g);
	if (r && r[0].leaf_shift == 21)
		check_kind(&g, r, 0, 1024, VMS_PG_ANON | VMS_PG_THP | VMS_PG_ANON_EXCL, 21,
			   "PMD-mapped anon THP pages (2M leaves), every page anon-exclusive "
			   "(written here, never forked: the head's bit)");
	else
		tap_skip("no THP could be allocated", "THP: PMD-mapped");
	if (r && r[0].leaf_shift == 21) {
		/* A tail page walked alone: the leaf's bit, not the tail's own. */
		struct vms_walk w = { .addr = (uintptr_t)p + 5 * PG };

		int n = vmem_walk(v, self, &w, 1);

		ok(n == 1 && !w.err && w.leaf_shift == 21 && (w.page_flags & VMS_PG_ANON_EXCL),
		   "THP: a tail page walked alone is anon-exclusive too (walk %d, err %d, leaf "
		   "shift %u, flags %x)", n, w.err, w.leaf_shift, w.page_flags);
	} else {
		tap_skip("no THP could be allocated", "THP: a tail page walked alone");
	}
	free(r);
	munmap(p, g.len);
}

/* How many of the n records have mapcount want; diag()s the first that does not. */
static uint64_t mapcount_is(const struct region *g, const struct vms_prec *r, uint64_t first,
			    uint64_t n, int want)
{
	uint64_t i, good = 0;

	for (i = first; i < first + n; i++) {
		if (r[i].stop == VMS_STOP_LEAF && r[i].leaf_shift == 21 && r[i].mapcount == want)
			good++;
		else if (good == i - first)
			diag("%s page %llu: stop %u leaf shift %u mapcount %d, want a 2M leaf "
			     "with mapcount %d", g->name, (unsigned long long)i, r[i].stop,
			     r[i].leaf_shift, r[i].mapcount, want);
	}
	return good;
}

/*
 * A THP mapped whole here and by PTEs in a child, half of it: the child
 * splits its copy of the PMD (mprotect of one page) and unmaps the second
 * half.  Each page's mapcount is then this PMD's 1 plus the child's PTE,
 * 2 and 1, which the walk must read page by page (6.1 also keeps an extra
 * count on every page of such a THP, PageDoubleMap, that kpagecount leaves
 * out).  Checked against kpagecount by check_region().
 */
static void case_thp_pte_child(void)
{
	struct region g = { "THP, half PTE-mapped by a child", 0, 2 << 20, NULL };
	int go[2] = { -1, -1 }, done[2] = { -1, -1 }, st = 0;
	struct vms_walk w = { 0 };
	struct vms_prec *r;
	pid_t pid = -1;
	char c = 0, *p;

	p = map_aligned(g.len, 2 << 20);
	if (!p) {
		ok(0, "%s: mmap (%s)", g.name, strerror(errno));
		return;
	}
	madvise(p, g.len, MADV_HUGEPAGE);
	memset(p, 1, g.len);
	g.start = w.addr = (uintptr_t)p;
	if (vmem_walk(v, self, &w, 1) != 1 || w.err || w.leaf_shift != 21) {
		g.skip = "no THP could be allocated";
		skip_region(&g, 5);
		goto out;
	}
	if (pipe(go) || pipe(done)) {
		ok(0, "%s: pipe (%s)", g.name, strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		c = !mprotect(p, PG, PROT_READ) && !munmap(p + g.len / 2, g.len / 2);
		if (write(done[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	if (pid < 0 || read(done[0], &c, 1) != 1 || !c) {
		ok(0, "%s: the child split and unmapped its half (fork %d, %s)", g.name, pid,
		   strerror(errno));
		goto out;
	}
	r = check_region(&g);
	if (r) {
		uint64_t half = g.len / PG / 2, two = mapcount_is(&g, r, 0, half, 2),
			 one = mapcount_is(&g, r, half, half, 1);

		ok(two == half && one == half, "%s: mapcount 2 where the child maps the page, "
		   "1 where it does not, each under this process's 2M leaf (%llu and %llu of "
		   "%llu)", g.name, (unsigned long long)two, (unsigned long long)one,
		   (unsigned long long)half);
	} else {
		ok(0, "%s: mapcounts (range walk failed)", g.name);
	}
	free(r);
out:
	if (pid > 0) {
		if (write(go[1], &c, 1) < 0)
			kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (done[i] >= 0)
			close(done[i]);
	}
	munmap(p, g.len);
}

/*
 * A shmem THP (MADV_COLLAPSE of a memfd, 6.1+) mapped by a PMD here only:
 * every page's mapcount is 1.  6.1 counts a file THP's PMD mapping in each
 * page's own count as well, which kpagecount does not add twice.
 */
static void case_shmem_thp(void)
{
	struct region g = { "shmem THP", 0, 2 << 20, NULL };
	struct vms_walk w = { 0 };
	struct vms_prec *r;
	char *p = NULL;
	int fd;

	if (access("/sys/kernel/mm/transparent_hugepage", F_OK)) {
		g.skip = "kernel without THP (PREEMPT_RT builds disable it)";
		skip_region(&g, 5);
		return;
	}
	fd = memfd_create("vms-walk-shmem", 0);
	if (fd >= 0 && !ftruncate(fd, g.len)) {
		p = map_aligned(g.len, 2 << 20);
		if (p && mmap(p, g.len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != p) {
			munmap(p, g.len);
			p = NULL;
		}
	}
	if (!p) {
		g.skip = "cannot map a memfd";
		skip_region(&g, 5);
		goto out;
	}
	madvise(p, g.len, MADV_HUGEPAGE);
	memset(p, 1, g.len);
	madvise(p, g.len, MADV_COLLAPSE);
	g.start = w.addr = (uintptr_t)p;
	if (vmem_walk(v, self, &w, 1) != 1 || w.err || w.leaf_shift != 21) {
		g.skip = "MADV_COLLAPSE made no PMD-mapped shmem THP";
		skip_region(&g, 5);
		goto out;
	}
	r = check_region(&g);
	if (r) {
		uint64_t n = g.len / PG, one = mapcount_is(&g, r, 0, n, 1);

		ok(one == n, "%s: every page under the 2M leaf has mapcount 1 (%llu of %llu)",
		   g.name, (unsigned long long)one, (unsigned long long)n);
	} else {
		ok(0, "%s: mapcounts (range walk failed)", g.name);
	}
	free(r);
out:
	if (p)
		munmap(p, g.len);
	if (fd >= 0)
		close(fd);
}

/* Huge zero page: a read fault on an aligned MADV_HUGEPAGE region. */
static void case_huge_zero(void)
{
	struct region g = { "huge zero", 0, 2 << 20, NULL };
	struct vms_prec *r;
	char *p;

	p = map_aligned(g.len, 2 << 20);
	if (!p) {
		ok(0, "%s: mmap (%s)", g.name, strerror(errno));
		return;
	}
	madvise(p, g.len, MADV_HUGEPAGE);
	(void)*(volatile char *)p;
	g.start = (uintptr_t)p;
	r = check_region(&g);
	if (r && r[0].leaf_shift == 21)
		check_kind(&g, r, 0, 512, VMS_PG_ZERO | VMS_PG_THP, 21,
			   "read fault mapped the huge zero page (zero + THP, 2M)");
	else
		tap_skip("the kernel did not map the huge zero page", "huge zero: kinds");
	free(r);
	munmap(p, g.len);
}

/* The 4K zero page after read faults. */
static void case_zero_page(void)
{
	struct region g = { "zero page", 0, 8 * PG, NULL };
	char *p;
	int i;

	p = mmap(NULL, g.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ok(0, "%s: mmap (%s)", g.name, strerror(errno));
		return;
	}
	madvise(p, g.len, MADV_NOHUGEPAGE);
	for (i = 0; i < 8; i++)
		(void)*(volatile char *)(p + i * PG);
	g.start = (uintptr_t)p;
	check_region_kind(&g, VMS_PG_ZERO, 12, "read faults mapped the zero page");
	munmap(p, g.len);
}

/* hugetlb pages of size 1 << shift (2M: two of them), from the boot's reserve. */
static void hugetlb_case(int shift)
{
	uint64_t sz = 1ull << shift;
	bool gig = shift == 30;
	struct region g = { gig ? "hugetlb 1G" : "hugetlb 2M", 0, gig ? sz : 2 * sz, NULL };
	char *p;

	p = mmap(NULL, g.len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (gig ? MAP_HUGE_1GB : MAP_HUGE_2MB),
		 -1, 0);
	if (p == MAP_FAILED) {
		g.skip = gig ? "no 1G huge page reserved" : "no 2M huge pages reserved";
		skip_region(&g, 5);
		return;
	}
	memset(p, 0x5a, 64);
	p[g.len - 1] = 1;
	g.start = (uintptr_t)p;
	check_region_kind(&g, VMS_PG_HUGETLB, shift, "hugetlb leaves at the hstate's size");
	munmap(p, g.len);
}

static void case_hugetlb_2m(void)
{
	hugetlb_case(21);
}

static void case_hugetlb_1g(void)
{
	hugetlb_case(30);
}

/* Shared and private mappings of one file. */
static void case_file(void)
{
	struct region g = { "shared file", 0, 8 * PG, NULL };
	char *p = MAP_FAILED, *q = MAP_FAILED;
	struct vms_prec *r;
	int fd, i;

	fd = open("/tmp/vms_walk_file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 8 * PG))
		g.skip = "cannot create a file in /tmp";
	else if ((p = mmap(NULL, g.len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED ||
		 (q = mmap(NULL, g.len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		g.skip = "cannot map the file in /tmp";
	if (g.skip) {
		skip_region(&g, 5);
		g.name = "private file";
		skip_region(&g, 5);
		goto out;
	}

	for (i = 0; i < 8; i++)
		p[i * PG] = 'S';
	g.start = (uintptr_t)p;
	check_region_kind(&g, VMS_PG_FILE, 12, "page-cache pages, shared");

	g = (struct region){ "private file", 0, 8 * PG, NULL };
	for (i = 0; i < 8; i++)
		(void)*(volatile char *)(q + i * PG);
	q[0] = 'P';	/* COW: page 0 becomes anon */
	g.start = (uintptr_t)q;
	r = check_region(&g);
	if (r) {
		uint64_t bad = !(r[0].stop == VMS_STOP_LEAF && (r[0].page_flags & VMS_PG_ANON));

		for (i = 1; i < 8; i++)
			if (!(r[i].stop == VMS_STOP_LEAF && (r[i].page_flags & VMS_PG_FILE) &&
			      r[i].mapcount >= 2))
				bad++;
		ok(!bad, "private file: the written page is an anon COW copy, the others "
		   "are the page-cache pages the MAP_SHARED mapping maps too (mapcount >= 2)");
	} else {
		ok(0, "private file: kinds");
	}
	free(r);
out:
	if (q != MAP_FAILED)
		munmap(q, g.len);
	if (p != MAP_FAILED)
		munmap(p, g.len);
	if (fd >= 0)
		close(fd);
	unlink("/tmp/vms_walk_file");
}

/* The KSM line of the KSM case: the pages flagged KSM, against the kernel. */
static void check_ksm(const struct region *g, const struct vms_prec *r)
{
	uint64_t ksm = 0, kk = 0;
	long kps, ahp;
	int i;

	for (i = 0; i < 16; i++)
		ksm += r[i].stop == VMS_STOP_LEAF && (r[i].page_flags & VMS_PG_KSM);
	smaps_of(g->start, &kps, &ahp);
	if (smaps_ksm >= 0) {
		ok(ksm > 0 && (long)ksm * 4 == smaps_ksm, "KSM: %llu pages flagged KSM, smaps KSM %ld kB",
		   (unsigned long long)ksm, smaps_ksm);
	} else if (!kpf_ksm_broken) {
		/* No KSM line in smaps (before 6.5): kpageflags says. */
		for (i = 0; i < 16; i++)
			kk += r[i].stop == VMS_STOP_LEAF && (pread64_at(kpf_fd, r[i].pfn) & KPF(21));
		ok(ksm > 0 && ksm == kk, "KSM: %llu pages flagged KSM, kpageflags KSM on %llu",
		   (unsigned long long)ksm, (unsigned long long)kk);
	} else {
		tap_skip("neither smaps nor kpageflags tell KSM pages apart here",
			 "KSM: pages flagged KSM");
	}
}

/* KSM: identical pages merged by ksmd. */
static void case_ksm(void)
{
	struct region g = { "KSM", 0, 16 * PG, NULL };
	struct vms_prec *r;
	char *p;
	int i;

	p = mmap(NULL, g.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ok(0, "%s: mmap (%s)", g.name, strerror(errno));
		return;
	}
	madvise(p, g.len, MADV_NOHUGEPAGE);
	for (i = 0; i < 16; i++)
		memset(p + i * PG, 0x77, PG);
	g.start = (uintptr_t)p;
	if (madvise(p, g.len, MADV_MERGEABLE) ||
	    write_file("/sys/kernel/mm/ksm/pages_to_scan", "10000") ||
	    write_file("/sys/kernel/mm/ksm/sleep_millisecs", "10") ||
	    write_file("/sys/kernel/mm/ksm/run", "1")) {
		g.skip = "KSM is not available";
		skip_region(&g, 5);
		goto out;
	}
	for (i = 0; i < 300; i++) {
		if ((pread64_at(pm_fd, g.start / PG) & PM_PFN) ==
		    (pread64_at(pm_fd, g.start / PG + 15) & PM_PFN))
			break;
		usleep(50000);
	}
	if (i == 300) {
		g.skip = "ksmd did not merge the pages in 15 s";
		skip_region(&g, 5);
	} else {
		r = check_region(&g);
		if (r)
			check_ksm(&g, r);
		else
			ok(0, "KSM: kinds");
		free(r);
	}
	write_file("/sys/kernel/mm/ksm/run", "0");
out:
	munmap(p, g.len);
}

/* Swap: zram, then MADV_PAGEOUT. */
static void case_swapped(void)
{
	struct region g = { "swapped", 0, 16 * PG, NULL };
	struct vms_prec *r;
	uint64_t sw = 0;
	char *p;
	int i;

	g.skip = setup_swap();
	if (g.skip) {
		skip_region(&g, 5);
		return;
	}
	p = mmap(NULL, g.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ok(0, "%s: mmap (%s)", g.name, strerror(errno));
		return;
	}
	madvise(p, g.len, MADV_NOHUGEPAGE);
	for (i = 0; i < 16; i++)
		memset(p + i * PG, i + 1, PG);
	g.start = (uintptr_t)p;
	madvise(p, g.len, MADV_PAGEOUT);
	r = check_region(&g);
	if (r) {
		for (i = 0; i < 16; i++)
			sw += r[i].stop == VMS_STOP_NOT_PRESENT && r[i].swp_kind == VMS_SWP_SWAP &&
			      r[i].level == VMS_LVL_PTE;
		ok(sw > 0, "swapped: MADV_PAGEOUT left %llu of 16 pages as swap entries",
		   (unsigned long long)sw);
	} else {
		ok(0, "swapped: kinds");
	}
	free(r);
	munmap(p, g.len);
}

/*
 * PFNMAP: the project's mmap device.  /proc/PID/pagemap cannot be the
 * reference here: its walker skips VM_PFNMAP VMAs and reports them
 * not present.  The kernel's own answer for these PFNs is the
 * device's VMS_DEV_IOC_INFO, which the walk must match page by page.
 */
static void case_pfnmap_dev(void)
{
	struct region g = { "PFNMAP", 0, 4 * PG, NULL };
	struct vms_dev_info info = { 0 };
	__u64 pfns[4] = { 0 };
	struct vms_prec *r;
	int fd, i, bad = 0, got, err;
	char *p;

	fd = open("/dev/vmscope", O_RDWR);
	p = fd >= 0 ? mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (p == MAP_FAILED) {
		g.skip = fd < 0 ? "mmap device not present" : "mmap device refused a 4-page map";
		skip_region(&g, 5);
		goto out;
	}
	(void)*(volatile char *)p;
	g.start = (uintptr_t)p;
	info.pfns = (uintptr_t)pfns;
	info.pfn_count = 4;
	got = ioctl(fd, VMS_DEV_IOC_INFO, &info) == 0 && (info.flags & VMS_DEV_F_PFNS);
	r = range_all(g.start, g.len, &err);
	if (r && got) {
		for (i = 0; i < 4; i++) {
			if (r[i].pfn != pfns[i] || !pfns[i]) {
				diag("PFNMAP page %d: walk pfn %llx, device pfn %llx", i,
				     (unsigned long long)r[i].pfn, (unsigned long long)pfns[i]);
				bad++;
			}
		}
	}
	ok(r && got && !bad, "PFNMAP: the walk's PFNs equal the device's ioctl PFNs (4 pages)");
	bad = 0;
	for (i = 0; i < 4; i++)
		if (pread64_at(pm_fd, ((uintptr_t)p + i * PG) / PG) & PM_PRESENT)
			bad++;
	ok(!bad, "PFNMAP: pagemap reports the pages not present, as its walker skips VM_PFNMAP");
	if (r) {
		check_leaf(&g, r);
		check_kind(&g, r, 0, 4, VMS_PG_NOPAGE, 12, "PFNMAP page: PFN only, no struct page");
	} else {
		ok(0, "PFNMAP: leaf size (range walk failed)");
		ok(0, "PFNMAP: kinds");
	}
	free(r);
	munmap(p, 4 * PG);
out:
	if (fd >= 0)
		close(fd);
}

/* ---- the fixture: the module and the kernel's own answers, for every case -- */

static int setup(void)
{
	uint64_t pfn;
	int err = 0;
	char *p;

	self = getpid();
	v = vmem_open(&err);
	pm_fd = open("/proc/self/pagemap", O_RDONLY);
	kpf_fd = open("/proc/kpageflags", O_RDONLY);
	kpc_fd = open("/proc/kpagecount", O_RDONLY);
	if (!v || pm_fd < 0 || kpf_fd < 0 || kpc_fd < 0) {
		diag("vmem_open: %s; pagemap/kpageflags open: %d %d %d", strerror(-err), pm_fd,
		     kpf_fd, kpc_fd);
		return -1;
	}
	/* A fresh anon page is never KSM: if kpageflags says so, it is the quirk. */
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		p[0] = 1;
		pfn = pread64_at(pm_fd, (uintptr_t)p / PG) & PM_PFN;
		kpf_ksm_broken = pfn && (pread64_at(kpf_fd, pfn) & KPF(21));
		munmap(p, PG);
	}
	if (kpf_ksm_broken)
		diag("this kernel's kpageflags sets KPF_KSM on every anon page: KSM is checked "
		     "against smaps instead");
	return 0;
}

static void teardown(void)
{
	vmem_close(v);
	close(kpc_fd);
	close(kpf_fd);
	close(pm_fd);
}

static const struct tap_case cases[] = {
	{ "single_walk", case_single_walk },
	{ "anon_4k", case_anon_4k },
	{ "thp", case_thp },
	{ "thp_pte_child", case_thp_pte_child },
	{ "shmem_thp", case_shmem_thp },
	{ "huge_zero", case_huge_zero },
	{ "zero_page", case_zero_page },
	{ "hugetlb_2m", case_hugetlb_2m },
	{ "hugetlb_1g", case_hugetlb_1g },
	{ "file", case_file },
	{ "ksm", case_ksm },
	{ "swapped", case_swapped },
	{ "pfnmap_dev", case_pfnmap_dev },
	{ "pfnmap_cow", case_pfnmap_cow },
};

int main(int argc, char **argv)
{
	tap_start();
	if (setup()) {
		tap_skip("module or /proc/kpageflags not available", "page walks");
		return tap_finish();
	}
	tap_run_cases(cases, TAP_NCASES(cases), argc, argv);
	teardown();
	return tap_finish();
}
