// SPDX-License-Identifier: GPL-2.0
/*
 * Race stress: walks, range walks, reads, writes and lookups run against
 * target processes whose memory changes under them in every way the walk
 * rules have to survive:
 *  - anon:    mmap/munmap/mremap/mprotect, MADV_DONTNEED, MADV_PAGEOUT
 *             (swap), MADV_COLLAPSE and THP splits (a 4K mprotect or
 *             DONTNEED inside a THP), compaction (migration entries);
 *  - shmem:   a second process collapses a shared tmpfs file into THPs
 *             (retract_page_tables() frees the walked process's PTE
 *             tables under RCU) and punches them out again;
 *  - hugetlb: two processes share PMD tables of a 1 GiB-aligned hugetlb
 *             file; punching holes unshares them in both (huge_pmd_unshare);
 *  - KSM:     identical pages merged by ksmd and un-merged by writes;
 *  - fork/exit/execve: a target that keeps forking and re-executing.
 * Targets are killed and replaced now and then, sometimes mid-operation.
 * Every call must end in success or a clean error; afterwards every
 * hugetlb page comes back (a leaked page or mm reference would keep one),
 * the module unloads, and the kernel log is clean (checked by the harness
 * too, with lockdep, KASAN and KFENCE on the debug kernel).
 * CHURN_SECONDS sets the time (default 20).
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
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "tap.h"
#include "vmem_api.h"
#include "guest_util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << 26)
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB	4U
#endif

#define PG	4096ul
#define MB	(1ul << 20)
#define ABASE	0x600000000ul		/* anon: 4 MiB, THP-able */
#define ALEN	(4 * MB)
#define HBASE	0x640000000ul		/* private hugetlb: 2 MiB */
#define SBASE	0x680000000ul		/* shmem: 4 MiB shared with a collapser */
#define SLEN	(4 * MB)
#define PBASE	0x8000000000ul		/* hugetlb, 1 GiB aligned: shared PMD tables */
#define PLEN	(1ul << 30)
#define KBASE	0x6c0000000ul		/* KSM: 1 MiB of identical pages */
#define KLEN	(1 * MB)

enum { T_ANON, T_SHMEM, T_SHPMD, T_KSM, T_FORK, T_NR };
static const char *const tname[T_NR] = { "anon", "shmem", "shared hugetlb", "ksm", "fork/exec" };

static void anon_target(void)
{
	unsigned int seed = getpid();

	for (;;) {
		char *p = mmap((void *)ABASE, ALEN, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		char *h = mmap((void *)HBASE, 2 * MB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_HUGETLB | MAP_HUGE_2MB,
			       -1, 0);
		size_t i;

		if (p == MAP_FAILED)
			_exit(2);
		madvise(p, ALEN, MADV_HUGEPAGE);
		for (i = 0; i < ALEN; i += PG)
			p[i] = (char)i;
		if (h != MAP_FAILED)
			memset(h, 1, PG);
		switch (rand_r(&seed) % 8) {
		case 0:
			mprotect(p + MB, MB, PROT_READ);
			mprotect(p, 64 << 10, PROT_NONE);
			break;
		case 1:
			madvise(p + 2 * MB, 2 * MB, MADV_DONTNEED);
			p[2 * MB + 8192] = 1;
			break;
		case 2:
			madvise(p, ALEN, MADV_PAGEOUT);
			break;
		case 3:
			madvise(p, ALEN, MADV_NOHUGEPAGE);
			madvise(p, ALEN, MADV_HUGEPAGE);
			madvise(p, ALEN, MADV_COLLAPSE);
			break;
		case 4:	/* split THPs: a 4K hole and a 4K mprotect inside them */
			madvise(p + 12 * PG, PG, MADV_DONTNEED);
			mprotect(p + 2 * MB + 40 * PG, PG, PROT_READ);
			break;
		case 5: {	/* move it away and back */
			char *q = mremap(p, ALEN, ALEN, MREMAP_MAYMOVE | MREMAP_FIXED,
					 (void *)(ABASE + 64 * MB));

			if (q != MAP_FAILED)
				mremap(q, ALEN, ALEN, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)ABASE);
			break;
		}
		case 6:
			write_file("/proc/sys/vm/compact_memory", "1");
			break;
		default:
			if (h != MAP_FAILED)
				madvise(h, 2 * MB, MADV_DONTNEED);
		}
		usleep(rand_r(&seed) % 2000);
		munmap(p, ALEN);
		if (h != MAP_FAILED)
			munmap(h, 2 * MB);
	}
}

