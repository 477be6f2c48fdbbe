// SPDX-License-Identifier: GPL-2.0
/*
 * Reads and writes through the module, checked against the kernel:
 * reads equal process_vm_readv (within pages, across page and VMA ends,
 * into unmapped memory); writes never change memory that another process
 * or a file shares (fork COW both ways, private file, read-only mapping
 * with and without force, a shared library's text); shared file writes
 * reach the file; privilege rules; clean errors for bad pids/addresses.
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
#include <grp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "tap.h"
#include "vmem_api.h"
#include "guest_util.h"

#define PG 4096ul

static struct vmem *v;
static char marker[64] = "unset";

/* A child that runs fn(arg), reports ready and sleeps until killed. */
static pid_t spawn(void (*fn)(void *), void *arg)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (fn)
			fn(arg);
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &c, 1) != 1) {
		close(pfd[0]);
		return -1;
	}
	close(pfd[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static ssize_t pvr(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)addr, len };

	return process_vm_readv(pid, &l, 1, &r, 1, 0);
}

/* ---- set-ups run in children ---------------------------------------------- */

/* Three adjacent VMAs (rw, r, rw) of one page each, patterned; plus a
 * PROT_NONE page right after them. */
static char *three;

static void fill_three(void *arg)
{
	size_t i;

	for (i = 0; i < 3 * PG; i++)
		three[i] = (char)(i * 7 + i / PG);
	mprotect(three + PG, PG, PROT_READ);
	mprotect(three + 3 * PG, PG, PROT_NONE);
}

static void set_marker(void *arg)
{
	snprintf(marker, sizeof(marker), "%s", (const char *)arg);
}

/* ---- privilege: drop capabilities (after the programs are loaded) ---------- */

/* Become uid 1000 keeping only caps; returns 0 on success. */
static int drop_to_user(uint64_t caps)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) || setgid(1000) ||
	    setuid(1000))
		return -1;
	return set_caps(caps);
}

/*
 * An entry's output-address bits: x86-64 51:12; arm64 49:12 (bit 51 is DBM,
 * 50 GP; with LPA2 bits 9:8 also hold address bits, otherwise shareability,
 * so they are not checked).
 */
#if defined(__aarch64__)
#define ENTRY_ADDR_BITS	0x0003fffffffff000ull
#else
#define ENTRY_ADDR_BITS	0x000ffffffffff000ull
#endif

/* In a child: returns the status to exit with (bits = checks failed). */
static int priv_child(pid_t other, char *own, int keep_ptrace)
{
	/* fork copies the PTEs of private memory (marker), not of shared (own). */
	struct vms_walk w = { .addr = keep_ptrace ? (uintptr_t)marker : (uintptr_t)own };
	char buf[16];
	ssize_t n;
	int fails = 0;

	if (drop_to_user(keep_ptrace ? 1ull << CAP_SYS_PTRACE : 0))
		return 64;
	n = vmem_read(v, other, (uintptr_t)marker, buf, 8);
	if (keep_ptrace ? n != 8 : n != -EPERM)
		fails |= 1;
	n = vmem_read(v, getpid(), (uintptr_t)own, buf, 8);
	if (n != 8 || memcmp(buf, own, 8))
		fails |= 2;
	if (vmem_walk(v, keep_ptrace ? other : getpid(), &w, 1) != 1 || w.err ||
	    w.stop_reason != VMS_STOP_LEAF || w.pfn || w.phys || !(w.wflags & VMS_W_PFN_HIDDEN) ||
	    (w.entry[VMS_LVL_PTE] & ENTRY_ADDR_BITS) || (w.entry[VMS_LVL_PGD] & ENTRY_ADDR_BITS))
		fails |= 4;
	return fails;
}

static int run_priv(pid_t other, char *own, int keep_ptrace)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(priv_child(other, own, keep_ptrace));
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 128;
	return WEXITSTATUS(st);
}

/* ---- shared library: two processes of a dynamic program -------------------- */

struct dynproc {
	pid_t pid;
	int in;		/* its stdin; closing it ends the program */
};

static int start_dyn(struct dynproc *d)
{
	int pfd[2];

	if (pipe(pfd))
		return -1;
	d->pid = fork();
	if (d->pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(pfd[0], 0);
		dup2(null, 1);
		close(pfd[1]);
		execl("/usr/sbin/bpftool", "bpftool", "batch", "file", "-", (char *)NULL);
		_exit(127);
	}
	close(pfd[0]);
	d->in = pfd[1];
	return d->pid > 0 ? 0 : -1;
}

