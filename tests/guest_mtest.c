// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/mtest: every lab command on valid input, checked against
 * /proc/self/maps and /proc/self/pagemap; COW safety of the writes; strict
 * parsing (each bad input is refused and changes nothing); permissions;
 * serialisation of concurrent writers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <time.h>
#include <linux/userfaultfd.h>
#include "tap.h"
#include "caps.h"

#define MTEST "/proc/mtest"

static long ps;
static int mfd = -1;
static char res[1 << 16];
static char mapsbuf[1 << 20];
static unsigned long global_word = 0x1234;

/* Write a command (len bytes of s); 0 or -errno. */
static int cmdn(int fd, const char *s, size_t len)
{
	ssize_t n = write(fd, s, len);

	if (n == (ssize_t)len)
		return 0;
	return n < 0 ? -errno : -EIO;
}

static int cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int cmd(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return cmdn(mfd, buf, strlen(buf));
}

/* The result as this fd sees it. */
static const char *result_fd(int fd)
{
	ssize_t n, len = 0;

	res[0] = 0;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return res;
	while ((n = read(fd, res + len, sizeof(res) - 1 - len)) > 0)
		len += n;
	res[len] = 0;
	return res;
}

static const char *result(void)
{
	return result_fd(mfd);
}

static const char *slurp_maps(void)
{
	ssize_t n, len = 0;
	int fd = open("/proc/self/maps", O_RDONLY);

	mapsbuf[0] = 0;
	if (fd < 0)
		return mapsbuf;
	while ((n = read(fd, mapsbuf + len, sizeof(mapsbuf) - 1 - len)) > 0)
		len += n;
	mapsbuf[len] = 0;
	close(fd);
	return mapsbuf;
}

/* "start-end perms name" of a /proc/self/maps line (offset, dev, inode dropped). */
static int maps_line_short(const char *line, char *out, size_t sz)
{
	char range[64], perms[8], off[32], dev[32], name[512] = "", one[1024];
	unsigned long inode;
	int n;

	/* One line only: sscanf would read on into the next for a nameless VMA. */
	snprintf(one, sizeof(one), "%.*s", (int)strcspn(line, "\n"), line);
	n = sscanf(one, "%63s %7s %31s %31s %lu %511[^\n]", range, perms, off, dev, &inode, name);
	if (n < 5)
		return -1;
	snprintf(out, sz, "%s %.4s %s", range, perms, name);
	return 0;
}

/* The maps line (short form) holding addr. */
static int maps_find(unsigned long addr, char *out, size_t sz)
{
	const char *p = slurp_maps();
	unsigned long s, e;

	while (*p) {
		if (sscanf(p, "%lx-%lx", &s, &e) == 2 && addr >= s && addr < e)
			return maps_line_short(p, out, sz);
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return -1;
}

static uint64_t pagemap(void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd >= 0 && pread(fd, &e, 8, (uintptr_t)addr / ps * 8) != 8)
		e = 0;
	if (fd >= 0)
		close(fd);
	return e;
}

static uint64_t result_pfn(const char *r)
{
	const char *p = strstr(r, "pfn 0x");

	return p ? strtoull(p + 6, NULL, 16) : 0;
}

/* Raise or lower cap in the effective set only (the permitted set keeps it). */
static int set_cap(int cap, int on)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	if (on)
		d[0].effective |= 1u << cap;
	else
		d[0].effective &= ~(1u << cap);
	return syscall(SYS_capset, &h, d);
}

static int wait_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_listvma(void)
{
	char want[1024], got[1024];
	const char *m, *r;
	int n = 0, bad = 0;

	ok(cmd("listvma\n") == 0, "listvma is accepted");
	r = result();
	m = slurp_maps();
	/* Compare line by line; [vsyscall] is not a VMA. */
	while (*m && *r) {
		const char *mn = strchr(m, '\n'), *rn = strchr(r, '\n');

		if (!mn || !rn)
			break;
		if (strstr(m, "[vsyscall]") && strstr(m, "[vsyscall]") < mn) {
			m = mn + 1;
			continue;
		}
		snprintf(got, sizeof(got), "%.*s", (int)(rn - r), r);
		if (maps_line_short(m, want, sizeof(want)) || strcmp(want, got)) {
			if (bad++ < 3)
				diag("maps '%s' mtest '%s'", want, got);
		}
		n++;
		m = mn + 1;
		r = rn + 1;
	}
	if (*m && !strstr(m, "[vsyscall]"))
		bad++;
	ok(n > 3 && !bad && !*r, "listvma lists exactly the VMAs of /proc/self/maps (%d)", n);
}

