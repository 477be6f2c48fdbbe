// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope's memory kfuncs against the kernel's own interfaces, measured in
 * one run (ratios are what matter; run it in the guest):
 *   - address lookup: one address vs PROCMAP_QUERY, 1,000 addresses in one
 *     batch vs 1,000 PROCMAP_QUERY calls (target: batch >= 3x faster)
 *   - range walk per page vs /proc/PID/pagemap, 4K and THP memory
 *     (target: <= 2x pagemap's cost while returning every level), and vs
 *     the PAGEMAP_SCAN ioctl of 6.7+ (which returns runs of pages that
 *     share its category bits, not pages: the issue's <= 1x target)
 *   - read throughput 4 KiB .. 256 MiB vs process_vm_readv and
 *     /proc/PID/mem (target: every size >= 0.9x process_vm_readv)
 *   - 8-byte write latency vs /proc/PID/mem pwrite (target: <= 2x)
 *   - the range walk's cost per page by range size, 64 KiB .. 1 GiB, vs
 *     pagemap and PAGEMAP_SCAN: a second table, and `#plot range` lines
 *     for make bench's plot (bench_plot) of this very run
 * Prints markdown tables.  Usage: bench_mem [--quick]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include "vmem_api.h"

#include "procmap.h"
#include "plot.h"

/*
 * PAGEMAP_SCAN (Linux 6.7+, include/uapi/linux/fs.h), declared here: the
 * build host's headers may predate it.
 */
struct vms_page_region {
	uint64_t start, end, categories;
};
struct vms_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define VMS_PAGEMAP_SCAN _IOWR('f', 16, struct vms_pm_scan_arg)
#define VMS_PAGE_IS_FILE (1 << 2)
#define VMS_PAGE_IS_PRESENT (1 << 3)
#define VMS_PAGE_IS_SWAPPED (1 << 4)
#define VMS_PAGE_IS_PFNZERO (1 << 5)
#define VMS_PAGE_IS_HUGE (1 << 6)

#define PG 4096ul
#define NVMAS 1000

static struct vmem *v;
static int quick;

/*
 * Best of ROUNDS timings of a block, rounds of ours and of the anchor
 * interleaved by the caller: the guest shares 2 host CPUs with other work,
 * and the least disturbed round is the fairest one to compare.
 */
#define ROUNDS 5
#define TIME_BEST(best, ...) do {					\
	double _t = now();						\
	__VA_ARGS__;							\
	_t = now() - _t;						\
	if (_t < (best))						\
		(best) = _t;						\
} while (0)

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

/*
 * A row; its ratio is the anchor's cost over ours (how many times faster)
 * for costs (lower_better), ours over the anchor's for rates.  A target
 * ">= Nx" is on that ratio; "<= Nx" on our cost as a multiple of the
 * anchor's; either gets its verdict printed.
 */
static void row(const char *what, const char *unit, double ours, const char *anchor_name,
		double anchor, const char *target, int lower_better)
{
	double ratio = lower_better ? anchor / ours : ours / anchor, v;
	const char *verdict = "";

	if (sscanf(target, ">= %lfx", &v) == 1)
		verdict = ratio >= v ? ": met" : ": missed";
	else if (sscanf(target, "<= %lfx", &v) == 1)
		verdict = 1 / ratio <= v ? ": met" : ": missed";
	printf("| %-34s | %10.2f %-5s | %-22s %10.2f %-5s | %5.2fx | %s%s |\n", what, ours, unit,
	       anchor_name, anchor, unit, ratio, target, verdict);
}

/* The benchmark's target: many VMAs, 4K and THP memory, a big buffer. */
struct layout {
	char *vmas;		/* NVMAS alternating-protection pages */
	char *small;		/* 4K pages */
	char *thp;		/* PMD-mapped */
	char *big;		/* bulk reads */
	char *sweep;		/* 4K pages, the range sweep */
	size_t small_len, thp_len, big_len, sweep_len;
	size_t sweep_avail;	/* MemAvailable when the sweep's size was chosen */
};

static struct layout L;

static void *aligned(size_t len, size_t al)
{
	char *p = mmap(NULL, len + al, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return (void *)(((uintptr_t)p + al - 1) & ~(al - 1));
}

static size_t mem_available(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb << 10;
}

static void setup(void)
{
	size_t i;

	L.vmas = mmap(NULL, NVMAS * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < NVMAS; i += 2)
		mprotect(L.vmas + i * PG, PG, PROT_READ);
	L.small_len = quick ? 16 << 20 : 64 << 20;
	L.small = aligned(L.small_len, 2 << 20);
	madvise(L.small, L.small_len, MADV_NOHUGEPAGE);
	memset(L.small, 1, L.small_len);
	L.thp_len = L.small_len;
	L.thp = aligned(L.thp_len, 2 << 20);
	madvise(L.thp, L.thp_len, MADV_HUGEPAGE);
	memset(L.thp, 2, L.thp_len);
	L.big_len = quick ? 32 << 20 : 256 << 20;
	L.big = aligned(L.big_len, 2 << 20);
	madvise(L.big, L.big_len, MADV_HUGEPAGE);
	memset(L.big, 3, L.big_len);
	/*
	 * Up to 1 GiB, if it leaves room for bench_read's buffer and 512 MiB:
	 * a 3 GiB guest has 1 GiB.
	 */
	L.sweep_len = quick ? 16 << 20 : 1ul << 30;
	L.sweep_avail = mem_available();
	while (L.sweep_len > (64 << 10) && L.sweep_len + L.big_len + (512 << 20) > L.sweep_avail)
		L.sweep_len /= 4;
	L.sweep = aligned(L.sweep_len, 2 << 20);
	madvise(L.sweep, L.sweep_len, MADV_NOHUGEPAGE);
	memset(L.sweep, 4, L.sweep_len);
}

static pid_t spawn(void)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe(pfd))
		exit(1);
	pid = fork();
	if (pid == 0) {
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(pfd[0], &c, 1) != 1)
		exit(1);
	return pid;
}