/* Start, path and file offset of the first r-xp mapping of libc in pid. */
static int find_libc_text(pid_t pid, uint64_t *start, char *path, size_t sz, uint64_t *off)
{
	char p[64], line[512];
	FILE *f;
	int found = -1;

	snprintf(p, sizeof(p), "/proc/%d/maps", pid);
	f = fopen(p, "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long s, e, o;
		char perms[8], name[256] = "";

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %255s", &s, &e, perms, &o, name) < 4)
			continue;
		if (!strcmp(perms, "r-xp") && strstr(name, "/libc.so")) {
			*start = s;
			*off = o;
			snprintf(path, sz, "%s", name);
			found = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* ---- the cases ------------------------------------------------------------- */

/*
 * The smaller objects of bpf/vmem.bpf.c (vmem_open_for()): each asked-for
 * set of programs gets the smallest object that has them, which loads and
 * speaks the module's ABI; a program outside the object is refused
 * (-ENOSYS) before anything runs.
 */
/*
 * Run program bit (VMEM_P_*) of s on our own page at a, harmlessly: the
 * write puts back the bytes there, the compare-and-write expects other
 * bytes and so writes nothing.  Its result (never -ENOSYS when the
 * program is in s's object).
 */
static long run_prog(struct vmem *s, unsigned int bit, char *a)
{
	const struct vms_range *h;
	const struct vms_prec *r;
	const struct vms_pdir *d;
	const struct vms_share *sh;
	const struct vms_sharer *sr;
	struct vms_walk w = { .addr = (uintptr_t)a };
	uint64_t pg = (uintptr_t)a & ~(PG - 1);
	char b[4];

	switch (bit) {
	case VMEM_P_FIND:
		vmem_find_recs(s)[0].addr = (uintptr_t)a;
		return vmem_find_run(s, getpid(), 1, 0);
	case VMEM_P_WALK:
		return vmem_walk(s, getpid(), &w, 1);
	case VMEM_P_RANGE:
		return vmem_walk_range(s, getpid(), pg, pg + PG, &h, &r, &d);
	case VMEM_P_READ:
		return vmem_read(s, getpid(), (uintptr_t)a, b, sizeof(b));
	case VMEM_P_WRITE:
		memcpy(b, a, sizeof(b));
		return vmem_write(s, getpid(), (uintptr_t)a, b, sizeof(b), false, NULL, NULL,
				  NULL, NULL);
	case VMEM_P_CMPXCHG:
		return vmem_cmpxchg(s, getpid(), (uintptr_t)a, "\xff\xfe\xfd\xfc", "XXXX", 4, false);
	case VMEM_P_SHARERS:
		return vmem_sharers(s, getpid(), (uintptr_t)a, &sh, &sr);
	}
	return -ENOSYS;
}

static void case_program_sets(void)
{
	static const struct {
		unsigned int progs;
		const char *set;
	} want[] = {
		{ VMEM_P_FIND, "find" },
		{ VMEM_P_READ, "read" },
		{ VMEM_P_WALK, "walk" },
		{ VMEM_P_RANGE, "page" },
		{ VMEM_P_WALK | VMEM_P_RANGE, "page" },
		{ VMEM_P_WRITE, "write" },
		{ VMEM_P_CMPXCHG, "cmpxchg" },
		{ VMEM_P_READ | VMEM_P_CMPXCHG, "all" },
		{ VMEM_P_READ | VMEM_P_WRITE, "all" },
		{ VMEM_P_SHARERS, "all" },
		{ VMEM_P_READ | VMEM_P_RANGE, "all" },
		{ VMEM_P_ALL, "all" },
	};
	static char mine[16] = "program sets";
	char buf[16], bad[200] = "";
	size_t i;
	int err;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct vmem *s = vmem_open_for(want[i].progs, &err);
		int abi = s ? vmem_abi(s) : err;
		unsigned int bit, missing = 0;

		for (bit = 1; s && bit <= VMEM_P_ALL; bit <<= 1)
			if ((want[i].progs & bit) && run_prog(s, bit, mine) == -ENOSYS)
				missing |= bit;
		if (!s || strcmp(vmem_set(s), want[i].set) || abi != VMSCOPE_ABI_VERSION || missing)
			snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad), " %#x:%s/%d/%#x",
				 want[i].progs, s ? vmem_set(s) : "none", abi, missing);
		vmem_close(s);
	}
	ok(!bad[0] && !strcmp(mine, "program sets"), "each set of programs loads the smallest "
	   "object that has them, which speaks the module's ABI and runs each of them; the "
	   "bytes are unchanged (wrong:%s)", bad[0] ? bad : " none");

	{
		struct vmem *f = vmem_open_for(VMEM_P_FIND, &err);
		struct vmem *r = vmem_open_for(VMEM_P_READ, &err);
		struct vms_walk w = { .addr = (uintptr_t)mine };
		ssize_t n1 = -1, n2 = -1, n3 = -1, wn = -1;

		memset(buf, 'x', sizeof(buf));
		if (f) {
			n1 = vmem_read(f, getpid(), (uintptr_t)mine, buf, sizeof(buf));
			wn = vmem_write(f, getpid(), (uintptr_t)mine, "XXXX", 4, false, NULL, NULL,
					NULL, NULL);
		}
		if (r) {
			n2 = vmem_walk(r, getpid(), &w, 1);
			n3 = vmem_read(r, getpid(), (uintptr_t)mine, buf, sizeof(buf));
		}
		ok(f && r && n1 == -ENOSYS && wn == -ENOSYS && !strcmp(mine, "program sets") &&
		   n2 == -ENOSYS && n3 == (ssize_t)sizeof(buf) && !memcmp(buf, mine, sizeof(buf)),
		   "a program outside the object is refused before it runs (read, write in the find "
		   "object: %zd %zd; walk in the read object: %zd), its own works (read: %zd)",
		   n1, wn, n2, n3);
		vmem_close(f);
		vmem_close(r);
	}
}

