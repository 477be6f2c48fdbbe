// SPDX-License-Identifier: GPL-2.0
/*
 * A target process for the tests: builds a chosen address-space shape,
 * prints "ready PID [details]" on stdout and waits until stdin reaches EOF
 * (or it is killed).
 *   vmtarget idle
 *   vmtarget vmas N        N separate anonymous VMAs (alternating protections)
 *   vmtarget stripes N     N adjoining one-page VMAs, every third page untouched
 *   vmtarget huge          THP (madvise) and hugetlb 2M regions, touched
 *   vmtarget named         a named anonymous region (prctl PR_SET_VMA)
 *   vmtarget churn         mmap/mprotect/munmap in a loop until killed
 *   vmtarget newline       a mapped file whose name holds a newline
 *   vmtarget strings [S] [MS]
 *                          a heap string (S), a written THP region and a
 *                          read-only page, 300 MiB never touched:
 *                          "ready PID str=A thp=A ro=A big=A",
 *                          then "value: <the string>" every MS ms until killed
 *   vmtarget names DIR     a mapping of every kind of name /proc/PID/maps
 *                          prints (files: plain, deleted, " (deleted)" in the
 *                          name, a long path, behind a bind mount and a
 *                          tmpfs in a private mount namespace; memfd, SysV
 *                          shm, shared anonymous, hugetlb memfd, a BPF map,
 *                          io_uring, aio, perf, AF_PACKET, secretmem), in
 *                          DIR: "ready PID made=K,K... failed=K:ERR,..."
 *   vmtarget mix           memory of every kind smaps counts: private,
 *                          THP, COW-shared with a fork child (PSS halves),
 *                          zero pages, a shared file, swapped out pages
 *   vmtarget workload      regions a test changes step by step, one command
 *                          a line on stdin, each answered "done [ADDR]":
 *                          touch N (write N pages of w), cow N (write N
 *                          pages shared with a fork child), swap N
 *                          (MADV_PAGEOUT N pages of sw), unmap (gone),
 *                          map N (a new region of N written pages), thp
 *                          (write the 2 MiB-aligned thp region)
 *   vmtarget big N G       N VMAs (as vmas N) and a G GiB region, its first
 *                          GiB written in a pattern (5 of every 8 blocks
 *                          of 64 pages, THP where it can), for the map's
 *                          size and speed figures
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/memfd.h>
#include <linux/if_packet.h>
#include <linux/perf_event.h>
#include <net/ethernet.h>
#include <arpa/inet.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif

static void wait_stdin(void)
{
	char c;

	while (read(0, &c, 1) > 0)
		;
}

static int make_vmas(long n)
{
	long pg = sysconf(_SC_PAGESIZE), i;
	char *base;

	/* One reservation, then alternate protections so nothing merges. */
	base = mmap(NULL, (size_t)n * 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (mprotect(base + i * 2 * pg, pg, i & 1 ? PROT_READ : PROT_READ | PROT_WRITE)) {
			perror("mprotect");
			return -1;
		}
	}
	printf("ready %d %p\n", getpid(), base);
	return 0;
}

/*
 * N adjoining one-page VMAs (alternately read-write and read-only, so
 * nothing merges), every third page never touched: "ready PID ADDR".
 */
