// SPDX-License-Identifier: GPL-2.0
/* The write journal (journal_file.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <zlib.h>
#include "common.h"
#include "journal_file.h"

/* ---- where it lives -------------------------------------------------------------- */

/*
 * The euid's home directory from /etc/passwd into buf (getpwuid() would
 * need glibc's NSS libraries at run time, which the static CLI lacks).
 */
static const char *passwd_home(char *buf, size_t sz)
{
	FILE *f = fopen("/etc/passwd", "re");
	char line[1024];
	const char *home = NULL;

	while (f && !home && fgets(line, sizeof(line), f)) {
		char *fl[7], *p = line;
		int i;

		for (i = 0; i < 7 && p; i++) {
			fl[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = 0;
		}
		if (i == 7 && strtoul(fl[2], NULL, 10) == geteuid() && *fl[2]) {
			snprintf(buf, sz, "%s", fl[5]);
			home = buf;
		}
	}
	if (f)
		fclose(f);
	return home;
}

int journal_path(struct journal *j, const char *opt, const char **why)
{
	const char *base = getenv("XDG_STATE_HOME"), *sub = "vmscope/journal";
	char pw[PATH_MAX];
	int n;

	j->fd = -1;
	j->locked = false;
	j->default_path = !opt;
	if (opt) {
		n = snprintf(j->path, sizeof(j->path), "%s", opt);
		*why = "the --journal path is too long";
		return n > 0 && (size_t)n < sizeof(j->path) ? 0 : -ENAMETOOLONG;
	}
	/* The XDG Base Directory rule: a relative $XDG_STATE_HOME is ignored. */
	if (!base || base[0] != '/') {
		base = getenv("HOME");
		if (!base || base[0] != '/')
			base = passwd_home(pw, sizeof(pw));
		if (!base || base[0] != '/') {
			*why = "no home directory ($HOME is unset and the password database has "
			       "none): give --journal FILE";
			return -ENOENT;
		}
		sub = ".local/state/vmscope/journal";
	}
	n = snprintf(j->path, sizeof(j->path), "%s%s%s", base,
		     base[strlen(base) - 1] == '/' ? "" : "/", sub);
	*why = "the journal's path is too long";
	return n > 0 && (size_t)n < sizeof(j->path) ? 0 : -ENAMETOOLONG;
}

/* The directories above the default journal, made 0700 where missing. */
static int make_dirs(const char *path)
{
	char dir[PATH_MAX], *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = 0;
	for (p = dir + 1; ; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;

		*p = 0;
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			return 0;
	}
}

int journal_open(struct journal *j, bool create, bool write, char *why, size_t sz)
{
	int flags = (write ? O_RDWR | O_APPEND : O_RDONLY) | O_CLOEXEC | O_NOCTTY;
	struct stat st;
	int err;

	if (create && write) {
		flags |= O_CREAT;
		if (j->default_path) {
			err = make_dirs(j->path);
			if (err) {
				snprintf(why, sz, "cannot make its directory: %s", strerror(-err));
				return err;
			}
		}
	}
	j->fd = open(j->path, flags, 0600);
	if (j->fd < 0) {
		err = -errno;
		snprintf(why, sz, "%s", strerror(-err));
		return err;
	}
	if (fstat(j->fd, &st)) {
		err = -errno;
		snprintf(why, sz, "%s", strerror(-err));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		snprintf(why, sz, "not a regular file");
		goto fail;
	}
	/* It holds the bytes of other processes' memory: for its owner only. */
	if (write && (st.st_mode & 077)) {
		if (st.st_uid != geteuid() || fchmod(j->fd, 0600)) {
			err = -EPERM;
			snprintf(why, sz, "others may read it (mode %04o) and it is not ours to "
				 "make 0600", (unsigned int)(st.st_mode & 07777));
			goto fail;
		}
		p_info("vmscope: %s: the journal %s was mode %04o: made 0600\n", cmd_name, j->path,
		       (unsigned int)(st.st_mode & 07777));
	}
	if (flock(j->fd, (write ? LOCK_EX : LOCK_SH) | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			err = -errno;
			snprintf(why, sz, "cannot lock it: %s", strerror(-err));
			goto fail;
		}
		p_info("vmscope: %s: waiting for the journal %s: another vmscope write or undo "
		       "holds it\n", cmd_name, j->path);
		while (flock(j->fd, write ? LOCK_EX : LOCK_SH)) {
			if (errno != EINTR) {
				err = -errno;
				snprintf(why, sz, "cannot lock it: %s", strerror(-err));
				goto fail;
			}
		}
	}
	j->locked = true;
	return 0;
fail:
	close(j->fd);
	j->fd = -1;
	return err;
}

void journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);	/* drops the lock */
	j->fd = -1;
	j->locked = false;
}