/* Reads vs process_vm_readv: within pages, across pages and VMA ends. */
static void case_reads(void)
{
	static const struct { uint64_t off, len; } rr[] = {
		{ 100, 200 }, { PG - 10, 20 }, { 0, PG }, { PG - 1, PG + 2 },
		{ 2 * PG - 100, 200 }, { 0, 3 * PG }, { 3 * PG - 1, 1 },
	};
	char buf[3 * PG + 64], ref[3 * PG + 64];
	ssize_t n, m;
	int bad = 0;
	pid_t a;

	three = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (three == MAP_FAILED) {
		ok(0, "reads: mmap (%s)", strerror(errno));
		return;
	}
	a = spawn(fill_three, NULL);
	for (size_t i = 0; i < sizeof(rr) / sizeof(rr[0]); i++) {
		memset(buf, 0, sizeof(buf));
		memset(ref, 1, sizeof(ref));
		n = vmem_read(v, a, (uintptr_t)three + rr[i].off, buf, rr[i].len);
		m = pvr(a, (uintptr_t)three + rr[i].off, ref, rr[i].len);
		if (n != m || n != (ssize_t)rr[i].len || memcmp(buf, ref, n)) {
			diag("read +%llu len %llu: vmscope %zd, process_vm_readv %zd",
			     (unsigned long long)rr[i].off, (unsigned long long)rr[i].len, n, m);
			bad++;
		}
	}
	ok(!bad, "reads equal process_vm_readv within a page, across pages and across VMA ends");
	n = vmem_read(v, a, (uintptr_t)three + 3 * PG - 16, buf, 64);
	m = pvr(a, (uintptr_t)three + 3 * PG - 16, ref, 64);
	ok(n == 16 && m == 16 && !memcmp(buf, ref, 16),
	   "a read running into PROT_NONE stops where process_vm_readv stops (%zd, %zd)", n, m);
	n = vmem_read(v, a, (uintptr_t)three + 3 * PG, buf, 8);
	m = pvr(a, (uintptr_t)three + 3 * PG, ref, 8);
	ok(n == -EFAULT && m < 0, "reading PROT_NONE memory is an error, not zeros (%zd)", n);
	n = vmem_read(v, a, 0x1000, buf, 8);
	ok(n == -EFAULT, "reading an unmapped address is an error (%zd)", n);
	reap(a);
	munmap(three, 4 * PG);
}