static void bench_lookup(pid_t pid)
{
	struct vms_procmap_query q;
	char path[64];
	double ours1, pq1, ours_b, pq_b;
	int fd, i, it, iters = quick ? 200 : 2000, reps = quick ? 5 : 20;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY);
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.query_flags = VMS_PQ_COVERING_OR_NEXT;
	q.query_addr = (uintptr_t)L.vmas;
	if (ioctl(fd, VMS_PROCMAP_QUERY, &q)) {
		printf("| PROCMAP_QUERY unavailable: %s | | | | |\n", strerror(errno));
		return;
	}
	/* One address per call. */
	ours1 = pq1 = 1e9;
	for (int rd = 0; rd < ROUNDS; rd++) {
		TIME_BEST(ours1, for (it = 0; it < iters; it++) {
			vmem_find_recs(v)[0].addr = (uintptr_t)L.vmas + (it % NVMAS) * PG;
			vmem_find_run(v, pid, 1, 0);
		});
		TIME_BEST(pq1, for (it = 0; it < iters; it++) {
			q.query_addr = (uintptr_t)L.vmas + (it % NVMAS) * PG;
			ioctl(fd, VMS_PROCMAP_QUERY, &q);
		});
	}
	ours1 = ours1 / iters * 1e9;
	pq1 = pq1 / iters * 1e9;
	row("lookup, 1 address per call", "ns", ours1, "PROCMAP_QUERY", pq1, "-", 1);

	/* 1,000 addresses: one batch vs 1,000 calls. */
	ours_b = pq_b = 1e9;
	for (int rd = 0; rd < ROUNDS; rd++) {
		TIME_BEST(ours_b, for (it = 0; it < reps; it++) {
			struct vms_vmainfo *b = vmem_find_recs(v);

			for (i = 0; i < NVMAS; i++)
				b[i].addr = (uintptr_t)L.vmas + i * PG + 8;
			vmem_find_run(v, pid, NVMAS, 0);
		});
		TIME_BEST(pq_b, for (it = 0; it < reps; it++) {
			for (i = 0; i < NVMAS; i++) {
				q.query_addr = (uintptr_t)L.vmas + i * PG + 8;
				ioctl(fd, VMS_PROCMAP_QUERY, &q);
			}
		});
	}
	ours_b = ours_b / reps / NVMAS * 1e9;
	pq_b = pq_b / reps / NVMAS * 1e9;
	row("lookup, 1,000 in one batch (/addr)", "ns", ours_b, "1,000 PROCMAP_QUERY", pq_b,
	    ">= 3x", 1);
	/* The same batch with names, against PROCMAP_QUERY with names. */
	{
		char name[256];
		double on, pn;

		on = pn = 1e9;
		q.vma_name_addr = (uintptr_t)name;
		for (int rd = 0; rd < ROUNDS; rd++) {
			TIME_BEST(on, for (it = 0; it < reps; it++) {
				struct vms_vmainfo *b = vmem_find_recs(v);

				for (i = 0; i < NVMAS; i++)
					b[i].addr = (uintptr_t)L.vmas + i * PG + 8;
				vmem_find_run(v, pid, NVMAS, VMS_FIND_NAME);
			});
			TIME_BEST(pn, for (it = 0; it < reps; it++) {
				for (i = 0; i < NVMAS; i++) {
					q.vma_name_size = sizeof(name);
					q.query_addr = (uintptr_t)L.vmas + i * PG + 8;
					ioctl(fd, VMS_PROCMAP_QUERY, &q);
				}
			});
		}
		on = on / reps / NVMAS * 1e9;
		pn = pn / reps / NVMAS * 1e9;
		row("lookup batch with names (/addr)", "ns", on, "PROCMAP_QUERY + name", pn, "-", 1);
	}
	close(fd);
}

