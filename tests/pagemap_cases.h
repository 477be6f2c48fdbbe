/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tests/host_pagemap.c and tests/guest_pagemap.c share: a fixture of
 * pages in known states in this process (a written anonymous page, one
 * never touched, the zero page, pages swapped out, a THP and the huge zero
 * page, a file page, a hugetlb page), 'vmscope -j page' run on their
 * addresses (cli_json.h), and the checks of the pagemap
 * source against the kernel's own answers, read here directly:
 * /proc/self/pagemap, /proc/kpageflags, /proc/kpagecount, smaps, mincore.
 * Header-only, like guest_util.h: each test is one file.
 */
#ifndef VMSCOPE_PAGEMAP_CASES_H
#define VMSCOPE_PAGEMAP_CASES_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "tap.h"
#include "cli_json.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB	0x40000
#endif

#define PG		4096ul
#define HPAGE		(2ul << 20)
#define PM_PRESENT_	(1ull << 63)
#define PM_SWAP_	(1ull << 62)
#define PM_FILE_	(1ull << 61)
#define PM_EXCL_	(1ull << 56)
#define PM_PFN_		((1ull << 55) - 1)
#define KPF_(b)		(1ull << (b))
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ---- the kernel's own answers ---------------------------------------------------- */

static int pm_fd = -1, kpf_fd = -1, kpc_fd = -1;

static inline uint64_t read_at(int fd, uint64_t idx)
{
	uint64_t v = 0;

	if (fd < 0 || pread(fd, &v, 8, idx * 8) != 8)
		return 0;
	return v;
}

static inline uint64_t own_pagemap(const void *p)
{
	return read_at(pm_fd, (uintptr_t)p / PG);
}

static inline bool resident(const void *p)
{
	unsigned char v = 0;

	return !mincore((void *)((uintptr_t)p & ~(PG - 1)), PG, &v) && (v & 1);
}

/* smaps' field (kB) for the VMA holding addr, or -1. */
static inline long smaps_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	size_t fl = strlen(field);
	char *line = NULL;
	size_t cap = 0;
	long kb = -1;
	bool in = false;

	while (f && getline(&line, &cap, f) > 0) {
		unsigned long long s, e;
		size_t tok = strcspn(line, " ");

		if (memchr(line, '-', tok) && !memchr(line, ':', tok) &&
		    sscanf(line, "%llx-%llx", &s, &e) == 2) {
			if (in)
				break;
			in = (uintptr_t)addr >= s && (uintptr_t)addr < e;
			continue;
		}
		if (in && !strncmp(line, field, fl) && line[fl] == ':')
			kb = strtol(line + fl + 1, NULL, 10);
	}
	free(line);
	if (f)
		fclose(f);
	return kb;
}

static inline bool swap_active(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n > 1;
}

static inline bool file_has(const char *path, const char *s)
{
	char buf[256] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return false;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strstr(buf, s) != NULL;
}

/* ---- the fixture -------------------------------------------------------------- */

struct fixture {
	pid_t self;
	bool pfns;		/* this process sees PFNs (CAP_SYS_ADMIN) */
	char *anon;		/* 4 pages: [0] written, [1] never touched, [2] read (zero page) */
	char *swapped;		/* 16 pages written, then MADV_PAGEOUT */
	int nswapped;		/* of them, swap entries in pagemap */
	const char *swap_skip;
	char *thp;		/* 4 MiB: the first 2 MiB written (THP), the second read */
	const char *thp_skip, *hzero_skip;
	char *file;		/* 2 pages of a file, read through a private mapping */
	const char *file_skip;
	char *huge;		/* a hugetlb 2 MiB page, written */
	const char *huge_skip;
};

static inline void *map_aligned(size_t len, size_t align)
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

