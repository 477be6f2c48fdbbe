// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input, for a bounded time: every kfunc with random and edge
 * arguments (pids, addresses, sizes, flags, headers), with another thread
 * rewriting the buffer during calls; random ioctls, mmaps, reads, writes
 * and seeks on /dev/vmscope; random and mutated commands to /proc/mtest.
 *
 * The fuzzers run in child processes, because random writes may land in
 * their own memory; one that dies is replaced.  What must hold: every call
 * returns (no fuzzer stops making progress), and the kernel log stays
 * clean (the harness checks it after the run; guest_rmmod then checks the
 * module still unloads).
 * HOSTILE_SECONDS sets the time (default 12).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tap.h"
#include "vmscope_uapi.h"
#include "hostile.h"
#include "hostile.skel.h"
#include "vmscope_dev_uapi.h"

#define PG	4096ul
enum { F_KFUNC, F_DEV, F_MTEST, F_NR };
static const char *const fname[F_NR] = { "kfuncs", "device", "/proc/mtest" };

struct shared {
	volatile long beats[F_NR];
	volatile long failed[F_NR];
	volatile pid_t victim;
	volatile pid_t zombie;
};

static struct shared *sh;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t pick(uint64_t *s, const uint64_t *v, size_t n)
{
	return v[rnd(s) % n];
}

static pid_t some_pid(uint64_t *s)
{
	const uint64_t pids[] = { 0, 1, 2, (uint64_t)-1, 4194303, 4194304, 0x7fffffff,
				  (uint64_t)INT32_MIN };

	switch (rnd(s) % 5) {
	case 0:
		return getpid();
	case 1:
	case 2:
		return sh->victim;
	case 3:
		return sh->zombie;
	default:
		return (pid_t)pick(s, pids, sizeof(pids) / sizeof(pids[0]));
	}
}

static uint64_t some_addr(uint64_t *s, uint64_t mapped)
{
	const uint64_t a[] = { 0, 1, 4095, 4096, 0x400000, (1ull << 47) - 1, 1ull << 47,
			       (1ull << 56) - 4096, 1ull << 56, 0x00007ffffffff000ull,
			       0xffff800000000000ull, 0xffffffff81000000ull, ~0ull, ~0ull - 4095 };

	switch (rnd(s) % 4) {
	case 0:
		return pick(s, a, sizeof(a) / sizeof(a[0]));
	case 1:
		return rnd(s);
	default:
		return mapped + (rnd(s) % (64 * PG)) - 4 * PG;
	}
}

static uint32_t some_size(uint64_t *s)
{
	const uint64_t sz[] = { 0, 1, 7, 8, 24, 56, 79, 80, 81, sizeof(struct vms_walk) - 1,
				sizeof(struct vms_walk), sizeof(struct vms_walk) + 1, 4096,
				HOSTILE_BUF - 1, HOSTILE_BUF, HOSTILE_BUF + 1, ~0u };

	return rnd(s) & 1 ? (uint32_t)pick(s, sz, sizeof(sz) / sizeof(sz[0])) : (uint32_t)rnd(s);
}

/* ---- kfuncs ---------------------------------------------------------------- */

static volatile int scribble;

static void *scribbler(void *arg)
{
	uint64_t *p = arg, s = 0x1234567;

	for (;;) {
		if (scribble)
			p[rnd(&s) % (HOSTILE_BUF / 8)] = rnd(&s);
		else
			usleep(1000);
	}
	return NULL;
}

