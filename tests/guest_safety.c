// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel-safety defects of the module, one check each, plus the
 * fault-injection sweep:
 *  - a caller rewriting the kfunc's buffer during a call (the buffer is a
 *    BPF map user space has mmapped) cannot make the kernel read past it;
 *  - the memory kfuncs cannot be called from iterators (sleepable or not),
 *    the ABI kfunc can;
 *  - a range walk's upper entries survive a hole after a VMA in the same
 *    2 MiB region;
 *  - a write that cannot be completed writes nothing;
 *  - a walk without CAP_SYS_ADMIN shows no page state;
 *  - with allocations failing (failslab, fail_page_alloc, this task only)
 *    every entry point returns a clean error and changes nothing (debug
 *    kernel; skipped where the kernel has no fault injection).
 * The harness fails the run on any kernel complaint; guest_rmmod then
 * checks the module still unloads, and this test asks kmemleak.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tap.h"
#include "vmem_api.h"
#include "hostile.h"
#include "hostile.skel.h"
#include "vmscope_dev_uapi.h"
#include "guest_util.h"

#define PG	4096ul

static struct vmem *v;
static struct hostile *hs;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static long hcall(enum hostile_call which, pid_t pid, uint64_t addr, uint32_t sz, uint32_t flags)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);

	hs->bss->which = which;
	hs->bss->pid = pid;
	hs->bss->addr = addr;
	hs->bss->sz = sz;
	hs->bss->flags = flags;
	if (bpf_prog_test_run_opts(bpf_program__fd(hs->progs.call), &o))
		return -errno;
	return hs->bss->ret;
}

/* ---- a buffer rewritten during the call ---------------------------------- */

static volatile int stop_scribbling;

static void *scribbler(void *arg)
{
	volatile uint64_t *p = arg;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t n = HOSTILE_BUF / 8, i = 0;

	while (!stop_scribbling) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* Mostly non-zero bytes: no NUL to stop a runaway string read. */
		p[i] = x | 0x0101010101010101ull;
		if (++i == n)
			i = 0;
	}
	return NULL;
}

static void test_rewritten_buffer(void)
{
	static const char *const names[] = { "find", "walk", "range walk", "read", "write" };
	struct vms_find *fh = (void *)hs->bss->buf;
	struct vms_vmainfo *vi = (void *)(fh + 1);
	struct vms_range *rh = (void *)hs->bss->buf;
	long calls[HC_NR] = { 0 }, odd = 0;
	pthread_t th;
	double t0 = now();
	char *target;
	int c;

	target = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(target, 1, 64 * PG);
	stop_scribbling = 0;
	pthread_create(&th, NULL, scribbler, hs->bss->buf);
	for (c = 0; now() - t0 < 3; c = c % (HC_NR - 1) + 1) {
		long r;

		/* Set up a plausible request; the scribbler races to spoil it. */
		switch (c) {
		case HC_FIND:
			fh->n = 200;
			fh->flags = VMS_FIND_NAME;
			for (int i = 0; i < 200; i++)
				vi[i].addr = (uintptr_t)target + i * 4096;
			break;
		case HC_RANGE:
			rh->start = (uintptr_t)target;
			rh->end = (uintptr_t)target + 64 * PG;
			rh->max_pages = 64;
			break;
		default:
			break;
		}
		r = hcall(c, getpid(), (uintptr_t)target, HOSTILE_BUF, 0);
		calls[c]++;
		if (c == HC_FIND && r > (long)(HOSTILE_BUF / sizeof(*vi)))
			odd++;
		if (c == HC_READ && r > (long)HOSTILE_BUF)
			odd++;
	}
	stop_scribbling = 1;
	pthread_join(th, NULL);
	for (c = 1; c < HC_NR; c++)
		diag("%s: %ld calls with the buffer rewritten under them", names[c - 1], calls[c]);
	ok(!odd && calls[HC_FIND] > 10,
	   "a buffer rewritten during the call: every kfunc returns, results stay in bounds");
	munmap(target, 64 * PG);
}