/*
 * One round of each way of reading a range's page state: reps passes over
 * [base, base+len), its time in seconds, or -1 when a pass failed.
 */
static double time_walk(pid_t pid, char *base, size_t len, int reps)
{
	double t = now();

	for (int it = 0; it < reps; it++) {
		uint64_t a = (uintptr_t)base;

		while (a < (uintptr_t)base + len) {
			const struct vms_range *h = NULL;
			const struct vms_prec *r;
			const struct vms_pdir *d;

			if (vmem_walk_range(v, pid, a, (uintptr_t)base + len, &h, &r, &d) <= 0)
				return -1;
			a = h->next;
		}
	}
	return now() - t;
}

static double time_pagemap(int fd, uint64_t *pm, char *base, size_t len, int reps)
{
	size_t pages = len / PG;
	double t = now();

	for (int it = 0; it < reps; it++)
		if (pread(fd, pm, pages * 8, (uintptr_t)base / PG * 8) != (ssize_t)(pages * 8))
			return -1;
	return now() - t;
}

/*
 * PAGEMAP_SCAN over the range: every page, its state bits.  *runs gets
 * the runs it returned; -1 with errno set when it failed or stopped short
 * (errno 0: it stopped short).
 */
static double time_scan(int fd, struct vms_page_region *vec, char *base, size_t len, int reps,
			long *runs)
{
	struct vms_pm_scan_arg arg;
	double t = now();

	for (int it = 0; it < reps; it++) {
		memset(&arg, 0, sizeof(arg));
		arg.size = sizeof(arg);
		arg.start = (uintptr_t)base;
		arg.end = (uintptr_t)base + len;
		arg.vec = (uintptr_t)vec;
		arg.vec_len = len / PG;
		arg.return_mask = VMS_PAGE_IS_PRESENT | VMS_PAGE_IS_SWAPPED | VMS_PAGE_IS_FILE |
				  VMS_PAGE_IS_PFNZERO | VMS_PAGE_IS_HUGE;
		*runs = ioctl(fd, VMS_PAGEMAP_SCAN, &arg);
		if (*runs < 0)
			return -1;
		if (arg.walk_end != (uintptr_t)base + len) {
			errno = 0;
			return -1;
		}
	}
	return now() - t;
}

