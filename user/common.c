// SPDX-License-Identifier: GPL-2.0
/* Shared CLI helpers (common.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "vmscope_uapi.h"

bool verbose;
const char *prog_name = "vmscope";
const char *cmd_name;

/* ---- errors ------------------------------------------------------------ */

static void vp_error(int err, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (json_output && !jw_started())
		jw_error(msg, err);
	/* "vmscope: CMD: message", whether or not the caller named the command. */
	if (cmd_name && !(!strncmp(msg, cmd_name, strlen(cmd_name)) &&
			  msg[strlen(cmd_name)] == ':'))
		fprintf(stderr, "%s: %s: %s\n", prog_name, cmd_name, msg);
	else
		fprintf(stderr, "%s: %s\n", prog_name, msg);
}

void p_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_error(err, fmt, ap);
	va_end(ap);
}

void p_usage(const char *cmd, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cmd)
		p_error(EINVAL, "%s: %s; see '%s %s --help'", cmd, msg, prog_name, cmd);
	else
		p_error(EINVAL, "%s; see '%s --help'", msg, prog_name);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void p_note(const char *fmt, ...)
{
	va_list ap;

	if (cmd_name)
		fprintf(stderr, "%s: %s: ", prog_name, cmd_name);
	else
		fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- parsing ----------------------------------------------------------- */

/* Decimal, or hex after 0x; never octal (a leading 0 is decimal). */
static int parse_number(const char *s, const char *what, bool suffix, uint64_t *v)
{
	unsigned long long x, mul = 1;
	const char *p = s;
	char *end;
	int base = 10;

	if (!s || !*s || !isdigit((unsigned char)*s)) {
		p_error(EINVAL, "invalid %s '%s': expected a number", what, s ? s : "");
		return -EINVAL;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!isxdigit((unsigned char)*p)) {
			p_error(EINVAL, "invalid %s '%s': no hex digits after 0x", what, s);
			return -EINVAL;
		}
	}
	errno = 0;
	x = strtoull(p, &end, base);
	if (errno == ERANGE) {
		p_error(ERANGE, "invalid %s '%s': more than 64 bits", what, s);
		return -ERANGE;
	}
	if (suffix && *end && !end[1]) {
		switch (*end) {
		case 'k': case 'K': mul = 1ull << 10; end++; break;
		case 'm': case 'M': mul = 1ull << 20; end++; break;
		case 'g': case 'G': mul = 1ull << 30; end++; break;
		}
	}
	if (*end) {
		p_error(EINVAL, "invalid %s '%s': '%c' is not a %s digit%s", what, s, *end,
			base == 16 ? "hex" : "decimal", suffix ? " or a K, M, G suffix" : "");
		return -EINVAL;
	}
	if (mul > 1 && x > UINT64_MAX / mul) {
		p_error(ERANGE, "invalid %s '%s': more than 64 bits", what, s);
		return -ERANGE;
	}
	*v = x * mul;
	return 0;
}

int parse_size(const char *s, const char *what, uint64_t *v)
{
	return parse_number(s, what, true, v);
}

int parse_uint(const char *s, const char *what, uint64_t *v)
{
	return parse_number(s, what, false, v);
}

static ssize_t read_small(const char *path, char *buf, size_t sz);

