// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "common.h"
#include "vmscope_uapi.h"
#include "vma.h"

bool json_output;
bool verbose;
const char *prog_name = "vmscope";

/* ---- errors ------------------------------------------------------------ */

static void jw_raw_string(FILE *f, const char *s);

void p_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_output) {
		fputs("{\"error\":", stdout);
		jw_raw_string(stdout, msg);
		fputs("}\n", stdout);
		fflush(stdout);
	}
	fprintf(stderr, "%s: %s\n", prog_name, msg);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- JSON -------------------------------------------------------------- */

/* Nesting depth and whether the current container already has a member. */
static int jw_depth;
static bool jw_has[64];

static void jw_raw_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* jw_key() was just called: the value that follows takes no separator. */
static bool jw_after_key;

static void jw_sep(const char *k)
{
	if (jw_after_key) {
		jw_after_key = false;
		if (!k)
			return;
	}
	if (jw_depth > 0) {
		if (jw_has[jw_depth])
			fputc(',', stdout);
		jw_has[jw_depth] = true;
	}
	if (k) {
		jw_raw_string(stdout, k);
		fputc(':', stdout);
	}
}

void jw_key(const char *k) { jw_sep(k); jw_after_key = true; }

static void jw_open(const char *k, char c)
{
	jw_sep(k);
	fputc(c, stdout);
	if (jw_depth < (int)ARRAY_SIZE(jw_has) - 1)
		jw_depth++;
	jw_has[jw_depth] = false;
}

void jw_start_obj(void) { jw_open(NULL, '{'); }
void jw_start_arr(void) { jw_open(NULL, '['); }
void jw_end_obj(void) { fputc('}', stdout); jw_depth--; }
void jw_end_arr(void) { fputc(']', stdout); jw_depth--; }
void jw_done(void) { fputc('\n', stdout); jw_depth = 0; jw_has[0] = false; }

void jw_str(const char *k, const char *v) { jw_sep(k); jw_raw_string(stdout, v); }
void jw_u64(const char *k, uint64_t v) { jw_sep(k); printf("%llu", (unsigned long long)v); }
void jw_i64(const char *k, int64_t v) { jw_sep(k); printf("%lld", (long long)v); }
void jw_hex(const char *k, uint64_t v) { jw_sep(k); printf("\"0x%llx\"", (unsigned long long)v); }
void jw_bool(const char *k, bool v) { jw_sep(k); fputs(v ? "true" : "false", stdout); }
void jw_null(const char *k) { jw_sep(k); fputs("null", stdout); }

/* ---- parsing ----------------------------------------------------------- */

int parse_u64(const char *s, const char *what, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s)) {
		p_err("invalid %s '%s': expected a non-negative number", what, s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno == ERANGE) {
		p_err("invalid %s '%s': out of range", what, s);
		return -ERANGE;
	}
	if (errno || *end) {
		p_err("invalid %s '%s': not a number", what, s);
		return -EINVAL;
	}
	*v = x;
	return 0;
}