/* A bulk read bigger than one run's buffer. */
static void case_bulk_read(void)
{
	size_t len = 9 << 20;
	char *big = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *x = malloc(len), *y = malloc(len);
	ssize_t n, m;
	pid_t a;

	if (big == MAP_FAILED || !x || !y) {
		ok(0, "a 9 MiB read: memory for it (%s)", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < len; i += 512)
		big[i] = (char)(i >> 9);
	a = spawn(NULL, NULL);
	n = vmem_read(v, a, (uintptr_t)big + 3, x, len - 3);
	m = pvr(a, (uintptr_t)big + 3, y, len - 3);
	ok(n == (ssize_t)len - 3 && m == n && !memcmp(x, y, n),
	   "a 9 MiB read (several runs) equals process_vm_readv");
	reap(a);
out:
	free(x);
	free(y);
	if (big != MAP_FAILED)
		munmap(big, len);
}

/* Writes after fork: copy-on-write both ways. */
static void case_fork_cow(void)
{
	char ref[16], *p;
	ssize_t n, m;
	pid_t a, b;

	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ok(0, "fork COW: mmap (%s)", strerror(errno));
		return;
	}
	strcpy(p, "parent-data");
	a = spawn(NULL, NULL);	/* a shares p's page copy-on-write */
	n = vmem_write(v, a, (uintptr_t)p, "CHILD", 5, false, NULL, NULL, NULL, NULL);
	m = pvr(a, (uintptr_t)p, ref, 11);
	ok(n == 5 && m == 11 && !memcmp(ref, "CHILDt-data", 11) && !strcmp(p, "parent-data"),
	   "after fork, writing into the child leaves the parent unchanged");
	b = spawn(NULL, NULL);	/* b shares p's page with us */
	n = vmem_write(v, getpid(), (uintptr_t)p, "PARENT", 6, false, NULL, NULL, NULL, NULL);
	m = pvr(b, (uintptr_t)p, ref, 11);
	ok(n == 6 && !strncmp(p, "PARENT", 6) && m == 11 && !memcmp(ref, "parent-data", 11),
	   "after fork, writing into the parent leaves the child unchanged");
	reap(a);
	reap(b);
	munmap(p, 2 * PG);
}

/* A write spanning pages. */
static void case_write_span(void)
{
	char data[PG + 100], ref[PG + 100], *p;
	ssize_t n, m;
	pid_t a;

	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ok(0, "a write spanning pages: mmap (%s)", strerror(errno));
		return;
	}
	memset(data, 'x', sizeof(data));
	memset(p, 0, 2 * PG);
	a = spawn(NULL, NULL);
	n = vmem_write(v, a, (uintptr_t)p + PG - 50, data, sizeof(data), false, NULL, NULL,
		       NULL, NULL);
	m = pvr(a, (uintptr_t)p + PG - 50, ref, sizeof(data));
	ok(n == (ssize_t)sizeof(data) && m == n && !memcmp(ref, data, n) && p[PG] == 0,
	   "a write spanning pages lands whole in the target only");
	reap(a);
	munmap(p, 2 * PG);
}

/*
 * The journaled write's one run (vmem_swap()): the old bytes come back and
 * the new ones land; where not all the old bytes can be read, nothing is
 * written.
 */
static void case_swap(void)
{
	char *p, old[16], now[16], ref[16];
	ssize_t n, on, nn, m;
	pid_t a;

	p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + 2 * PG, PG, PROT_NONE)) {
		ok(0, "swap: mmap (%s)", strerror(errno));
		return;
	}
	memcpy(p + PG - 4, "abcdefgh", 8);
	memcpy(p + 2 * PG - 4, "wxyz", 4);
	a = spawn(NULL, NULL);
	memset(old, 0, sizeof(old));
	memset(now, 0, sizeof(now));
	n = vmem_swap(v, a, (uintptr_t)p + PG - 4, "ABCDEFGH", 8, false, old, &on, now, &nn);
	m = pvr(a, (uintptr_t)p + PG - 4, ref, 8);
	ok(n == 8 && on == 8 && !memcmp(old, "abcdefgh", 8) && nn == 8 &&
	   !memcmp(now, "ABCDEFGH", 8) && m == 8 && !memcmp(ref, "ABCDEFGH", 8) &&
	   !memcmp(p + PG - 4, "abcdefgh", 8),
	   "a journaled write across pages returns the old bytes and the new ones, which "
	   "land in the target only (%zd, old %zd, now %zd)", n, on, nn);
	n = vmem_swap(v, a, (uintptr_t)p + 2 * PG - 4, "12345678", 8, false, old, &on, now, &nn);
	m = pvr(a, (uintptr_t)p + 2 * PG - 4, ref, 4);
	ok(n == -EFAULT && on == 4 && m == 4 && !memcmp(ref, "wxyz", 4),
	   "a journaled write running into PROT_NONE reads 4 old bytes and writes none "
	   "(%zd, old %zd)", n, on);
	n = vmem_swap(v, a, 0x1000, "12345678", 8, false, old, &on, NULL, NULL);
	ok(n < 0 && on < 0, "a journaled write at an unmapped address writes nothing (%zd, "
	   "old %zd)", n, on);
	reap(a);
	munmap(p, 3 * PG);
}