/* ---- iterators ------------------------------------------------------------- */

static int load_only(struct bpf_program *keep)
{
	struct hostile *h = hostile__open();
	struct bpf_program *p;
	int err;

	if (!h)
		return -errno;
	bpf_object__for_each_program(p, h->obj)
		bpf_program__set_autoload(p, false);
	bpf_object__for_each_program(p, h->obj)
		if (!strcmp(bpf_program__name(p), bpf_program__name(keep)))
			bpf_program__set_autoload(p, true);
	err = hostile__load(h);
	hostile__destroy(h);
	return err;
}

static void test_iterators(void)
{
	int e1 = load_only(hs->progs.walk_from_iter);
	int e2 = load_only(hs->progs.write_from_iter);
	int e3 = load_only(hs->progs.read_from_iter);
	int e4 = load_only(hs->progs.abi_from_iter);
	int e0 = load_only(hs->progs.sleepable_iter_ok);

	ok(e0 == 0, "control: a sleepable task_vma iterator without kfuncs loads (%d)", e0);
	ok(e1 < 0, "a sleepable task_vma iterator cannot call vmscope_walk (%d)", e1);
	ok(e2 < 0, "a sleepable task iterator cannot call vmscope_write (%d)", e2);
	ok(e3 < 0, "a task iterator cannot call vmscope_read (%d)", e3);
	ok(e4 == 0, "an iterator can still call vmscope_abi_version (%d)", e4);
}

/* ---- range walk: dirs and holes --------------------------------------------- */

