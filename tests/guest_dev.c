// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmscope: mmap, read/write, ioctls, lifetime, for each backing.
 * Cross-checks the PFNs the ioctl reports against the module's page walk
 * (/proc/mtest findpage) and shows what /proc/self/pagemap says about a
 * PFNMAP mapping.  Ends with module unload while mapped (and reloads it).
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "tap.h"
#include "caps.h"
#include "vmscope_dev_uapi.h"

#define DEV VMS_DEV_PATH
#define NP VMS_DEV_DEFAULT_PAGES

static long ps;

static const char *const bname[] = { "?", "kmalloc", "vmalloc", "pages" };

/* A device fd with the given backing and size, or -1. */
static int dev_open(int backing, uint64_t pages)
{
	struct vms_dev_backing_arg b = { .backing = backing };
	struct vms_dev_pages p = { .pages = pages };
	int fd = open(DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ioctl(fd, VMS_DEV_IOC_SET_BACKING, &b) || ioctl(fd, VMS_DEV_IOC_SET_PAGES, &p)) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned char *dev_map(int fd, size_t pages, off_t off_pages, int flags)
{
	void *p = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE, flags, fd, off_pages * ps);

	return p == MAP_FAILED ? NULL : p;
}

/* Page i of a fresh buffer: aa bb cc dd, then i (LE32). */
static int sig_ok(const unsigned char *pg, uint32_t i)
{
	return pg[0] == 0xaa && pg[1] == 0xbb && pg[2] == 0xcc && pg[3] == 0xdd &&
	       pg[4] == (i & 0xff) && pg[5] == ((i >> 8) & 0xff) &&
	       pg[6] == ((i >> 16) & 0xff) && pg[7] == (i >> 24);
}

static int pattern_ok(const unsigned char *m, size_t pages, uint32_t first)
{
	size_t i;

	for (i = 0; i < pages; i++) {
		if (!sig_ok(m + i * ps, first + i)) {
			diag("page %zu: %02x %02x %02x %02x %02x", i, m[i * ps], m[i * ps + 1],
			     m[i * ps + 2], m[i * ps + 3], m[i * ps + 4]);
			return 0;
		}
	}
	return 1;
}

static int get_info(int fd, struct vms_dev_info *info, uint64_t *pfns, uint64_t n)
{
	memset(info, 0, sizeof(*info));
	info->pfns = (uintptr_t)pfns;
	info->pfn_count = n;
	return ioctl(fd, VMS_DEV_IOC_INFO, info);
}

/* findpage through /proc/mtest: the module's walk.  PFN, or 0 if none. */
static uint64_t mtest_pfn(void *addr)
{
	char cmd[64], out[512], *p;
	uint64_t pfn = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/mtest", O_RDWR);
	if (fd < 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "findpage %lx", (unsigned long)addr);
	if (write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd)) {
		n = pread(fd, out, sizeof(out) - 1, 0);
		if (n > 0) {
			out[n] = 0;
			p = strstr(out, "pfn 0x");
			if (p)
				pfn = strtoull(p + 6, NULL, 16);
			else
				diag("mtest: %s", out);
		}
	}
	close(fd);
	return pfn;
}

static uint64_t pagemap_entry(void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (uintptr_t)addr / ps * 8) != 8)
		e = 0;
	close(fd);
	return e;
}