static int make_stripes(long n)
{
	long pg = sysconf(_SC_PAGESIZE), i;
	char *p = mmap(NULL, (size_t)n * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (i % 3)
			p[i * pg] = 1;
	for (i = 1; i < n; i += 2) {
		if (mprotect(p + i * pg, pg, PROT_READ)) {
			perror("mprotect");
			return -1;
		}
	}
	printf("ready %d %p\n", getpid(), p);
	return 0;
}

static int make_huge(void)
{
	size_t sz = 4 << 20;
	char *thp, *raw, *ht;

	raw = mmap(NULL, sz * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return perror("mmap"), -1;
	thp = (char *)(((unsigned long)raw + (2 << 20) - 1) & ~((2ul << 20) - 1));
	if (madvise(thp, sz, MADV_HUGEPAGE))
		perror("madvise(MADV_HUGEPAGE)");
	memset(thp, 1, sz);
	ht = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (ht == MAP_FAILED) {
		printf("ready %d thp=%p hugetlb=none(%s)\n", getpid(), thp, strerror(errno));
		return 0;
	}
	memset(ht, 2, 2 << 20);
	printf("ready %d thp=%p hugetlb=%p\n", getpid(), thp, ht);
	return 0;
}

static int make_named(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return perror("mmap"), -1;
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, 4 * pg, "vmscope-test")) {
		printf("unsupported %d %s\n", getpid(), strerror(errno));
		return 0;
	}
	printf("ready %d %p\n", getpid(), p);
	return 0;
}

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

/*
 * A page ending at the top of user space (TASK_SIZE: 2^56 or 2^47 less a
 * page on x86-64 with 5- or 4-level paging, 2^48 or 2^52 on arm64): the
 * last VMA then ends where no lookup may start.
 */
