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
 * map -o, each beside pmap -x of the same process.  Then how long the big
 * process's own mmap() waits while each of these reads it (its mmap_lock),
 * against `cat /proc/PID/smaps` in a loop and against nothing running.
 * Runs and anchors are interleaved, so a busy machine slows both alike.
 * Every command must exit 0 in every run and print what it should (its
 * first run's output is checked): a row that failed says so and has no
 * time.  Prints markdown tables.  Usage: bench_oneshot [RUNS] [--no-big]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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
/* When set (ms): a run still going after this long is killed, and fails. */
static double run_limit_ms;
static bool last_timed_out;

static double run1(char *const argv[], const char *out)
{
	double t0 = now();
	struct rusage ru;
	int st;
	pid_t p = fork(), w;

	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);
		int o = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600) : fd;

		dup2(o, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	last_timed_out = false;
	if (p < 0)
		return -1;
	if (!run_limit_ms) {
		w = wait4(p, &st, 0, &ru);
	} else {
		/* Polled every 2 ms: only for runs that take seconds. */
		while ((w = wait4(p, &st, WNOHANG, &ru)) == 0) {
			if (now() - t0 > run_limit_ms) {
				kill(p, SIGKILL);
				w = wait4(p, &st, 0, &ru);
				last_timed_out = true;
				return -1;
			}
			usleep(2000);
		}
	}
	if (w != p || !WIFEXITED(st) || WEXITSTATUS(st))
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
 * The big target's own mmap() latency: a thread of it maps and unmaps one
 * page in a loop while lat->on is set, and counts each call's time in a
 * histogram (32 buckets per power of 2: about 3% resolution; the maximum
 * exact).  mmap() and munmap() take the target's mmap_lock for writing,
 * so they wait out whoever holds it for reading.  On a busy machine a
 * call can also wait for a CPU: a call during which the thread slept
 * (a voluntary context switch: the lock's wait queue) is counted apart,
 * and the longest of those is the longest slice a reader held the lock
 * against it.  It all lives in memory shared with us.
 */
#define LAT_BUCKETS (40 * 32)

struct lat {
	int on;			/* set by us: record */
	int idle;		/* set by the thread: not recording */
	unsigned long n, max_ns;
	unsigned long slept, max_slept_ns;	/* the calls that slept */
	unsigned long hist[LAT_BUCKETS];
};

static struct lat *lat;

static int lat_bucket(unsigned long ns)
{
	int e;

	if (ns < 32)
		return (int)ns;
	e = 63 - __builtin_clzl(ns);
	if (e >= 40)
		return LAT_BUCKETS - 1;
	return e * 32 + (int)((ns >> (e - 5)) & 31);
}

/* The smallest value of bucket b (32..159 are never used). */
static unsigned long lat_value(int b)
{
	if (b < 5 * 32)
		return b < 32 ? b : 32;
	return (32ul + b % 32) << (b / 32 - 5);
}

static void *lat_loop(void *arg)
{
	struct timespec a, b;
	struct rusage r0, r1;
	unsigned long ns;
	void *p;

	(void)arg;
	for (;;) {
		if (!__atomic_load_n(&lat->on, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&lat->idle, 1, __ATOMIC_RELEASE);
			usleep(1000);
			continue;
		}
		__atomic_store_n(&lat->idle, 0, __ATOMIC_RELEASE);
		getrusage(RUSAGE_THREAD, &r0);
		clock_gettime(CLOCK_MONOTONIC, &a);
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			munmap(p, 4096);
		clock_gettime(CLOCK_MONOTONIC, &b);
		getrusage(RUSAGE_THREAD, &r1);
		ns = (b.tv_sec - a.tv_sec) * 1000000000ul + b.tv_nsec - a.tv_nsec;
		if (r1.ru_nvcsw != r0.ru_nvcsw) {
			lat->slept++;
			if (ns > lat->max_slept_ns)
				lat->max_slept_ns = ns;
		}
		lat->hist[lat_bucket(ns)]++;
		lat->n++;
		if (ns > lat->max_ns)
			lat->max_ns = ns;
	}
	return NULL;
}

/* Wait up to 10 s for the thread's idle flag to become want. */
static bool lat_wait(int want)
{
	int i;

	for (i = 0; i < 100000; i++) {
		if (__atomic_load_n(&lat->idle, __ATOMIC_ACQUIRE) == want)
			return true;
		usleep(100);
	}
	return false;
}

/* Start recording afresh; false when the thread does not answer. */
static bool lat_start(void)
{
	memset(lat->hist, 0, sizeof(lat->hist));
	lat->n = lat->max_ns = lat->slept = lat->max_slept_ns = 0;
	__atomic_store_n(&lat->on, 1, __ATOMIC_RELEASE);
	return lat_wait(0);
}

/* Stop; false when the thread does not answer (its figures are not whole). */
static bool lat_stop(void)
{
	__atomic_store_n(&lat->on, 0, __ATOMIC_RELEASE);
	return lat_wait(1);
}

/* The latency (ns) that fraction q of the calls did not exceed. */
static double lat_quantile(double q)
{
	unsigned long want = (unsigned long)(q * lat->n), seen = 0;
	int b;

	for (b = 0; b < LAT_BUCKETS; b++) {
		seen += lat->hist[b];
		if (seen > want)
			return lat_value(b);
	}
	return lat->max_ns;
}

struct lat_row {
	const char *label;
	char *argv[MAX_ARGS];	/* NULL argv[0]: nothing runs */
	int runs;
	double secs;		/* the row's wall time */
	bool cut;		/* stopped at LAT_ROW_S with fewer runs than asked */
	double p50, p99, p999, max, max_slept;	/* us */
	unsigned long n, slept;
	char why[80];		/* why the row failed */
};

/*
 * A command that walks the process's pages can be far slower while its
 * mmap_lock is this contended: the module only trylocks it (never queues
 * behind the writer; kmod/policy.c, rule 5), and a failed slice is run
 * again from user space after a back-off.  In the 6.1 guest `maps -x` of
 * 20,000 VMAs took 31 s against such a writer, 2.1 s without.  So a row
 * starts no new run after LAT_ROW_S seconds, and a run still going after
 * LAT_RUN_S seconds is killed and fails the row.
 */
#define LAT_ROW_S	90.0
#define LAT_RUN_S	120.0

/*
 * The target's mmap() latency while row->argv runs in a loop, at least
 * min_runs times and secs seconds (or for secs seconds of nothing).
 */
static void lat_measure(struct lat_row *r, int min_runs, double secs)
{
	double t0;

	if (!lat_start()) {
		snprintf(r->why, sizeof(r->why), "failed: the target's thread did not start");
		return;
	}
	t0 = now();
	if (!r->argv[0]) {
		usleep((useconds_t)(secs * 1e6));
	} else {
		run_limit_ms = LAT_RUN_S * 1e3;
		while (r->runs < min_runs || now() - t0 < secs * 1e3) {
			if (r->runs && now() - t0 > LAT_ROW_S * 1e3) {
				r->cut = r->runs < min_runs;
				break;
			}
			if (run1(r->argv, NULL) < 0) {
				if (last_timed_out)
					snprintf(r->why, sizeof(r->why),
						 "failed: run %d did not finish in %.0f s",
						 r->runs + 1, LAT_RUN_S);
				else
					snprintf(r->why, sizeof(r->why),
						 "failed: run %d did not exit 0", r->runs + 1);
				break;
			}
			r->runs++;
		}
		run_limit_ms = 0;
	}
	r->secs = (now() - t0) / 1e3;
	if (!lat_stop() && !r->why[0])
		snprintf(r->why, sizeof(r->why), "failed: the target's thread did not stop");
	r->n = lat->n;
	r->p50 = lat_quantile(0.50) / 1e3;
	r->p99 = lat_quantile(0.99) / 1e3;
	r->p999 = lat_quantile(0.999) / 1e3;
	r->max = lat->max_ns / 1e3;
	r->slept = lat->slept;
	r->max_slept = lat->max_slept_ns / 1e3;
	if (!r->why[0] && !r->n)
		snprintf(r->why, sizeof(r->why), "failed: the target made no mmap() call");
}

/* Row 1 is cat smaps: the ratios are against it. */
static void lat_table(struct lat_row *rows, int n, int min_runs, double secs)
{
	const struct lat_row *sm = &rows[1];
	int i;

	for (i = 0; i < n; i++)
		lat_measure(&rows[i], min_runs, secs);
	printf("\nThe big process's own mmap()+munmap() of one page, timed by a thread of it in "
	       "a loop while each command runs in a loop (>= %d runs, >= %.0f s; no new run "
	       "after %.0f s, a run killed after %.0f s).  Slept: the calls that waited for its "
	       "mmap_lock; the longest of them is the longest slice a reader held the lock.  "
	       "s per run: each command's wall time against this writer (the table above has it "
	       "alone)\n\n", min_runs, secs, LAT_ROW_S, LAT_RUN_S);
	printf("| while | runs | s per run | mmap calls | p50 us | p99 us | p99.9 us | max us | slept | longest sleep us | p99 vs smaps | max vs smaps | longest sleep vs smaps | target (longest sleep <= 1x smaps) |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
	for (i = 0; i < n; i++) {
		const struct lat_row *r = &rows[i];
		char runs[48], per[24];

		if (r->why[0]) {
			printf("| %s | %s (after %.0f s) | | | | | | | | | | | | |\n", r->label,
			       r->why, r->secs);
			continue;
		}
		snprintf(runs, sizeof(runs), r->cut ? "%d (cut at %.0f s)" : "%d", r->runs,
			 LAT_ROW_S);
		if (r->runs)
			snprintf(per, sizeof(per), "%.2f", r->secs / r->runs);
		else
			snprintf(per, sizeof(per), "-");
		printf("| %s | %s | %s | %lu | %.1f | %.1f | %.1f | %.1f | %lu | %.1f |", r->label,
		       runs, per, r->n, r->p50, r->p99, r->p999, r->max, r->slept, r->max_slept);
		if (i < 2 || sm->why[0])
			printf(" %s | | | |\n", i < 2 ? "" : "(smaps row failed)");
		else if (!sm->slept)
			printf(" %.2fx | %.2fx | (smaps: none slept) | %s |\n", r->p99 / sm->p99,
			       r->max / sm->max, r->slept ? "missed" : "met");
		else
			printf(" %.2fx | %.2fx | %.2fx | %s |\n", r->p99 / sm->p99, r->max / sm->max,
			       r->max_slept / sm->max_slept,
			       r->max_slept <= sm->max_slept ? "met" : "missed");
	}
}

/*
 * The big target: 1 GiB of anonymous memory, every page touched, the
 * upper half advised to THP; 20,000 one-page VMAs whose protections
 * alternate so that none merge; a thread for lat_loop().  Writes its data
 * address to fd.
 */
static pid_t big_target(char *addr, size_t sz)
{
	size_t gib = 1UL << 30, i;
	int pfd[2];
	pid_t p;

	lat = mmap(NULL, sizeof(*lat), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (lat == MAP_FAILED || pipe(pfd))
		return -1;
	lat->idle = 1;
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
		if (pthread_create(&(pthread_t){ 0 }, NULL, lat_loop, NULL))
			_exit(1);
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
	{
		char smaps[32];
		struct lat_row rows[] = {
			{ .label = "nothing" },
			{ .label = "cat /proc/PID/smaps", .argv = { "cat", smaps } },
			{ .label = "vmscope maps -x PID", .argv = { "vmscope", "maps", "-x", bpid } },
			{ .label = "vmscope share PID", .argv = { "vmscope", "share", bpid } },
			{ .label = "vmscope summary PID", .argv = { "vmscope", "summary", bpid } },
			{ .label = "vmscope snapshot PID", .argv = { "vmscope", "snapshot", bpid } },
			{ .label = "vmscope map PID -o FILE",
			  .argv = { "vmscope", "map", bpid, "-o", "/tmp/bench_oneshot.html" } },
		};

		snprintf(smaps, sizeof(smaps), "/proc/%s/smaps", bpid);
		lat_table(rows, sizeof(rows) / sizeof(rows[0]), 3, 2.0);
	}
	unlink("/tmp/bench_oneshot.html");
	kill(bt, 9);
	waitpid(bt, NULL, 0);
	return 0;
}