static const char *scan_why(int e)
{
	if (!e)
		return "failed: the scan stopped short of the range's end";
	return e == ENOTTY || e == EINVAL ? "no PAGEMAP_SCAN in this kernel (6.7+)" : strerror(e);
}

static int open_pagemap(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	return open(path, O_RDONLY);
}

static void bench_range(pid_t pid, const char *what, char *base, size_t len)
{
	size_t pages = len / PG;
	uint64_t *pm = malloc(pages * 8);
	struct vms_page_region *vec = calloc(pages, sizeof(*vec));
	double ours = 1e9, pmt = 1e9, scan = 1e9, t;
	int fd = open_pagemap(pid), reps = quick ? 2 : 5, scan_err = -1;
	long n = 0;

	for (int rd = 0; rd < ROUNDS; rd++) {
		if ((t = time_walk(pid, base, len, reps)) < 0)
			ours = -1;
		else if (ours >= 0 && t < ours)
			ours = t;
		if ((t = time_pagemap(fd, pm, base, len, reps)) < 0)
			pmt = -1;
		else if (pmt >= 0 && t < pmt)
			pmt = t;
		if (scan_err >= 0)
			continue;
		if ((t = time_scan(fd, vec, base, len, reps, &n)) < 0)
			scan_err = errno;
		else if (t < scan)
			scan = t;
	}
	if (ours < 0 || pmt < 0) {
		printf("| %-34s | failed: the %s failed | | | |\n", what,
		       ours < 0 ? "range walk" : "pagemap pread");
		goto out;
	}
	ours = ours / reps / pages * 1e9;
	pmt = pmt / reps / pages * 1e9;
	row(what, "ns", ours, "pagemap (bulk pread)", pmt, "<= 2x", 1);
	if (scan_err >= 0) {
		printf("| %-34s | %s |\n", "  vs PAGEMAP_SCAN", scan_why(scan_err));
	} else {
		char name[48];

		scan = scan / reps / pages * 1e9;
		snprintf(name, sizeof(name), "PAGEMAP_SCAN (%ld runs)", n);
		row("  same range", "ns", ours, name, scan, "<= 1x PAGEMAP_SCAN's cost", 1);
	}
out:
	close(fd);
	free(vec);
	free(pm);
}

/*
 * The range walk against pagemap and PAGEMAP_SCAN by range size, 4K
 * pages, 64 KiB up to L.sweep_len: a table, and the same figures as
 * `#plot range SERIES BYTES NS` lines for bench_plot.  A series that
 * failed or is missing gets a `#plot-note` line and no points.
 */
