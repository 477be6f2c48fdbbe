// SPDX-License-Identifier: GPL-2.0
/*
 * bench_oneshot: what a person feels, whole processes started one at a
 * time, as the median wall time of many runs, in one run of this program:
 *   vmscope maps PID      against pmap PID and cat /proc/PID/maps
 *   vmscope maps --all    against cat /proc/[0-9]* /maps (through sh)
 *   status, find, and with the module page, read and write, against pmap
 *   PID (their target: pmap plus the work itself, which is microseconds).
 * Then a big process (1 GiB touched, half of it THP where the kernel has
 * it, and 20,000 VMAs): maps -x, explain, share, summary, snapshot and
 * map -o, each beside pmap -x of the same process.
 * Runs and anchors are interleaved, so a busy machine slows both alike.
 * Every command must exit 0 in every run and print what it should (its
 * first run's output is checked): a row that failed says so and has no
 * time.  Prints markdown tables.  Usage: bench_oneshot [RUNS] [--no-big]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define MAX_ARGS 12

struct job {
	const char *label;
	char *argv[MAX_ARGS];
	int anchor;		/* index of the job it is compared with, or -1 */
	const char *expect;	/* its output must contain this */
	const char *target;	/* "<= 1x" etc., or NULL: for information */
	double limit;		/* the ratio the target allows */
	double ms;
	long maxrss_kb;		/* the largest peak RSS of its runs */
	bool ran;
	char why[160];		/* why the row failed */
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/*
 * One run of argv; its wall time in ms, or -1 when it did not exit 0.
 * With out, its standard output goes there (else to /dev/null).
 */
static long last_maxrss_kb;