static void test_findvma(void)
{
	char want[1024];
	int stackvar;
	unsigned long a = (unsigned long)&stackvar;

	ok(cmd("findvma%lx", a) == 0 && !maps_find(a, want, sizeof(want)) &&
	   !strncmp(result(), want, strlen(want)) && result()[strlen(want)] == '\n',
	   "findvma<addr> (no space, no 0x) finds the stack VMA of maps: %s", want);
	a = (unsigned long)&global_word;
	ok(cmd("findvma 0x%lx\n", a) == 0 && !maps_find(a, want, sizeof(want)) &&
	   !strcmp(result(), strcat(want, "\n")),
	   "findvma 0x<addr> finds the data VMA of maps");
	ok(cmd("findvma  %lX", a) == 0 && !strcmp(result(), want),
	   "findvma with extra spaces and upper-case hex is accepted");
}

static void test_findpage(void)
{
	unsigned char *p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e, pfn;

	p[0] = 1;	/* page 0 present, page 1 never touched */
	e = pagemap(p);
	ok(cmd("findpage%lx", (unsigned long)p) == 0 && strstr(result(), "present, 4K page") &&
	   (e >> 63) && (pfn = result_pfn(res)) && pfn == (e & ((1ULL << 55) - 1)),
	   "findpage on a touched page gives pagemap's PFN (0x%" PRIx64 ")", (uint64_t)(e & ((1ULL << 55) - 1)));
	e = pagemap(p + ps);
	ok(cmd("findpage 0x%lx", (unsigned long)(p + ps)) == 0 &&
	   strstr(result(), "not present") && !(e >> 63),
	   "findpage on an untouched page says not present, like pagemap");
	ok(strstr(result(), "pfn") == NULL, "findpage of a missing page shows no PFN");
	munmap(p, 2 * ps);
}

static void test_writeval(void)
{
	unsigned long *w = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char path[] = "/tmp/mtest-XXXXXX", fbuf[16];
	unsigned long *fm, *ro;
	int pipefd[2], fd;
	pid_t pid;

	w[1] = 7;
	ok(cmd("writeval%lx 4242", (unsigned long)&w[1]) == 0 && w[1] == 0x4242 &&
	   strstr(result(), "writeval"), "writeval<addr> <val> takes the value as hex, as the labs do");
	ok(cmd("writeval 0x%lx 0xdeadbeefcafe\n", (unsigned long)&w[1]) == 0 &&
	   w[1] == 0xdeadbeefcafeUL, "writeval 0x<addr> 0x<hex> stores the value");
	ok(cmd("writeval %lx ffffffffffffffff", (unsigned long)&w[1]) == 0 && w[1] == ~0UL,
	   "writeval takes the largest unsigned long");
	ok(cmd("writeval %lx 10000000000000000", (unsigned long)&w[1]) == -EINVAL && w[1] == ~0UL,
	   "writeval refuses a value of more than 64 bits and changes nothing");
	/* 8 bytes straddling into a read-only page: none may be written. */
	{
		char *two = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		memset(two, 0x11, 2 * ps);
		mprotect(two + ps, ps, PROT_READ);
		ok(cmd("writeval %lx 4141414141414141", (unsigned long)(two + ps - 4)) == -EFAULT &&
		   two[ps - 4] == 0x11 && two[ps - 1] == 0x11 && two[ps] == 0x11,
		   "writeval across into a read-only page fails and writes no byte");
		munmap(two, 2 * ps);
	}

	/* A private file mapping: the write is COWed, the file stays. */
	fd = mkstemp(path);
	if (fd >= 0 && write(fd, "ORIGINALORIGINAL", 16) == 16)
		fm = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	else
		fm = MAP_FAILED;
	ok(fm != MAP_FAILED && fm[0] == *(unsigned long *)"ORIGINAL" &&
	   cmd("writeval %lx 0x4141414141414141", (unsigned long)fm) == 0 &&
	   fm[0] == 0x4141414141414141UL && pread(fd, fbuf, 16, 0) == 16 &&
	   !memcmp(fbuf, "ORIGINALORIGINAL", 16),
	   "writeval into a MAP_PRIVATE file page changes the mapping, not the file");
	if (fm != MAP_FAILED)
		munmap(fm, ps);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}

	/* A page still shared with a fork child after fork: COW breaks. */
	w[2] = 1111;
	if (pipe(pipefd))
		pipefd[0] = pipefd[1] = -1;
	pid = fork();
	if (pid == 0) {
		char c;

		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) != 1)
			_exit(3);
		_exit(w[2] == 1111 ? 0 : 1);
	}
	close(pipefd[0]);
	ok(cmd("writeval %lx 2222", (unsigned long)&w[2]) == 0 && w[2] == 0x2222 &&
	   write(pipefd[1], "x", 1) == 1 && wait_status(pid) == 0,
	   "writeval into a page shared with a fork child leaves the child's copy");
	close(pipefd[1]);

	ro = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok(cmd("writeval %lx 5", (unsigned long)ro) == -EFAULT && ro[0] == 0,
	   "writeval into a read-only mapping is refused (EFAULT)");
	munmap(ro, ps);
	munmap(w, ps);
}