/*
 * Read-ahead (vmem_walk_ahead()) answers each range as a walk of just that
 * range does: 48 adjoining one-page VMAs, a hole, then 8 more and a THP-
 * sized region, walked VMA by VMA with and without it.
 */
struct walk_ans {
	uint64_t first, next;
	int n, ndirs;
	struct vms_prec r[512];
	uint64_t dir[4];
};

static int walk_answer(struct vmem *s, pid_t pid, uint64_t a, uint64_t e, struct walk_ans *w)
{
	const struct vms_range *h;
	const struct vms_prec *r;
	const struct vms_pdir *d;
	int n = vmem_walk_range(s, pid, a, e, &h, &r, &d);

	memset(w, 0, sizeof(*w));
	w->n = n;
	if (n < 0)
		return n;
	w->first = h->first;
	w->next = h->next;
	w->ndirs = h->ndirs;
	memcpy(w->r, r, (n > 512 ? 512 : n) * sizeof(*r));
	if (n)
		memcpy(w->dir, d[0].entry, sizeof(w->dir));
	return n;
}

static void case_walk_ahead(void)
{
	static struct walk_ans x, y;
	size_t len = 64 * PG + (4u << 20);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t ranges[64][2];
	int nr = 0, i, bad = 0, calls = 0;
	pid_t a;

	if (p == MAP_FAILED) {
		ok(0, "walk read-ahead: mmap (%s)", strerror(errno));
		return;
	}
	for (i = 0; i < 64; i++)
		if (i % 3)
			p[i * PG] = 1;
	for (i = 0; i < 48; i++) {
		if (i & 1)
			mprotect(p + i * PG, PG, PROT_READ);
		ranges[nr][0] = (uintptr_t)p + i * PG;
		ranges[nr++][1] = (uintptr_t)p + (i + 1) * PG;
	}
	munmap(p + 48 * PG, 8 * PG);	/* a hole */
	for (i = 56; i < 64; i++) {
		if (i & 1)
			mprotect(p + i * PG, PG, PROT_READ);
		ranges[nr][0] = (uintptr_t)p + i * PG;
		ranges[nr++][1] = (uintptr_t)p + (i + 1) * PG;
	}
	memset(p + 64 * PG, 2, 4u << 20);
	a = spawn(NULL, NULL);
	vmem_walk_ahead(v, 0);
	for (i = 0; i < nr; i++) {
		walk_answer(v, a, ranges[i][0], ranges[i][1], &x);
		vmem_walk_ahead(v, UINT64_MAX);
		/* each range once with read-ahead from its start, once served */
		walk_answer(v, a, ranges[i][0], ranges[i][1], &y);
		calls++;
		if (x.n != y.n || x.ndirs != y.ndirs || x.first != y.first || x.next != y.next ||
		    memcmp(x.r, y.r, sizeof(x.r)) || memcmp(x.dir, y.dir, sizeof(x.dir)))
			bad++;
		if (i + 1 < nr) {
			walk_answer(v, a, ranges[i + 1][0], ranges[i + 1][1], &y);
			vmem_walk_ahead(v, 0);
			walk_answer(v, a, ranges[i + 1][0], ranges[i + 1][1], &x);
			if (x.n != y.n || x.ndirs != y.ndirs || x.first != y.first || x.next != y.next ||
			    memcmp(x.r, y.r, sizeof(x.r)) || memcmp(x.dir, y.dir, sizeof(x.dir)))
				bad++;
		}
		vmem_walk_ahead(v, 0);
	}
	/* the last VMA's tail and a range over the hole */
	walk_answer(v, a, (uintptr_t)p + 40 * PG, (uintptr_t)p + 60 * PG, &x);
	vmem_walk_ahead(v, UINT64_MAX);
	walk_answer(v, a, (uintptr_t)p + 30 * PG, (uintptr_t)p + 31 * PG, &y);
	walk_answer(v, a, (uintptr_t)p + 40 * PG, (uintptr_t)p + 60 * PG, &y);
	vmem_walk_ahead(v, 0);
	if (x.n != y.n || x.ndirs != y.ndirs || x.first != y.first || x.next != y.next || memcmp(x.r, y.r, sizeof(x.r)))
		bad++;
	ok(!bad && x.n == 8 && x.next == (uintptr_t)p + 56 * PG,
	   "a walk read ahead answers each of %d ranges as a walk of just that range (records, "
	   "first, next, dirs and their count; wrong: %d; over the hole: %d records, next +%lld pages)", calls,
	   bad, x.n, (long long)((x.next - (uintptr_t)p) / PG));
	/* the THP region: served by the slice of a walk ahead */
	{
		/* the next 2 MiB boundary inside it: another PMD than the walk's first */
		uint64_t r0 = (uintptr_t)p + 64 * PG, b = (r0 + 1 + (2u << 20) - 1) & ~((2ull << 20) - 1);

		walk_answer(v, a, b, b + (1u << 20), &x);
		vmem_walk_ahead(v, UINT64_MAX);
		walk_answer(v, a, r0, r0 + PG, &y);
		walk_answer(v, a, b, b + (1u << 20), &y);
	}
	vmem_walk_ahead(v, 0);
	ok(x.n == 256 && y.n == 256 && x.ndirs == y.ndirs && x.first == y.first &&
	   x.next == y.next &&
	   !memcmp(x.r, y.r, sizeof(x.r)) && !memcmp(x.dir, y.dir, sizeof(x.dir)),
	   "a range inside the walk read ahead, in a later PMD than its first, has the same "
	   "records and upper entries (%d, %d)", x.n, y.n);
	reap(a);
	munmap(p, len);
}