static int make_top(void)
{
	static const int bits[] = { 57, 56, 52, 48, 47 };
	long pg = sysconf(_SC_PAGESIZE);
	size_t i, k;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		for (k = 0; k < 2; k++) {
			unsigned long end = (1ul << bits[i]) - k * pg;
			void *p = mmap((void *)(end - pg), pg, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

			if (p == MAP_FAILED)
				continue;
			if (p != (void *)(end - pg)) {	/* a kernel without NOREPLACE */
				munmap(p, pg);
				continue;
			}
			printf("ready %d top=%p-%#lx\n", getpid(), p, end);
			return 0;
		}
	printf("unsupported %d no page at the top could be mapped\n", getpid());
	return 0;
}

/*
 * execgen N [GEN]: map a memfd named vmt-gen-GEN N times (N VMAs, one
 * name), then exec itself as generation GEN+1, for 2,000 generations: a
 * listing in several passes that crossed an exec would show two names.
 */
static int execgen(long n, int gen)
{
	long pg = sysconf(_SC_PAGESIZE), i;
	char name[32], arg_n[24], arg_g[16];
	int fd;

	snprintf(name, sizeof(name), "vmt-gen-%d", gen);
	fd = memfd_create(name, 0);
	if (fd < 0 || ftruncate(fd, pg))
		return perror("memfd"), -1;
	for (i = 0; i < n; i++)
		if (mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
			return perror("mmap"), -1;
	if (!gen)
		printf("ready %d execgen\n", getpid());
	if (gen >= 2000)
		return 0;
	usleep(2000);
	snprintf(arg_n, sizeof(arg_n), "%ld", n);
	snprintf(arg_g, sizeof(arg_g), "%d", gen + 1);
	execl("/proc/self/exe", "vmtarget", "execgen", arg_n, arg_g, (char *)NULL);
	return perror("exec"), -1;
}

static void churn(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned int i = 0;

	printf("ready %d churn\n", getpid());
	fflush(stdout);
	for (;;) {
		size_t n = 1 + (i % 64);
		char *p = mmap(NULL, n * pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED) {
			p[0] = 1;
			mprotect(p, pg, PROT_READ);
			madvise(p, n * pg, MADV_DONTNEED);
			munmap(p, n * pg);
		}
		i++;
	}
}

/* A file whose name holds a newline, mapped: maps shows it as \\012. */
static int make_newline(void)
{
	const char *path = "/tmp/vmtarget\nfake-line";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	void *p;

	if (fd < 0 || ftruncate(fd, 4096))
		return -1;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	printf("ready %d newline=%p\n", getpid(), p);
	return 0;
}

static void strings(const char *init, int ms)
{
	char *str = malloc(256), *raw, *thp, *ro, *big;
	unsigned long a;

	snprintf(str, 256, "%s", init);
	raw = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a = ((unsigned long)raw + (2 << 20) - 1) & ~((2ul << 20) - 1);
	thp = (char *)a;
	madvise(thp, 2 << 20, MADV_HUGEPAGE);
	memset(thp, 0x42, 2 << 20);
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(ro, "read-only data");
	mprotect(ro, 4096, PROT_READ);
	/* 300 MiB never touched, alone in a 1 GiB-aligned gigabyte: one state throughout. */
	raw = mmap(NULL, 2ul << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	a = ((unsigned long)raw + (1ul << 30) - 1) & ~((1ul << 30) - 1);
	big = mmap((void *)a, 300 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	printf("ready %d str=%p thp=%p ro=%p big=%p\n", getpid(), (void *)str, (void *)thp,
	       (void *)ro, (void *)big);
	for (;;) {
		printf("value: %s\n", str);
		usleep(ms * 1000);
	}
}


/* ---- names: one mapping of every kind of name ------------------------------------ */

static char made[1024], failed[1024];

static void note(const char *kind, int err)
{
	char *buf = err ? failed : made;
	size_t n = strlen(buf);

	snprintf(buf + n, sizeof(made) - n, "%s%s%s%s", n ? "," : "", kind, err ? ":" : "",
		 err ? strerror(err) : "");
}

static void *map_fd(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

/* Map path (created with len bytes) shared; errno on failure. */
static int map_path(const char *path, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), err = 0;

	if (fd < 0)
		return errno;
	if (ftruncate(fd, len) || !map_fd(fd, len, PROT_READ, MAP_SHARED, 0))
		err = errno;
	close(fd);
	return err;
}

static int names_files(const char *dir)
{
	char path[4200], sub[4200];
	size_t n;
	int err;

	snprintf(path, sizeof(path), "%s/plain", dir);
	note("file", map_path(path, 4096));
	snprintf(path, sizeof(path), "%s/gone", dir);
	err = map_path(path, 4096);
	note("deleted", err ?: unlink(path) ? errno : 0);
	snprintf(path, sizeof(path), "%s/looks (deleted)", dir);
	note("deleted-suffix", map_path(path, 4096));
	snprintf(path, sizeof(path), "%s/sp ace", dir);
	note("space", map_path(path, 4096));
	/* A path of about 3,900 bytes: 30 nested directories of 120 bytes. */
	snprintf(path, sizeof(path), "%s", dir);
	for (n = 0; n < 30 && !err; n++) {
		size_t l = strlen(path);

		snprintf(path + l, sizeof(path) - l, "/%0120d", (int)n);
		if (mkdir(path, 0700) && errno != EEXIST)
			err = errno;
	}
	strcat(path, "/long");
	note("long", err ?: map_path(path, 4096));
	/* Renamed after mapping: the new name shows. */
	snprintf(path, sizeof(path), "%s/before", dir);
	snprintf(sub, sizeof(sub), "%s/after", dir);
	err = map_path(path, 4096);
	note("renamed", err ?: rename(path, sub) ? errno : 0);
	return 0;
}

/* A bind mount and a tmpfs, in a mount namespace of our own. */
static void names_mounts(const char *dir)
{
	char src[512], dst[512], path[600];
	int err = 0;

	snprintf(src, sizeof(src), "%s/bindsrc", dir);
	snprintf(dst, sizeof(dst), "%s/bind", dir);
	if ((mkdir(src, 0700) && errno != EEXIST) || (mkdir(dst, 0700) && errno != EEXIST) ||
	    unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		note("bind", errno);
		note("tmpfs", errno);
		return;
	}
	snprintf(path, sizeof(path), "%s/inside", src);
	err = map_path(path, 4096);	/* created through the source... */
	if (!err && mount(src, dst, NULL, MS_BIND, NULL))
		err = errno;
	snprintf(path, sizeof(path), "%s/viabind", dst);
	note("bind", err ?: map_path(path, 4096));	/* ...and through the bind */
	snprintf(dst, sizeof(dst), "%s/tmpfs", dir);
	if ((mkdir(dst, 0700) && errno != EEXIST) || mount("vmstmp", dst, "tmpfs", 0, NULL)) {
		note("tmpfs", errno);
		return;
	}
	snprintf(path, sizeof(path), "%s/ontmpfs", dst);
	note("tmpfs", map_path(path, 4096));
	/* overlayfs: maps shows the overlay path, not the file underneath. */
	snprintf(src, sizeof(src), "%s/ovl", dir);
	if (mkdir(src, 0700) && errno != EEXIST) {
		note("overlay", errno);
		return;
	}
	snprintf(path, sizeof(path), "lowerdir=%s/tmpfs,upperdir=%s/tmpfs/u,workdir=%s/tmpfs/w",
		 dir, dir, dir);
	snprintf(dst, sizeof(dst), "%s/tmpfs/u", dir);
	mkdir(dst, 0700);
	snprintf(dst, sizeof(dst), "%s/tmpfs/w", dir);
	mkdir(dst, 0700);
	if (mount("overlay", src, "overlay", 0, path)) {
		note("overlay", errno);
		return;
	}
	snprintf(path, sizeof(path), "%s/ontmpfs", src);	/* the lower file, copied up */
	err = map_path(path, 4096);
	snprintf(path, sizeof(path), "%s/ovl/lower-only", dir);
	note("overlay", err);
}

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static void names_pseudo(void)
{
	struct perf_event_attr pa = { .size = sizeof(pa), .type = PERF_TYPE_SOFTWARE,
				      .config = PERF_COUNT_SW_DUMMY };
	union bpf_attr ba = { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4096,
			      .max_entries = 1, .map_flags = 1u << 10 /* BPF_F_MMAPABLE */ };
	unsigned long ctx = 0;
	long pg = sysconf(_SC_PAGESIZE);
	int fd, v = TPACKET_V1;
	struct tpacket_req req = { .tp_block_size = 4096, .tp_block_nr = 1,
				   .tp_frame_size = 2048, .tp_frame_nr = 2 };
	struct {
		unsigned int sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle;
		unsigned int features, wq_fd, resv[3];
		unsigned int sq_off[10], cq_off[10];
	} up = {};

	fd = memfd_create("vmscope-names", 0);
	note("memfd", fd < 0 ? errno : ftruncate(fd, pg) ? errno :
		      map_fd(fd, pg, PROT_READ, MAP_SHARED, 0) ? 0 : errno);
	fd = memfd_create("vmscope-huge", MFD_HUGETLB);
	note("memfd-hugetlb", fd < 0 ? errno : ftruncate(fd, 2 << 20) ? errno :
		      map_fd(fd, 2 << 20, PROT_READ, MAP_SHARED, 0) ? 0 : errno);
	fd = shmget(IPC_PRIVATE, pg, IPC_CREAT | 0600);
	note("sysv-shm", fd < 0 ? errno : shmat(fd, NULL, SHM_RDONLY) == (void *)-1 ? errno :
		      shmctl(fd, IPC_RMID, NULL) ? errno : 0);
	note("shared-anon", map_fd(-1, pg, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, 0) ? 0 : errno);
	fd = sys_bpf(BPF_MAP_CREATE, &ba);
	note("bpf-map", fd < 0 ? errno : map_fd(fd, pg, PROT_READ, MAP_SHARED, 0) ? 0 : errno);
	fd = syscall(425 /* io_uring_setup */, 4, &up);
	note("io_uring", fd < 0 ? errno : map_fd(fd, pg, PROT_READ, MAP_SHARED | MAP_POPULATE,
						  0 /* IORING_OFF_SQ_RING */) ? 0 : errno);
	note("aio", syscall(__NR_io_setup, 8, &ctx) ? errno : 0);
	fd = syscall(__NR_perf_event_open, &pa, 0, -1, -1, 0);
	note("perf", fd < 0 ? errno : map_fd(fd, 2 * pg, PROT_READ, MAP_SHARED, 0) ? 0 : errno);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	note("packet", fd < 0 ? errno :
		       setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) ? errno :
		       setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) ? errno :
		       map_fd(fd, 4096, PROT_READ, MAP_SHARED, 0) ? 0 : errno);
	fd = syscall(447 /* memfd_secret */, 0);
	note("secretmem", fd < 0 ? errno : ftruncate(fd, pg) ? errno :
		       map_fd(fd, pg, PROT_READ, MAP_SHARED, 0) ? 0 : errno);
}

static int make_names(const char *dir)
{
	names_files(dir);
	names_pseudo();
	names_mounts(dir);	/* last: it moves us to a mount namespace of our own */
	printf("ready %d made=%s failed=%s\n", getpid(), made, failed);
	return 0;
}

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static int make_mix(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char path[] = "/tmp/vmtarget-mix-XXXXXX", *priv, *cow, *zero, *thp, *raw, *file, *out;
	int fd, i;

	priv = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(priv, 1, 16 * pg);
	cow = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(cow, 2, 8 * pg);
	zero = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(zero, 8 * pg, MADV_NOHUGEPAGE);
	for (i = 0; i < 8; i++)
		(void)*(volatile char *)(zero + i * pg);
	raw = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	thp = (char *)(((unsigned long)raw + (2 << 20) - 1) & ~((2ul << 20) - 1));
	madvise(thp, 4 << 20, MADV_HUGEPAGE);
	memset(thp, 3, 4 << 20);
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, 8 * pg))
		return perror("mkstemp"), -1;
	unlink(path);
	file = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memset(file, 4, 4 * pg);		/* 4 dirty, 4 untouched */
	out = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(out, 16 * pg, MADV_NOHUGEPAGE);
	memset(out, 5, 16 * pg);
	madvise(out, 8 * pg, MADV_PAGEOUT);	/* swapped where there is swap */
	/* A child sharing cow's pages: each has mapcount 2, PSS half. */
	if (fork() == 0) {
		wait_stdin();
		_exit(0);
	}
	printf("ready %d priv=%p cow=%p zero=%p thp=%p file=%p out=%p\n", getpid(), priv, cow,
	       zero, thp, file, out);
	return 0;
}

