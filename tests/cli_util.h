/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for guest tests that drive the CLI and check its answers against
 * the kernel's own files: run a command and parse its -j output; read
 * /proc/PID/pagemap, /proc/kpageflags, /proc/kpagecount and smaps; find
 * every (pid, address) whose pagemap maps a given PFN; start target
 * processes that report what they set up.  Header-only.
 */
#ifndef VMSCOPE_CLI_UTIL_H
#define VMSCOPE_CLI_UTIL_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "json_mini.h"

#define PG		4096ull
#define PM_PFN(e)	((e) & ((1ull << 55) - 1))
#define PM_PRESENT_	(1ull << 63)
#define PM_SWAP_	(1ull << 62)
#define KPF_ZERO_	(1ull << 24)
#define KPF_NOPAGE_	(1ull << 20)
#define KPF_ANON_	(1ull << 12)
#define KPF_HEAD_	(1ull << 15)
#define KPF_TAIL_	(1ull << 16)

/* ---- running the CLI ---------------------------------------------------------------- */

/*
 * Run a shell command line; its stdout, malloc'd (NULL on failure), and
 * its exit status in *rc.  stderr goes to /tmp/cli_util.err.
 */
static inline char *run_out(int *rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline char *run_out(int *rc, const char *fmt, ...)
{
	char cmd[4096], *buf = NULL;
	size_t len = 0, cap = 0;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 32, fmt, ap);
	va_end(ap);
	strcat(cmd, " 2>/tmp/cli_util.err");
	f = popen(cmd, "r");
	*rc = -1;
	if (!f)
		return NULL;
	for (;;) {
		size_t n;

		if (len + 65536 + 1 > cap) {
			char *t = realloc(buf, cap = cap ? cap * 2 : 131072);

			if (!t)
				break;
			buf = t;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		if (!n)
			break;
		len += n;
	}
	st = pclose(f);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (buf)
		buf[len] = 0;
	return buf;
}

/* The same, parsed as one JSON document (NULL when it is not one). */
static inline struct jv *cli_json(int *rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline struct jv *cli_json(int *rc, const char *fmt, ...)
{
	char cmd[4096], *out;
	struct jv *v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out = run_out(rc, "%s", cmd);
	v = jparse(out);
	if (!v)
		printf("# not one JSON document from '%s': %.300s\n", cmd, out ? out : "(none)");
	free(out);
	return v;
}

/* ---- the kernel's own answers --------------------------------------------------------- */

/* An smaps VMA header ("start-end perms offset dev inode name"): its start. */
static inline bool smaps_header(const char *line, unsigned long long *start)
{
	size_t tok = strcspn(line, " ");
	unsigned long long end;

	return memchr(line, '-', tok) && !memchr(line, ':', tok) &&
	       sscanf(line, "%llx-%llx", start, &end) == 2;
}

static inline uint64_t read_u64_at(const char *path, uint64_t idx)
{
	uint64_t v = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &v, 8, idx * 8) != 8)
		v = 0;
	close(fd);
	return v;
}

static inline uint64_t pagemap_entry(pid_t pid, uint64_t addr)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	return read_u64_at(path, addr / PG);
}

/* The PFN at addr of pid, 0 when nothing is present. */
static inline uint64_t pfn_of(pid_t pid, uint64_t addr)
{
	uint64_t e = pagemap_entry(pid, addr);

	return e & PM_PRESENT_ ? PM_PFN(e) : 0;
}

static inline uint64_t kpageflags(uint64_t pfn)
{
	return read_u64_at("/proc/kpageflags", pfn);
}

static inline uint64_t kpagecount(uint64_t pfn)
{
	return read_u64_at("/proc/kpagecount", pfn);
}

/* A "Key:  N kB" field of smaps_rollup (or of smaps' VMA at start), in kB; -1 if none. */
static inline long smaps_kb(pid_t pid, uint64_t start, const char *key)
{
	char path[64], line[512];
	size_t kl = strlen(key);
	bool in = !start;
	long v = -1, total = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, start ? "smaps" : "smaps_rollup");
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s;

		if (start && smaps_header(line, &s)) {
			if (in)
				break;
			in = s == start;
			continue;
		}
		if (in && !strncmp(line, key, kl) && line[kl] == ':' &&
		    sscanf(line + kl + 1, " %ld kB", &v) == 1) {
			total += v;
			if (start)
				break;
		}
	}
	fclose(f);
	return v < 0 ? -1 : total;
}

/* The VmFlags line of pid's VMA at start (smaps), into buf. */
static inline bool smaps_vmflags(pid_t pid, uint64_t start, char *buf, size_t sz)
{
	char path[64], line[512];
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	buf[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s;

		if (smaps_header(line, &s)) {
			in = s == start;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(buf, sz, "%s", line + 8);
			break;
		}
	}
	fclose(f);
	return buf[0];
}

/* ---- who maps a PFN, by pagemap, in every process ------------------------------------------ */

struct holder {
	pid_t pid;
	uint64_t addr;
};

/*
 * Call fn(pid, addr, idx, arg) for every page of every process whose
 * pagemap PFN is pfns[idx] (pfns sorted, n of them).  [vsyscall] is left
 * out; processes that go away are skipped.
 */