/* Private, read-only and shared mappings of one file, in two processes. */
static void case_files(void)
{
	char buf[2 * PG], ref[16], fb[16], *priv, *ro, *sh;
	ssize_t n, m, on, nn;
	pid_t a, b;
	int fd;

	fd = open("/tmp/vms_rw_file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	memset(buf, 'f', 2 * PG);
	if (fd < 0 || pwrite(fd, buf, 2 * PG, 0) != 2 * PG) {
		for (int i = 0; i < 6; i++)
			tap_skip("cannot create /tmp/vms_rw_file", "file check %d", i + 1);
		if (fd >= 0)
			close(fd);
		return;
	}
	priv = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ro = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	sh = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	(void)*(volatile char *)priv;
	(void)*(volatile char *)ro;
	(void)*(volatile char *)sh;
	a = spawn(NULL, NULL);	/* maps all three, like us */
	b = spawn(NULL, NULL);

	n = vmem_write(v, a, (uintptr_t)priv, "PRIV", 4, false, NULL, NULL, NULL, NULL);
	m = pvr(b, (uintptr_t)priv, ref, 4);
	pread(fd, fb, 4, 0);
	pvr(a, (uintptr_t)priv, buf, 4);
	ok(n == 4 && !memcmp(buf, "PRIV", 4) && !memcmp(fb, "ffff", 4) &&
	   m == 4 && !memcmp(ref, "ffff", 4) && !memcmp(sh, "ffff", 4),
	   "MAP_PRIVATE file: the writer gets a private copy; the file and a second "
	   "process mapping it are unchanged");

	n = vmem_write(v, a, (uintptr_t)ro + 8, "RO", 2, false, NULL, NULL, NULL, NULL);
	pvr(a, (uintptr_t)ro + 8, buf, 2);
	ok(n == -EFAULT && !memcmp(buf, "ff", 2),
	   "a read-only mapping is refused without force (%zd)", n);
	n = vmem_write(v, a, (uintptr_t)ro + 8, "RO", 2, true, ref, &on, buf, &nn);
	pread(fd, fb, 2, 8);
	m = pvr(b, (uintptr_t)ro + 8, ref + 8, 2);
	ok(n == 2 && on == 2 && !memcmp(ref, "ff", 2) && nn == 2 && !memcmp(buf, "RO", 2) &&
	   !memcmp(fb, "ff", 2) && m == 2 && !memcmp(ref + 8, "ff", 2) && ro[8] == 'f',
	   "with force, a read-only private mapping gets a COW copy: file and other "
	   "processes unchanged, old and new bytes reported");

	n = vmem_write(v, a, (uintptr_t)sh + PG, "SHARED", 6, false, NULL, NULL, NULL, NULL);
	pread(fd, fb, 6, PG);
	ok(n == 6 && !memcmp(fb, "SHARED", 6) && !memcmp(sh + PG, "SHARED", 6),
	   "MAP_SHARED file: the write reaches the file and every mapping");
	reap(a);
	reap(b);
	munmap(sh, 2 * PG);
	munmap(ro, 2 * PG);
	munmap(priv, 2 * PG);
	close(fd);
	sync();
	write_file("/proc/sys/vm/drop_caches", "3");
	fd = open("/tmp/vms_rw_file", O_RDONLY);
	memset(fb, 0, sizeof(fb));
	pread(fd, fb, 6, PG);
	ok(!memcmp(fb, "SHARED", 6), "MAP_SHARED file: the change survives drop_caches "
	   "(tmpfs here: its pages are not dropped)");
	pread(fd, fb, 4, 0);
	ok(!memcmp(fb, "ffff", 4), "MAP_PRIVATE file: the file still holds its old bytes "
	   "after drop_caches");
	close(fd);
}

/* A shared library's text, written with force in one of two processes. */
static void case_libc_text(void)
{
	char path[256], orig[4], got1[4], got2[4], fb[4];
	uint64_t t1, t2, off;
	struct dynproc d1, d2;
	int tries, lfd;
	ssize_t n;

	if (access("/usr/sbin/bpftool", X_OK) || start_dyn(&d1) || start_dyn(&d2)) {
		tap_skip("no dynamic program to host libc", "shared library text");
		return;
	}
	/* Until the dynamic loader has mapped libc (10 s at most:
	 * a debug kernel under TCG is slow to exec). */
	for (tries = 0; tries < 100; tries++) {
		if (!find_libc_text(d1.pid, &t1, path, sizeof(path), &off) &&
		    !find_libc_text(d2.pid, &t2, path, sizeof(path), &off))
			break;
		usleep(100000);
	}
	if (tries == 100) {
		tap_skip("libc text not mapped", "shared library text");
	} else {
		lfd = open(path, O_RDONLY);
		pvr(d1.pid, t1 + 64, orig, 4);
		n = vmem_write(v, d1.pid, t1 + 64, "\xcc\xcc\xcc\xcc", 4, true, NULL, NULL,
			       NULL, NULL);
		pvr(d1.pid, t1 + 64, got1, 4);
		pvr(d2.pid, t2 + 64, got2, 4);
		pread(lfd, fb, 4, off + 64);
		close(lfd);
		ok(n == 4 && !memcmp(got1, "\xcc\xcc\xcc\xcc", 4) && !memcmp(got2, orig, 4) &&
		   !memcmp(fb, orig, 4),
		   "libc text written with force in one process: the other process and "
		   "the library file keep the original bytes");
	}
	close(d1.in);
	close(d2.in);
	reap(d1.pid);
	reap(d2.pid);
}

/* Privilege: uid 1000 with and without CAP_SYS_PTRACE. */
static void case_privilege(void)
{
	int fails;
	char *p;
	pid_t a;

	set_marker("secret");
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ok(0, "privilege: mmap (%s)", strerror(errno));
		return;
	}
	strcpy(p, "own-bytes");
	a = spawn(NULL, NULL);	/* maps p too */
	fails = run_priv(a, p, 0);
	ok(!(fails & ~6) && fails != 64, "uid 1000 without CAP_SYS_PTRACE: reading another process "
	   "gives EPERM (status %d)", fails);
	ok(!(fails & (2 | 64 | 128)), "uid 1000 without capabilities can read its own memory");
	ok(!(fails & (4 | 64 | 128)), "without CAP_SYS_ADMIN a walk shows zero PFN/phys and raw "
	   "entries without physical addresses");
	fails = run_priv(a, p, 1);
	ok(!(fails & (1 | 4 | 64 | 128)), "with CAP_SYS_PTRACE but not CAP_SYS_ADMIN: another "
	   "process can be read, its PFNs stay hidden (status %d)", fails);
	reap(a);
	munmap(p, PG);
}