static void test_range_hole(void)
{
	/* A 2 MiB-aligned region: a VMA at its start, then a hole, then a VMA. */
	char *base = mmap(NULL, 4 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *r = (char *)(((uintptr_t)base + (2 << 20) - 1) & ~((2ul << 20) - 1));
	const struct vms_range *h;
	const struct vms_prec *recs;
	const struct vms_pdir *d;
	struct vms_walk w = { .addr = (uintptr_t)r };
	int n;

	munmap(base, 4 << 20);
	mmap(r, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	mmap(r + (1 << 20), 16 * PG, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	memset(r, 1, 16 * PG);
	memset(r + (1 << 20), 2, 16 * PG);
	n = vmem_walk(v, getpid(), &w, 1);
	if (n != 1 || w.err) {
		ok(0, "range walk: upper entries survive a hole after a VMA in the region");
		ok(0, "range walk: the hole is skipped and the next VMA follows");
		return;
	}
	n = vmem_walk_range(v, getpid(), (uintptr_t)r, (uintptr_t)r + (2 << 20), &h, &recs, &d);
	ok(n == 16 && h->first == (uintptr_t)r && h->ndirs == 1 &&
	   d[0].entry[VMS_LVL_PMD] == w.entry[VMS_LVL_PMD] && d[0].entry[VMS_LVL_PMD] != 0,
	   "range walk: upper entries survive a hole after a VMA in the region (%d, %llx vs %llx)",
	   n, (unsigned long long)d[0].entry[VMS_LVL_PMD],
	   (unsigned long long)w.entry[VMS_LVL_PMD]);
	/* (next is the hole's start when the walk let go of mmap_lock there for
	 * a writer: the following call skips the hole itself.) */
	ok(n == 16 && (h->next == (uintptr_t)r + (1 << 20) || h->next == (uintptr_t)r + 16 * PG) &&
	   vmem_walk_range(v, getpid(), h->next, (uintptr_t)r + (2 << 20), &h, &recs, &d) == 16 &&
	   h->first == (uintptr_t)r + (1 << 20) && recs[0].stop == VMS_STOP_LEAF,
	   "range walk: the hole is skipped and the next VMA follows");
	munmap(r, 2 << 20);
}

/* ---- writes are all or nothing ------------------------------------------------ */

static void test_write_nothing(void)
{
	char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char data[64];
	ssize_t n;

	memset(p, 'a', 3 * PG);
	memset(data, 'Z', sizeof(data));
	mprotect(p + PG, PG, PROT_READ);
	munmap(p + 2 * PG, PG);
	n = vmem_write(v, getpid(), (uintptr_t)p + PG - 8, data, 16, false, NULL, NULL, NULL, NULL);
	ok(n == -EFAULT && p[PG - 8] == 'a' && p[PG - 1] == 'a' && p[PG] == 'a',
	   "a write running into a read-only page fails and writes no byte (%zd)", n);
	mprotect(p + PG, PG, PROT_READ | PROT_WRITE);
	n = vmem_write(v, getpid(), (uintptr_t)p + 2 * PG - 8, data, 16, false, NULL, NULL, NULL,
		       NULL);
	ok(n == -EFAULT && p[2 * PG - 8] == 'a' && p[2 * PG - 1] == 'a',
	   "a write running into an unmapped page fails and writes no byte (%zd)", n);
	n = vmem_write(v, getpid(), (uintptr_t)p + PG - 8, data, 16, false, NULL, NULL, NULL, NULL);
	ok(n == 16 && !memcmp(p + PG - 8, data, 16), "the same write into two writable pages "
	   "writes all of it (%zd)", n);
	munmap(p, 2 * PG);
}

/* ---- page state needs CAP_SYS_ADMIN -------------------------------------------- */

static void test_page_state_hidden(void)
{
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int st = -1;

	p[0] = 1;
	pid = fork();
	if (pid == 0) {
		struct vms_walk w = { .addr = (uintptr_t)p };
		const struct vms_range *h;
		const struct vms_prec *r;
		const struct vms_pdir *d;

		if (drop_cap(CAP_SYS_ADMIN))
			_exit(2);
		if (vmem_walk(v, getpid(), &w, 1) != 1 || w.err || w.stop_reason != VMS_STOP_LEAF)
			_exit(3);
		if (w.page_flags || w.refcount || w.mapcount != -1 || w.order ||
		    (w.wflags & VMS_W_HAVE_PAGE) || !(w.wflags & VMS_W_PAGE_HIDDEN) || w.pfn)
			_exit(4);
		if (vmem_walk_range(v, getpid(), (uintptr_t)p, (uintptr_t)p + PG, &h, &r, &d) != 1)
			_exit(5);
		if (r[0].page_flags || r[0].mapcount != -1 || r[0].pfn ||
		    !(h->wflags & VMS_W_PAGE_HIDDEN))
			_exit(6);
		_exit(0);
	}
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		st = WEXITSTATUS(st);
	ok(st == 0, "without CAP_SYS_ADMIN walks show no page state: flags, refcount, mapcount "
	   "(%d)", st);
	munmap(p, 2 * PG);
}

/* ---- fault injection ------------------------------------------------------------- */

#define FI "/sys/kernel/debug/"

static int fi_set(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FI "%s", file);
	return write_file(path, val);
}

static int fi_setup(int probability)
{
	static const char *const dirs[] = { "failslab", "fail_page_alloc" };
	char pr[16];
	size_t i;

	snprintf(pr, sizeof(pr), "%d", probability);
	for (i = 0; i < 2; i++) {
		char f[64];

#define SET(name, val) do { snprintf(f, sizeof(f), "%s/" name, dirs[i]); \
	if (fi_set(f, val)) return -1; } while (0)
		SET("probability", pr);
		SET("interval", "1");
		SET("times", "-1");
		SET("task-filter", "Y");
		SET("verbose", "0");
		SET("ignore-gfp-wait", "N");
#undef SET
	}
	/* Order-0 pages too, but not user pages (a failed user fault would OOM-kill). */
	if (fi_set("fail_page_alloc/min-order", "0") ||
	    fi_set("fail_page_alloc/ignore-gfp-highmem", "Y"))
		return -1;
	return 0;
}

/* Kept open: opening it while injection is on could fail and leave it on. */
static int mif_fd = -1;

static int make_it_fail(int on)
{
	return pwrite(mif_fd, on ? "1" : "0", 1, 0) == 1 ? 0 : -1;
}

struct fi_stats {
	long calls, ok, failed, bad;
	char first_bad[160];
};

#define fi_note(s, r, clean) fi_note_at(s, r, clean, __LINE__)
static void fi_note_at(struct fi_stats *s, long r, int clean, int line)
{
	s->calls++;
	if (r >= 0)
		s->ok++;
	else
		s->failed++;
	if (!clean && !s->bad++)
		snprintf(s->first_bad, sizeof(s->first_bad), "first bad: line %d, returned %ld",
			 line, r);
}

static bool fi_clean_err(long r)
{
	return r >= 0 || r == -ENOMEM || r == -EFAULT || r == -EINTR || r == -EAGAIN ||
	       r == -ENOENT;
}

/* The kfuncs: each either works or fails cleanly; a failed write writes nothing. */
static void fi_kfuncs(char *mem, size_t len, struct fi_stats *s)
{
	static char wbuf[24 * PG];
	struct vms_walk w[4];
	struct vmem_str names = {};
	struct vms_vmainfo vi[4];
	const struct vms_range *h;
	const struct vms_prec *r;
	const struct vms_pdir *d;
	ssize_t n;
	int i;

	memset(wbuf, 'W', sizeof(wbuf));
	for (i = 0; i < 4; i++) {
		w[i].addr = (uintptr_t)mem + i * 5 * PG;
		vi[i].addr = (uintptr_t)mem + i * 5 * PG;
	}
	/* vmem_find's string table is grown before: no malloc under injection. */
	names.s = malloc(1 << 16);
	names.cap = names.s ? 1 << 16 : 0;

	make_it_fail(1);
	n = vmem_walk(v, getpid(), w, 4);
	make_it_fail(0);
	fi_note(s, n, fi_clean_err(n));
	make_it_fail(1);
	n = vmem_find(v, getpid(), vi, 4, &names);
	make_it_fail(0);
	fi_note(s, n, fi_clean_err(n));
	make_it_fail(1);
	n = vmem_walk_range(v, getpid(), (uintptr_t)mem, (uintptr_t)mem + len, &h, &r, &d);
	make_it_fail(0);
	fi_note(s, n, fi_clean_err(n));
	make_it_fail(1);
	n = vmem_read(v, getpid(), (uintptr_t)mem, wbuf, 8 * PG);
	make_it_fail(0);
	fi_note(s, n, fi_clean_err(n));
	/*
	 * 17 pages (the most one write takes, 64 KiB, from offset 100): more
	 * than access.c's batch of 16, so its page array is allocated.
	 */
	memset(mem, 'm', 24 * PG);
	make_it_fail(1);
	n = vmem_write(v, getpid(), (uintptr_t)mem + 100, wbuf, 16 * PG, false, NULL, NULL,
		       NULL, NULL);
	make_it_fail(0);
	if (n < 0) {
		for (i = 100; i < (int)(16 * PG + 100) && mem[i] == 'm'; i++)
			;
		fi_note(s, n, fi_clean_err(n) && i == (int)(16 * PG + 100));
	} else {
		fi_note(s, n, n == (ssize_t)(16 * PG) && !memcmp(mem + 100, wbuf, 16 * PG) &&
			      mem[16 * PG + 100] == 'm');
	}
	vmem_str_free(&names);
}

/* The device: every call works or fails cleanly; a failed setter changes nothing. */
static void fi_device(struct fi_stats *s)
{
	static const __u64 backings[] = { VMS_DEV_KMALLOC, VMS_DEV_VMALLOC, VMS_DEV_PAGES };
	struct vms_dev_pages pg = { .pages = 64 };
	struct vms_dev_info info;
	char buf[256];
	size_t i;

	for (i = 0; i < 3; i++) {
		struct vms_dev_backing_arg b = { .backing = backings[i] };
		void *m;
		int fd, r;

		make_it_fail(1);
		fd = open("/dev/vmscope", O_RDWR);
		make_it_fail(0);
		fi_note(s, fd < 0 ? -errno : 0, fd >= 0 || errno == ENOMEM);
		if (fd < 0)
			continue;
		r = ioctl(fd, VMS_DEV_IOC_SET_BACKING, &b) ? -errno : 0;
		fi_note(s, r, r == 0);
		r = ioctl(fd, VMS_DEV_IOC_SET_PAGES, &pg) ? -errno : 0;
		fi_note(s, r, r == 0);
		make_it_fail(1);
		m = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		make_it_fail(0);
		r = m == MAP_FAILED ? -errno : 0;
		fi_note(s, r, fi_clean_err(r));
		if (m != MAP_FAILED) {
			/* The signature must be there, page by page. */
			fi_note(s, 0, ((unsigned char *)m)[63 * PG] == VMS_DEV_SIG0);
			munmap(m, 64 * PG);
		}
		make_it_fail(1);
		r = pread(fd, buf, sizeof(buf), 0) < 0 ? -errno : 0;
		make_it_fail(0);
		fi_note(s, r, fi_clean_err(r));
		memset(&info, 0, sizeof(info));
		r = ioctl(fd, VMS_DEV_IOC_INFO, &info) ? -errno : 0;
		fi_note(s, r, r == 0 && info.pages == 64 && info.backing == backings[i]);
		close(fd);
	}
}

/* /proc/mtest and /proc/vmscope/vmsize. */
static void fi_procfs(char *mem, struct fi_stats *s)
{
	char cmd[128], out[4096];
	int fd = open("/proc/mtest", O_RDWR), r;
	unsigned long before;

	if (fd < 0)
		return;
	memset(mem, 0, 16);
	before = *(unsigned long *)mem;
	snprintf(cmd, sizeof(cmd), "writeval %lx 1234", (unsigned long)mem);
	make_it_fail(1);
	r = write(fd, cmd, strlen(cmd)) < 0 ? -errno : 0;
	make_it_fail(0);
	fi_note(s, r, r == 0 ? *(unsigned long *)mem == 0x1234 :
			fi_clean_err(r) && *(unsigned long *)mem == before);
	snprintf(cmd, sizeof(cmd), "findpage %lx", (unsigned long)mem);
	make_it_fail(1);
	r = write(fd, cmd, strlen(cmd)) < 0 ? -errno : 0;
	make_it_fail(0);
	fi_note(s, r, fi_clean_err(r));
	make_it_fail(1);
	r = write(fd, "listvma", 7) < 0 ? -errno : 0;
	make_it_fail(0);
	fi_note(s, r, fi_clean_err(r));
	make_it_fail(1);
	r = pread(fd, out, sizeof(out), 0) < 0 ? -errno : 0;
	make_it_fail(0);
	fi_note(s, r, fi_clean_err(r));
	close(fd);
	fd = open("/proc/vmscope/vmsize", O_RDONLY);
	if (fd >= 0) {
		make_it_fail(1);
		r = read(fd, out, sizeof(out)) < 0 ? -errno : 0;
		make_it_fail(0);
		fi_note(s, r, fi_clean_err(r));
		close(fd);
	}
}

static void test_fault_injection(void)
{
	struct fi_stats k = {}, dv = {}, pr = {};
	static const int probs[] = { 5, 20, 50, 100 };
	size_t len = 32 * PG;
	char *mem;
	int round;

	if (access(FI "failslab/probability", W_OK) || access(FI "fail_page_alloc", F_OK) ||
	    access("/proc/self/make-it-fail", W_OK)) {
		tap_skip("no failslab/fail_page_alloc in debugfs (CONFIG_FAULT_INJECTION_DEBUG_FS;"
			 " the debug kernel has it)", "fault injection: kfuncs");
		tap_skip("no fault injection", "fault injection: device");
		tap_skip("no fault injection", "fault injection: /proc files");
		return;
	}
	mif_fd = open("/proc/self/make-it-fail", O_WRONLY);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		   -1, 0);
	/* Everything this process touches is in place before injection starts. */
	mlockall(MCL_CURRENT | MCL_FUTURE);
	for (round = 0; round < 200; round++) {
		if (fi_setup(probs[round % 4]))
			break;
		fi_kfuncs(mem, len, &k);
		fi_device(&dv);
		fi_procfs(mem, &pr);
	}
	fi_setup(0);
	munlockall();
	close(mif_fd);
	diag("kfuncs: %ld calls, %ld failed %s", k.calls, k.failed, k.first_bad);
	diag("device: %ld calls, %ld failed %s", dv.calls, dv.failed, dv.first_bad);
	diag("procfs: %ld calls, %ld failed %s", pr.calls, pr.failed, pr.first_bad);
	ok(round == 200 && k.failed > 0 && !k.bad,
	   "fault injection: kfuncs fail cleanly and a failed write writes nothing (%ld bad)", k.bad);
	ok(dv.failed > 0 && !dv.bad, "fault injection: device calls fail cleanly, setters and "
	   "buffers intact (%ld bad)", dv.bad);
	ok(pr.failed > 0 && !pr.bad, "fault injection: /proc/mtest and vmsize fail cleanly, a "
	   "failed writeval writes nothing (%ld bad)", pr.bad);
	munmap(mem, len);
}

