// SPDX-License-Identifier: GPL-2.0
/*
 * Who maps a page (vmscope_page_sharers) and compare-and-write
 * (vmscope_cmpxchg), checked against the kernel's own answers: the set of
 * processes whose /proc/PID/pagemap shows the same PFN at the reported
 * address, for a fork-shared anonymous page, a shared file page in three
 * processes, a private page, and the zero page; cmpxchg writes only where
 * the old bytes match, and never into a page shared with a fork child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "tap.h"
#include "vmem_api.h"

#define PG 4096ul

/* The PFN at addr of pid from /proc/PID/pagemap (0: none or not present). */
static uint64_t pagemap_pfn(pid_t pid, uint64_t addr)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (addr / PG) * 8) != 8)
		e = 0;
	close(fd);
	return (e >> 63) ? e & ((1ull << 55) - 1) : 0;
}

/* A child that touches nothing new and waits (it shares what it inherited). */
static pid_t child_wait(void)
{
	pid_t p = fork();

	if (p == 0) {
		for (;;)
			pause();
	}
	return p;
}

static bool has_pid(const struct vms_sharer *r, int n, pid_t pid, uint64_t addr)
{
	int i;

	for (i = 0; i < n; i++)
		if ((pid_t)r[i].pid == pid && r[i].addr == addr)
			return true;
	return false;
}

static void test_anon_fork(struct vmem *v)
{
	const struct vms_share *h;
	const struct vms_sharer *r;
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t c1, c2;
	int n;

	memset(p, 0x5a, PG);
	c1 = child_wait();
	c2 = child_wait();
	usleep(100000);
	n = vmem_sharers(v, getpid(), (uintptr_t)p, &h, &r);
	diag("anon: n %d kind %u mapcount %d pfn 0x%llx, children %d %d", n, n >= 0 ? h->kind : 0,
	     n >= 0 ? h->mapcount : 0, n >= 0 ? (unsigned long long)h->pfn : 0ull, c1, c2);
	ok(n == 3 && h->kind == VMS_SH_ANON && has_pid(r, n, getpid(), (uintptr_t)p) &&
	   has_pid(r, n, c1, (uintptr_t)p) && has_pid(r, n, c2, (uintptr_t)p) &&
	   h->pfn == pagemap_pfn(c1, (uintptr_t)p) && h->mapcount == 3,
	   "a fork-shared anonymous page: parent and both children, as pagemap says");
	/* The parent writes: its copy is its own now. */
	p[0] = 1;
	n = vmem_sharers(v, getpid(), (uintptr_t)p, &h, &r);
	ok(n == 1 && has_pid(r, n, getpid(), (uintptr_t)p) && (r[0].flags & VMS_SHR_SELF),
	   "after the parent's write (COW broken): only the parent");
	n = vmem_sharers(v, c1, (uintptr_t)p, &h, &r);
	ok(n == 2 && has_pid(r, n, c1, (uintptr_t)p) && has_pid(r, n, c2, (uintptr_t)p),
	   "the children still share the old page");

	/* cmpxchg in the child: the page is shared with c2, so COW breaks. */
	{
		char old[8], new_[8] = "NEWBYTES", back[8];
		ssize_t k;

		memset(old, 0x5a, 8);
		k = vmem_cmpxchg(v, c1, (uintptr_t)p + 16, old, new_, 8, false);
		ok(k == 8, "cmpxchg with the right old bytes writes (%zd)", k);
		k = vmem_read(v, c2, (uintptr_t)p + 16, back, 8);
		ok(k == 8 && !memcmp(back, old, 8), "the other child's copy is untouched");
		k = vmem_cmpxchg(v, c1, (uintptr_t)p + 16, old, "XXXXXXXX", 8, false);
		ok(k == -ECANCELED, "cmpxchg with stale old bytes: -ECANCELED (%zd)", k);
		k = vmem_read(v, c1, (uintptr_t)p + 16, back, 8);
		ok(k == 8 && !memcmp(back, new_, 8), "and nothing was written");
	}
	kill(c1, SIGKILL);
	kill(c2, SIGKILL);
	waitpid(c1, NULL, 0);
	waitpid(c2, NULL, 0);
	munmap(p, PG);
}

static void test_file(struct vmem *v)
{
	const struct vms_share *h;
	const struct vms_sharer *r;
	char path[] = "/tmp/vms-share-XXXXXX";
	int fd = mkstemp(path), n;
	char *p, *q;
	pid_t c;

	if (fd < 0 || ftruncate(fd, 2 * PG)) {
		tap_skip("no file", "a shared file page in several mappings");
		return;
	}
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);	/* not written: the same page */
	p[PG] = 1;
	(void)*(volatile char *)(q + PG);
	/* fork() does not copy the PTEs of file mappings: the child reads both. */
	c = fork();
	if (c == 0) {
		(void)*(volatile char *)(p + PG);
		(void)*(volatile char *)(q + PG);
		for (;;)
			pause();
	}
	usleep(200000);
	n = vmem_sharers(v, getpid(), (uintptr_t)p + PG, &h, &r);
	diag("file: n %d kind %u mapcount %d candidates %u", n, n >= 0 ? h->kind : 0,
	     n >= 0 ? h->mapcount : 0, n >= 0 ? h->candidates : 0);
	ok(n == 4 && h->kind == VMS_SH_FILE && has_pid(r, n, getpid(), (uintptr_t)p + PG) &&
	   has_pid(r, n, getpid(), (uintptr_t)q + PG) && has_pid(r, n, c, (uintptr_t)p + PG) &&
	   has_pid(r, n, c, (uintptr_t)q + PG) && h->pfn == pagemap_pfn(c, (uintptr_t)q + PG),
	   "a file page: both mappings in the parent and both in the child");
	n = vmem_sharers(v, getpid(), (uintptr_t)p, &h, &r);
	ok(n == 0 && h->kind == VMS_SH_NONE, "an untouched file page: nothing present, no sharers");
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	munmap(p, 2 * PG);
	munmap(q, 2 * PG);
	close(fd);
	unlink(path);
}

static void test_zero(struct vmem *v)
{
	const struct vms_share *h;
	const struct vms_sharer *r;
	char *p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int n;

	(void)*(volatile char *)p;
	n = vmem_sharers(v, getpid(), (uintptr_t)p, &h, &r);
	ok(n == 0 && h->kind == VMS_SH_ZERO, "the zero page: kind zero, no list (n %d kind %u)", n,
	   n >= 0 ? h->kind : 0);
	munmap(p, PG);
}

int main(void)
{
	struct vmem *v;
	int err;

	tap_start();
	v = vmem_open(&err);
	if (!v) {
		tap_skip("the module's kfuncs are not there", "sharers and cmpxchg");
		return tap_finish();
	}
	test_anon_fork(v);
	test_file(v);
	test_zero(v);
	vmem_close(v);
	return tap_finish();
}