/* ---- processes --------------------------------------------------------------------- */

static int boot_id(char out[JOURNAL_BOOT_LEN + 1])
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, out, JOURNAL_BOOT_LEN);
	close(fd);
	if (n != JOURNAL_BOOT_LEN)
		return -EIO;
	out[JOURNAL_BOOT_LEN] = 0;
	return 0;
}

int journal_proc_identity(pid_t pid, unsigned long long *start, char boot[JOURNAL_BOOT_LEN + 1])
{
	int err = pid_start_time(pid, start);

	return err ? err : boot_id(boot);
}

enum jtarget journal_target(const struct jentry *e)
{
	char boot[JOURNAL_BOOT_LEN + 1];
	unsigned long long start;

	if (boot_id(boot) == 0 && strcmp(boot, e->boot))
		return JT_OTHER_BOOT;
	if (pid_start_time(e->pid, &start))
		return JT_EXITED;
	return start == e->start ? JT_RUNNING : JT_RESTARTED;
}

const char *journal_target_name(enum jtarget t)
{
	static const char *const names[] = { "running", "exited", "restarted", "other_boot" };

	return names[t];
}

const char *journal_hex(const unsigned char *b, size_t n, size_t max, char *buf)
{
	size_t i, k = n > max ? max : n;

	for (i = 0; i < k; i++)
		sprintf(buf + 2 * i, "%02x", b[i]);
	strcpy(buf + 2 * k, n > k ? "..." : "");
	return buf;
}

/* ---- records ----------------------------------------------------------------------- */

static void now_utc(char out[JOURNAL_TIME_LEN + 1])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, JOURNAL_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void new_id(char out[JOURNAL_ID_LEN + 1])
{
	unsigned long long r;
	struct timespec ts;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		r = (unsigned long long)ts.tv_sec * 1000000007ull ^ ts.tv_nsec ^
		    (unsigned long long)getpid() << 40;
	}
	snprintf(out, JOURNAL_ID_LEN + 1, "%016llx", r);
}

/* comm in one word: printable ASCII but '%', the rest as %XX. */
static size_t escape_comm(const char *s, char *out, size_t sz)
{
	size_t o = 0;

	for (; *s && o + 4 < sz; s++) {
		unsigned char c = *s;

		if (c > 0x20 && c < 0x7f && c != '%')
			out[o++] = c;
		else
			o += snprintf(out + o, sz - o, "%%%02x", c);
	}
	out[o] = 0;
	return o;
}

static char *put_hex(char *p, const unsigned char *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 15];
	}
	return p;
}

/*
 * Append line (len bytes, " crc=X\n" to be added) in one write.  A short
 * write (a full disk) is cut off again: the lock keeps other writers out.
 */
static int append_line(struct journal *j, char *line, size_t len, size_t cap)
{
	uint32_t crc = crc32(0, (const unsigned char *)line, len);
	struct stat st;
	ssize_t n;
	int err;

	len += snprintf(line + len, cap - len, " crc=%08x\n", crc);
	if (fstat(j->fd, &st))
		return -errno;
	n = write(j->fd, line, len);
	if (n == (ssize_t)len)
		return 0;
	err = n < 0 ? -errno : -ENOSPC;
	if (n > 0 && ftruncate(j->fd, st.st_size))
		return -EIO;
	return err;
}

int journal_append_write(struct journal *j, struct jentry *e)
{
	size_t cap = 512 + 4 * e->len + 3 * sizeof(e->comm);
	char *line = malloc(cap), comm[3 * sizeof(e->comm) + 1], *p;
	int err;

	if (!line)
		return -ENOMEM;
	new_id(e->id);
	now_utc(e->time);
	escape_comm(e->comm, comm, sizeof(comm));
	p = line + snprintf(line, cap, "%s write id=%s time=%s pid=%d start=%llu boot=%s "
			    "addr=0x%llx force=%d old=", JOURNAL_TAG, e->id, e->time, e->pid,
			    e->start, e->boot, (unsigned long long)e->addr, e->force);
	p = put_hex(p, e->old, e->len);
	p += sprintf(p, " new=");
	p = put_hex(p, e->new_, e->len);
	p += sprintf(p, " comm=%s", comm);
	err = append_line(j, line, p - line, cap);
	free(line);
	return err;
}

