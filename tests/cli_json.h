/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the vmscope CLI from a C test and reading its JSON: cli_run()
 * (stdout, stderr and the exit status of one run) and a small reader for
 * vmscope's documents (js_get, js_at, ...), enough to walk them without a
 * JSON library.  Header-only, like guest_util.h: each test is one file.
 */
#ifndef VMSCOPE_CLI_JSON_H
#define VMSCOPE_CLI_JSON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

extern char **environ;

/* ---- a JSON reader, enough for vmscope's documents ------------------------------ */

/* The end of the JSON value at p (one past it), or NULL. */
static inline const char *js_skip(const char *p)
{
	int depth = 0;
	bool str = false;

	if (!p)
		return NULL;
	for (; *p; p++) {
		if (str) {
			if (*p == '\\' && p[1]) {
				p++;
			} else if (*p == '"') {
				str = false;
				if (!depth)
					return p + 1;
			}
			continue;
		}
		switch (*p) {
		case '"':
			str = true;
			break;
		case '{': case '[':
			depth++;
			break;
		case '}': case ']':
			if (!depth)
				return p;
			if (!--depth)
				return p + 1;
			break;
		case ',':
			if (!depth)
				return p;
			break;
		}
	}
	return depth ? NULL : p;
}

/* Member k of the object at obj, or NULL. */
static inline const char *js_get(const char *obj, const char *k)
{
	size_t kl = strlen(k);
	const char *p;

	if (!obj || *obj != '{')
		return NULL;
	p = obj + 1;
	while (*p == '"') {
		const char *key = p + 1, *v = js_skip(p);

		if (!v || *v != ':')
			return NULL;
		v++;
		if (!strncmp(key, k, kl) && key[kl] == '"')
			return v;
		p = js_skip(v);
		if (!p || *p != ',')
			return NULL;
		p++;
	}
	return NULL;
}

/* Element i of the array at arr, or NULL. */
static inline const char *js_at(const char *arr, int i)
{
	const char *p;

	if (!arr || *arr != '[' || arr[1] == ']')
		return NULL;
	for (p = arr + 1; i > 0; i--) {
		p = js_skip(p);
		if (!p || *p != ',')
			return NULL;
		p++;
	}
	return p;
}

static inline int js_len(const char *arr)
{
	int n = 0;

	while (js_at(arr, n))
		n++;
	return n;
}

static inline bool js_null(const char *v)
{
	return v && !strncmp(v, "null", 4);
}

/* The string at v is s. */
static inline bool js_is(const char *v, const char *s)
{
	size_t n = strlen(s);

	return v && *v == '"' && !strncmp(v + 1, s, n) && v[n + 1] == '"';
}

/* 1, 0, or -1 for null (or missing). */
static inline int js_bool(const char *v)
{
	return v && !strncmp(v, "true", 4) ? 1 : v && !strncmp(v, "false", 5) ? 0 : -1;
}

/* A "0x..." string's value; ~0 when v is not one. */
static inline uint64_t js_hex(const char *v)
{
	return v && !strncmp(v, "\"0x", 3) ? strtoull(v + 3, NULL, 16) : ~0ull;
}

static inline long long js_int(const char *v)
{
	return v && (*v == '-' || (*v >= '0' && *v <= '9')) ? strtoll(v, NULL, 10) : -999;
}

/* The array at arr holds the string s. */
static inline bool js_has(const char *arr, const char *s)
{
	int i;

	for (i = 0; js_at(arr, i); i++)
		if (js_is(js_at(arr, i), s))
			return true;
	return false;
}

/* The values at a and b are the same text (both missing counts as equal). */
static inline bool js_eq(const char *a, const char *b)
{
	const char *ea = js_skip(a), *eb = js_skip(b);

	if (!a || !b || !ea || !eb)
		return !a && !b;
	return ea - a == eb - b && !strncmp(a, b, ea - a);
}

/* A copy of the JSON value at v, for diagnostics. */
static inline const char *js_show(const char *v)
{
	static char buf[240];
	const char *e = js_skip(v);

	if (!v || !e)
		return "(none)";
	snprintf(buf, sizeof(buf), "%.*s", (int)(e - v < 239 ? e - v : 239), v);
	return buf;
}

/* ---- running vmscope ---------------------------------------------------------- */

struct cli {
	char *out, *err;	/* its stdout and stderr */
	int status;		/* exit status, or -1 */
};

static inline void cli_free(struct cli *c)
{
	free(c->out);
	free(c->err);
	memset(c, 0, sizeof(*c));
}

static inline char *slurp_fd(int fd)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *s = malloc(n > 0 ? n + 1 : 1);

	if (!s)
		return NULL;
	if (n <= 0 || pread(fd, s, n, 0) != n)
		n = 0;
	s[n] = 0;
	close(fd);
	return s;
}

/*
 * Run vmscope with the words of fmt (split at spaces).  posix_spawn, not
 * fork: a fork would share this process's pages with the child and change
 * what pagemap says about them (mapcounts, the exclusive bit).  The CLI is
 * build/vmscope when run from the source tree, else the one in PATH.
 */
static inline void cli_run(struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void cli_run(struct cli *c, const char *fmt, ...)
{
	char line[1024], *argv[64], *save = NULL, *w;
	char out_path[] = "/tmp/vms-pm-out.XXXXXX", err_path[] = "/tmp/vms-pm-err.XXXXXX";
	posix_spawn_file_actions_t fa;
	int argc = 0, ofd, efd, st;
	va_list ap;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	c->status = -1;
	argv[argc++] = access("build/vmscope", X_OK) ? "vmscope" : "build/vmscope";
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (w = strtok_r(line, " ", &save); w && argc < 63; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	ofd = mkstemp(out_path);
	efd = mkstemp(err_path);
	if (ofd < 0 || efd < 0)
		return;
	unlink(out_path);
	unlink(err_path);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, ofd, 1);
	posix_spawn_file_actions_adddup2(&fa, efd, 2);
	if (!posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) && waitpid(pid, &st, 0) == pid)
		c->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	posix_spawn_file_actions_destroy(&fa);
	c->out = slurp_fd(ofd);
	c->err = slurp_fd(efd);
}

/* Lines of text. */
static inline int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

#endif /* VMSCOPE_CLI_JSON_H */