int parse_pid(const char *s, pid_t *pid)
{
	uint64_t v;
	char *end;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s)) {
		p_error(EINVAL, "invalid pid '%s': not a number (a PID is decimal, 1..4194304)",
			s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > 4194304) {
		p_error(EINVAL, "invalid pid '%s': expected 1..4194304", s);
		return -EINVAL;
	}
	*pid = (pid_t)v;
	/*
	 * A thread's ID names its process's address space (/proc/TID/maps is
	 * the process's), but the listing goes by thread-group leaders: take
	 * the leader, and say so.
	 */
	{
		char path[64], buf[2048], *t;
		ssize_t n;
		long tgid;

		snprintf(path, sizeof(path), "/proc/%d/status", *pid);
		n = read_small(path, buf, sizeof(buf));
		t = n > 0 ? strstr(buf, "\nTgid:") : NULL;
		if (t && (tgid = strtol(t + 6, NULL, 10)) > 0 && tgid != *pid) {
			p_info("vmscope: %s: %d is a thread of process %ld, whose address space "
			       "it shares: showing process %ld\n", cmd_name ? cmd_name : "vmscope",
			       *pid, tgid, tgid);
			*pid = (pid_t)tgid;
		}
	}
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
		p_error(EINVAL, "invalid address '': expected hex");
		return -EINVAL;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (!*p || !isxdigit((unsigned char)*p)) {
		p_error(EINVAL, "invalid address '%s': expected hex digits", s);
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(p, &end, 16);
	if (errno == ERANGE || strspn(p, "0123456789abcdefABCDEF") > 16) {
		p_error(ERANGE, "invalid address '%s': more than 64 bits", s);
		return -ERANGE;
	}
	if (*end) {
		p_error(EINVAL, "invalid address '%s': '%c' is not a hex digit", s, *end);
		return -EINVAL;
	}
	/* Kernel halves start at 0xffff8... (4-level) and 0xff0... (5-level);
	 * user halves end below 1 << 47 or 1 << 56.  Between: non-canonical. */
	if (v >= 0xff00000000000000ull) {
		p_error(EINVAL, "invalid address '%s': a kernel address, not a user one", s);
		return -EINVAL;
	}
	if (v >> 56) {
		p_error(EINVAL, "invalid address '%s': not canonical", s);
		return -EINVAL;
	}
	*addr = v;
	return 0;
}

/* ---- processes --------------------------------------------------------- */

static ssize_t read_small(const char *path, char *buf, size_t sz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sz - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

bool pid_exists(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return access(path, F_OK) == 0;
}

/* Field f (1-based, after the comm) of /proc/PID/stat, or NULL. */
static const char *stat_field(pid_t pid, int f, char *buf, size_t sz)
{
	char path[64], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_small(path, buf, sz) <= 0)
		return NULL;
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	for (i = 0; i < f && p; i++)
		p = strchr(p + 1, ' ');
	return p ? p + 1 : NULL;
}

bool pid_is_kthread(pid_t pid)
{
	char buf[1024];
	const char *p = stat_field(pid, 7, buf, sizeof(buf));	/* flags */

	return p && (strtoul(p, NULL, 10) & 0x00200000);	/* PF_KTHREAD */
}

bool pid_is_zombie(pid_t pid)
{
	char buf[1024];
	const char *p = stat_field(pid, 1, buf, sizeof(buf));	/* state */

	return p && (*p == 'Z' || *p == 'X');
}

int pid_start_time(pid_t pid, unsigned long long *start)
{
	char buf[1024], *end;
	const char *p = stat_field(pid, 20, buf, sizeof(buf));	/* field 22: starttime */

	if (!p)
		return pid_exists(pid) ? -EIO : -ESRCH;
	errno = 0;
	*start = strtoull(p, &end, 10);
	return errno || end == p ? -EIO : 0;
}

const char *pid_cmdline(pid_t pid, char *buf, size_t sz)
{
	char path[64];
	ssize_t n, i;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = read_small(path, buf, sz);
	if (n > 0) {
		for (i = 0; i < n - 1; i++)
			if (!buf[i])
				buf[i] = ' ';
		return buf;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	n = read_small(path, buf + 1, sz - 2);
	if (n <= 0)
		return "?";
	buf[0] = '[';
	if (buf[n] == '\n')
		n--;
	buf[n + 1] = ']';
	buf[n + 2] = 0;
	return buf;
}

int pid_no_vmas(pid_t pid, char *msg, size_t sz)
{
	if (!pid_exists(pid)) {
		snprintf(msg, sz, "no such process: %d", pid);
		return ESRCH;
	}
	if (pid_is_kthread(pid)) {
		snprintf(msg, sz, "process %d is a kernel thread: it has no user address space",
			 pid);
		return EINVAL;
	}
	if (pid_is_zombie(pid)) {
		snprintf(msg, sz, "process %d has exited: it has no address space left", pid);
		return ESRCH;
	}
	snprintf(msg, sz, "process %d's mappings cannot be read (another pid namespace, or it "
		 "is exiting)", pid);
	return EACCES;
}

/* ---- BPF --------------------------------------------------------------- */

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void bpf_setup(void)
{
	libbpf_set_print(libbpf_print);
}

const char *errno_name(int err)
{
	static char buf[24];

	switch (err < 0 ? -err : err) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case ENOTTY: return "ENOTTY";
	case EAGAIN: return "EAGAIN";
	case ENOTSUP: return "EOPNOTSUPP";
	case EPROTO: return "EPROTO";
	}
	snprintf(buf, sizeof(buf), "errno %d", err < 0 ? -err : err);
	return buf;
}

const char *bpf_err_hint(int err)
{
	if (err == -EACCES)
		return "refused by this kernel's BPF verifier; 'vmscope -v status' shows its reason";
	if (err == -EPERM)
		return "permission denied: BPF needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN), "
		       "and a kernel that is not locked down";
	if (err == -ENOSYS)
		return "this kernel has no BPF syscall";
	if (err == -EINVAL || err == -ENOTSUP || err == -E2BIG)
		return err == -EINVAL ? "the kernel refused the program (EINVAL); 'vmscope -v "
					"status' shows what was tried" :
		       err == -ENOTSUP ? "the kernel does not support the program (EOPNOTSUPP); "
					 "'vmscope -v status' shows what was tried" :
		       "the kernel refused the program (E2BIG); 'vmscope -v status' shows what "
		       "was tried";
	return strerror(-err);
}

/* ---- VMAs -------------------------------------------------------------- */

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
	if (r->rflags & VMS_R_NAME_TRUNC)
		jw_bool("name_truncated", true);
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

char *cell_hex(char *p, uint64_t v, int width)
{
	char d[16];
	int n = 0;

	do {
		d[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (width-- > n)
		*p++ = '0';
	while (n)
		*p++ = d[--n];
	return p;
}

char *cell_udec(char *p, uint64_t v, int width)
{
	char d[20];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (width-- > n)
		*p++ = ' ';
	while (n)
		*p++ = d[--n];
	return p;
}

int hex_digits(uint64_t v)
{
	int n = 1;

	while (v >>= 4)
		n++;
	return n;
}

int dec_digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

char *cell_str(char *p, const char *s, int width, bool left)
{
	size_t n = strlen(s);
	int pad = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (pad-- > 0)
			*p++ = ' ';
	memcpy(p, s, n);
	p += n;
	if (left)
		while (pad-- > 0)
			*p++ = ' ';
	return p;
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