/* Processes that have no memory to read: a kernel thread, a zombie, a reaped one. */
static void case_dead_targets(void)
{
	struct vms_walk w = { .addr = 0x400000 };
	char buf[8];
	ssize_t n;
	pid_t a;

	n = vmem_read(v, 2, 0x400000, buf, 8);
	ok(n == -EINVAL, "kthreadd (pid 2): kernel thread, -EINVAL (%zd)", n);
	ok(vmem_walk(v, 2, &w, 1) == -EINVAL, "walk of a kernel thread: -EINVAL");
	a = fork();
	if (a == 0)
		_exit(0);
	usleep(200000);	/* a zombie now */
	n = vmem_read(v, a, (uintptr_t)marker, buf, 8);
	ok(n == -EINVAL, "an exited, unreaped process: -EINVAL (%zd)", n);
	waitpid(a, NULL, 0);
	n = vmem_read(v, a, (uintptr_t)marker, buf, 8);
	ok(n == -ESRCH, "an exited, reaped process: -ESRCH (%zd)", n);
}

/* pid reuse: the same pid number, a new process, its own memory. */
static void case_pid_reuse(void)
{
	char buf[16] = "", ref[16] = "", lp[32];
	ssize_t n;
	pid_t a, b;

	a = spawn(set_marker, "first");
	vmem_read(v, a, (uintptr_t)marker, buf, 6);
	reap(a);
	snprintf(lp, sizeof(lp), "%d", a - 1);
	if (write_file("/proc/sys/kernel/ns_last_pid", lp)) {
		tap_skip("cannot set ns_last_pid", "pid reuse");
		return;
	}
	b = spawn(set_marker, "second");
	n = vmem_read(v, b, (uintptr_t)marker, ref, 7);
	if (b != a)
		tap_skip("the pid was not reused", "pid reuse");
	else
		ok(!strcmp(buf, "first") && n == 7 && !strcmp(ref, "second"),
		   "pid reuse: the same pid reads the new process's memory");
	reap(b);
}