static void test_rw(void)
{
	static volatile unsigned char bytes[2] = { 0x5a, 0x11 };
	int tochild[2], fromchild[2];
	unsigned char c;
	char want[128];
	pid_t pid, me = getpid();

	/* The labs read r's answer with fscanf("%d"): the byte in decimal alone. */
	snprintf(want, sizeof(want), "%d\n", 0x5a);
	ok(cmd("r %d %lx", me, (unsigned long)&bytes[0]) == 0 && !strcmp(result(), want),
	   "r <own pid> <addr> reads the byte: %.*s", (int)strlen(want) - 1, want);

	if (pipe(tochild) || pipe(fromchild))
		return;
	pid = fork();
	if (pid == 0) {
		bytes[0] = 0x77;	/* the child's own copy now differs */
		if (write(fromchild[1], "r", 1) != 1 || read(tochild[0], &c, 1) != 1)
			_exit(3);
		/* The parent wrote 200 into bytes[1] with 'w'. */
		if (write(fromchild[1], (const void *)&bytes[1], 1) != 1 || read(tochild[0], &c, 1) != 1)
			_exit(3);
		_exit(bytes[1] == 0xab ? 0 : 1);
	}
	if (read(fromchild[0], &c, 1) != 1)
		c = 0;
	snprintf(want, sizeof(want), "%d\n", 0x77);
	ok(cmd("r %d 0x%lx", pid, (unsigned long)&bytes[0]) == 0 && !strcmp(result(), want),
	   "r <child pid> <addr> reads the child's byte");
	ok(cmd("w %d %lx 200", pid, (unsigned long)&bytes[1]) == 0 &&
	   write(tochild[1], "w", 1) == 1 && read(fromchild[0], &c, 1) == 1 && c == 200,
	   "w <pid> <addr> <decimal> writes the child's byte");
	ok(bytes[1] == 0x11, "w into the child's COW copy leaves the parent's byte");
	ok(cmd("w %d %lx 0xab\n", pid, (unsigned long)&bytes[1]) == 0 &&
	   write(tochild[1], "w", 1) == 1 && wait_status(pid) == 0,
	   "w <pid> <addr> 0x<hex> writes the child's byte");
}