static void bench_sweep(pid_t pid)
{
	size_t maxpages = L.sweep_len / PG, len;
	uint64_t *pm = malloc(maxpages * 8);
	struct vms_page_region *vec = calloc(maxpages, sizeof(*vec));
	int fd = open_pagemap(pid), scan_err = -1, walk_failed = 0, pm_failed = 0;

	printf("\nRange walk by range size, 4K pages, ns per page (best of %d rounds)\n\n", ROUNDS);
	if (L.sweep_len < (1ul << 30) && !quick) {
		printf("(up to %zu MiB: 1 GiB needs %zu MiB free, there were %zu MiB)\n\n",
		       L.sweep_len >> 20, ((1ul << 30) + L.big_len + (512 << 20)) >> 20,
		       L.sweep_avail >> 20);
		plot_line("#plot-note range up to %zu MiB: the memory free held no more",
			  L.sweep_len >> 20);
	}
	printf("| range | vmscope range walk | /proc/PID/pagemap pread | PAGEMAP_SCAN | vs pagemap | vs PAGEMAP_SCAN |\n");
	printf("|---:|---:|---:|---:|---:|---:|\n");
	for (len = 64 << 10; len <= L.sweep_len; len *= 4) {
		size_t pages = len / PG;
		/* at least 64K pages per round (16K with --quick), so small ranges time well */
		int reps = (int)(((quick ? 16384 : 65536) + pages - 1) / pages);
		double ours = 1e9, pmt = 1e9, scan = 1e9, t;
		char size[16], sc[32];
		long n = 0;

		for (int rd = 0; rd < ROUNDS; rd++) {
			if ((t = time_walk(pid, L.sweep, len, reps)) < 0)
				walk_failed = 1;
			else if (t < ours)
				ours = t;
			if ((t = time_pagemap(fd, pm, L.sweep, len, reps)) < 0)
				pm_failed = 1;
			else if (t < pmt)
				pmt = t;
			if (scan_err >= 0)
				continue;
			if ((t = time_scan(fd, vec, L.sweep, len, reps, &n)) < 0)
				scan_err = errno;
			else if (t < scan)
				scan = t;
		}
		if (walk_failed || pm_failed)
			break;
		ours = ours / reps / pages * 1e9;
		pmt = pmt / reps / pages * 1e9;
		scan = scan / reps / pages * 1e9;
		if (len >= 1 << 30)
			snprintf(size, sizeof(size), "%zu GiB", len >> 30);
		else if (len >= 1 << 20)
			snprintf(size, sizeof(size), "%zu MiB", len >> 20);
		else
			snprintf(size, sizeof(size), "%zu KiB", len >> 10);
		if (scan_err < 0)
			snprintf(sc, sizeof(sc), "%.2f", scan);
		else
			snprintf(sc, sizeof(sc), "-");
		printf("| %s | %.2f | %.2f | %s | %.2fx | ", size, ours, pmt, sc, ours / pmt);
		if (scan_err < 0)
			printf("%.2fx |\n", ours / scan);
		else
			printf("- |\n");
		plot_line("#plot range vmscope %zu %.2f", len, ours);
		plot_line("#plot range pagemap %zu %.2f", len, pmt);
		if (scan_err < 0)
			plot_line("#plot range pagemap_scan %zu %.2f", len, scan);
	}
	if (walk_failed || pm_failed) {
		printf("| %zu KiB | failed: the %s failed; no larger sizes | | | | |\n", len >> 10,
		       walk_failed ? "range walk" : "pagemap pread");
		plot_line("#plot-note range from %zu KiB: the %s failed, no points", len >> 10,
		       walk_failed ? "range walk" : "pagemap pread");
	}
	if (scan_err >= 0) {
		printf("(PAGEMAP_SCAN: %s)\n", scan_why(scan_err));
		plot_line("#plot-note range PAGEMAP_SCAN: %s", scan_why(scan_err));
	}
	close(fd);
	free(vec);
	free(pm);
	plot_flush();
}