static inline void fx_setup(struct fixture *f)
{
	static char tmpl[] = "/tmp/vms-pm-file.XXXXXX";
	char data[2 * PG];
	int fd, i;

	memset(f, 0, sizeof(*f));
	f->self = getpid();
	pm_fd = open("/proc/self/pagemap", O_RDONLY);
	kpf_fd = open("/proc/kpageflags", O_RDONLY);
	kpc_fd = open("/proc/kpagecount", O_RDONLY);

	f->anon = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(f->anon, 4 * PG, MADV_NOHUGEPAGE);
	f->anon[0] = 1;
	(void)*(volatile char *)(f->anon + 2 * PG);
	f->pfns = (own_pagemap(f->anon) & PM_PFN_) != 0;

	if (!swap_active()) {
		f->swap_skip = "no swap area is active here (/proc/swaps): nothing can be swapped out";
	} else {
		f->swapped = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		madvise(f->swapped, 16 * PG, MADV_NOHUGEPAGE);
		for (i = 0; i < 16; i++)
			memset(f->swapped + i * PG, i + 1, PG);
		madvise(f->swapped, 16 * PG, MADV_PAGEOUT);
		for (i = 0; i < 16; i++)
			f->nswapped += !!(own_pagemap(f->swapped + i * PG) & PM_SWAP_);
		if (!f->nswapped)
			f->swap_skip = "MADV_PAGEOUT swapped nothing out";
	}

	if (file_has("/sys/kernel/mm/transparent_hugepage/enabled", "[never]")) {
		f->thp_skip = f->hzero_skip = "THP is off (transparent_hugepage/enabled: never)";
	} else {
		f->thp = map_aligned(2 * HPAGE, HPAGE);
		madvise(f->thp, 2 * HPAGE, MADV_HUGEPAGE);
		memset(f->thp, 0x42, HPAGE);
		(void)*(volatile char *)(f->thp + HPAGE);
		if (smaps_kb(f->thp, "AnonHugePages") < 2048)
			f->thp_skip = "the kernel gave no THP (smaps AnonHugePages below 2048 kB)";
		if (!file_has("/sys/kernel/mm/transparent_hugepage/use_zero_page", "1"))
			f->hzero_skip = "the huge zero page is off (use_zero_page 0)";
		else if (kpf_fd < 0 || !f->pfns)
			f->hzero_skip = "kpageflags cannot be read here to tell the huge zero page";
		else if ((read_at(kpf_fd, own_pagemap(f->thp + HPAGE) & PM_PFN_) &
			  (KPF_(24) | KPF_(22))) != (KPF_(24) | KPF_(22)))
			f->hzero_skip = "the read fault did not map the huge zero page";
	}

	fd = mkstemp(tmpl);
	memset(data, 'F', sizeof(data));
	if (fd < 0 || write(fd, data, sizeof(data)) != (ssize_t)sizeof(data)) {
		f->file_skip = "cannot write a file in /tmp";
	} else {
		f->file = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
		if (f->file == MAP_FAILED) {
			f->file = NULL;
			f->file_skip = "cannot map the file";
		} else {
			(void)*(volatile char *)f->file;
			(void)*(volatile char *)(f->file + PG);
		}
	}
	if (fd >= 0) {
		unlink(tmpl);
		close(fd);
	}

	f->huge = mmap(NULL, HPAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (f->huge == MAP_FAILED) {
		f->huge = NULL;
		f->huge_skip = "no 2M huge page is reserved (vm.nr_hugepages)";
	} else {
		memset(f->huge, 0x5a, 64);
	}
}

/* ---- checks of the pagemap source against the kernel's answers --------------------- */

/* 'vmscope -j page --source pagemap SELF ADDR': walk 0 of the document, in c. */
static inline const char *pm_walk(struct cli *c, const struct fixture *f, const void *addr)
{
	cli_run(c, "-j page --source pagemap %d %p", f->self, addr);
	return js_at(js_get(c->out, "walks"), 0);
}

/* The walk's PFN agrees with this process's own pagemap (or is hidden). */
static inline bool pfn_agrees(const struct fixture *f, const char *w, const void *addr)
{
	uint64_t pm = own_pagemap(addr);

	if (!f->pfns)
		return js_null(js_get(w, "pfn")) && js_bool(js_get(w, "pfn_hidden")) == 1;
	return js_hex(js_get(w, "pfn")) == (pm & PM_PFN_) &&
	       js_hex(js_get(w, "phys")) == ((pm & PM_PFN_) * PG | ((uintptr_t)addr & (PG - 1)));
}

static inline void check_touched(const struct fixture *f)
{
	struct cli c;
	const char *w = pm_walk(&c, f, f->anon + 8), *pg = js_get(w, "page");
	bool state = f->pfns && kpf_fd >= 0;

	ok(c.status == 0 && js_is(js_get(c.out, "source"), "pagemap") &&
	   js_is(js_get(w, "stop_reason"), "present leaf") && js_is(js_get(w, "leaf_size"), "4K") &&
	   js_bool(js_get(w, "exclusive")) == 1 && js_null(js_get(w, "entries")) &&
	   js_null(js_get(w, "levels")) && pfn_agrees(f, w, f->anon + 8) && resident(f->anon),
	   "written anon page: present 4K leaf, exclusive, PFN as pagemap says, resident by "
	   "mincore, no page-table levels made up");
	if (!state) {
		tap_skip("no CAP_SYS_ADMIN or no /proc/kpageflags", "written anon page: state");
	} else {
		uint64_t pfn = own_pagemap(f->anon) & PM_PFN_;

		ok(js_has(js_get(pg, "flags"), "anon") && !js_has(js_get(pg, "flags"), "file") &&
		   js_int(js_get(pg, "mapcount")) == (long long)read_at(kpc_fd, pfn) &&
		   js_int(js_get(pg, "order")) == 0 && js_null(js_get(pg, "refcount")),
		   "written anon page: anon, mapcount %lld = kpagecount %llu, order 0, refcount null",
		   js_int(js_get(pg, "mapcount")), (unsigned long long)read_at(kpc_fd, pfn));
	}
	if (c.status)
		diag("%s", c.err);
	cli_free(&c);
}

static inline void check_untouched(const struct fixture *f)
{
	struct cli c;
	const char *w = pm_walk(&c, f, f->anon + PG);

	/* A hole's entry is 0 but for soft-dirty (a new VMA is VM_SOFTDIRTY). */
	ok(c.status == 0 && js_is(js_get(w, "stop_reason"), "none") &&
	   js_null(js_get(w, "pfn")) && js_null(js_get(w, "exclusive")) && !js_get(w, "page") &&
	   js_hex(js_get(js_get(w, "pagemap"), "entry")) == own_pagemap(f->anon + PG) &&
	   !(own_pagemap(f->anon + PG) & (PM_PRESENT_ | PM_SWAP_)) && !resident(f->anon + PG),
	   "untouched anon page: none, no PFN, pagemap's entry neither present nor swapped, not "
	   "resident by mincore (%s)", js_show(js_get(w, "stop_reason")));
	cli_free(&c);
}

static inline void check_zero(const struct fixture *f)
{
	struct cli c;
	const char *w = pm_walk(&c, f, f->anon + 2 * PG), *pg = js_get(w, "page");
	uint64_t pfn = own_pagemap(f->anon + 2 * PG) & PM_PFN_;

	if (!f->pfns || kpf_fd < 0) {
		ok(c.status == 0 && js_is(js_get(w, "stop_reason"), "present leaf") &&
		   js_bool(js_get(w, "exclusive")) == 0,
		   "read-only touch of anon memory: present, not exclusive (zero page: state hidden)");
	} else {
		ok(c.status == 0 && js_is(js_get(w, "stop_reason"), "present leaf") &&
		   js_is(js_get(w, "leaf_size"), "4K") && js_has(js_get(pg, "flags"), "zero") &&
		   (read_at(kpf_fd, pfn) & KPF_(24)) && pfn_agrees(f, w, f->anon + 2 * PG) &&
		   js_bool(js_get(w, "exclusive")) == 0 && resident(f->anon + 2 * PG),
		   "read-only touch of anon memory: the zero page (kpageflags ZERO_PAGE), 4K, not "
		   "exclusive");
	}
	cli_free(&c);
}

static inline void check_swapped(const struct fixture *f)
{
	struct cli c;
	const char *w, *sw;
	uint64_t pm;
	int i;

	if (f->swap_skip) {
		tap_skip(f->swap_skip, "MADV_PAGEOUT'd page: swap entry as pagemap says");
		return;
	}
	for (i = 0; i < 15 && !(own_pagemap(f->swapped + i * PG) & PM_SWAP_); i++)
		;
	w = pm_walk(&c, f, f->swapped + i * PG);
	sw = js_get(w, "swap");
	pm = own_pagemap(f->swapped + i * PG);
	ok(c.status == 0 && js_is(js_get(w, "stop_reason"), "not present") &&
	   js_is(js_get(sw, "kind"), "swap") && js_null(js_get(w, "pfn")) &&
	   (f->pfns ? js_int(js_get(sw, "type")) == (long long)(pm & 31) &&
		      js_hex(js_get(sw, "offset")) == (pm & PM_PFN_) >> 5 :
		      js_null(js_get(sw, "type")) && js_null(js_get(sw, "offset"))),
	   "MADV_PAGEOUT'd page (%d of 16 out): a swap entry, type and offset as pagemap says "
	   "(%s)", f->nswapped, js_show(sw));
	cli_free(&c);
}

static inline void check_thp(const struct fixture *f)
{
	struct cli c;
	const char *w, *pg, *sum, *run;

	if (f->thp_skip) {
		tap_skip(f->thp_skip, "THP: a 2M leaf, thp, PFNs as pagemap says");
		tap_skip(f->thp_skip, "THP range: one run of 512 pages");
		return;
	}
	w = pm_walk(&c, f, f->thp + 5 * PG);
	pg = js_get(w, "page");
	if (f->pfns && kpf_fd >= 0)
		ok(js_is(js_get(w, "leaf_size"), "2M") && js_has(js_get(pg, "flags"), "thp") &&
		   js_int(js_get(pg, "order")) == 9 && pfn_agrees(f, w, f->thp + 5 * PG) &&
		   (read_at(kpf_fd, own_pagemap(f->thp) & PM_PFN_) & KPF_(22)) &&
		   js_bool(js_get(w, "exclusive")) == 1,
		   "THP (AnonHugePages %ld kB): a 2M leaf, thp, order 9, PFN of the 6th page as "
		   "pagemap says (%s)", smaps_kb(f->thp, "AnonHugePages"), js_show(pg));
	else
		ok(js_bool(js_get(w, "exclusive")) == 1 && js_get(w, "leaf_size"),
		   "THP without kpageflags: exclusive, leaf size %s", js_show(js_get(w, "leaf_size")));
	cli_free(&c);
	cli_run(&c, "-j page --source pagemap %d %p --range 2M", f->self, f->thp);
	sum = js_get(c.out, "summary");
	run = js_at(js_get(c.out, "runs"), 0);
	ok(c.status == 0 && js_len(js_get(c.out, "runs")) == 1 &&
	   js_int(js_get(run, "pages")) == 512 && js_is(js_get(run, "leaf_size"), "2M") &&
	   js_null(js_get(run, "level")) && js_int(js_get(sum, "present")) == 512 &&
	   (!f->pfns || kpf_fd < 0 || js_int(js_get(sum, "thp")) == 512) &&
	   js_int(js_get(sum, "exclusive")) == 512 && js_null(js_get(sum, "dirty")),
	   "THP range: one run of 512 pages, 2M, level null, 512 present and exclusive, dirty "
	   "null (%s)", js_show(sum));
	cli_free(&c);
}

static inline void check_hzero(const struct fixture *f)
{
	struct cli c;
	const char *w, *pg;

	if (f->hzero_skip) {
		tap_skip(f->hzero_skip, "huge zero page: 2M, zero and thp");
		return;
	}
	w = pm_walk(&c, f, f->thp + HPAGE + 3 * PG);
	pg = js_get(w, "page");
	ok(js_is(js_get(w, "leaf_size"), "2M") && js_has(js_get(pg, "flags"), "zero") &&
	   js_has(js_get(pg, "flags"), "thp") && !js_has(js_get(pg, "flags"), "file") &&
	   js_bool(js_get(w, "exclusive")) == 0 && pfn_agrees(f, w, f->thp + HPAGE + 3 * PG),
	   "huge zero page (kpageflags ZERO_PAGE and THP): 2M, zero, thp, not file, not "
	   "exclusive (%s)", js_show(pg));
	cli_free(&c);
}

static inline void check_file(const struct fixture *f)
{
	struct cli c;
	const char *w, *pg;

	if (f->file_skip) {
		tap_skip(f->file_skip, "file page: present, file");
		return;
	}
	w = pm_walk(&c, f, f->file + PG);
	pg = js_get(w, "page");
	ok(c.status == 0 && js_is(js_get(w, "stop_reason"), "present leaf") &&
	   js_has(js_get(js_get(w, "pagemap"), "flags"), "file") && resident(f->file + PG) &&
	   (own_pagemap(f->file + PG) & PM_FILE_) && pfn_agrees(f, w, f->file + PG) &&
	   (!f->pfns || kpf_fd < 0 ||
	    (js_has(js_get(pg, "flags"), "file") && !js_has(js_get(pg, "flags"), "anon"))),
	   "file page: present, pagemap's file bit, page state file and not anon, resident by "
	   "mincore (%s)", js_show(pg));
	cli_free(&c);
}

static inline void check_hugetlb(const struct fixture *f)
{
	struct cli c;
	const char *w;

	if (f->huge_skip) {
		tap_skip(f->huge_skip, "hugetlb page: a 2M leaf from smaps' KernelPageSize");
		return;
	}
	w = pm_walk(&c, f, f->huge + 7 * PG);
	ok(c.status == 0 && js_is(js_get(w, "leaf_size"), "2M") &&
	   js_bool(js_get(js_get(w, "vma"), "hugetlb")) == 1 &&
	   smaps_kb(f->huge, "KernelPageSize") == 2048 && pfn_agrees(f, w, f->huge + 7 * PG) &&
	   (!f->pfns || kpf_fd < 0 || js_has(js_get(js_get(w, "page"), "flags"), "hugetlb")),
	   "hugetlb page: a 2M leaf (smaps KernelPageSize 2048 kB), hugetlb VMA and page (%s)",
	   js_show(js_get(w, "page")));
	cli_free(&c);
}

/* The summary of a range agrees with mincore and pagemap page by page. */
static inline void check_range_anon(const struct fixture *f)
{
	struct cli c;
	const char *sum;
	int i, res = 0;

	for (i = 0; i < 4; i++)
		res += resident(f->anon + i * PG);
	cli_run(&c, "-j page --source pagemap %d %p --range 16K", f->self, f->anon);
	sum = js_get(c.out, "summary");
	ok(c.status == 0 && js_int(js_get(sum, "pages")) == 4 &&
	   js_int(js_get(sum, "present")) == res && js_int(js_get(sum, "not_faulted")) == 4 - res &&
	   js_int(js_get(sum, "exclusive")) == 1 &&
	   (!f->pfns || kpf_fd < 0 || js_int(js_get(sum, "zero")) == 1),
	   "range of the 4 anon pages: %d present as mincore says, the rest not faulted, 1 "
	   "exclusive, 1 zero (%s)", res, js_show(sum));
	cli_free(&c);
}

static inline void pagemap_checks(const struct fixture *f)
{
	check_touched(f);
	check_untouched(f);
	check_zero(f);
	check_swapped(f);
	check_thp(f);
	check_hzero(f);
	check_file(f);
	check_hugetlb(f);
	check_range_anon(f);
}

#endif /* VMSCOPE_PAGEMAP_CASES_H */