static inline int pfn_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static inline void pfn_scan(const uint64_t *pfns, size_t n,
			    void (*fn)(pid_t pid, uint64_t addr, size_t idx, void *arg), void *arg)
{
	static uint64_t buf[4096];
	struct dirent *d;
	DIR *proc = opendir("/proc");

	while (proc && (d = readdir(proc))) {
		pid_t pid = atoi(d->d_name);
		char path[64], line[512];
		FILE *maps;
		int fd;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		maps = fopen(path, "r");
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
		fd = open(path, O_RDONLY);
		while (maps && fd >= 0 && fgets(line, sizeof(line), maps)) {
			unsigned long long s, e, a;

			if (sscanf(line, "%llx-%llx", &s, &e) != 2 || s >= 0xffff800000000000ull)
				continue;
			for (a = s; a < e;) {
				size_t k = (e - a) / PG, i;
				ssize_t got;

				if (k > 4096)
					k = 4096;
				got = pread(fd, buf, k * 8, a / PG * 8);
				if (got <= 0)
					break;
				k = got / 8;
				for (i = 0; i < k; i++) {
					uint64_t key = PM_PFN(buf[i]);
					const uint64_t *hit;

					if (!(buf[i] & PM_PRESENT_))
						continue;
					hit = bsearch(&key, pfns, n, sizeof(*pfns), pfn_cmp);
					if (hit)
						fn(pid, a + i * PG, hit - pfns, arg);
				}
				a += k * PG;
			}
		}
		if (maps)
			fclose(maps);
		if (fd >= 0)
			close(fd);
	}
	if (proc)
		closedir(proc);
}

struct holders {
	struct holder h[4096];
	int n;
};

static inline void holders_add(pid_t pid, uint64_t addr, size_t idx, void *arg)
{
	struct holders *hs = arg;

	(void)idx;
	if (hs->n < 4096)
		hs->h[hs->n++] = (struct holder){ pid, addr };
}

/* Every (pid, addr) whose pagemap maps pfn. */
static inline void pfn_holders(uint64_t pfn, struct holders *hs)
{
	hs->n = 0;
	pfn_scan(&pfn, 1, holders_add, hs);
}

/* Whether sharers list (explain's JSON) holds exactly the holders, by pid and page. */
static inline bool same_holders(const struct jv *list, const struct holders *hs)
{
	size_t i;
	int k;

	if ((int)jlen(list) != hs->n) {
		printf("# sharers %zu, pagemap holders %d\n", jlen(list), hs->n);
		for (k = 0; k < hs->n; k++)
			printf("#   holder %d 0x%llx\n", hs->h[k].pid, (unsigned long long)hs->h[k].addr);
		for (i = 0; i < jlen(list); i++)
			printf("#   sharer %d 0x%llx\n", (int)jnum(jget(jidx(list, i), "pid")),
			       (unsigned long long)jhex(jget(jidx(list, i), "addr")));
		return false;
	}
	for (k = 0; k < hs->n; k++) {
		bool found = false;

		for (i = 0; i < jlen(list) && !found; i++)
			found = (pid_t)jnum(jget(jidx(list, i), "pid")) == hs->h[k].pid &&
				(jhex(jget(jidx(list, i), "addr")) & ~(PG - 1)) == hs->h[k].addr;
		if (!found) {
			printf("# holder %d 0x%llx is not among the sharers\n", hs->h[k].pid,
			       (unsigned long long)hs->h[k].addr);
			return false;
		}
	}
	return true;
}

/* ---- target processes ------------------------------------------------------------------- */

/*
 * A target is a fresh process: the test program itself, executed again as
 * "PROG --target NAME FD ARG", so that it shares no pages with the test
 * (a plain fork would, until either wrote).  It runs the named function,
 * which reports values through report() on fd FD, then waits until it is
 * killed.  Orphaned descendants come back to the test (child subreaper),
 * so kill_pids() reaps the whole group.
 */
static int report_fd = -1;

static inline void report(uint64_t v)
{
	if (write(report_fd, &v, sizeof(v)) != sizeof(v))
		_exit(99);
}

struct target_fn {
	const char *name;
	void (*fn)(long arg);
};

/* In main(): run a target when argv says so (never returns then). */
static inline void target_main(int argc, char **argv, const struct target_fn *fns, size_t n)
{
	size_t i;

	if (argc < 5 || strcmp(argv[1], "--target"))
		return;
	report_fd = atoi(argv[3]);
	for (i = 0; i < n; i++)
		if (!strcmp(fns[i].name, argv[2]))
			fns[i].fn(atol(argv[4]));
	close(report_fd);
	for (;;)
		pause();
}

static inline pid_t start_target(const char *name, long arg, uint64_t *vals, int nvals)
{
	char fd[16], a[32];
	int p[2], i;
	pid_t pid;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);	/* its own group: killing it kills what it forked */
		close(p[0]);
		snprintf(fd, sizeof(fd), "%d", p[1]);
		snprintf(a, sizeof(a), "%ld", arg);
		execl("/proc/self/exe", "target", "--target", name, fd, a, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (i = 0; i < nvals; i++)
		if (read(p[0], &vals[i], sizeof(vals[i])) != sizeof(vals[i]))
			break;
	close(p[0]);
	return i == nvals ? pid : -1;
}

/*
 * Kill targets and everything they forked (each leads its process group),
 * and reap them: their orphans come back to us and keep the group.
 */
static inline void kill_pids(const pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(-pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		while (pids[i] > 0 && waitpid(-pids[i], NULL, 0) > 0)
			;
}

static inline void kill_target(pid_t pid)
{
	kill_pids(&pid, 1);
}


#endif /* VMSCOPE_CLI_UTIL_H */