/* ---- workload: regions changed on command --------------------------------------- */

/* pages of anonymous memory, then a PROT_NONE page so no neighbour merges in */
static char *anon(size_t pages, int nohuge)
{
	char *p = mmap(NULL, (pages + 1) * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + pages * 4096, 4096, PROT_NONE))
		return NULL;
	if (nohuge)
		madvise(p, pages * 4096, MADV_NOHUGEPAGE);
	return p;
}

static int workload(void)
{
	char *w = anon(256, 1), *cow = anon(16, 1), *sw = anon(32, 1);
	char *gone = anon(16, 1), *raw = anon(1024 + 512, 0), *thp, line[128];
	long n;

	if (!w || !cow || !sw || !gone || !raw)
		return perror("mmap"), -1;
	thp = (char *)(((unsigned long)raw + (2 << 20) - 1) & ~((2ul << 20) - 1));
	madvise(thp, 2 << 20, MADV_HUGEPAGE);
	memset(cow, 1, 16 * 4096);
	/* The child shares cow's pages; it must not read the commands. */
	if (fork() == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(0);
		for (;;)
			pause();
	}
	/* Written after the fork: the parent's own (MADV_PAGEOUT skips shared pages). */
	memset(sw, 2, 32 * 4096);
	memset(gone, 3, 16 * 4096);
	printf("ready %d w=%p cow=%p sw=%p gone=%p thp=%p\n", getpid(), w, cow, sw, gone, thp);
	while (fgets(line, sizeof(line), stdin)) {
		char *p = NULL;

		n = 0;
		if (sscanf(line, "touch %ld", &n) == 1 && n <= 256) {
			for (long i = 0; i < n; i++)
				w[i * 4096] = 4;
		} else if (sscanf(line, "cow %ld", &n) == 1 && n <= 16) {
			for (long i = 0; i < n; i++)
				cow[i * 4096] = 5;
		} else if (sscanf(line, "swap %ld", &n) == 1 && n <= 32) {
			madvise(sw, n * 4096, 21 /* MADV_PAGEOUT */);
		} else if (!strncmp(line, "unmap", 5)) {
			munmap(gone, 17 * 4096);
		} else if (sscanf(line, "map %ld", &n) == 1 && n > 0) {
			p = anon(n, 1);
			if (p)
				memset(p, 6, n * 4096);
		} else if (!strncmp(line, "thp", 3)) {
			memset(thp, 7, 2 << 20);
		} else {
			printf("unknown command\n");
			continue;
		}
		if (p)
			printf("done %p\n", p);
		else
			printf("done\n");
	}
	return 0;
}