/* Addresses no process can have: kernel, non-canonical, past the top. */
static void case_bad_addresses(void)
{
	struct vms_walk w[3] = { { .addr = 0x1000 }, { .addr = 0xffff888000000000ull },
				 { .addr = (uintptr_t)marker } };
	struct vms_vmainfo vi[3] = { { .addr = 0 }, { .addr = ~0ull },
				     { .addr = (uintptr_t)marker } };
	char buf[2 * PG];
	ssize_t n;
	pid_t a;

	a = spawn(NULL, NULL);
	n = vmem_read(v, a, 0xffff888000000000ull, buf, 8);
	ok(n == -EFAULT, "a kernel address: -EFAULT (%zd)", n);
	n = vmem_read(v, a, 0x0800000000000000ull, buf, 8);
	ok(n == -EFAULT, "a non-canonical address: -EFAULT (%zd)", n);
	n = vmem_write(v, a, 0xffff888000000000ull, "x", 1, true, NULL, NULL, NULL, NULL);
	ok(n == -EFAULT, "a forced write to a kernel address: -EFAULT (%zd)", n);
	n = vmem_walk(v, a, w, 3);
	ok(n == 3 && w[0].err == -ENOENT && (w[0].wflags & VMS_W_NO_VMA) &&
	   w[1].err == -EFAULT && w[2].err == 0 && w[2].stop_reason == VMS_STOP_LEAF,
	   "walks: unmapped -ENOENT, kernel address -EFAULT, a mapped one still walks");
	n = vmem_find(v, a, vi, 3, NULL);
	ok(n == 2 && vi[0].err == 0 && vi[0].vma.start > 0 && vi[1].err == -EFAULT &&
	   vi[2].vma.start <= (uintptr_t)marker && vi[2].vma.end > (uintptr_t)marker,
	   "find: address 0 gives the first VMA (covering-or-next), ~0 an error");
	n = vmem_read(v, a, 0x00fffffffffff000ull, buf, 2 * PG);
	ok(n == -EFAULT, "a read running past the top of the user address space: -EFAULT (%zd)", n);
	reap(a);
}

static void case_no_such_pid(void)
{
	char buf[8];
	ssize_t n;

	n = vmem_read(v, 4194303, 0x400000, buf, 8);
	ok(n == -ESRCH, "a pid that does not exist: -ESRCH (%zd)", n);
}

static const struct tap_case cases[] = {
	{ "reads", case_reads },
	{ "bulk_read", case_bulk_read },
	{ "fork_cow", case_fork_cow },
	{ "write_span", case_write_span },
	{ "swap", case_swap },
	{ "walk_ahead", case_walk_ahead },
	{ "files", case_files },
	{ "program_sets", case_program_sets },
	{ "libc_text", case_libc_text },
	{ "privilege", case_privilege },
	{ "dead_targets", case_dead_targets },
	{ "pid_reuse", case_pid_reuse },
	{ "bad_addresses", case_bad_addresses },
	{ "no_such_pid", case_no_such_pid },
};

/* The fixture is the module's handle: every case reads and writes through it. */
int main(int argc, char **argv)
{
	int err;

	tap_start();
	v = vmem_open(&err);
	if (!v) {
		diag("vmem_open: %s", strerror(-err));
		tap_skip("module not loaded", "reads and writes");
		return tap_finish();
	}
	tap_run_cases(cases, TAP_NCASES(cases), argc, argv);
	vmem_close(v);
	return tap_finish();
}