/* A plausible header, so the calls get past the first checks now and then. */
static void fill_header(struct hostile *h, int which, uint64_t *s, uint64_t mapped)
{
	void *b = h->bss->buf;
	uint32_t i;

	if (rnd(s) % 3 == 0) {
		for (i = 0; i < 64; i++)
			((uint64_t *)b)[i] = rnd(s);
		return;
	}
	if (which == HC_FIND) {
		struct vms_find *f = b;
		struct vms_vmainfo *vi = (void *)(f + 1);

		f->n = rnd(s) & 1 ? rnd(s) % 64 : (uint32_t)rnd(s);
		f->flags = rnd(s) % 4;
		for (i = 0; i < 64; i++)
			vi[i].addr = some_addr(s, mapped);
	} else if (which == HC_RANGE) {
		struct vms_range *r = b;

		r->start = some_addr(s, mapped);
		r->end = rnd(s) & 1 ? r->start + rnd(s) % (1 << 24) : some_addr(s, mapped);
		r->max_pages = rnd(s) & 1 ? rnd(s) % 4096 : (uint32_t)rnd(s);
	} else if (which == HC_WALK) {
		struct vms_walk *w = b;

		for (i = 0; i < 16; i++)
			w[i].addr = some_addr(s, mapped);
	}
}

static void fuzz_kfuncs(uint64_t seed)
{
	struct hostile *h = hostile__open();
	struct bpf_program *p;
	pthread_t th;
	char *mapped;

	if (!h)
		_exit(2);
	bpf_object__for_each_program(p, h->obj)
		bpf_program__set_autoload(p, p == h->progs.call);
	if (hostile__load(h))
		_exit(2);
	mapped = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(mapped, 7, 64 * PG);
	mprotect(mapped + 8 * PG, 4 * PG, PROT_READ);
	mprotect(mapped + 16 * PG, 4 * PG, PROT_NONE);
	pthread_create(&th, NULL, scribbler, h->bss->buf);
	for (;;) {
		LIBBPF_OPTS(bpf_test_run_opts, o);
		int which = rnd(&seed) % HC_NR;

		fill_header(h, which, &seed, (uintptr_t)mapped);
		h->bss->which = rnd(&seed) % 16 == 0 ? (uint32_t)rnd(&seed) : (uint32_t)which;
		h->bss->pid = some_pid(&seed);
		h->bss->addr = some_addr(&seed, (uintptr_t)mapped);
		h->bss->sz = some_size(&seed);
		h->bss->flags = rnd(&seed) % 4 ? (uint32_t)(rnd(&seed) % 2) : (uint32_t)rnd(&seed);
		/*
		 * Writes go to the victim, or into ourselves where it cannot hurt
		 * the fuzzer; never into pid 1 or the test's other processes.
		 */
		if (h->bss->which == HC_WRITE || h->bss->which >= HC_NR) {
			if (rnd(&seed) % 2) {
				h->bss->pid = sh->victim;
			} else {
				h->bss->pid = getpid();
				h->bss->addr = (uintptr_t)mapped + rnd(&seed) % (64 * PG);
			}
		}
		scribble = rnd(&seed) % 4 == 0;
		if (bpf_prog_test_run_opts(bpf_program__fd(h->progs.call), &o) || h->bss->ret < 0)
			sh->failed[F_KFUNC]++;
		sh->beats[F_KFUNC]++;
	}
}

/* ---- the device ------------------------------------------------------------------ */