static double run1(char *const argv[], const char *out)
{
	double t0 = now();
	struct rusage ru;
	int st;
	pid_t p = fork();

	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);
		int o = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600) : fd;

		dup2(o, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (p < 0 || wait4(p, &st, 0, &ru) != p || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	last_maxrss_kb = ru.ru_maxrss;
	return now() - t0;
}

/* Does file f contain s? */
static bool file_has(const char *f, const char *s)
{
	FILE *fp = fopen(f, "r");
	size_t cap = 1 << 20, n = 0, r;
	char *buf = malloc(cap + 1);
	bool found;

	if (!fp || !buf) {
		if (fp)
			fclose(fp);
		free(buf);
		return false;
	}
	while ((r = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += r;
		if (n == cap) {
			char *b = realloc(buf, cap * 2 + 1);

			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
	}
	fclose(fp);
	buf[n] = 0;
	found = strstr(buf, s) != NULL;
	free(buf);
	return found;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The first run, checked: exit 0 and the expected answer. */
static void check_job(struct job *j)
{
	char out[] = "/tmp/bench_oneshot.XXXXXX";
	int fd = mkstemp(out);

	if (fd < 0) {
		snprintf(j->why, sizeof(j->why), "no temporary file");
		return;
	}
	close(fd);
	if (run1(j->argv, out) < 0)
		snprintf(j->why, sizeof(j->why), "failed: it did not exit 0");
	else if (j->expect && !file_has(out, j->expect))
		snprintf(j->why, sizeof(j->why), "failed: wrong answer (no \"%s\" in its output)",
			 j->expect);
	else
		j->ran = run1(j->argv, NULL) >= 0;	/* warm, and again */
	if (!j->ran && !j->why[0])
		snprintf(j->why, sizeof(j->why), "failed: the second run did not exit 0");
	unlink(out);
}

/* Time jobs[0..n) runs times each, interleaved; then print their table. */
static void bench(struct job *jobs, int n, int runs, const char *title)
{
	double *t = calloc((size_t)n * runs, sizeof(*t));
	int i, j;

	for (j = 0; j < n; j++)
		check_job(&jobs[j]);
	for (i = 0; i < runs; i++)
		for (j = 0; j < n; j++)
			if (jobs[j].ran && (t[j * runs + i] = run1(jobs[j].argv, NULL)) < 0) {
				jobs[j].ran = false;
				snprintf(jobs[j].why, sizeof(jobs[j].why),
					 "failed: run %d did not exit 0", i + 1);
			} else if (jobs[j].ran && last_maxrss_kb > jobs[j].maxrss_kb) {
				jobs[j].maxrss_kb = last_maxrss_kb;
			}
	for (j = 0; j < n; j++) {
		qsort(t + j * runs, runs, sizeof(*t), cmp);
		jobs[j].ms = t[j * runs + runs / 2];
	}
	printf("%s| command | median ms (%d runs) | anchor | ratio (<= 1: vmscope as fast or faster) | target | peak RSS |\n",
	       title, runs);
	printf("|---|---:|---|---:|---|---:|\n");
	for (j = 0; j < n; j++) {
		const struct job *a = jobs[j].anchor >= 0 ? &jobs[jobs[j].anchor] : NULL;
		double r;

		if (!jobs[j].ran) {
			printf("| %s | %s | | | | |\n", jobs[j].label, jobs[j].why);
			continue;
		}
		if (!a || !a->ran) {
			printf("| %s | %.2f | %s | | | %.1f MiB |\n", jobs[j].label, jobs[j].ms,
			       a ? "(anchor failed)" : "", jobs[j].maxrss_kb / 1024.0);
			continue;
		}
		r = jobs[j].ms / a->ms;
		printf("| %s | %.2f | %s %.2f | %.2fx | %s%s | %.1f MiB |\n", jobs[j].label, jobs[j].ms,
		       a->label, a->ms, r, jobs[j].target ? jobs[j].target : "-",
		       !jobs[j].target ? "" : r <= jobs[j].limit ? ": met" : ": missed",
		       jobs[j].maxrss_kb / 1024.0);
	}
	free(t);
}

/*
 * The big target: 1 GiB of anonymous memory, every page touched, the
 * upper half advised to THP; 20,000 one-page VMAs whose protections
 * alternate so that none merge.  Writes its data address to fd.
 */
static pid_t big_target(char *addr, size_t sz)
{
	size_t gib = 1UL << 30, i;
	int pfd[2];
	pid_t p;

	if (pipe(pfd))
		return -1;
	p = fork();
	if (p == 0) {
		char *m = mmap(NULL, gib, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *v = mmap(NULL, 20000 * 4096UL, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char a[32];

		if (m == MAP_FAILED || v == MAP_FAILED)
			_exit(1);
		madvise(m + gib / 2, gib / 2, MADV_HUGEPAGE);
		for (i = 0; i < gib; i += 4096)
			m[i] = (char)i | 1;
		for (i = 0; i < 20000; i += 2)
			mprotect(v + i * 4096, 4096, PROT_READ | PROT_WRITE);
		snprintf(a, sizeof(a), "%p", (void *)(m + 4096 * 7));
		if (write(pfd[1], a, strlen(a) + 1) < 0)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	if (p < 0 || read(pfd[0], addr, sz) <= 0) {
		close(pfd[0]);
		return -1;
	}
	close(pfd[0]);
	return p;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 21, njobs = 0;
	bool big = !(argc > 2 && !strcmp(argv[2], "--no-big"));
	char pid[16], addr[32], bpid[16], baddr[32], *buf;
	bool module = access("/sys/module/vmscope", F_OK) == 0;
	struct job jobs[16];
	pid_t target, bt;

	if (runs < 1)
		runs = 1;
	/* The target: a small idle process with a heap string, like a shell. */
	buf = malloc(64);
	strcpy(buf, "bench_oneshot target");
	target = fork();
	if (target == 0) {
		for (;;)
			pause();
	}
	snprintf(pid, sizeof(pid), "%d", target);
	snprintf(addr, sizeof(addr), "%p", (void *)buf);	/* the same in the child */

#define JOB(l, a, e, tg, ...) jobs[njobs++] = (struct job){ .label = (l), .anchor = (a), \
	.expect = (e), .target = (tg), .limit = 1.0, .argv = { __VA_ARGS__, NULL } }
	JOB("pmap PID", -1, "bench_oneshot", NULL, "pmap", pid);
	JOB("cat /proc/PID/maps", -1, "[heap]", NULL, "cat", "/proc/self/maps");
	jobs[njobs - 1].argv[1] = malloc(32);
	snprintf(jobs[njobs - 1].argv[1], 32, "/proc/%s/maps", pid);
	/* A process may exit between the glob and cat: cat's status is not the anchor's. */
	JOB("cat /proc/[0-9]*/maps", -1, "[stack]", NULL, "sh", "-c",
	    "cat /proc/[0-9]*/maps 2>/dev/null; exit 0");
	JOB("vmscope maps PID", 0, "[heap]", "<= 1x", "vmscope", "maps", pid);
	JOB("vmscope maps --maps PID", 1, "[heap]", NULL, "vmscope", "maps", "--maps", pid);
	JOB("vmscope maps --all", 2, "[stack]", "<= 1x", "vmscope", "maps", "--all");
	JOB("vmscope status", 0, "kernel:", "<= 1x", "vmscope", "status");
	JOB("vmscope find PID ADDR", 0, "[heap]", "<= 1x", "vmscope", "find", pid, addr);
	if (module) {
		JOB("vmscope page PID ADDR", 0, "PTE", "<= 1x", "vmscope", "page", pid, addr);
		JOB("vmscope read PID ADDR 64", 0, "bench_oneshot", "<= 1x", "vmscope", "read", pid,
		    addr, "64");
		JOB("vmscope write PID ADDR --u8 1", 0, NULL, "<= 1x", "vmscope", "write", pid, addr,
		    "--u8", "1");
	}
	bench(jobs, njobs, runs, "");
	kill(target, 9);
	waitpid(target, NULL, 0);
	if (!big)
		return 0;

	bt = big_target(baddr, sizeof(baddr));
	if (bt < 0) {
		printf("\nbig process: could not be made (1 GiB, 20,000 VMAs)\n");
		return 1;
	}
	snprintf(bpid, sizeof(bpid), "%d", bt);
	njobs = 0;
	runs = runs > 5 ? 5 : runs;
	JOB("pmap -x PID", -1, "total", NULL, "pmap", "-x", bpid);
	JOB("vmscope maps -x PID", 0, "total", "<= 0.25x", "vmscope", "maps", "-x", bpid);
	jobs[njobs - 1].limit = 0.25;
	JOB("vmscope explain PID ADDR", 0, "anonymous", NULL, "vmscope", "explain", bpid, baddr);
	JOB("vmscope share PID", 0, "total", NULL, "vmscope", "share", bpid);
	JOB("vmscope summary PID", 0, "total", NULL, "vmscope", "summary", bpid);
	JOB("vmscope snapshot PID", 0, "\"vmas\"", NULL, "vmscope", "snapshot", bpid);
	JOB("vmscope map PID -o FILE", 0, NULL, NULL, "vmscope", "map", bpid, "-o",
	    "/tmp/bench_oneshot.html");
	bench(jobs, njobs, runs, "\nA big process: 1 GiB touched (half advised to THP), 20,000 VMAs\n\n");
	unlink("/tmp/bench_oneshot.html");
	kill(bt, 9);
	waitpid(bt, NULL, 0);
	return 0;
}
