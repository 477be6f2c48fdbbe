/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 'vmscope audit' against targets built for each case, checked against
 * sources that do not go through vmscope: /proc/PID/maps (the mappings
 * and their permissions), the executable's own bytes (read here from the
 * file), and the process's bytes (process_vm_readv).  Shared by
 * tests/host_audit.c (no module: the pagemap route) and
 * tests/guest_audit.c (the module's route, and pagemap beside it).
 *
 * Targets: copies of vmtarget, exec'd and idle (clean; patched through
 * /proc/PID/mem in its text, within a page, across a page boundary, and
 * with the same bytes; deleted after exec; run from a memfd), and
 * children of this test that map a file writable and executable, make
 * anonymous memory executable, or map a memfd executable.
 */
#ifndef VMSCOPE_AUDIT_CASES_H
#define VMSCOPE_AUDIT_CASES_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include "tap.h"
#include "cli_json.h"

#define APG	4096ull

static char audit_dir[64];		/* scratch directory */
static char audit_vt[512];		/* vmtarget, beside this test */
static uid_t start_uid;			/* targets run as this user (0: root) */

/* ---- targets ------------------------------------------------------------------ */

struct tgt {
	pid_t pid;
	int in;			/* its stdin: closing it ends vmtarget */
	char exe[256];		/* the copy it runs, if any */
	uint64_t addr;		/* a case's address */
};

static void tgt_stop(struct tgt *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	if (t->in >= 0)
		close(t->in);
	t->pid = 0;
	t->in = -1;
}

/* Wait for a line from fd (10 s): the target is ready. */
static bool wait_ready(int fd, char *line, size_t sz)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = 0;

	while (n + 1 < sz && poll(&p, 1, 10000) == 1) {
		ssize_t r = read(fd, line + n, 1);

		if (r != 1)
			break;
		if (line[n++] == '\n') {
			line[n] = 0;
			return true;
		}
	}
	line[n] = 0;
	return false;
}

/* Copy a file, executable. */
static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n = -1;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out))
		n = -1;
	return n == 0 ? 0 : -1;
}

/*
 * Run "vmtarget idle" from path (fd >= 0: fexecve that fd) and wait until
 * it is ready.
 */