/*
 * The walked process maps a tmpfs file with 4K pages; its sibling
 * collapses the file's pages into THPs (which retracts the walked
 * process's PTE tables) and punches them out again.
 */
static void shmem_target(void)
{
	int fd = memfd_create("vms-churn-shmem", 0);
	unsigned int seed = getpid();
	char *p;

	if (fd < 0 || ftruncate(fd, SLEN))
		_exit(2);
	p = mmap((void *)SBASE, SLEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		_exit(2);
	if (fork() == 0) {
		char *q = mmap(NULL, SLEN + 2 * MB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		q = (char *)(((uintptr_t)q + 2 * MB - 1) & ~(2 * MB - 1));
		q = mmap(q, SLEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
		if (q == MAP_FAILED)
			_exit(2);
		madvise(q, SLEN, MADV_HUGEPAGE);
		for (;;) {
			memset(q, 0x33, SLEN);
			madvise(q, SLEN, MADV_COLLAPSE);
			usleep(rand_r(&seed) % 3000);
			fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				  (rand_r(&seed) % 2) * 2 * MB, 2 * MB);
			if (getppid() == 1)
				_exit(0);
		}
	}
	for (;;) {
		for (size_t i = 0; i < SLEN; i += PG)
			(void)*(volatile char *)(p + i);	/* map the pages with PTEs */
		usleep(rand_r(&seed) % 2000);
	}
}

/*
 * Two processes map the same 1 GiB-aligned hugetlb file: their PMD tables
 * are shared.  The sibling punches holes, which unshares the tables in
 * both (huge_pmd_unshare, under i_mmap_rwsem), and faults pages back.
 */
static void shared_pmd_target(void)
{
	int fd = memfd_create("vms-churn-hugetlb", MFD_HUGETLB);
	unsigned int seed = getpid();
	char *p;

	if (fd < 0 || ftruncate(fd, PLEN))
		_exit(2);
	p = mmap((void *)PBASE, PLEN, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED)
		_exit(2);
	if (fork() == 0) {
		char *q = mmap((void *)(PBASE + PLEN), PLEN, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0);

		if (q == MAP_FAILED)
			_exit(2);
		for (;;) {
			for (int i = 0; i < 4; i++)
				q[(rand_r(&seed) % 8) * 2 * MB] = 1;
			usleep(rand_r(&seed) % 3000);
			fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 16 * MB);
			if (getppid() == 1)
				_exit(0);
		}
	}
	for (;;) {
		for (int i = 0; i < 4; i++)
			p[(rand_r(&seed) % 8) * 2 * MB] = 2;	/* share the PMD table again */
		usleep(rand_r(&seed) % 2000);
	}
}

static void ksm_target(void)
{
	char *p = mmap((void *)KBASE, KLEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	unsigned int seed = getpid();

	if (p == MAP_FAILED)
		_exit(2);
	memset(p, 0x77, KLEN);
	madvise(p, KLEN, MADV_MERGEABLE);
	for (;;) {
		p[(rand_r(&seed) % (KLEN / PG)) * PG] ^= 1;	/* un-merge one */
		usleep(rand_r(&seed) % 5000);
	}
}

/* Keeps forking children that exit, and re-executes itself now and then. */
static void fork_target(const char *self)
{
	unsigned int seed = getpid();
	char *p = mmap((void *)ABASE, MB, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	memset(p, 5, MB);
	for (;;) {
		pid_t c = fork();

		if (c == 0) {
			p[rand_r(&seed) % MB] = 1;
			_exit(0);
		}
		waitpid(c, NULL, 0);
		if (rand_r(&seed) % 50 == 0)
			execl(self, self, "--fork-target", (char *)NULL);
		usleep(rand_r(&seed) % 1000);
	}
}

static const char *self_path;

static pid_t spawn(int kind)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	setpgid(0, 0);	/* the target and its helpers die together */
	switch (kind) {
	case T_ANON:
		anon_target();
		break;
	case T_SHMEM:
		shmem_target();
		break;
	case T_SHPMD:
		shared_pmd_target();
		break;
	case T_KSM:
		ksm_target();
		break;
	default:
		fork_target(self_path);
	}
	_exit(0);
}

static void reap(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	while (waitpid(-pid, NULL, WNOHANG) > 0)
		;
}

static long meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long val = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			val = atol(line + strlen(key));
	if (f)
		fclose(f);
	return val;
}

static bool clean(long r)
{
	return r >= 0 || r == -EFAULT || r == -ENOENT || r == -EAGAIN || r == -ESRCH ||
	       r == -EINVAL;	/* -EINVAL: the target is exiting (no mm any more) */
}

/* An address worth looking at in a target of this kind. */
static uint64_t target_addr(int kind, unsigned int *seed)
{
	switch (kind) {
	case T_SHMEM:
		return SBASE + rand_r(seed) % SLEN;
	case T_SHPMD:
		return PBASE + (rand_r(seed) % 16) * MB + rand_r(seed) % MB;
	case T_KSM:
		return KBASE + rand_r(seed) % KLEN;
	default:
		return (rand_r(seed) & 1 ? ABASE : HBASE) + rand_r(seed) % ALEN;
	}
}

static uint64_t target_len(int kind)
{
	return kind == T_SHMEM ? SLEN : kind == T_SHPMD ? 16 * MB : kind == T_KSM ? KLEN : ALEN;
}

/*
 * The stress only means something if the kernel really shares hugetlb PMD
 * tables and collapses shmem into THPs: check both here, deterministically.
 */
static void preconditions(struct vmem *v)
{
	int fd = memfd_create("vms-pre-hugetlb", MFD_HUGETLB);
	struct vms_walk w[2];
	char *a = MAP_FAILED, *b = MAP_FAILED;
	int n;

	if (fd >= 0 && !ftruncate(fd, PLEN)) {
		a = mmap((void *)(PBASE + 4 * PLEN), PLEN, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0);
		b = mmap((void *)(PBASE + 5 * PLEN), PLEN, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0);
	}
	if (a == MAP_FAILED || b == MAP_FAILED) {
		tap_skip("cannot map 1 GiB of hugetlb", "precondition: hugetlb PMD tables are shared");
	} else {
		a[0] = 1;
		b[0] = 2;	/* the second fault finds the first table and shares it */
		memset(w, 0, sizeof(w));
		w[0].addr = (uintptr_t)a;
		w[1].addr = (uintptr_t)b;
		n = vmem_walk(v, getpid(), w, 2);
		ok(n == 2 && !w[0].err && !w[1].err &&
		   w[0].entry[VMS_LVL_PUD] && (w[0].entry[VMS_LVL_PUD] & ~0xfffull) ==
		   (w[1].entry[VMS_LVL_PUD] & ~0xfffull),
		   "precondition: two mappings of a hugetlb file share one PMD table (PUD %llx, %llx)",
		   (unsigned long long)w[0].entry[VMS_LVL_PUD],
		   (unsigned long long)w[1].entry[VMS_LVL_PUD]);
		munmap(a, PLEN);
		munmap(b, PLEN);
	}
	if (fd >= 0)
		close(fd);

	fd = access("/sys/kernel/mm/transparent_hugepage", F_OK) ? -1 :
	     memfd_create("vms-pre-shmem", 0);
	a = MAP_FAILED;
	if (fd >= 0 && !ftruncate(fd, 2 * MB))
		a = mmap((void *)(SBASE + 64 * MB), 2 * MB, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, 0);
	if (a != MAP_FAILED) {
		madvise(a, 2 * MB, MADV_HUGEPAGE);
		memset(a, 1, 2 * MB);
		madvise(a, 2 * MB, MADV_COLLAPSE);
		memset(w, 0, sizeof(w));
		w[0].addr = (uintptr_t)a;
		n = vmem_walk(v, getpid(), w, 1);
		ok(n == 1 && !w[0].err && w[0].leaf_shift == 21,
		   "precondition: MADV_COLLAPSE turns a shmem range into a THP (leaf %u)",
		   w[0].leaf_shift);
		munmap(a, 2 * MB);
	} else {
		tap_skip(access("/sys/kernel/mm/transparent_hugepage", F_OK) ?
			 "kernel without THP (PREEMPT_RT builds disable it)" : "cannot map a memfd",
			 "precondition: MADV_COLLAPSE makes shmem THPs");
	}
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	const char *e = getenv("CHURN_SECONDS");
	int seconds = e ? atoi(e) : 20;
	long ops[5] = { 0 }, per[T_NR] = { 0 }, bad = 0, free_before, free_after;
	struct timespec t0, t;
	unsigned int seed = 1;
	pid_t target[T_NR];
	struct vmem *v;
	static char buf[65536];
	int err, rc, i;

	if (argc > 1 && !strcmp(argv[1], "--fork-target"))
		fork_target(argv[0]);
	self_path = "/proc/self/exe";
	tap_start();
	v = vmem_open(&err);
	if (!v) {
		diag("vmem_open: %s", strerror(-err));
		tap_skip("module not loaded", "race stress");
		return tap_finish();
	}
	if (setup_swap())
		diag("no zram swap: MADV_PAGEOUT will not swap (%s)", setup_swap());
	write_file("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "advise");
	write_file("/sys/kernel/mm/ksm/sleep_millisecs", "0");
	write_file("/sys/kernel/mm/ksm/pages_to_scan", "1000");
	write_file("/sys/kernel/mm/ksm/run", "1");
	free_before = meminfo("HugePages_Free:");
	preconditions(v);
	for (i = 0; i < T_NR; i++)
		target[i] = spawn(i);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int kind = rand_r(&seed) % T_NR, op = rand_r(&seed) % 5;
		uint64_t addr = target_addr(kind, &seed);
		pid_t pid = target[kind];
		long r = 0;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= seconds)
			break;
		if (rand_r(&seed) % 400 == 0) {
			reap(pid);	/* sometimes mid-operation: the pid exits */
			target[kind] = pid = spawn(kind);
		}
		switch (op) {
		case 0: {
			struct vms_walk w[4];

			for (i = 0; i < 4; i++)
				w[i].addr = addr + i * PG * 97;
			r = vmem_walk(v, pid, w, 4);
			for (i = 0; r >= 0 && i < 4; i++)
				if (!clean(w[i].err))
					r = w[i].err;
			break;
		}
		case 1: {
			const struct vms_range *h;
			const struct vms_prec *rec;
			const struct vms_pdir *d;
			uint64_t a = addr & ~(PG - 1), end = (addr & ~(MB - 1)) + target_len(kind);

			while (a < end && r >= 0) {
				r = vmem_walk_range(v, pid, a, end, &h, &rec, &d);
				if (r >= 0) {
					if (h->next <= a)
						break;
					a = h->next;
				}
			}
			break;
		}
		case 2:
			r = vmem_read(v, pid, addr, buf, 1 + rand_r(&seed) % sizeof(buf));
			break;
		case 3:
			r = vmem_write(v, pid, addr, "churn!", 6, rand_r(&seed) & 1, NULL, NULL,
				       NULL, NULL);
			break;
		default: {
			struct vms_vmainfo vi[2] = { { .addr = addr }, { .addr = ABASE } };
			struct vmem_str names = {};

			r = vmem_find(v, pid, vi, 2, &names);
			vmem_str_free(&names);
		}
		}
		ops[op]++;
		per[kind]++;
		if (!clean(r)) {
			if (bad++ < 5)
				diag("%s target, op %d at %llx: %ld", tname[kind], op,
				     (unsigned long long)addr, r);
		}
	}
	for (i = 0; i < T_NR; i++) {
		reap(target[i]);
		diag("%s target: %ld operations", tname[i], per[i]);
	}
	write_file("/sys/kernel/mm/ksm/run", "2");	/* un-merge everything */
	ok(!bad, "%ld walks, %ld range walks, %ld reads, %ld writes, %ld lookups against "
	   "churning targets for %d s: all ended in success or a clean error", ops[0], ops[1],
	   ops[2], ops[3], ops[4], seconds);
	vmem_close(v);

	for (i = 0; i < 100; i++) {	/* exit_mmap can lag the reaping a little */
		free_after = meminfo("HugePages_Free:");
		if (free_after == free_before)
			break;
		usleep(100000);
	}
	ok(free_after == free_before, "every hugetlb page came back (free %ld before, %ld after): "
	   "no leaked page or mm reference", free_before, free_after);

	/* Module references are dropped asynchronously after the last close. */
	for (i = 0; i < 50; i++) {
		rc = system("rmmod vmscope 2>/dev/null");
		if (rc == 0)
			break;
		usleep(100000);
	}
	ok(rc == 0, "the module unloads after the churn (no leaked module reference)");
	rc = system("insmod /lib/vmscope/vmscope.ko");
	ok(!rc, "the module loads again");
	return tap_finish();
}