int journal_append_undo(struct journal *j, const char *id, char time_out[JOURNAL_TIME_LEN + 1])
{
	char line[256];
	int n;

	now_utc(time_out);
	n = snprintf(line, sizeof(line), "%s undo id=%s time=%s", JOURNAL_TAG, id, time_out);
	return append_line(j, line, n, sizeof(line));
}

/* ---- reading ----------------------------------------------------------------------- */

static int add_bad(struct jlist *l, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int add_bad(struct jlist *l, size_t line, const char *fmt, ...)
{
	va_list ap;

	if (l->nbad == l->badcap) {
		size_t cap = l->badcap ? l->badcap * 2 : 8;
		struct jbad *b = realloc(l->bad, cap * sizeof(*b));

		if (!b)
			return -ENOMEM;
		l->bad = b;
		l->badcap = cap;
	}
	l->bad[l->nbad].line = line;
	va_start(ap, fmt);
	vsnprintf(l->bad[l->nbad].why, sizeof(l->bad[l->nbad].why), fmt, ap);
	va_end(ap);
	l->nbad++;
	return 0;
}

/* key=VALUE as the next word: VALUE, or NULL. */
static char *field(char **p, const char *key)
{
	size_t k = strlen(key);
	char *w = *p, *sp;

	if (!w || strncmp(w, key, k) || w[k] != '=')
		return NULL;
	sp = strchr(w, ' ');
	if (sp) {
		*sp = 0;
		*p = sp + 1;
	} else {
		*p = NULL;
	}
	return w + k + 1;
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return !s[n];
}

static bool is_time(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
			return false;
	return !s[i];
}

static bool is_uuid(const char *s)
{
	size_t i;

	for (i = 0; i < JOURNAL_BOOT_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	}
	return !s[i];
}

static bool dec(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s) || (s[0] == '0' && s[1]))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end && *v <= max;
}

static unsigned char *unhex(const char *s, size_t *n)
{
	size_t len = strlen(s), i;
	unsigned char *b;

	if (!len || len % 2 || len / 2 > 65536 || !all_hex(s, len))
		return NULL;
	b = malloc(len / 2);
	if (!b)
		return NULL;
	for (i = 0; i < len; i += 2) {
		unsigned int x;

		sscanf(s + i, "%2x", &x);
		b[i / 2] = x;
	}
	*n = len / 2;
	return b;
}

static bool unescape_comm(const char *s, char *out, size_t sz)
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned int x;

		if (o + 1 >= sz)
			return false;
		if (*s == '%') {
			if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]) ||
			    sscanf(s + 1, "%2x", &x) != 1 || !x)
				return false;
			out[o++] = x;
			s += 2;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = 0;
	return true;
}

/* A write record's fields after "write " (p), into e; the reason when bad. */
static const char *parse_write(char *p, struct jentry *e)
{
	unsigned long long v;
	char *s;
	size_t n;

	s = field(&p, "id");
	if (!s || !all_hex(s, JOURNAL_ID_LEN))
		return "bad id";
	strcpy(e->id, s);
	s = field(&p, "time");
	if (!s || !is_time(s))
		return "bad time";
	strcpy(e->time, s);
	s = field(&p, "pid");
	if (!s || !dec(s, 4194304, &v) || !v)
		return "bad pid";
	e->pid = v;
	s = field(&p, "start");
	if (!s || !dec(s, ~0ull, &e->start))
		return "bad start";
	s = field(&p, "boot");
	if (!s || !is_uuid(s))
		return "bad boot";
	strcpy(e->boot, s);
	s = field(&p, "addr");
	if (!s || strncmp(s, "0x", 2) || !*(s + 2) || strlen(s + 2) > 14 ||
	    !all_hex(s + 2, strlen(s + 2)))
		return "bad addr";
	e->addr = strtoull(s + 2, NULL, 16);
	s = field(&p, "force");
	if (!s || (strcmp(s, "0") && strcmp(s, "1")))
		return "bad force";
	e->force = s[0] == '1';
	s = field(&p, "old");
	if (!s || !(e->old = unhex(s, &e->len)))
		return "bad old bytes";
	s = field(&p, "new");
	if (!s || !(e->new_ = unhex(s, &n)) || n != e->len)
		return "bad new bytes";
	s = field(&p, "comm");
	if (!s || !unescape_comm(s, e->comm, sizeof(e->comm)))
		return "bad comm";
	if (p)
		return "extra fields";
	if (e->addr + e->len < e->addr || (e->addr + e->len) >> 56)
		return "bad addr";
	return NULL;
}