static int big(long n, long gib)
{
	size_t len = (size_t)gib << 30, i, j, blk = 64 * 4096, touched;
	char *p;

	if (make_vmas(n))
		return -1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return perror("mmap"), -1;
	/* The first half GiB in 4K pages, the second with THP. */
	touched = len < (1ul << 30) ? len : 1ul << 30;
	madvise(p, touched / 2, MADV_NOHUGEPAGE);
	madvise(p + touched / 2, touched / 2, MADV_HUGEPAGE);
	for (i = 0; i < touched / blk; i++) {
		if (i % 8 >= 5)
			continue;
		if (i % 16 < 8 || i * blk >= touched / 2)
			memset(p + i * blk, 1, blk);
		else
			for (j = 0; j < 64; j += 3)
				p[i * blk + j * 4096] = 1;
	}
	printf("big %p\n", p);
	return 0;
}

int main(int argc, char **argv)
{
	int err = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || !strcmp(argv[1], "idle")) {
		printf("ready %d\n", getpid());
	} else if (!strcmp(argv[1], "vmas") && argc == 3) {
		err = make_vmas(strtol(argv[2], NULL, 0));
	} else if (!strcmp(argv[1], "stripes") && argc == 3) {
		err = make_stripes(strtol(argv[2], NULL, 0));
	} else if (!strcmp(argv[1], "huge")) {
		err = make_huge();
	} else if (!strcmp(argv[1], "named")) {
		err = make_named();
	} else if (!strcmp(argv[1], "execgen") && argc >= 3) {
		err = execgen(strtol(argv[2], NULL, 0), argc > 3 ? atoi(argv[3]) : 0);
	} else if (!strcmp(argv[1], "top")) {
		err = make_top();
	} else if (!strcmp(argv[1], "churn")) {
		churn();
	} else if (!strcmp(argv[1], "newline")) {
		err = make_newline();
	} else if (!strcmp(argv[1], "strings")) {
		strings(argc > 2 ? argv[2] : "hello from vmtarget", argc > 3 ? atoi(argv[3]) : 500);
	} else if (!strcmp(argv[1], "names") && argc == 3) {
		err = make_names(argv[2]);
	} else if (!strcmp(argv[1], "mix")) {
		err = make_mix();
	} else if (!strcmp(argv[1], "workload")) {
		return workload() ? 1 : 0;
	} else if (!strcmp(argv[1], "big") && argc == 4) {
		err = big(strtol(argv[2], NULL, 0), strtol(argv[3], NULL, 0));
	} else {
		fprintf(stderr, "usage: vmtarget idle|vmas N|stripes N|huge|named|top|execgen N|churn|newline|strings [S] [MS]|names DIR|mix|workload|big N G\n");
		return 2;
	}
	if (err)
		return 1;
	wait_stdin();
	return 0;
}