static int start_vt(struct tgt *t, const char *path, int fd)
{
	char *argv[] = { "vmtarget", "idle", NULL }, line[128];
	int in[2], out[2];

	memset(t, 0, sizeof(*t));
	t->in = -1;
	snprintf(t->exe, sizeof(t->exe), "%s", path);
	if (pipe(in) || pipe(out))
		return -1;
	t->pid = fork();
	if (t->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		if (start_uid && (setgid(start_uid) || setuid(start_uid)))
			_exit(126);
		if (fd >= 0)
			fexecve(fd, argv, environ);
		else
			execv(path, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	t->in = in[1];
	if (t->pid < 0 || !wait_ready(out[0], line, sizeof(line)) || strncmp(line, "ready ", 6)) {
		close(out[0]);
		tgt_stop(t);
		return -1;
	}
	close(out[0]);
	return 0;
}

/* A child of this test that runs fn(t), reports ready and waits to be killed. */
static int start_child(struct tgt *t, int (*fn)(struct tgt *))
{
	int rd[2];

	memset(t, 0, sizeof(*t));
	t->in = -1;
	if (pipe(rd))
		return -1;
	t->pid = fork();
	if (t->pid == 0) {
		close(rd[0]);
		if (fn(t) || write(rd[1], &t->addr, sizeof(t->addr)) != sizeof(t->addr))
			_exit(1);
		for (;;)
			pause();
	}
	close(rd[1]);
	if (t->pid < 0 || read(rd[0], &t->addr, sizeof(t->addr)) != sizeof(t->addr)) {
		close(rd[0]);
		tgt_stop(t);
		return -1;
	}
	close(rd[0]);
	return 0;
}

/* ---- the kernel's own answers ----------------------------------------------------- */

struct mline {
	uint64_t start, end, off;
	char perms[5];
	char name[512];
};

/* /proc/PID/maps, parsed; returns the lines (at most max). */
static int read_maps(pid_t pid, struct mline *m, int max)
{
	char path[64], line[1024];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	while (f && n < max && fgets(line, sizeof(line), f)) {
		unsigned long long s, e, o;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %4s %llx %*s %*s%n", &s, &e, m[n].perms, &o, &pos) < 4)
			continue;
		m[n].start = s;
		m[n].end = e;
		m[n].off = o;
		while (line[pos] == ' ')
			pos++;
		snprintf(m[n].name, sizeof(m[n].name), "%s", line + pos);
		m[n].name[strcspn(m[n].name, "\n")] = 0;
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

/* The line of /proc/PID/maps holding addr, or NULL. */
static const struct mline *maps_at(const struct mline *m, int n, uint64_t addr)
{
	int i;

	for (i = 0; i < n; i++)
		if (m[i].start <= addr && addr < m[i].end)
			return &m[i];
	return NULL;
}

/* The first executable mapping of a file named name. */
static const struct mline *maps_text(const struct mline *m, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (m[i].perms[2] == 'x' && !strncmp(m[i].name, name, strlen(name)))
			return &m[i];
	return NULL;
}

/*
 * Write through /proc/PID/mem, as a debugger does.  Where the kernel lets
 * only a process's tracer write its read-only pages that way
 * (CONFIG_PROC_MEM_FORCE_PTRACE, as Debian builds 7.x), the write fails
 * with EIO: then as its tracer, seized for the write and let go after.
 */
static ssize_t mem_write(pid_t pid, uint64_t addr, const void *b, size_t n)
{
	char path[64];
	ssize_t r;
	int fd, st;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	r = pwrite(fd, b, n, addr);
	if (r < 0 && errno == EIO && !ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		r = pwrite(fd, b, n, addr);
		if (!ptrace(PTRACE_INTERRUPT, pid, 0, 0) && waitpid(pid, &st, __WALL) == pid)
			ptrace(PTRACE_DETACH, pid, 0, 0);
	}
	close(fd);
	return r;
}

static ssize_t vm_read(pid_t pid, uint64_t addr, void *b, size_t n)
{
	struct iovec l = { b, n }, r = { (void *)addr, n };

	return process_vm_readv(pid, &l, 1, &r, 1, 0);
}

static ssize_t file_read(const char *path, uint64_t off, void *b, size_t n)
{
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = pread(fd, b, n, off);
	close(fd);
	return r;
}

static void hexstr(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = 0;
}

/* ---- the audit's answer ---------------------------------------------------------- */

/* The object of process pid in an audit document, or NULL. */
static const char *audit_proc(const char *doc, pid_t pid)
{
	const char *ps = js_get(doc, "processes"), *p;
	int i;

	for (i = 0; (p = js_at(ps, i)); i++)
		if (js_int(js_get(p, "pid")) == pid)
			return p;
	return NULL;
}

/* Its findings of kind (NULL: any): how many, and the first one. */
static int findings_of(const char *proc, const char *kind, const char **first)
{
	const char *fs = js_get(proc, "findings"), *f;
	int i, n = 0;

	if (first)
		*first = NULL;
	for (i = 0; (f = js_at(fs, i)); i++) {
		if (kind && !js_is(js_get(f, "kind"), kind))
			continue;
		if (!n++ && first)
			*first = f;
	}
	return n;
}

/* The finding's VMA is the maps line m, permissions included. */
static bool vma_is(const char *f, const struct mline *m)
{
	const char *v = js_get(f, "vma");

	return m && js_hex(js_get(v, "start")) == m->start && js_hex(js_get(v, "end")) == m->end &&
	       js_is(js_get(v, "perms"), m->perms);
}

/* Which sources are tested, and what audit then names. */
static const char *const audit_src_opt[] = { "module", "pagemap" };
static const char *audit_src_name(int s)
{
	return s == 0 ? "module" : geteuid() == 0 ? "pagemap+kpageflags" : "pagemap";
}

/* Run 'vmscope -j audit --source S ARGS' into c; the process's object. */
static const char *run_audit(struct cli *c, int s, pid_t pid)
{
	cli_run(c, "-j audit --source %s %d", audit_src_opt[s], pid);
	return audit_proc(c->out, pid);
}

/* ---- cases ------------------------------------------------------------------------ */

static void case_clean(int s)
{
	struct tgt t;
	struct cli c;
	const char *p;
	char exe[256];

	snprintf(exe, sizeof(exe), "%s/clean", audit_dir);
	if (copy_file(audit_vt, exe) || start_vt(&t, exe, -1)) {
		ok(0, "%s: a clean process: the target runs", audit_src_opt[s]);
		return;
	}
	p = run_audit(&c, s, t.pid);
	ok(c.status == 0 && p && findings_of(p, NULL, NULL) == 0 &&
	   js_bool(js_get(p, "complete")) == 1 && js_bool(js_get(c.out, "found")) == 0 &&
	   js_is(js_get(p, "source"), audit_src_name(s)),
	   "%s: a clean process (a copy of vmtarget): nothing found, exit 0, source %s",
	   audit_src_opt[s], audit_src_name(s));
	if (c.status != 0)
		diag("exit %d: %s %s", c.status, js_show(p), c.err);
	cli_free(&c);
	tgt_stop(&t);
}

/*
 * A copy of vmtarget with len bytes at text + off replaced through
 * /proc/PID/mem (by their complement, or by themselves when same): the
 * original bytes in orig.  Returns its text line of maps in *text.
 */
static int start_patched(struct tgt *t, const char *name, uint64_t off, size_t len, bool same,
			 unsigned char *orig, struct mline *m, int *nm, const struct mline **text)
{
	unsigned char b[64];
	char exe[256];
	size_t i;

	snprintf(exe, sizeof(exe), "%s/%s", audit_dir, name);
	if (copy_file(audit_vt, exe) || start_vt(t, exe, -1))
		return -1;
	*nm = read_maps(t->pid, m, 64);
	*text = maps_text(m, *nm, exe);
	if (!*text || (*text)->end - (*text)->start < off + len)
		return -1;
	t->addr = (*text)->start + off;
	if (vm_read(t->pid, t->addr, orig, len) != (ssize_t)len)
		return -1;
	for (i = 0; i < len; i++)
		b[i] = same ? orig[i] : orig[i] ^ 0xff;
	return mem_write(t->pid, t->addr, b, len) == (ssize_t)len ? 0 : -1;
}

/* The range of page pg is [a, a+len) with these bytes, checked against the sources. */
static bool range_ok(const char *pg, const struct tgt *t, const struct mline *text, uint64_t a,
		     size_t len)
{
	const char *r = js_at(js_get(pg, "ranges"), 0);
	unsigned char now[16], file[16];
	char hn[40], hf[40];

	if (js_len(js_get(pg, "ranges")) != 1 || js_int(js_get(pg, "bytes_differ")) != (long long)len)
		return false;
	/* Independent answers: the process's bytes and the file's. */
	if (vm_read(t->pid, a, now, len) != (ssize_t)len ||
	    file_read(t->exe, text->off + (a - text->start), file, len) != (ssize_t)len)
		return false;
	hexstr(now, len, hn);
	hexstr(file, len, hf);
	return js_hex(js_get(r, "start")) == a && js_hex(js_get(r, "end")) == a + len &&
	       js_int(js_get(r, "length")) == (long long)len &&
	       js_hex(js_get(r, "offset")) == text->off + (a - text->start) &&
	       js_is(js_get(r, "now"), hn) && js_is(js_get(r, "file"), hf);
}

static void case_patched(int s)
{
	struct mline m[64];
	const struct mline *text;
	unsigned char orig[8];
	const char *p, *f, *pg;
	struct tgt t;
	struct cli c;
	char fh[20], want[160];
	int nm;

	if (start_patched(&t, "patched", 0x1234, 8, false, orig, m, &nm, &text)) {
		ok(0, "%s: a patched code page: the target runs and is patched", audit_src_opt[s]);
		tgt_stop(&t);
		return;
	}
	p = run_audit(&c, s, t.pid);
	pg = NULL;
	if (findings_of(p, "modified_code", &f) == 1)
		pg = js_at(js_get(f, "pages"), 0);
	hexstr(orig, 8, fh);
	ok(c.status == 1 && findings_of(p, NULL, NULL) == 1 && f && vma_is(f, text) &&
	   js_len(js_get(f, "pages")) == 1 && js_hex(js_get(pg, "addr")) == (t.addr & ~(APG - 1)) &&
	   js_is(js_get(pg, "state"), "present") && range_ok(pg, &t, text, t.addr, 8) &&
	   strstr(js_get(js_at(js_get(pg, "ranges"), 0), "file"), fh) &&
	   js_is(js_get(f, "memory"), s == 0 ? "module" : "proc_mem"),
	   "%s: 8 bytes patched through /proc/PID/mem in a text page: exactly that range, the "
	   "process's bytes (process_vm_readv) and the file's (read here), exit 1",
	   audit_src_opt[s]);
	if (c.status != 1 || !pg)
		diag("exit %d at 0x%llx: %s %s", c.status, (unsigned long long)t.addr, js_show(f),
		     c.err);
	cli_free(&c);
	/* The same in words. */
	cli_run(&c, "audit --source %s %d", audit_src_opt[s], t.pid);
	snprintf(want, sizeof(want), "      %08llx-%08llx 8 bytes, file offset 0x%llx\n",
		 (unsigned long long)t.addr, (unsigned long long)t.addr + 8,
		 (unsigned long long)(text->off + (t.addr - text->start)));
	ok(c.status == 1 && c.out && strstr(c.out, want) && strstr(c.out, "  modified code ") &&
	   strstr(c.out, " r-xp ") && strstr(c.out, "1 page is a private copy"),
	   "%s: the plain report names the range and its file offset", audit_src_opt[s]);
	if (!c.out || !strstr(c.out, want))
		diag("want '%s' in:\n%s", want, c.out);
	cli_free(&c);
	tgt_stop(&t);
}

static void case_boundary(int s)
{
	struct mline m[64];
	const struct mline *text;
	unsigned char orig[4];
	const char *p, *f = NULL, *pages;
	struct tgt t;
	struct cli c;
	int nm;

	if (start_patched(&t, "boundary", 0x3000 - 2, 4, false, orig, m, &nm, &text)) {
		ok(0, "%s: a patch across a page boundary: the target runs", audit_src_opt[s]);
		tgt_stop(&t);
		return;
	}
	p = run_audit(&c, s, t.pid);
	findings_of(p, "modified_code", &f);
	pages = js_get(f, "pages");
	ok(c.status == 1 && findings_of(p, NULL, NULL) == 1 && js_len(pages) == 2 &&
	   js_hex(js_get(js_at(pages, 0), "addr")) == text->start + 0x2000 &&
	   js_hex(js_get(js_at(pages, 1), "addr")) == text->start + 0x3000 &&
	   range_ok(js_at(pages, 0), &t, text, t.addr, 2) &&
	   range_ok(js_at(pages, 1), &t, text, t.addr + 2, 2),
	   "%s: 4 bytes across a page boundary: two pages, 2 bytes each", audit_src_opt[s]);
	if (c.status != 1)
		diag("exit %d: %s", c.status, js_show(f));
	cli_free(&c);
	tgt_stop(&t);
}

static void case_identical(int s)
{
	struct mline m[64];
	const struct mline *text;
	unsigned char orig[4];
	const char *p, *f = NULL, *pg;
	struct tgt t;
	struct cli c;
	int nm;

	if (start_patched(&t, "same", 0x2100, 4, true, orig, m, &nm, &text)) {
		ok(0, "%s: a page written with its own bytes: the target runs", audit_src_opt[s]);
		tgt_stop(&t);
		return;
	}
	p = run_audit(&c, s, t.pid);
	findings_of(p, "modified_code", &f);
	pg = js_at(js_get(f, "pages"), 0);
	ok(c.status == 1 && js_len(js_get(f, "pages")) == 1 &&
	   js_hex(js_get(pg, "addr")) == text->start + 0x2000 &&
	   js_int(js_get(pg, "bytes_differ")) == 0 && js_len(js_get(pg, "ranges")) == 0 &&
	   js_bool(js_get(pg, "compared")) == 1,
	   "%s: a code page written with its own bytes: a private copy, no byte differs",
	   audit_src_opt[s]);
	cli_free(&c);
	tgt_stop(&t);
}

/* Children: W+X file mapping, executable anonymous memory, memfd mapping. */
static int make_wx(struct tgt *t)
{
	char path[128];
	volatile char *p;
	int fd;

	snprintf(path, sizeof(path), "%s/wxfile", audit_dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, APG))
		return -1;
	p = mmap(NULL, APG, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	(void)p[0];	/* read: the file's page, not a copy */
	t->addr = (uintptr_t)p;
	return 0;
}

static int make_exec_anon(struct tgt *t)
{
	char *p = mmap(NULL, APG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	memset(p, 0xc3, APG);	/* ret */
	if (mprotect(p, APG, PROT_READ | PROT_EXEC))
		return -1;
	t->addr = (uintptr_t)p;
	return 0;
}

static int make_memfd_map(struct tgt *t)
{
	static char page[APG];
	int fd = memfd_create("vms-audit", 0);
	char *p;

	memset(page, 0xc3, sizeof(page));
	if (fd < 0 || write(fd, page, sizeof(page)) != sizeof(page))
		return -1;
	p = mmap(NULL, APG, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	t->addr = (uintptr_t)p;
	return 0;
}

/* A child whose one finding is kind, at its address, as maps shows it. */
static void case_one_finding(int s, int (*fn)(struct tgt *), const char *kind, const char *perms,
			     const char *what)
{
	struct mline m[128];
	const struct mline *ml;
	const char *p, *f = NULL;
	struct tgt t;
	struct cli c;
	int nm;

	if (start_child(&t, fn)) {
		ok(0, "%s: %s: the target runs", audit_src_opt[s], what);
		return;
	}
	nm = read_maps(t.pid, m, 128);
	ml = maps_at(m, nm, t.addr);
	p = run_audit(&c, s, t.pid);
	ok(c.status == 1 && ml && !strcmp(ml->perms, perms) && findings_of(p, NULL, NULL) == 1 &&
	   findings_of(p, kind, &f) == 1 && vma_is(f, ml),
	   "%s: %s: one finding, %s, on the mapping /proc/PID/maps shows %s", audit_src_opt[s],
	   what, kind, perms);
	if (c.status != 1 || findings_of(p, NULL, NULL) != 1)
		diag("exit %d, maps %s: %s", c.status, ml ? ml->perms : "-", js_show(js_get(p, "findings")));
	cli_free(&c);
	tgt_stop(&t);
}

static void case_deleted(int s)
{
	struct mline m[64];
	const char *p, *f;
	char exe[256];
	struct tgt t;
	struct cli c;
	int nm, i, want = 0, found = 0;

	snprintf(exe, sizeof(exe), "%s/deleted", audit_dir);
	if (copy_file(audit_vt, exe) || start_vt(&t, exe, -1) || unlink(exe)) {
		ok(0, "%s: a deleted executable: the target runs", audit_src_opt[s]);
		return;
	}
	nm = read_maps(t.pid, m, 64);
	p = run_audit(&c, s, t.pid);
	/* Every executable mapping maps shows " (deleted)", and nothing else. */
	for (i = 0; i < nm; i++) {
		int k;

		if (m[i].perms[2] != 'x' || !strstr(m[i].name, " (deleted)"))
			continue;
		want++;
		for (k = 0; (f = js_at(js_get(p, "findings"), k)); k++)
			found += js_is(js_get(f, "kind"), "exec_deleted") && vma_is(f, &m[i]);
	}
	ok(c.status == 1 && want >= 1 && found == want && findings_of(p, NULL, NULL) == want,
	   "%s: an executable deleted while it runs: exec_deleted on each of its %d executable "
	   "mappings, nothing else", audit_src_opt[s], want);
	if (found != want || findings_of(p, NULL, NULL) != want)
		diag("exit %d: %s", c.status, js_show(js_get(p, "findings")));
	cli_free(&c);
	tgt_stop(&t);
}

static void case_memfd_exec(int s)
{
	struct mline m[64];
	const struct mline *ml;
	const char *p, *f = NULL;
	struct tgt t;
	struct cli c;
	int fd = memfd_create("vms-audit-exe", MFD_CLOEXEC), src, nm;
	char buf[65536];
	ssize_t n;

	src = open(audit_vt, O_RDONLY);
	while (fd >= 0 && src >= 0 && (n = read(src, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			break;
	if (src >= 0)
		close(src);
	if (fd < 0 || start_vt(&t, "memfd", fd)) {
		tap_skip("fexecve of a memfd failed here (vm.memfd_noexec?)",
			 "%s: a program run from a memfd", audit_src_opt[s]);
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	nm = read_maps(t.pid, m, 64);
	ml = maps_text(m, nm, "/memfd:vms-audit-exe");
	p = run_audit(&c, s, t.pid);
	ok(c.status == 1 && ml && findings_of(p, "exec_memfd", &f) >= 1 && vma_is(f, ml) &&
	   findings_of(p, NULL, NULL) == findings_of(p, "exec_memfd", NULL),
	   "%s: a program run from a memfd (fexecve): exec_memfd on its code, nothing else",
	   audit_src_opt[s]);
	if (c.status != 1)
		diag("exit %d: %s", c.status, js_show(js_get(p, "findings")));
	cli_free(&c);
	tgt_stop(&t);
}

/* ---- several processes, --all, exit status ------------------------------------- */

static void case_missing(int s)
{
	struct mline m[64];
	const struct mline *text;
	unsigned char orig[8];
	struct tgt t, pt;
	struct cli c;
	const char *gone;
	char exe[256];
	int nm;

	snprintf(exe, sizeof(exe), "%s/clean2", audit_dir);
	if (copy_file(audit_vt, exe) || start_vt(&t, exe, -1)) {
		ok(0, "a clean process and a missing one: the target runs");
		return;
	}
	cli_run(&c, "-j audit --source %s %d 4194303", audit_src_opt[s], t.pid);
	gone = audit_proc(c.out, 4194303);
	ok(c.status == 3 && audit_proc(c.out, t.pid) && js_int(js_get(gone, "errno")) == ESRCH &&
	   js_get(gone, "error") && js_bool(js_get(c.out, "complete")) == 0,
	   "%s: a clean process and a missing pid: the missing one listed with its error, exit 3 "
	   "(could not check)", audit_src_opt[s]);
	cli_free(&c);
	if (start_patched(&pt, "patched2", 0x1000, 1, false, orig, m, &nm, &text)) {
		ok(0, "a patched process and a missing one: the target runs");
	} else {
		cli_run(&c, "audit --source %s %d 4194303", audit_src_opt[s], pt.pid);
		ok(c.status == 1 && strstr(c.out, "PID 4194303: not checked: no such process"),
		   "%s: a patched process and a missing pid: exit 1 (found), the missing one "
		   "listed as not checked", audit_src_opt[s]);
		cli_free(&c);
	}
	tgt_stop(&pt);
	tgt_stop(&t);
}

/* --all, as root: every target found as alone; as a user, nothing skipped unsaid. */
static void case_all(void)
{
	struct mline m[64];
	const struct mline *text;
	unsigned char orig[8];
	struct tgt clean, pt;
	struct cli c;
	char exe[256];
	int nm;

	snprintf(exe, sizeof(exe), "%s/clean3", audit_dir);
	if (copy_file(audit_vt, exe) || start_vt(&clean, exe, -1) ||
	    start_patched(&pt, "patched3", 0x1100, 8, false, orig, m, &nm, &text)) {
		ok(0, "audit --all: the targets run");
		return;
	}
	cli_run(&c, "-j audit --all");
	{
		const char *pc = audit_proc(c.out, clean.pid), *pp = audit_proc(c.out, pt.pid), *f;
		const char *sum = js_get(c.out, "summary");

		findings_of(pp, "modified_code", &f);
		ok(c.status == 1 && js_bool(js_get(c.out, "all")) == 1 && pc &&
		   findings_of(pc, NULL, NULL) == 0 && f && vma_is(f, text) &&
		   range_ok(js_at(js_get(f, "pages"), 0), &pt, text, pt.addr, 8) &&
		   js_int(js_get(sum, "kernel_threads")) > 0 &&
		   js_int(js_get(sum, "processes")) == js_len(js_get(c.out, "processes")),
		   "audit --all: the patched target's range, the clean one clean, kernel threads "
		   "counted, exit 1");
		if (c.status != 1)
			diag("exit %d: %s", c.status, c.err);
	}
	cli_free(&c);
	tgt_stop(&pt);
	tgt_stop(&clean);
}

/*
 * Run vmscope -j audit ARG as uid/gid 1000 with no capabilities: its
 * status, its stdout (stderr goes to /dev/null).
 */
static int run_as_user(char *out, size_t sz, const char *arg)
{
	const char *cli = access("build/vmscope", X_OK) ? "vmscope" : "build/vmscope";
	int pfd[2], st, null;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 2);
		close(pfd[0]);
		close(pfd[1]);
		if (setgid(1000) || setuid(1000))
			_exit(126);
		execlp(cli, cli, "-j", "audit", arg, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (got + 1 < (ssize_t)sz && (n = read(pfd[0], out + got, sz - 1 - got)) > 0)
		got += n;
	out[got] = 0;
	close(pfd[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void case_all_user(void)
{
	static char out[1 << 20];
	struct tgt clean;
	const char *p;
	char exe[256];
	int rc;

	if (geteuid() != 0) {
		tap_skip("not root: cannot become another user", "audit --all as a user");
		return;
	}
	snprintf(exe, sizeof(exe), "%s/clean4", audit_dir);
	if (copy_file(audit_vt, exe) || start_vt(&clean, exe, -1)) {
		ok(0, "audit --all as a user: the target runs");
		return;
	}
	rc = run_as_user(out, sizeof(out), "--all");
	if (rc == 126 || rc == 127) {
		tap_skip("uid 1000 cannot run vmscope here", "audit --all as a user");
		tgt_stop(&clean);
		return;
	}
	p = audit_proc(out, clean.pid);
	ok(rc == 3 && p && js_get(p, "error") && js_int(js_get(p, "errno")) == EACCES &&
	   js_bool(js_get(p, "exited")) == 0 && js_int(js_get(js_get(out, "summary"),
							      "not_checked")) > 0,
	   "audit --all as uid 1000 without capabilities: root's processes listed as not "
	   "checked (EACCES), never left out; exit 3");
	if (rc != 3 || !p)
		diag("exit %d: %.300s", rc, out);
	tgt_stop(&clean);
}

/*
 * A user's own patched process, audited by that user: pagemap without
 * kpageflags, the page from /proc/PID/mem, the file by its path
 * (map_files needs CAP_SYS_ADMIN).
 */
static void case_user_own(void)
{
	static char out[1 << 16];
	struct mline m[64];
	const struct mline *text;
	unsigned char orig[8];
	const char *p, *f = NULL;
	char pid[16];
	struct tgt t;
	int rc, nm;

	if (geteuid() != 0) {
		tap_skip("not root: cannot become another user", "a user audits their own process");
		return;
	}
	start_uid = 1000;
	rc = start_patched(&t, "userown", 0x1800, 8, false, orig, m, &nm, &text);
	start_uid = 0;
	if (rc) {
		ok(0, "a user audits their own process: the target runs as uid 1000");
		tgt_stop(&t);
		return;
	}
	snprintf(pid, sizeof(pid), "%d", t.pid);
	rc = run_as_user(out, sizeof(out), pid);
	if (rc == 126 || rc == 127) {
		tap_skip("uid 1000 cannot run vmscope here", "a user audits their own process");
		tgt_stop(&t);
		return;
	}
	p = audit_proc(out, t.pid);
	findings_of(p, "modified_code", &f);
	ok(rc == 1 && js_is(js_get(p, "source"), "pagemap") && f && vma_is(f, text) &&
	   js_is(js_get(f, "file"), "path") && js_is(js_get(f, "memory"), "proc_mem") &&
	   range_ok(js_at(js_get(f, "pages"), 0), &t, text, t.addr, 8),
	   "uid 1000 audits its own patched process: pagemap without kpageflags, the file by "
	   "its path, the range exact");
	if (rc != 1 || !f)
		diag("exit %d: %.400s", rc, out);
	tgt_stop(&t);
}

static void case_usage(void)
{
	struct cli c;

	cli_run(&c, "-j audit");
	ok(c.status == 2 && js_int(js_get(c.out, "errno")) == EINVAL,
	   "audit with no PID: exit 2, a JSON error (EINVAL)");
	cli_free(&c);
	cli_run(&c, "audit --all 1");
	ok(c.status == 2 && strstr(c.err, "give PIDs or --all, not both"),
	   "audit --all with a PID: exit 2");
	cli_free(&c);
	cli_run(&c, "audit --source nope 1");
	ok(c.status == 2 && strstr(c.err, "unknown source 'nope'") && count_lines(c.err) == 1,
	   "audit --source nope: exit 2, one line naming it");
	cli_free(&c);
	cli_run(&c, "audit 2");
	ok(c.status == 3 && strstr(c.out, "PID 2: not checked: process 2 is a kernel thread"),
	   "audit of a kernel thread: not checked, said why, exit 3");
	cli_free(&c);
}

static int audit_setup(const char *argv0)
{
	char self[400], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)argv0;
	if (n <= 0)
		return -1;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = 0;
	snprintf(audit_vt, sizeof(audit_vt), "%s/vmtarget", self);
	snprintf(audit_dir, sizeof(audit_dir), "/tmp/vms-audit.XXXXXX");
	if (!mkdtemp(audit_dir))
		return -1;
	chmod(audit_dir, 0755);
	return access(audit_vt, X_OK);
}

static void audit_cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", audit_dir);
	if (system(cmd))
		diag("could not remove %s", audit_dir);
}

/* Every case that takes a source, for source s. */
static void audit_cases(int s)
{
	case_clean(s);
	case_patched(s);
	case_boundary(s);
	case_identical(s);
	case_one_finding(s, make_wx, "wx", "rwxp", "a file mapped writable and executable");
	case_one_finding(s, make_exec_anon, "exec_anon", "r-xp",
			 "anonymous memory made executable (mprotect)");
	case_one_finding(s, make_memfd_map, "exec_memfd", "r-xp", "a memfd mapped executable");
	case_deleted(s);
	case_memfd_exec(s);
	case_missing(s);
}

#endif /* VMSCOPE_AUDIT_CASES_H */
