// SPDX-License-Identifier: GPL-2.0
/*
 * bench_oneshot: what a person feels, whole processes started one at a
 * time, as the median wall time of many runs, in one run of this program:
 *   vmscope maps PID      against pmap PID and cat /proc/PID/maps
 *   vmscope maps --all    against cat /proc/[0-9]* /maps (through sh)
 *   status, find, and with the module page, read and write, against pmap
 *   PID (their target: pmap plus the work itself, which is microseconds).
 * Runs and anchors are interleaved, so a busy machine slows both alike.
 * Prints a markdown table.  Usage: bench_oneshot [RUNS]
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
#include <sys/wait.h>

#define MAX_ARGS 12

struct job {
	const char *label;
	char *argv[MAX_ARGS];
	const char *anchor;	/* "pmap", "cat", "catall": the anchor row it is compared with */
	bool info;		/* compared for information, no target */
	double ms;
	bool ran;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* One run of argv, output discarded; its wall time in ms, or -1. */
static double run1(char *const argv[])
{
	double t0 = now();
	int st;
	pid_t p = fork();

	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) == 127)
		return -1;
	return now() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 21, i, j, njobs = 0;
	char pid[16], addr[32], *buf;
	bool module = access("/sys/module/vmscope", F_OK) == 0;
	struct job jobs[16];
	double *t;
	pid_t target;

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

#define JOB(l, a, ...) jobs[njobs++] = (struct job){ .label = (l), .anchor = (a), .argv = { __VA_ARGS__, NULL } }
	JOB("pmap PID", NULL, "pmap", pid);
	JOB("cat /proc/PID/maps", NULL, "cat", "/proc/self/maps");
	jobs[njobs - 1].argv[1] = malloc(32);
	snprintf(jobs[njobs - 1].argv[1], 32, "/proc/%s/maps", pid);
	JOB("cat /proc/[0-9]*/maps", NULL, "sh", "-c", "cat /proc/[0-9]*/maps");
	JOB("vmscope maps PID", "pmap", "vmscope", "maps", pid);
	JOB("vmscope maps --maps PID", "cat", "vmscope", "maps", "--maps", pid);
	jobs[njobs - 1].info = true;
	JOB("vmscope maps --all", "catall", "vmscope", "maps", "--all");
	JOB("vmscope status", "pmap", "vmscope", "status");
	JOB("vmscope find PID ADDR", "pmap", "vmscope", "find", pid, addr);
	if (module) {
		JOB("vmscope page PID ADDR", "pmap", "vmscope", "page", pid, addr);
		JOB("vmscope read PID ADDR 64", "pmap", "vmscope", "read", pid, addr, "64");
		JOB("vmscope write PID ADDR --u8 1", "pmap", "vmscope", "write", pid, addr, "--u8", "1");
	}
	t = calloc((size_t)njobs * runs, sizeof(*t));
	for (j = 0; j < njobs; j++)	/* warm the page cache, and see what runs */
		jobs[j].ran = run1(jobs[j].argv) >= 0 && run1(jobs[j].argv) >= 0;
	for (i = 0; i < runs; i++)
		for (j = 0; j < njobs; j++)
			if (jobs[j].ran)
				t[j * runs + i] = run1(jobs[j].argv);
	for (j = 0; j < njobs; j++) {
		qsort(t + j * runs, runs, sizeof(*t), cmp);
		jobs[j].ms = t[j * runs + runs / 2];
	}
	printf("| command | median ms (%d runs) | anchor | ratio (<= 1: vmscope as fast or faster) | target |\n",
	       runs);
	printf("|---|---:|---|---:|---|\n");
	for (j = 0; j < njobs; j++) {
		const struct job *a = NULL;
		int k;

		if (!jobs[j].ran) {
			printf("| %s | did not run | | | |\n", jobs[j].label);
			continue;
		}
		for (k = 0; jobs[j].anchor && k < njobs; k++)
			if (!strcmp(jobs[j].anchor, "pmap") ? k == 0 :
			    !strcmp(jobs[j].anchor, "cat") ? k == 1 : k == 2)
				a = &jobs[k];
		if (!a || !a->ran) {
			printf("| %s | %.2f | | | |\n", jobs[j].label, jobs[j].ms);
			continue;
		}
		printf("| %s | %.2f | %s %.2f | %.2fx | %s |\n", jobs[j].label, jobs[j].ms, a->label,
		       a->ms, jobs[j].ms / a->ms, jobs[j].info ? "-" :
		       jobs[j].ms <= a->ms ? "<= 1x: met" : "<= 1x: missed");
	}
	kill(target, 9);
	waitpid(target, NULL, 0);
	return 0;
}