/* kmemleak, where the kernel has it: nothing of ours may be reported. */
static void test_kmemleak(void)
{
	static char rep[1 << 20];
	int fd;
	ssize_t n, len = 0;

	if (access("/sys/kernel/debug/kmemleak", W_OK)) {
		tap_skip("no kmemleak (CONFIG_DEBUG_KMEMLEAK; the debug kernel has it)",
			 "kmemleak reports nothing of vmscope's");
		return;
	}
	/* kmemleak reports objects older than 5 s only: wait, then scan twice. */
	sleep(6);
	write_file("/sys/kernel/debug/kmemleak", "scan");
	write_file("/sys/kernel/debug/kmemleak", "scan");
	fd = open("/sys/kernel/debug/kmemleak", O_RDONLY);
	while (fd >= 0 && (n = read(fd, rep + len, sizeof(rep) - 1 - len)) > 0)
		len += n;
	rep[len] = 0;
	if (fd >= 0)
		close(fd);
	if (strstr(rep, "vmscope"))
		diag("%.*s", 2000, strstr(rep, "unreferenced") ?: rep);
	ok(!strstr(rep, "vmscope") && !strstr(rep, "bpf_prog_test_run_syscall"),
	   "kmemleak reports nothing allocated on vmscope's paths");
}

int main(void)
{
	int err;

	tap_start();
	v = vmem_open(&err);
	hs = hostile__open();
	if (hs) {
		bpf_program__set_autoload(hs->progs.walk_from_iter, false);
		bpf_program__set_autoload(hs->progs.write_from_iter, false);
		bpf_program__set_autoload(hs->progs.read_from_iter, false);
		bpf_program__set_autoload(hs->progs.abi_from_iter, false);
		bpf_program__set_autoload(hs->progs.sleepable_iter_ok, false);
		if (hostile__load(hs)) {
			hostile__destroy(hs);
			hs = NULL;
		}
	}
	if (!v || !hs) {
		diag("vmem_open: %s", strerror(-err));
		tap_skip("module not loaded", "kernel safety checks");
		return tap_finish();
	}
	test_rewritten_buffer();
	test_iterators();
	test_range_hole();
	test_write_nothing();
	test_page_state_hidden();
	test_fault_injection();
	test_kmemleak();
	hostile__destroy(hs);
	vmem_close(v);
	return tap_finish();
}
