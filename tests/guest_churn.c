// SPDX-License-Identifier: GPL-2.0
/*
 * Churn: targets that mmap, munmap, mprotect and madvise (DONTNEED,
 * PAGEOUT, COLLAPSE) in a loop, killed and replaced every few seconds,
 * while walks, range walks, lookups, reads and writes run against them.
 * Every call must end in success or a clean error; afterwards no page or
 * mm reference may be left behind (hugetlb pages all come back: a leaked
 * page reference or mm_users reference would keep them), the module must
 * unload, and the kernel log must stay clean.
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
#include <sys/mman.h>
#include <sys/wait.h>
#include "tap.h"
#include "memops.h"
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

#define BASE	0x600000000ul		/* 4 MiB of THP-able anon memory */
#define HBASE	0x640000000ul		/* 2 MiB hugetlb */
#define LEN	(4ul << 20)
#define HLEN	(2ul << 20)
#define SECONDS	20

static void churn(void)
{
	unsigned int seed = getpid();

	for (;;) {
		char *p = mmap((void *)BASE, LEN, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		char *h = mmap((void *)HBASE, HLEN, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_HUGETLB | MAP_HUGE_2MB,
			       -1, 0);
		size_t i;

		if (p == MAP_FAILED)
			_exit(2);
		madvise(p, LEN, MADV_HUGEPAGE);
		for (i = 0; i < LEN; i += 4096)
			p[i] = (char)i;
		if (h != MAP_FAILED)
			memset(h, 1, 4096);
		switch (rand_r(&seed) % 6) {
		case 0:
			mprotect(p + (1 << 20), 1 << 20, PROT_READ);
			mprotect(p, 64 << 10, PROT_NONE);
			break;
		case 1:
			madvise(p + (2 << 20), 2 << 20, MADV_DONTNEED);
			p[(2 << 20) + 8192] = 1;
			break;
		case 2:
			madvise(p, LEN, MADV_PAGEOUT);
			break;
		case 3:
			madvise(p, LEN, MADV_NOHUGEPAGE);
			madvise(p, LEN, MADV_HUGEPAGE);
			madvise(p, LEN, MADV_COLLAPSE);
			break;
		case 4:
			munmap(p + (1 << 20), 4096);
			break;
		default:
			if (h != MAP_FAILED)
				madvise(h, HLEN, MADV_DONTNEED);
		}
		usleep(rand_r(&seed) % 2000);
		munmap(p, LEN);
		if (h != MAP_FAILED)
			munmap(h, HLEN);
	}
}

static pid_t spawn_target(void)
{
	pid_t pid = fork();

	if (pid == 0)
		churn();
	return pid;
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

int main(void)
{
	long ops[5] = { 0 }, bad = 0, free_before, free_after;
	struct timespec t0, t;
	unsigned int seed = 1;
	struct vmem *v;
	char buf[65536];
	pid_t target;
	int err, rc, i;

	tap_start();
	v = vmem_open(&err);
	if (!v) {
		diag("vmem_open: %s", strerror(-err));
		for (i = 0; i < 4; i++)
			tap_skip("module not loaded", "churn check %d", i + 1);
		return tap_finish();
	}
	if (setup_swap())
		diag("no zram swap: MADV_PAGEOUT will not swap (%s)", setup_swap());
	free_before = meminfo("HugePages_Free:");
	target = spawn_target();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		uint64_t addr = (rand_r(&seed) & 1 ? BASE : HBASE) + (rand_r(&seed) % LEN);
		long r = 0;
		int op = rand_r(&seed) % 5;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= SECONDS)
			break;
		if (ops[0] + ops[1] + ops[2] + ops[3] + ops[4] > 0 && rand_r(&seed) % 500 == 0) {
			kill(target, SIGKILL);	/* sometimes mid-operation: pid exits */
			waitpid(target, NULL, 0);
			target = spawn_target();
		}
		switch (op) {
		case 0: {
			struct vms_walk w[4];

			for (i = 0; i < 4; i++)
				w[i].addr = addr + i * 4096 * 97;
			r = vmem_walk(v, target, w, 4);
			for (i = 0; r >= 0 && i < 4; i++)
				if (!clean(w[i].err))
					r = w[i].err;
			break;
		}
		case 1: {
			const struct vms_range *h;
			const struct vms_prec *rec;
			const struct vms_pdir *d;

			r = vmem_walk_range(v, target, BASE, HBASE + HLEN, &h, &rec, &d);
			break;
		}
		case 2:
			r = vmem_read(v, target, addr, buf, 1 + rand_r(&seed) % sizeof(buf));
			break;
		case 3:
			r = vmem_write(v, target, addr, "churn!", 6, rand_r(&seed) & 1, NULL, NULL,
				       NULL, NULL);
			break;
		default: {
			struct vms_vmainfo vi[2] = { { .addr = addr }, { .addr = BASE } };

			struct vmem_str names = {};

			r = vmem_find(v, target, vi, 2, &names);
			vmem_str_free(&names);
		}
		}
		ops[op]++;
		if (!clean(r)) {
			if (bad++ < 5)
				diag("op %d at %llx: %ld", op, (unsigned long long)addr, r);
		}
	}
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	ok(!bad, "%ld walks, %ld range walks, %ld reads, %ld writes, %ld lookups against "
	   "churning targets for %d s: all ended in success or a clean error", ops[0], ops[1],
	   ops[2], ops[3], ops[4], SECONDS);
	vmem_close(v);

	for (i = 0; i < 50; i++) {	/* exit_mmap can lag the reaping a little */
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
	rc = rc || system("dmesg | grep -qE 'Oops|BUG:|WARNING:|KASAN|general protection|"
			  "refcount_t:|[Bb]ad page'") == 0;
	ok(!rc, "the module reloads and the kernel log is clean");
	return tap_finish();
}