static void test_errors(void)
{
	char big[4097], good[1024];
	unsigned long w = 99;
	char buf[128];
	pid_t nopid = 4194303;
	void *hole;

	ok(cmdn(mfd, "l", 1) == -EINVAL, "errors: a 1-byte write is EINVAL");
	memset(big, 'a', sizeof(big));
	memcpy(big, "listvma", 7);
	ok(cmdn(mfd, big, sizeof(big)) == -EINVAL, "errors: a write over 4 KiB is EINVAL");
	ok(cmdn(mfd, "\n", 1) == -EINVAL, "errors: an empty command is EINVAL");

	/* No NUL: the kernel must stop at the write's length. */
	snprintf(buf, sizeof(buf), "writeval %lx 5", (unsigned long)&w);
	ok(cmdn(mfd, buf, strlen(buf) - 2) == -EINVAL && w == 99,
	   "errors: the bytes after the length are not read (no NUL: missing value)");
	ok(cmdn(mfd, "listvmaXYZ", 7) == 0, "errors: a command without NUL ends at its length");
	ok(cmdn(mfd, "listvma", 8) == 0, "errors: one trailing NUL is accepted");
	ok(cmdn(mfd, "list\0vma", 8) == -EINVAL && cmdn(mfd, "listvma\0\nlistvma", 16) == -EINVAL,
	   "errors: an embedded NUL is EINVAL");

	/* From here on every command fails: the result must stay. */
	ok(cmd("findvma %lx", (unsigned long)&w) == 0, "errors: a good command to start from");
	snprintf(good, sizeof(good), "%s", result());
	ok(cmd("findvma 0xZZ") == -EINVAL, "errors: a non-hex address is EINVAL");
	ok(cmd("findvma 12345678901234567") == -EINVAL, "errors: a 17-digit address is EINVAL");
	ok(cmd("findvma ffffffff81000000") == -EINVAL, "errors: a kernel address is EINVAL");
	ok(cmd("writeval %lx 18446744073709551616", (unsigned long)&w) == -EINVAL && w == 99,
	   "errors: a value above 2^64-1 is EINVAL");
	ok(cmd("writeval %lx 12g4", (unsigned long)&w) == -EINVAL && w == 99,
	   "errors: a value that is not hex is EINVAL");
	ok(cmd("w %d %lx 256", getpid(), (unsigned long)&w) == -EINVAL && w == 99,
	   "errors: a byte above 255 is EINVAL");
	ok(cmd("listvma x") == -EINVAL && cmd("bogus 1") == -EINVAL && cmd("r1 1") == -EINVAL,
	   "errors: garbage and unknown commands are EINVAL");
	ok(cmd("r 0 1000") == -EINVAL && cmd("r -1 1000") == -EINVAL,
	   "errors: pid 0 and negative pids are EINVAL");
	ok(kill(nopid, 0) == -1 && errno == ESRCH && cmd("r %d 1000", nopid) == -ESRCH,
	   "errors: a pid that does not exist is ESRCH");

	hole = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole, ps);
	ok(cmd("findvma %lx", (unsigned long)hole) == -ENXIO &&
	   cmd("findpage %lx", (unsigned long)hole) == -ENXIO &&
	   cmd("writeval %lx 1", (unsigned long)hole) == -ENXIO &&
	   cmd("r %d %lx", getpid(), (unsigned long)hole) == -ENXIO,
	   "errors: an unmapped address is ENXIO for findvma, findpage, writeval and r");
	ok(!strcmp(result(), good), "errors: the result is still the last good one");
}