static int wait_ok(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_backing(int b)
{
	const char *bn = bname[b];
	unsigned char *m, *m2;
	uint64_t pfns[NP];
	struct vms_dev_info info;
	char buf[16];
	int fd, i, good;
	pid_t pid;
	void *r;

	fd = dev_open(b, NP);
	m = fd >= 0 ? dev_map(fd, NP, 0, MAP_SHARED) : NULL;
	if (!m) {
		diag("%s: open/mmap: %s", bn, strerror(errno));
		for (i = 0; i < 18; i++)
			ok(0, "%s: setup", bn);
		if (fd >= 0)
			close(fd);
		return;
	}
	ok(pattern_ok(m, NP, 0), "%s: every page shows aa bb cc dd + its index through mmap", bn);

	ok(pwrite(fd, "written", 7, 3 * ps + 100) == 7 && !memcmp(m + 3 * ps + 100, "written", 7),
	   "%s: write() is seen in the mapping", bn);

	memcpy(m + 9 * ps + 4000, "stored", 6);
	ok(pread(fd, buf, 6, 9 * ps + 4000) == 6 && !memcmp(buf, "stored", 6),
	   "%s: a store to the mapping is seen by read()", bn);

	m2 = dev_map(fd, 3, 2, MAP_SHARED);
	ok(m2 && sig_ok(m2, 2) && sig_ok(m2 + 2 * ps, 4) && m2[ps * 1 + 100] == 'w',
	   "%s: a mapping at offset 2 pages starts at page 2 and shares the bytes", bn);
	if (m2)
		munmap(m2, 3 * ps);

	errno = 0;
	ok(!dev_map(fd, NP + 1, 0, MAP_SHARED) && errno == EINVAL,
	   "%s: mmap longer than the buffer is refused (EINVAL)", bn);
	errno = 0;
	ok(!dev_map(fd, 1, NP, MAP_SHARED) && errno == EINVAL,
	   "%s: mmap at an offset past the end is refused (EINVAL)", bn);
	errno = 0;
	ok(!dev_map(fd, 2, NP - 1, MAP_SHARED) && errno == EINVAL,
	   "%s: mmap with offset + length past the end is refused (EINVAL)", bn);
	errno = 0;
	r = mmap(NULL, 2 * ps, PROT_READ, MAP_SHARED, fd, (off_t)(INT64_MAX & ~(ps - 1)));
	ok(r == MAP_FAILED && (errno == EINVAL || errno == EOVERFLOW),
	   "%s: mmap with offset + length overflowing off_t is refused (%s)", bn, strerror(errno));
	errno = 0;
	ok(!dev_map(fd, 1, 0, MAP_PRIVATE) && errno == EINVAL,
	   "%s: a writable MAP_PRIVATE mapping is refused (EINVAL)", bn);
	/* The labs map it PROT_READ, MAP_PRIVATE: allowed, read-only for good. */
	r = mmap(NULL, 2 * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	errno = 0;
	ok(r != MAP_FAILED && sig_ok((unsigned char *)r + ps, 1) &&
	   mprotect(r, ps, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
	   "%s: a read-only MAP_PRIVATE mapping shows the buffer; mprotect(PROT_WRITE) is EACCES",
	   bn);
	if (r != MAP_FAILED)
		munmap(r, 2 * ps);

	m2 = dev_map(fd, 2, 0, MAP_SHARED);
	r = m2 ? mremap(m2, 2 * ps, 4 * ps, MREMAP_MAYMOVE) : NULL;
	ok(m2 && r == MAP_FAILED && sig_ok(m2 + ps, 1), "%s: mremap growth is refused (%s)", bn,
	   r == MAP_FAILED ? strerror(errno) : "allowed");
	if (m2 && r != MAP_FAILED)
		munmap(r, 4 * ps);
	else if (m2)
		munmap(m2, 2 * ps);

	pid = fork();
	if (pid == 0) {
		if (!pattern_ok(m + 10 * ps, 1, 10) || m[3 * ps + 100] != 'w')
			_exit(1);
		memcpy(m + 5 * ps + 8, "child", 5);
		_exit(0);
	}
	ok(wait_ok(pid) && !memcmp(m + 5 * ps + 8, "child", 5),
	   "%s: a fork child sees the same pages and its store reaches the parent", bn);

	ok(get_info(fd, &info, pfns, NP) == 0 && (info.flags & VMS_DEV_F_PFNS) &&
	   info.pages == NP && info.size == NP * (uint64_t)ps && info.backing == (uint64_t)b &&
	   (info.flags & VMS_DEV_F_MAPPED), "%s: info reports size, backing and PFNs", bn);
	good = 1;
	for (i = 0; i < NP; i++) {
		uint64_t w = mtest_pfn(m + i * ps);

		if (!pfns[i] || w != pfns[i]) {
			diag("page %d: ioctl pfn 0x%" PRIx64 ", walk pfn 0x%" PRIx64, i, pfns[i], w);
			good = 0;
		}
		if (b == VMS_DEV_KMALLOC && i && pfns[i] != pfns[0] + i)
			good = 0;
	}
	ok(good, "%s: the page walk of the mapping finds the PFNs the ioctl reports%s", bn,
	   b == VMS_DEV_KMALLOC ? " (contiguous)" : "");

	/* pagemap's walker skips VM_PFNMAP VMAs: it reports them as holes. */
	{
		uint64_t e = pagemap_entry(m);

		ok(!(e & (1ULL << 63)) && !(e & ((1ULL << 55) - 1)),
		   "%s: /proc/self/pagemap shows no PFN for the PFNMAP mapping (entry 0x%" PRIx64 ")",
		   bn, e);
	}

	{
		struct vms_dev_pages p = { .pages = 2 };

		errno = 0;
		ok(ioctl(fd, VMS_DEV_IOC_SET_PAGES, &p) == -1 && errno == EBUSY,
		   "%s: setting the size after the first mmap is refused (EBUSY)", bn);
	}

	/* The buffer outlives the fd while mapped. */
	close(fd);
	memcpy(m + 15 * ps + 50, "afterclose", 10);
	ok(pattern_ok(m, NP, 0) && !memcmp(m + 15 * ps + 50, "afterclose", 10),
	   "%s: after close(fd) the mapping still works", bn);
	munmap(m, NP * ps);

	fd = dev_open(b, 1);
	m = fd >= 0 ? dev_map(fd, 1, 0, MAP_SHARED) : NULL;
	errno = 0;
	ok(m && pattern_ok(m, 1, 0) && !dev_map(fd, 2, 0, MAP_SHARED) && errno == EINVAL,
	   "%s: a 1-page buffer maps 1 page and refuses 2", bn);
	if (m)
		munmap(m, ps);
	if (fd >= 0)
		close(fd);

	fd = dev_open(b, VMS_DEV_MAX_PAGES);
	m = fd >= 0 ? dev_map(fd, VMS_DEV_MAX_PAGES, 0, MAP_SHARED) : NULL;
	ok(m && pattern_ok(m, VMS_DEV_MAX_PAGES, 0),
	   "%s: the largest buffer (%d pages) maps with the pattern", bn, VMS_DEV_MAX_PAGES);
	if (m)
		munmap(m, VMS_DEV_MAX_PAGES * ps);
	if (fd >= 0)
		close(fd);
}

static void test_file_semantics(void)
{
	char buf[64];
	int fd = dev_open(VMS_DEV_VMALLOC, 2);
	off_t size = 2 * ps;

	ok(lseek(fd, 0, SEEK_END) == size, "file: SEEK_END is the buffer size");
	ok(read(fd, buf, sizeof(buf)) == 0, "file: read at the end returns 0 (EOF)");
	errno = 0;
	ok(write(fd, "x", 1) == -1 && errno == ENOSPC, "file: write at the end is refused (ENOSPC)");
	ok(pwrite(fd, "0123456789", 10, size - 4) == 4, "file: a write across the end is cut short");
	errno = 0;
	ok(lseek(fd, size + 1, SEEK_SET) == -1 && errno == EINVAL,
	   "file: seeking past the end is refused (EINVAL)");
	ok(pread(fd, buf, 8, ps) == 8 && sig_ok((unsigned char *)buf, 1),
	   "file: read() shows page 1's signature without any mmap");
	close(fd);
}

static void test_ioctls(void)
{
	struct vms_dev_info info;
	struct vms_dev_pages p;
	struct vms_dev_backing_arg b;
	struct stat st;
	int fd, fd2;
	char c;

	ok(stat(DEV, &st) == 0 && S_ISCHR(st.st_mode) && (st.st_mode & 0777) == 0600 &&
	   st.st_uid == 0, "ioctl: %s is a root-owned 0600 character device", DEV);

	fd = open(DEV, O_RDWR);
	ok(fd >= 0 && get_info(fd, &info, NULL, 0) == 0 && info.pages == NP &&
	   info.backing == VMS_DEV_KMALLOC && !(info.flags & VMS_DEV_F_ALLOCATED),
	   "ioctl: defaults are %d pages of kmalloc, not yet allocated", NP);

	p.pages = 0;
	errno = 0;
	ok(ioctl(fd, VMS_DEV_IOC_SET_PAGES, &p) == -1 && errno == EINVAL, "ioctl: 0 pages refused");
	p.pages = VMS_DEV_MAX_PAGES + 1;
	errno = 0;
	ok(ioctl(fd, VMS_DEV_IOC_SET_PAGES, &p) == -1 && errno == EINVAL,
	   "ioctl: %d pages refused", VMS_DEV_MAX_PAGES + 1);
	p.pages = 1ULL << 63;
	errno = 0;
	ok(ioctl(fd, VMS_DEV_IOC_SET_PAGES, &p) == -1 && errno == EINVAL, "ioctl: 2^63 pages refused");
	b.backing = 0;
	errno = 0;
	ok(ioctl(fd, VMS_DEV_IOC_SET_BACKING, &b) == -1 && errno == EINVAL, "ioctl: backing 0 refused");
	b.backing = 4;
	errno = 0;
	ok(ioctl(fd, VMS_DEV_IOC_SET_BACKING, &b) == -1 && errno == EINVAL, "ioctl: backing 4 refused");
	errno = 0;
	ok(ioctl(fd, _IOWR('V', 99, struct vms_dev_info), &info) == -1 && errno == ENOTTY,
	   "ioctl: an unknown ioctl is ENOTTY");
	memset(&info, 0, sizeof(info));
	info.reserved[1] = 1;
	errno = 0;
	ok(ioctl(fd, VMS_DEV_IOC_INFO, &info) == -1 && errno == EINVAL,
	   "ioctl: info with non-zero reserved fields refused");
	ok(get_info(fd, &info, NULL, 0) == 0 && info.pages == NP && info.backing == VMS_DEV_KMALLOC,
	   "ioctl: refused settings changed nothing");

	fd2 = open(DEV, O_RDWR);
	ok(fd2 >= 0 && pwrite(fd, "A", 1, 8) == 1 && pread(fd2, &c, 1, 8) == 1 && c == 0,
	   "ioctl: two opens have two buffers");
	close(fd2);

	/* A read allocates the buffer: the size is fixed from then on. */
	p.pages = 4;
	errno = 0;
	ok(ioctl(fd, VMS_DEV_IOC_SET_PAGES, &p) == -1 && errno == EBUSY,
	   "ioctl: setting the size after the first read/write is refused (EBUSY)");
	close(fd);
}

/* Runs in a child: drops CAP_SYS_ADMIN, asks for PFNs. */
static int child_pfns_hidden(void)
{
	struct vms_dev_info info;
	uint64_t pfns[NP] = { 0 };
	int fd, i;

	fd = open(DEV, O_RDWR);
	if (fd < 0 || !dev_map(fd, NP, 0, MAP_SHARED))
		return 2;
	if (drop_cap(CAP_SYS_ADMIN))
		return 3;
	if (get_info(fd, &info, pfns, NP) || !(info.flags & VMS_DEV_F_PFN_HIDDEN) ||
	    (info.flags & VMS_DEV_F_PFNS))
		return 5;
	for (i = 0; i < NP; i++)
		if (pfns[i])
			return 6;
	return 0;
}

static void test_privilege(void)
{
	int st;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(child_pfns_hidden());
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "privilege: without CAP_SYS_ADMIN the PFNs are withheld (child status %d)",
	   WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	pid = fork();
	if (pid == 0) {
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(2);
		_exit(open(DEV, O_RDWR) == -1 && errno == EACCES ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "privilege: a non-root user cannot open %s", DEV);
}

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* rmmod while a mapping (and no fd) exists, then after munmap; reload. */
static void test_unload(void)
{
	unsigned char *m;
	int fd, i, rc = -1;

	fd = dev_open(VMS_DEV_PAGES, 4);
	m = fd >= 0 ? dev_map(fd, 4, 0, MAP_SHARED) : NULL;
	if (fd >= 0)
		close(fd);
	if (!m) {
		ok(0, "unload: setup");
		ok(0, "unload: setup");
		ok(0, "unload: setup");
		return;
	}
	ok(run("rmmod vmscope 2>/dev/null") != 0 && access("/sys/module/vmscope", F_OK) == 0 &&
	   pattern_ok(m, 4, 0), "unload: rmmod is refused while a mapping exists (fd closed)");
	munmap(m, 4 * ps);
	/* Module references drop asynchronously at times: retry briefly. */
	for (i = 0; i < 20 && rc; i++) {
		rc = run("rmmod vmscope 2>/dev/null");
		if (rc)
			usleep(100000);
	}
	ok(rc == 0 && access(DEV, F_OK) != 0, "unload: rmmod succeeds after munmap");
	ok(run("insmod /lib/vmscope/vmscope.ko") == 0 && access(DEV, F_OK) == 0,
	   "unload: the module loads again");
}

/* MAP_SHARED of a file opened read-only: the kernel clears VM_SHARED, not VM_MAYSHARE. */
static void test_readonly(void)
{
	int fd = open(DEV, O_RDONLY);
	unsigned char *m = fd >= 0 ? mmap(NULL, 4 * ps, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	void *w;

	ok(m != MAP_FAILED && pattern_ok(m, 4, 0),
	   "read-only: a PROT_READ MAP_SHARED mapping of an O_RDONLY open works");
	ok(m != MAP_FAILED && mprotect(m, ps, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
	   "read-only: it cannot be made writable (EACCES)");
	errno = 0;
	w = fd >= 0 ? mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
	ok(w == MAP_FAILED && errno == EACCES,
	   "read-only: a writable shared mapping of an O_RDONLY open is refused (EACCES)");
	if (m != MAP_FAILED)
		munmap(m, 4 * ps);
	if (w != MAP_FAILED)
		munmap(w, ps);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	int b;

	ps = sysconf(_SC_PAGESIZE);
	signal(SIGPIPE, SIG_IGN);
	tap_start();
	if (access(DEV, F_OK)) {
		tap_skip("no " DEV ": module not loaded", "device");
		return tap_finish();
	}
	for (b = VMS_DEV_KMALLOC; b <= VMS_DEV_PAGES; b++)
		test_backing(b);
	test_file_semantics();
	test_ioctls();
	test_readonly();
	test_privilege();
	test_unload();
	return tap_finish();
}
