// SPDX-License-Identifier: GPL-2.0
/*
 * A target process for the tests: builds a chosen address-space shape,
 * prints "ready PID [details]" on stdout and waits until stdin reaches EOF
 * (or it is killed).
 *   vmtarget idle
 *   vmtarget vmas N        N separate anonymous VMAs (alternating protections)
 *   vmtarget huge          THP (madvise) and hugetlb 2M regions, touched
 *   vmtarget named         a named anonymous region (prctl PR_SET_VMA)
 *   vmtarget churn         mmap/mprotect/munmap in a loop until killed
 *   vmtarget newline       a mapped file whose name holds a newline
 *   vmtarget strings [S] [MS]
 *                          a heap string (S), a written THP region and a
 *                          read-only page, 300 MiB never touched:
 *                          "ready PID str=A thp=A ro=A big=A",
 *                          then "value: <the string>" every MS ms until killed
 *   vmtarget mix           memory of every kind smaps counts: private,
 *                          THP, COW-shared with a fork child (PSS halves),
 *                          zero pages, a shared file, swapped out pages
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

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

int main(int argc, char **argv)
{
	int err = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || !strcmp(argv[1], "idle")) {
		printf("ready %d\n", getpid());
	} else if (!strcmp(argv[1], "vmas") && argc == 3) {
		err = make_vmas(strtol(argv[2], NULL, 0));
	} else if (!strcmp(argv[1], "huge")) {
		err = make_huge();
	} else if (!strcmp(argv[1], "named")) {
		err = make_named();
	} else if (!strcmp(argv[1], "churn")) {
		churn();
	} else if (!strcmp(argv[1], "newline")) {
		err = make_newline();
	} else if (!strcmp(argv[1], "strings")) {
		strings(argc > 2 ? argv[2] : "hello from vmtarget", argc > 3 ? atoi(argv[3]) : 500);
	} else if (!strcmp(argv[1], "mix")) {
		err = make_mix();
	} else {
		fprintf(stderr, "usage: vmtarget idle|vmas N|huge|named|churn|newline|strings [S] [MS]|mix\n");
		return 2;
	}
	if (err)
		return 1;
	wait_stdin();
	return 0;
}