static void fuzz_device(uint64_t seed)
{
	static unsigned char arg[4096];
	int fd = -1;

	for (;;) {
		unsigned long cmd;
		void *a = arg, *m;
		int r = 0;

		if (fd < 0 || rnd(&seed) % 64 == 0) {
			if (fd >= 0)
				close(fd);
			fd = open("/dev/vmscope", rnd(&seed) % 4 ? O_RDWR : O_RDONLY);
			if (fd < 0)
				_exit(3);
		}
		for (size_t i = 0; i < 64; i++)
			arg[i] = rnd(&seed) % 3 ? 0 : rnd(&seed);
		switch (rnd(&seed) % 6) {
		case 0:	/* a real ioctl with edge values, or a random one */
			switch (rnd(&seed) % 4) {
			case 0:
				cmd = VMS_DEV_IOC_SET_PAGES;
				((struct vms_dev_pages *)arg)->pages = rnd(&seed) % 1100;
				break;
			case 1:
				cmd = VMS_DEV_IOC_SET_BACKING;
				((struct vms_dev_backing_arg *)arg)->backing = rnd(&seed) % 5;
				break;
			case 2:
				cmd = VMS_DEV_IOC_INFO;
				((struct vms_dev_info *)arg)->pfns =
					rnd(&seed) % 2 ? (uintptr_t)(arg + 128) : rnd(&seed);
				((struct vms_dev_info *)arg)->pfn_count = rnd(&seed) % 2 ?
					rnd(&seed) % 300 : rnd(&seed);
				break;
			default:
				cmd = _IOC(rnd(&seed) % 4, rnd(&seed) % 2 ? VMS_DEV_IOC_MAGIC :
					   rnd(&seed) % 256, rnd(&seed) % 8, rnd(&seed) % 200);
			}
			if (rnd(&seed) % 8 == 0)
				a = (void *)(uintptr_t)some_addr(&seed, (uintptr_t)arg);
			r = ioctl(fd, cmd, a);
			break;
		case 1: {
			size_t len = (rnd(&seed) % 1100) * PG + (rnd(&seed) % 8 == 0 ? 17 : 0);
			off_t off = rnd(&seed) % 2 ? (off_t)(rnd(&seed) % 1100 * PG) : (off_t)rnd(&seed);

			m = mmap(NULL, len, rnd(&seed) % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
				 rnd(&seed) % 4 ? MAP_SHARED : MAP_PRIVATE, fd, off & ~(off_t)(PG - 1));
			if (m != MAP_FAILED) {
				(void)*(volatile char *)m;
				if (rnd(&seed) % 2)
					mremap(m, len, len * 2, MREMAP_MAYMOVE);
				munmap(m, len);
			} else {
				r = -1;
			}
			break;
		}
		case 2:
			r = pread(fd, arg, rnd(&seed) % sizeof(arg), rnd(&seed) % (5 << 20)) < 0 ? -1 : 0;
			break;
		case 3:
			r = pwrite(fd, arg, rnd(&seed) % sizeof(arg),
				   rnd(&seed) % 2 ? (off_t)(rnd(&seed) % (5 << 20)) : (off_t)rnd(&seed)) < 0 ?
			    -1 : 0;
			break;
		case 4:
			r = lseek(fd, (off_t)rnd(&seed), rnd(&seed) % 5) < 0 ? -1 : 0;
			break;
		default: {
			/* Any address but the page the parent watches us through. */
			uintptr_t to = some_addr(&seed, (uintptr_t)arg);

			if (to + 8192 > (uintptr_t)sh && to < (uintptr_t)sh + PG)
				to = (uintptr_t)arg;
			r = read(fd, (void *)to, rnd(&seed) % 8192) < 0 ? -1 : 0;
		}
		}
		if (r)
			sh->failed[F_DEV]++;
		sh->beats[F_DEV]++;
	}
}

/* ---- /proc/mtest ---------------------------------------------------------------------- */

static void fuzz_mtest(uint64_t seed)
{
	static const char *const ops[] = { "listvma", "findvma", "findpage", "writeval", "r ", "w ",
					   "r", "w", "", "listvma ", "findvma 0x", "writeval0x" };
	char *scratch = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
	char buf[300], out[8192];
	int fd = open("/proc/mtest", O_RDWR);

	if (fd < 0)
		_exit(4);
	for (;;) {
		size_t len;
		int r;

		if (rnd(&seed) % 5 == 0) {
			len = rnd(&seed) % sizeof(buf);
			for (size_t i = 0; i < len; i++)
				buf[i] = rnd(&seed) % 4 ? " 0123456789abcdefxXwrl\n"[rnd(&seed) % 23] :
							  (char)rnd(&seed);
			/* A random "w PID ..." could hit pid 1: random ones only read. */
			if (len && buf[0] == 'w')
				buf[0] = 'r';
		} else {
			const char *op = ops[rnd(&seed) % (sizeof(ops) / sizeof(ops[0]))];
			uint64_t a = rnd(&seed) % 2 ? (uintptr_t)scratch + rnd(&seed) % (4 * PG) :
				     some_addr(&seed, (uintptr_t)scratch);
			const char *sp = rnd(&seed) % 2 ? "" : " ";

			if (!strncmp(op, "writeval", 8)) {
				/* Only into our own scratch pages. */
				a = (uintptr_t)scratch + rnd(&seed) % (3 * PG);
				len = snprintf(buf, sizeof(buf), "%s%s%llx %llx", op, sp,
					       (unsigned long long)a, (unsigned long long)rnd(&seed));
			} else if (op[0] == 'r' || op[0] == 'w') {
				/* r reads anyone; w writes only into the victim. */
				len = snprintf(buf, sizeof(buf), "%s%s%d %llx %llu", op, sp,
					       op[0] == 'w' ? sh->victim : some_pid(&seed),
					       (unsigned long long)a,
					       (unsigned long long)rnd(&seed) % 300);
			} else if (!strncmp(op, "listvma", 7)) {
				len = snprintf(buf, sizeof(buf), "%s", op);
			} else {
				len = snprintf(buf, sizeof(buf), "%s%s%llx", op, sp,
					       (unsigned long long)a);
			}
			if (rnd(&seed) % 4 == 0)
				len = rnd(&seed) % (len + 1);
		}
		r = write(fd, buf, len) < 0 ? -1 : 0;
		if (rnd(&seed) % 2)
			r |= pread(fd, out, rnd(&seed) % sizeof(out), rnd(&seed) % 70000) < 0;
		if (r)
			sh->failed[F_MTEST]++;
		sh->beats[F_MTEST]++;
	}
}

