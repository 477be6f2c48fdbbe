// SPDX-License-Identifier: GPL-2.0
/*
 * bench_maps: per-VMA cost of listing a process's mappings, in one run:
 *   vmscope (binary records, objects loaded once: the fast BPF listing on
 *   6.7+, else the module's chained lookup when it is loaded, else the
 *   task_vma iterator; the route is printed)
 *   read + parse /proc/PID/maps
 *   PROCMAP_QUERY enumeration (6.11+), names included
 * for targets with 100, 1,000, 10,000 and 60,000 VMAs, then `maps --all`
 * against reading and parsing every /proc/ * /maps.  Medians of repeated
 * runs.  Each table row is also printed as `#plot listing SERIES VMAS NS`
 * lines (a series that cannot be measured as a `#plot-note` line): the
 * plot that make bench draws (bench_plot) is then of this very run.
 */
#include <ctype.h>
#include <dirent.h>
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
#include <sys/resource.h>
#include <sys/wait.h>
#include "common.h"
#include "vmalist.h"

#include "procmap.h"
#include "plot.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_dbl);
	return v[n / 2];
}

/* A child with about n VMAs; returns its pid (it dies with us). */
static pid_t spawn_target(long n, int *ready_fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		long pg = sysconf(_SC_PAGESIZE), i, half = n / 2;
		char *base = mmap(NULL, (size_t)n * pg, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		for (i = 0; base != MAP_FAILED && i < half; i++)
			mprotect(base + 2 * i * pg, pg, PROT_READ);
		close(p[0]);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	*ready_fd = p[0];
	return pid;
}

/* Parse one maps line the way a careful tool would: every field. */
struct parsed {
	unsigned long long start, end, off, ino;
	unsigned int maj, min;
	char perms[5];
	const char *name;
};

static const char *parse_line(const char *p, const char *end, struct parsed *r)
{
	char *q;

	r->start = strtoull(p, &q, 16);
	r->end = strtoull(q + 1, &q, 16);
	memcpy(r->perms, q + 1, 4);
	r->perms[4] = 0;
	r->off = strtoull(q + 6, &q, 16);
	r->maj = strtoul(q + 1, &q, 16);
	r->min = strtoul(q + 1, &q, 16);
	r->ino = strtoull(q + 1, &q, 10);
	while (q < end && *q == ' ')
		q++;
	r->name = q;
	q = memchr(q, '\n', end - q);
	return q ? q + 1 : end;
}

static char *rbuf;
static size_t rbuf_sz = 64 << 20;

static long read_parse_maps(pid_t pid)
{
	char path[64];
	struct parsed r;
	const char *p, *end;
	size_t len = 0;
	long n = 0;
	ssize_t k;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((k = read(fd, rbuf + len, rbuf_sz - len)) > 0)
		len += k;
	close(fd);
	for (p = rbuf, end = rbuf + len; p < end; n++)
		p = parse_line(p, end, &r);
	return n;
}

static long procmap_enum(pid_t pid)
{
	struct vms_procmap_query q;
	char path[64], name[4096];
	unsigned long long addr = 0;
	long n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (;;) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.query_flags = VMS_PQ_COVERING_OR_NEXT;
		q.query_addr = addr;
		q.vma_name_addr = (unsigned long)name;
		q.vma_name_size = sizeof(name);
		if (ioctl(fd, VMS_PROCMAP_QUERY, &q))
			break;
		n++;
		addr = q.vma_end;
	}
	if (errno != ENOENT)
		n = -errno;
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	static const long sizes[] = { 100, 1000, 10000, 60000 };
	struct vma_bpf *obj;
	double t0, load_ns;
	int err, reps_base = argc > 1 ? atoi(argv[1]) : 1;
	bool have_pq;
	size_t s;

	bpf_setup();
	setvbuf(stdout, NULL, _IOLBF, 0);
	rbuf = malloc(rbuf_sz);
	t0 = now_ns();
	obj = vmalist_open(VMALIST_RECORDS | VMALIST_ALL | VMALIST_FAST | VMALIST_MODULE, &err);
	load_ns = now_ns() - t0;
	if (!obj) {
		fprintf(stderr, "bench_maps: cannot load the iterator: %s\n", bpf_err_hint(err));
		printf("#plot-note listing vmscope could not load its iterator: no points\n");
		return 1;
	}
	have_pq = procmap_enum(getpid()) > 0;
	if (!have_pq)
		plot_line("#plot-note listing PROCMAP_QUERY: not in this kernel (6.11+)");
	printf("# one-time cost: loading the listing objects %.2f ms (not in the per-VMA figures)\n",
	       load_ns / 1e6);
	printf("# route for one process: %s\n", vmalist_fast(obj) ? "the fast BPF listing" :
	       !vmalist_module_err(obj) ? "the module (vmscope_find_vmas, chained)" :
	       "the task_vma iterator (vma_seq)");
	printf("%-7s %14s %14s %14s %10s %10s %s\n", "VMAs", "vmscope ns/VMA", "maps ns/VMA",
	       "PMQUERY ns/VMA", "vs maps", "vs PMQ", "target (<= 0.5x maps)");
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		int reps = (sizes[s] >= 10000 ? 15 : sizes[s] >= 1000 ? 100 : 300) * reps_base;
		int i, fd;
		double a[300 * 4], b[300 * 4], c[300 * 4], va, vb, vc;
		struct vmalist l = {};
		long nv = 0;
		pid_t pid;
		char ch;

		if (reps > 300 * 4)
			reps = 300 * 4;
		pid = spawn_target(sizes[s], &fd);
		if (pid < 0 || read(fd, &ch, 1) != 1) {
			printf("# cannot create the %ld-VMA target\n", sizes[s]);
			plot_line("#plot-note listing %ld VMAs: no target, no points", sizes[s]);
			continue;
		}
		for (i = 0; i < reps; i++) {
			t0 = now_ns();
			vmalist_reset(&l);
			err = vmalist_collect(obj, pid, &l);
			a[i] = now_ns() - t0;
			nv = l.n;
			if (err)
				break;
			t0 = now_ns();
			read_parse_maps(pid);
			b[i] = now_ns() - t0;
			t0 = now_ns();
			if (have_pq)
				procmap_enum(pid);
			c[i] = now_ns() - t0;
		}
		vmalist_free(&l);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(fd);
		if (err || !nv) {
			printf("# %ld: listing failed: %s\n", sizes[s], strerror(-err));
			plot_line("#plot-note listing %ld VMAs: vmscope's listing failed, no points",
			       sizes[s]);
			continue;
		}
		va = median(a, reps) / nv;
		vb = median(b, reps) / nv;
		vc = median(c, reps) / nv;
		plot_line("#plot listing vmscope %ld %.1f", nv, va);
		plot_line("#plot listing maps %ld %.1f", nv, vb);
		if (have_pq)
			plot_line("#plot listing procmap_query %ld %.1f", nv, vc);
		if (have_pq)
			printf("%-7ld %14.1f %14.1f %14.1f %9.2fx %9.2fx %s\n", nv, va, vb, vc,
			       va / vb, va / vc, va / vb <= 0.5 ? "met" : "MISSED");
		else
			printf("%-7ld %14.1f %14.1f %14s %9.2fx %10s %s\n", nv, va, vb, "n/a",
			       va / vb, "n/a", va / vb <= 0.5 ? "met" : "MISSED");
	}

	/* Every process: one iterator pass against every /proc/ * /maps. */
	{
		double a[40], b[40], va, vb;
		long nv = 0, np = 0;
		int i, reps = 20;

		for (i = 0; i < reps; i++) {
			struct vmalist l = {};
			struct dirent *de;
			DIR *d;

			t0 = now_ns();
			err = vmalist_collect(obj, 0, &l);
			a[i] = now_ns() - t0;
			nv = l.n;
			vmalist_free(&l);	/* a fresh buffer each time, as the CLI has */
			t0 = now_ns();
			d = opendir("/proc");
			np = 0;
			while (d && (de = readdir(d))) {
				if (!isdigit((unsigned char)de->d_name[0]))
					continue;
				if (read_parse_maps(atoi(de->d_name)) >= 0)
					np++;
			}
			if (d)
				closedir(d);
			b[i] = now_ns() - t0;
		}
		va = median(a, reps);
		vb = median(b, reps);
		printf("\n%-28s %12s %12s %9s %s\n", "all processes", "vmscope ms", "/proc ms",
		       "speedup", "target (>= 2x)");
		printf("%-28s %12.3f %12.3f %8.2fx %s\n",
		       (snprintf(rbuf, 64, "%ld VMAs, %ld processes", nv, np), rbuf),
		       va / 1e6, vb / 1e6, vb / va, vb / va >= 2 ? "met" : "MISSED");
	}
	vmalist_close(obj);
	plot_flush();
	return 0;
}