static void bench_read(pid_t pid)
{
	static const size_t sizes[] = { 4 << 10, 64 << 10, 1 << 20, 16 << 20, 256 << 20 };
	char *dst = malloc(L.big_len), path[64];
	int fd;
	size_t s;

	memset(dst, 0, L.big_len);	/* no first-touch faults in the timings */
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t sz = sizes[s], total = 0;
		double in_buf, copied, pv, pm;
		long reps = (quick ? 8l << 20 : 32l << 20) / (long)sz;
		char label[64];
		long it;

		if (sz > L.big_len)
			continue;
		if (reps < 2)
			reps = 2;
		in_buf = copied = pv = pm = 1e9;
		for (int rd = 0; rd < ROUNDS; rd++) {
			/* vmscope, the bytes left in the mmapped BPF buffer */
			TIME_BEST(in_buf, for (it = 0; it < reps; it++) {
				uint64_t a = (uintptr_t)L.big, end = a + sz;

				while (a < end) {
					const void *data;
					ssize_t n = vmem_read_chunk(v, pid, a, end - a, &data);

					if (n <= 0)
						break;
					a += n;
					total += n;
				}
			});
			/* vmscope, then copied into the caller's buffer (the CLI's way) */
			TIME_BEST(copied, for (it = 0; it < reps; it++)
				vmem_read(v, pid, (uintptr_t)L.big, dst, sz));
			/* 1 MiB chunks, as the anchors were measured */
			TIME_BEST(pv, for (it = 0; it < reps; it++) {
				size_t off;

				for (off = 0; off < sz; off += 1 << 20) {
					size_t n = sz - off < (1u << 20) ? sz - off : 1u << 20;
					struct iovec l = { dst + off, n }, r = { L.big + off, n };

					process_vm_readv(pid, &l, 1, &r, 1, 0);
				}
			});
			TIME_BEST(pm, for (it = 0; it < reps; it++) {
				size_t off;

				for (off = 0; off < sz; off += 1 << 20) {
					size_t n = sz - off < (1u << 20) ? sz - off : 1u << 20;

					if (pread(fd, dst + off, n, (uintptr_t)L.big + off) < 0)
						break;
				}
			});
		}
		if (total != (size_t)reps * sz * ROUNDS)
			printf("| read %zu KiB: short reads (%zu bytes) | | | | |\n", sz >> 10, total);
		in_buf = sz * reps / in_buf / 1e9;
		copied = sz * reps / copied / 1e9;
		pv = sz * reps / pv / 1e9;
		pm = sz * reps / pm / 1e9;
		snprintf(label, sizeof(label), "read %zu KiB, in mmapped buffer", sz >> 10);
		row(label, "GB/s", in_buf, "process_vm_readv", pv, ">= 0.9x", 0);
		snprintf(label, sizeof(label), "read %zu KiB, copied out", sz >> 10);
		row(label, "GB/s", copied, "process_vm_readv", pv, ">= 0.9x", 0);
		snprintf(label, sizeof(label), "read %zu KiB, in mmapped buffer", sz >> 10);
		row(label, "GB/s", in_buf, "/proc/PID/mem pread", pm, "-", 0);
	}
	close(fd);
	free(dst);
}

static void bench_write(pid_t pid)
{
	char path[64];
	double ours, pm;
	int fd, it, iters = quick ? 500 : 5000;
	uint64_t val = 0x1122334455667788ull;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR);
	ours = pm = 1e9;
	for (int rd = 0; rd < ROUNDS; rd++) {
		TIME_BEST(ours, for (it = 0; it < iters; it++)
			vmem_write(v, pid, (uintptr_t)L.small + (it % 64) * PG, &val, 8, false, NULL,
				   NULL, NULL, NULL));
		TIME_BEST(pm, for (it = 0; it < iters; it++)
			if (pwrite(fd, &val, 8, (uintptr_t)L.small + (it % 64) * PG) != 8)
				break);
	}
	ours = ours / iters * 1e9;
	pm = pm / iters * 1e9;
	row("write 8 bytes", "ns", ours, "/proc/PID/mem pwrite", pm, "<= 2x", 1);
	close(fd);
}

int main(int argc, char **argv)
{
	pid_t pid;
	int err;

	quick = argc > 1 && !strcmp(argv[1], "--quick");
	v = vmem_open(&err);
	if (!v) {
		fprintf(stderr, "bench_mem: cannot load the vmem programs: %s (is the module loaded?)\n",
			strerror(-err));
		printf("#plot-note range vmscope could not load its programs (no module?): no points\n");
		return 1;
	}
	setup();
	pid = spawn();	/* the target: a fork child; its pages are mapped (COW-shared) */
	printf("| operation | vmscope | anchor | ratio (>1: vmscope better) | target |\n");
	printf("|---|---|---|---|---|\n");
	bench_lookup(pid);
	bench_range(pid, "range walk, 4K pages (/page)", L.small, L.small_len);
	bench_range(pid, "range walk, THP (/page)", L.thp, L.thp_len);
	bench_read(pid);
	bench_write(pid);
	bench_sweep(pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	vmem_close(v);
	return 0;
}