/* ---- the run ---------------------------------------------------------------------------- */

static pid_t spawn(int which, uint64_t seed)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	seed |= 1;
	switch (which) {
	case F_KFUNC:
		fuzz_kfuncs(seed);
		break;
	case F_DEV:
		fuzz_device(seed);
		break;
	default:
		fuzz_mtest(seed);
	}
	_exit(0);
}

static pid_t spawn_victim(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *p = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		madvise(p, 8 << 20, MADV_HUGEPAGE);
		memset(p, 3, 8 << 20);
		for (;;)
			pause();
	}
	return pid;
}

int main(void)
{
	const char *e = getenv("HOSTILE_SECONDS");
	int seconds = e ? atoi(e) : 12, i, stuck = 0, deaths[F_NR] = { 0 };
	long last[F_NR] = { 0 }, still[F_NR] = { 0 };
	pid_t kids[F_NR];
	time_t t0 = time(NULL);

	tap_start();
	if (access("/dev/vmscope", F_OK)) {
		tap_skip("module not loaded", "hostile input");
		return tap_finish();
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sh->victim = spawn_victim();
	sh->zombie = fork();
	if (sh->zombie == 0)
		_exit(0);	/* left unreaped until the end */
	for (i = 0; i < F_NR; i++)
		kids[i] = spawn(i, 0x5eed0000ull + i);
	while (time(NULL) - t0 < seconds) {
		int st;
		pid_t d;

		sleep(1);
		while ((d = waitpid(-1, &st, WNOHANG)) > 0) {
			for (i = 0; i < F_NR; i++) {
				if (d != kids[i])
					continue;
				deaths[i]++;
				kids[i] = spawn(i, 0x5eed0000ull + i + 0x100 * deaths[i]);
			}
			if (d == sh->victim)
				sh->victim = spawn_victim();
		}
		for (i = 0; i < F_NR; i++) {
			/* No progress for 20 s: a call is stuck in the kernel. */
			still[i] = sh->beats[i] == last[i] ? still[i] + 1 : 0;
			last[i] = sh->beats[i];
			if (still[i] >= 20)
				stuck |= 1 << i;
		}
		if (stuck)
			break;
	}
	for (i = 0; i < F_NR; i++) {
		kill(kids[i], SIGKILL);
		diag("%s: %ld calls, %ld refused, %d fuzzer restarts", fname[i], sh->beats[i],
		     sh->failed[i], deaths[i]);
	}
	kill(sh->victim, SIGKILL);
	while (wait(NULL) > 0)
		;
	for (i = 0; i < F_NR; i++)
		ok(!(stuck & (1 << i)) && sh->beats[i] > 100,
		   "hostile input: %s calls all return (%ld in %d s)", fname[i], sh->beats[i],
		   seconds);
	return tap_finish();
}