static void test_access(void)
{
	struct stat st;
	int fd, fd2, r;
	pid_t pid;
	char *p;

	ok(stat(MTEST, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600 &&
	   st.st_uid == 0, "access: " MTEST " is root-owned, mode 0600");

	pid = fork();
	if (pid == 0) {
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(2);
		_exit(open(MTEST, O_RDWR) == -1 && errno == EACCES &&
		      open(MTEST, O_RDONLY) == -1 && errno == EACCES ? 0 : 1);
	}
	ok(wait_status(pid) == 0, "access: a non-root user cannot open it");

	/* The lab's "echo cmd > /proc/mtest; cat /proc/mtest": another open. */
	fd = open(MTEST, O_WRONLY);
	r = fd >= 0 ? cmdn(fd, "listvma", 7) : -1;
	if (fd >= 0)
		close(fd);
	fd2 = open(MTEST, O_RDONLY);
	ok(r == 0 && fd2 >= 0 && strstr(result_fd(fd2), "[stack]"),
	   "access: a later open reads the last result");
	if (fd2 >= 0)
		close(fd2);

	/* Without CAP_SYS_ADMIN: findpage hides the PFN; a root reader's PFN is not shown. */
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	ok(cmd("findpage %lx", (unsigned long)p) == 0 && strstr(result(), "pfn 0x"),
	   "access: CAP_SYS_ADMIN sees the PFN");
	pid = fork();
	if (pid == 0) {
		int f, g;

		if (drop_cap(CAP_SYS_ADMIN))
			_exit(2);
		g = open(MTEST, O_RDONLY);	/* the parent's result: has a PFN */
		if (g < 0 || read(g, res, sizeof(res)) != -1 || errno != EPERM)
			_exit(3);
		f = open(MTEST, O_RDWR);
		if (f < 0 || cmdn(f, res, snprintf(res, sizeof(res), "findpage %lx", (unsigned long)p)))
			_exit(4);
		result_fd(f);
		_exit(strstr(res, "pfn hidden") && !strstr(res, "pfn 0x") ? 0 : 5);
	}
	r = wait_status(pid);
	ok(r == 0, "access: without CAP_SYS_ADMIN the PFN is hidden and others' PFNs are EPERM (%d)", r);

	/* Another process's memory needs CAP_SYS_PTRACE; one's own does not. */
	pid = fork();
	if (pid == 0) {
		int f = open(MTEST, O_RDWR);
		char c[64];

		if (f < 0 || drop_cap(CAP_SYS_PTRACE))
			_exit(2);
		snprintf(c, sizeof(c), "r %d %lx", getppid(), (unsigned long)p);
		if (cmdn(f, c, strlen(c)) != -EPERM)
			_exit(3);
		snprintf(c, sizeof(c), "r %d %lx", getpid(), (unsigned long)p);
		_exit(cmdn(f, c, strlen(c)) == 0 ? 0 : 4);
	}
	r = wait_status(pid);
	ok(r == 0, "access: without CAP_SYS_PTRACE r on another process is EPERM, on itself allowed (%d)", r);

	/*
	 * A file that read another process's byte while privileged, then is
	 * read after the privilege is gone (or by whoever it was passed to):
	 * EPERM, not the byte.
	 */
	pid = fork();
	if (pid == 0) {
		int f = open(MTEST, O_RDWR);
		char c[64];

		snprintf(c, sizeof(c), "r %d %lx", getppid(), (unsigned long)p);
		if (f < 0 || cmdn(f, c, strlen(c)) || !strcmp(result_fd(f), ""))
			_exit(2);
		if (drop_cap(CAP_SYS_PTRACE))
			_exit(3);
		errno = 0;
		_exit(lseek(f, 0, SEEK_SET) == 0 && read(f, res, sizeof(res)) == -1 &&
		      errno == EPERM ? 0 : 4);
	}
	r = wait_status(pid);
	ok(r == 0, "access: a file's own r result about another process is EPERM once "
	   "CAP_SYS_PTRACE is dropped (%d)", r);
	munmap(p, ps);
}

/*
 * The labs' own ways of writing commands: fprintf with or without a
 * newline, tabs, "\r\n" from a Windows editor, a zero-padded buffer written
 * whole, several commands in one write, writeval with a negative value.
 */
static void test_labs(void)
{
	static volatile unsigned long word[2];
	static volatile unsigned char byte = 42;
	char buf[128], want[64];
	unsigned long a = (unsigned long)&word[0];
	int n, v = -1;
	FILE *f;

	ok(cmd("writeval\t%lx\t0x77\r\n", a) == 0 && word[0] == 0x77,
	   "labs: tabs and a CRLF line end are accepted");
	ok(cmd("  writeval %lx -1  \n", a) == 0 && word[0] == ~0UL,
	   "labs: writeval -1 stores all ones, as sscanf(\"%%lx\") reads it");
	ok(cmd("writeval%lx %lx", a, 0x1234UL) == 0 && word[0] == 0x1234,
	   "labs: \"writeval%%lx %%lx\" (no blank after the keyword)");
	memset(buf, 0, sizeof(buf));
	snprintf(buf, sizeof(buf), "writeval %lx 99", (unsigned long)&word[1]);
	ok(cmdn(mfd, buf, sizeof(buf)) == 0 && word[1] == 0x99,
	   "labs: a zero-padded buffer written whole is one command");
	n = cmd("writeval %lx 5\nwriteval %lx 6\nfindvma %lx\n", a, (unsigned long)&word[1], a);
	ok(n == 0 && word[0] == 5 && word[1] == 6 && strstr(result(), "-"),
	   "labs: several commands in one write all run, in order");
	ok(cmd("writeval %lx 7\nfindvma zz\n", a) == -EINVAL && word[0] == 5,
	   "labs: one bad line among several: nothing runs");

	/* CS353: fprintf "r pid addr", then fscanf("%d") reads the byte back. */
	f = fopen(MTEST, "r+");
	if (f) {
		fprintf(f, "r %d %lx\n", getpid(), (unsigned long)&byte);
		fflush(f);
		rewind(f);
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	ok(v == 42, "labs: fprintf(\"r pid addr\"), then fscanf(\"%%d\") reads the byte (%d)", v);
	snprintf(want, sizeof(want), "%d\n", 42);
	ok(cmd("r %d %lx", getpid(), (unsigned long)&byte) == 0 && !strcmp(result(), want),
	   "labs: r answers the byte in decimal alone");
}

/* The answer about one's own memory is echoed to the kernel log, "mtest: " first. */
static void test_log_echo(void)
{
	static char klog[1 << 20];
	char want[1100];
	int n = -1;

	if (cmd("findvma %lx", (unsigned long)&global_word) == 0) {
		snprintf(want, sizeof(want), "mtest: %.*s", (int)strcspn(result(), "\n"), result());
		n = klogctl(3, klog, sizeof(klog) - 1);
	}
	if (n >= 0)
		klog[n] = 0;
	ok(n > 0 && strlen(want) > 12 && strstr(klog, want),
	   "log: findvma's answer is in the kernel log as a \"mtest: \" line");
}

static void test_log(void)
{
	static char klog[1 << 20];
	char addr[32], *line;
	unsigned long *w = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int n;

	snprintf(addr, sizeof(addr), "%lx", (unsigned long)w);
	n = cmd("writeval %lx 0x5eedc0ffee", (unsigned long)w) == 0 && w[0] == 0x5eedc0ffeeUL ?
	    klogctl(3, klog, sizeof(klog) - 1) : -1;
	if (n < 0) {
		ok(0, "log: a command leaves one line in the kernel log");
		ok(0, "log: the line holds no address and no memory contents");
		munmap(w, ps);
		return;
	}
	klog[n] = 0;
	line = strstr(klog, "vmscope: mtest: writeval by ");
	if (line)
		line[strcspn(line, "\n")] = 0;	/* that line alone; "mtest: " echoes follow */
	ok(line != NULL, "log: a command leaves one line in the kernel log");
	ok(line && !strstr(line, "5eedc0ffee") && !strstr(line, addr),
	   "log: the line holds no address and no memory contents");
	munmap(w, ps);
}

/* Two writers at once: each reads back its own result, never the other's. */
static int hammer(unsigned long addr, int rounds)
{
	char c[64], want[1024], *r;
	int fd = open(MTEST, O_RDWR), i;

	if (fd < 0 || maps_find(addr, want, sizeof(want)))
		return 2;
	strcat(want, "\n");
	snprintf(c, sizeof(c), "findvma %lx", addr);
	for (i = 0; i < rounds; i++) {
		if (cmdn(fd, c, strlen(c)))
			return 3;
		r = (char *)result_fd(fd);
		if (strcmp(r, want))
			return 1;
	}
	return 0;
}

static void test_concurrency(void)
{
	int stackvar;
	pid_t a, b;
	int ra, rb;

	a = fork();
	if (a == 0)
		_exit(hammer((unsigned long)&stackvar, 300));
	b = fork();
	if (b == 0)
		_exit(hammer((unsigned long)&global_word, 300));
	ra = wait_status(a);
	rb = wait_status(b);
	ok(ra == 0 && rb == 0, "concurrency: two writers each read back their own results (%d %d)",
	   ra, rb);
}


/* A file name with a newline cannot fake a line: it is escaped as maps does. */
static void test_names(void)
{
	const char *path = "/tmp/mtest\nfake 00000000-00001000 rwxp";
	char want[256];
	void *m;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, ps)) {
		tap_skip("cannot create a file with a newline in /tmp", "names: escaped");
		return;
	}
	m = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	snprintf(want, sizeof(want), "%lx-%lx r--s /tmp/mtest\\012fake 00000000-00001000 rwxp\n",
		 (unsigned long)m, (unsigned long)m + ps);
	ok(m != MAP_FAILED && cmd("findvma %lx", (unsigned long)m) == 0 && !strcmp(result(), want),
	   "names: a newline in a file name is shown as \\012, like /proc/PID/maps");
	ok(cmd("listvma") == 0 && strstr(result(), "\\012fake") && !strstr(result(), "\nfake"),
	   "names: listvma escapes it too");
	munmap(m, ps);
	close(fd);
	unlink(path);
}