static struct jentry *find_id(struct jlist *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->e[i].id, id))
			return &l->e[i];
	return NULL;
}

/*
 * One line (its NUL-terminated text, len bytes): a write record into the
 * list, an undo mark applied to its write, or a bad line.
 */
static int parse_line(struct jlist *l, char *s, size_t len, size_t no)
{
	char *crcp = NULL, *p, *q, *kind;
	unsigned long long want;
	struct jentry e = {}, *w;
	const char *bad;

	if (!len || s[0] == '#')
		return 0;	/* blank lines and comments */
	if (strlen(s) != len)
		return add_bad(l, no, "not a vmscope journal record (a NUL byte)");
	if (strncmp(s, "vmscope-journal/", 16))
		return add_bad(l, no, "not a vmscope journal record");
	if (strncmp(s, JOURNAL_TAG " ", strlen(JOURNAL_TAG) + 1)) {
		int v = atoi(s + 16);

		return add_bad(l, no, "journal format %.*s: this vmscope reads format %d only",
			       v > 0 ? (int)strcspn(s + 16, " ") : 1, v > 0 ? s + 16 : "?",
			       JOURNAL_FORMAT);
	}
	for (q = strstr(s, " crc="); q; q = strstr(q + 1, " crc="))
		crcp = q;
	if (!crcp || !all_hex(crcp + 5, 8))
		return add_bad(l, no, "no checksum (crc=) at its end");
	want = strtoull(crcp + 5, NULL, 16);
	if (crc32(0, (const unsigned char *)s, crcp - s) != want)
		return add_bad(l, no, "checksum mismatch: the line was changed or damaged");
	*crcp = 0;
	p = s + strlen(JOURNAL_TAG) + 1;
	kind = p;
	q = strchr(p, ' ');
	if (!q)
		return add_bad(l, no, "no fields");
	*q = 0;
	p = q + 1;
	if (!strcmp(kind, "write")) {
		bad = parse_write(p, &e);
		if (bad) {
			free(e.old);
			free(e.new_);
			return add_bad(l, no, "write record: %s", bad);
		}
		w = find_id(l, e.id);
		if (w) {
			free(e.old);
			free(e.new_);
			return add_bad(l, no, "write record: id %s is already the record at line %zu",
				       e.id, w->line);
		}
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 16;
			struct jentry *ne = realloc(l->e, cap * sizeof(*ne));

			if (!ne) {
				free(e.old);
				free(e.new_);
				return -ENOMEM;
			}
			l->e = ne;
			l->cap = cap;
		}
		e.line = no;
		l->e[l->n++] = e;
		return 0;
	}
	if (!strcmp(kind, "undo")) {
		char *id = field(&p, "id"), *t;

		if (!id || !all_hex(id, JOURNAL_ID_LEN))
			return add_bad(l, no, "undo mark: bad id");
		t = field(&p, "time");
		if (!t || !is_time(t) || p)
			return add_bad(l, no, "undo mark: bad time or extra fields");
		w = find_id(l, id);
		if (!w)
			return add_bad(l, no, "undo mark for no write before it (id %s)", id);
		if (w->undone)
			return add_bad(l, no, "second undo mark for the write at line %zu (the first "
				       "is at line %zu)", w->line, w->undo_line);
		w->undone = true;
		w->undo_line = no;
		strcpy(w->undo_time, t);
		l->undos++;
		return 0;
	}
	return add_bad(l, no, "unknown record kind '%.20s'", kind);
}

int journal_read(struct journal *j, struct jlist *out)
{
	size_t len = 0, cap = 1 << 16, no = 0;
	char *buf = malloc(cap), *s, *nl;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *b = realloc(buf, cap * 2);

			if (!b) {
				free(buf);
				return -ENOMEM;
			}
			buf = b;
			cap *= 2;
		}
		n = pread(j->fd, buf + len, cap - len - 1, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			free(buf);
			return err;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = 0;
	for (s = buf; s < buf + len && !err; s = nl + 1) {
		no++;
		nl = memchr(s, '\n', buf + len - s);
		if (!nl) {
			err = add_bad(out, no, "an incomplete last line (no newline): a write cut "
				      "short");
			break;
		}
		*nl = 0;
		err = parse_line(out, s, nl - s, no);
	}
	free(buf);
	return err;
}

void jlist_free(struct jlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->e[i].old);
		free(l->e[i].new_);
	}
	free(l->e);
	free(l->bad);
	memset(l, 0, sizeof(*l));
}