int parse_pid(const char *s, pid_t *pid)
{
	uint64_t v;
	char *end;

	if (!s || !*s || !isdigit((unsigned char)*s)) {
		p_err("invalid pid '%s': expected a positive decimal number", s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > 4194304) {
		p_err("invalid pid '%s': expected 1..4194304", s);
		return -EINVAL;
	}
	*pid = (pid_t)v;
	return 0;
}

/*
 * Addresses are hex, with or without 0x.  They must be canonical user
 * addresses: below the top of the user half (47 or 56 bits).
 */
int parse_addr(const char *s, uint64_t *addr)
{
	const char *p = s;
	unsigned long long v;
	char *end;

	if (!s || !*s) {
		p_err("invalid address '': expected hex");
		return -EINVAL;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (!*p || !isxdigit((unsigned char)*p)) {
		p_err("invalid address '%s': expected hex digits", s);
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(p, &end, 16);
	if (errno == ERANGE || strlen(p) > 16) {
		p_err("invalid address '%s': more than 64 bits", s);
		return -ERANGE;
	}
	if (*end) {
		p_err("invalid address '%s': '%c' is not a hex digit", s, *end);
		return -EINVAL;
	}
	/* Kernel halves start at 0xffff8... (4-level) and 0xff0... (5-level);
	 * user halves end below 1 << 47 or 1 << 56.  Between: non-canonical. */
	if (v >= 0xff00000000000000ull) {
		p_err("invalid address '%s': a kernel address, not a user one", s);
		return -EINVAL;
	}
	if (v >> 56) {
		p_err("invalid address '%s': not canonical", s);
		return -EINVAL;
	}
	*addr = v;
	return 0;
}

/* ---- processes --------------------------------------------------------- */

int check_pid(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (access(path, F_OK)) {
		p_err("no such process: %d", pid);
		return -ESRCH;
	}
	return 0;
}

/* PF_KTHREAD in the flags field (9th) of /proc/PID/stat. */
bool pid_is_kthread(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	if (!p)
		return false;
	for (i = 0; i < 7 && p; i++)	/* state ppid pgrp session tty tpgid flags */
		p = strchr(p + 1, ' ');
	if (!p)
		return false;
	flags = strtoul(p + 1, NULL, 10);
	return flags & 0x00200000;
}

/* ---- BPF --------------------------------------------------------------- */

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (!verbose && level != LIBBPF_WARN))
		return 0;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void bpf_setup(void)
{
	libbpf_set_print(libbpf_print);
}

const char *bpf_err_hint(int err)
{
	if (err == -EACCES)
		return "rejected by the BPF verifier (run with -v to see its log)";
	if (err == -EPERM)
		return "permission denied: BPF needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)";
	if (err == -ENOSYS)
		return "this kernel has no BPF syscall";
	return strerror(-err);
}

void vm_flags_perms(uint64_t f, char perms[5])
{
	perms[0] = f & VMS_VM_READ ? 'r' : '-';
	perms[1] = f & VMS_VM_WRITE ? 'w' : '-';
	perms[2] = f & VMS_VM_EXEC ? 'x' : '-';
	perms[3] = f & VMS_VM_MAYSHARE ? 's' : 'p';
	perms[4] = 0;
}

const char *vma_kind_name(unsigned int k)
{
	static const char *const names[] = {
		"anon", "file", "heap", "stack", "special", "anon_named", "anon_shmem",
	};
	return k < ARRAY_SIZE(names) ? names[k] : "unknown";
}

void jw_vma(const struct vms_vma *r, const char *name)
{
	char perms[5];

	vm_flags_perms(r->vm_flags, perms);
	jw_hex("start", r->start);
	jw_hex("end", r->end);
	jw_u64("size", r->end - r->start);
	jw_str("perms", perms);
	jw_hex("vm_flags", r->vm_flags);
	jw_hex("offset", r->pgoff);
	jw_u64("dev_major", r->dev >> 20);
	jw_u64("dev_minor", r->dev & 0xfffff);
	jw_u64("inode", r->ino);
	jw_str("kind", vma_kind_name(r->name_kind));
	jw_str("name", name);
}

void fput_name(FILE *f, const char *name)
{
	for (; *name; name++) {
		if (*name == '\n')
			fputs("\\012", f);
		else
			fputc(*name, f);
	}
}

const char *fmt_size(uint64_t b, char *buf, size_t sz)
{
	static const char units[] = "KMGTPE";
	int u = -1;
	uint64_t div = 1;

	if (b < 1024) {
		snprintf(buf, sz, "%lluB", (unsigned long long)b);
		return buf;
	}
	while (u < 5 && b / div >= 1024) {
		div *= 1024;
		u++;
	}
	if (b % div == 0)
		snprintf(buf, sz, "%llu%c", (unsigned long long)(b / div), units[u]);
	else
		snprintf(buf, sz, "%.1f%c", (double)b / div, units[u]);
	return buf;
}