/* The opener's capabilities count too, not only the reader's. */
static void test_opener(void)
{
	int weak, strong, r = -1;
	pid_t pid;

	set_cap(CAP_SYS_PTRACE, 0);
	weak = open(MTEST, O_RDONLY);
	set_cap(CAP_SYS_PTRACE, 1);
	strong = open(MTEST, O_RDONLY);
	pid = fork();
	if (pid == 0) {
		int f = open(MTEST, O_RDWR);

		_exit(f >= 0 && cmdn(f, "listvma", 7) == 0 ? 0 : 1);
	}
	if (wait_status(pid) == 0 && weak >= 0 && strong >= 0) {
		errno = 0;
		r = read(weak, res, sizeof(res)) == -1 && errno == EPERM &&
		    read(strong, res, sizeof(res)) > 0;
	}
	ok(r == 1, "access: another process's result is EPERM through a file opened without "
	   "CAP_SYS_PTRACE, even by a reader that has it");
	if (weak >= 0)
		close(weak);
	if (strong >= 0)
		close(strong);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * A command stuck in a fault (a userfaultfd page nobody resolves) holds no
 * global lock: other commands go on; and it can be killed.
 */
static void test_no_global_lock(void)
{
	int ready[2], rc;
	pid_t holder, reader;
	char *page = NULL;
	double t0, t1;

	if (pipe(ready)) {
		tap_skip("no pipe", "concurrency: a command blocked in a fault");
		return;
	}
	holder = fork();
	if (holder == 0) {
		struct uffdio_api api = { .api = UFFD_API };
		struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
		int u = syscall(SYS_userfaultfd, O_CLOEXEC);
		char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		reg.range.start = (unsigned long)p;
		reg.range.len = ps;
		if (u < 0 || ioctl(u, UFFDIO_API, &api) || ioctl(u, UFFDIO_REGISTER, &reg))
			p = NULL;
		if (write(ready[1], &p, sizeof(p)) != sizeof(p))
			_exit(1);
		pause();	/* never resolves the fault */
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &page, sizeof(page)) != sizeof(page) || !page) {
		tap_skip("userfaultfd is not available", "concurrency: a command blocked in a fault");
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
		return;
	}
	reader = fork();
	if (reader == 0) {
		int f = open(MTEST, O_RDWR);
		char c[64];

		snprintf(c, sizeof(c), "r %d %lx", holder, (unsigned long)page);
		_exit(f >= 0 && cmdn(f, c, strlen(c)) ? 0 : 1);
	}
	usleep(300 * 1000);
	t0 = now();
	rc = cmd("listvma");
	t1 = now();
	ok(rc == 0 && t1 - t0 < 2 && waitpid(reader, NULL, WNOHANG) == 0,
	   "concurrency: other commands run while one waits in a fault (%.2f s)", t1 - t0);
	kill(reader, SIGKILL);
	t0 = now();
	rc = -1;
	while (now() - t0 < 5 && (rc = waitpid(reader, NULL, WNOHANG)) == 0)
		usleep(10 * 1000);
	ok(rc == reader, "concurrency: a command waiting in a fault can be killed");
	if (rc != reader) {
		kill(holder, SIGKILL);
		waitpid(reader, NULL, 0);
	}
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	close(ready[0]);
}

int main(void)
{
	ps = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_start();
	mfd = open(MTEST, O_RDWR);
	if (mfd < 0) {
		tap_skip("cannot open " MTEST ": module not loaded", "mtest");
		return tap_finish();
	}
	test_log();	/* first: the kernel log copy is rate limited */
	test_log_echo();
	test_listvma();
	test_findvma();
	test_findpage();
	test_writeval();
	test_rw();
	test_errors();
	test_labs();
	test_access();
	test_concurrency();
	test_names();
	test_opener();
	test_no_global_lock();
	close(mfd);
	return tap_finish();
}
