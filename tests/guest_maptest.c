// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/maptest, the labs' one-page mmap file: the lab's own flow (open,
 * mmap, print the page's text, munmap), one page per open file, writes
 * through a mapping seen only by that opener, read() equal to the mapping,
 * the mapping's PFN stable and the same as pagemap says, and the rules:
 * one page at offset 0, no growth, read-only private mappings only, the
 * page alive for as long as any mapping (fork, close before munmap) and
 * the module pinned meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "tap.h"
#include "vmem_api.h"

#define PG 4096ul
#define MT "/proc/maptest"

static char *map_one(int fd, int prot, int flags)
{
	char *p = mmap(NULL, PG, prot, flags, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* "vmscope /proc/maptest page #N, ..." -> N, or 0. */
static unsigned int page_id(const char *p)
{
	unsigned int id = 0;

	return sscanf(p, "vmscope /proc/maptest page #%u,", &id) == 1 ? id : 0;
}

static void lab_flow(void)
{
	int fd = open(MT, O_RDONLY);
	char *p, line[128];
	FILE *f;

	p = fd >= 0 ? map_one(fd, PROT_READ, MAP_SHARED) : NULL;
	ok(p != NULL, "the lab's flow: open " MT " read-only and mmap one page (%s)",
	   p ? "ok" : strerror(errno));
	if (!p)
		return;
	/* What the lab's program does: print the content. */
	f = fmemopen(line, sizeof(line), "w");
	fprintf(f, "%.100s", p);
	fclose(f);
	diag("first line: %.80s", p);
	ok(page_id(p) > 0 && strstr(p, "opened by pid") && strstr(p, "maptest #") &&
	   p[PG - 1] == 0 && strlen(p) > PG / 2,
	   "the page holds text that says which page it is, NUL-terminated");
	ok(munmap(p, PG) == 0 && close(fd) == 0, "munmap and close");
}

static void per_open(void)
{
	int a = open(MT, O_RDWR), b = open(MT, O_RDWR);
	char *pa = map_one(a, PROT_READ | PROT_WRITE, MAP_SHARED);
	char *pb = map_one(b, PROT_READ | PROT_WRITE, MAP_SHARED);
	char *pa2 = map_one(a, PROT_READ, MAP_SHARED);
	char buf[PG];

	if (!pa || !pb || !pa2) {
		ok(0, "two opens map (%s)", strerror(errno));
		return;
	}
	ok(page_id(pa) && page_id(pb) && page_id(pa) != page_id(pb),
	   "each open file has a page of its own (#%u and #%u)", page_id(pa), page_id(pb));
	memcpy(pa + 200, "written through the mapping", 27);
	ok(!memcmp(pa2 + 200, "written through the mapping", 27),
	   "a second mapping of the same open file sees the write");
	ok(memcmp(pb + 200, "written through the mapping", 27) != 0,
	   "the other opener's page does not");
	ok(pread(a, buf, PG, 0) == (ssize_t)PG && !memcmp(buf, pa, PG),
	   "read() returns what the mapping shows");
	munmap(pa, PG);
	munmap(pa2, PG);
	munmap(pb, PG);
	close(a);
	close(b);
}

static struct vmem *v;

/*
 * PFN of addr in pid, from the module's walk: pagemap shows nothing for a
 * PFN map (the kernel's page walker skips VM_PFNMAP VMAs).
 */
static uint64_t walk_pfn(pid_t pid, const void *addr)
{
	struct vms_walk w = { .addr = (uintptr_t)addr };

	if (!v || vmem_walk(v, pid, &w, 1) != 1 || w.err || !(w.wflags & VMS_W_PFN_VALID))
		return 0;
	return w.pfn;
}

static void lifetime(void)
{
	int fd = open(MT, O_RDWR), st;
	char *p = fd >= 0 ? map_one(fd, PROT_READ | PROT_WRITE, MAP_SHARED) : NULL;
	uint64_t pfn;
	pid_t c;

	if (!p) {
		ok(0, "lifetime: map (%s)", strerror(errno));
		return;
	}
	pfn = walk_pfn(getpid(), p);
	ok(pfn != 0, "the module's walk shows the mapped page (PFN 0x%llx)",
	   (unsigned long long)pfn);
	close(fd);	/* the mapping outlives the fd */
	strcpy(p + 100, "after close");
	c = fork();
	if (c == 0) {
		if (strcmp(p + 100, "after close"))
			_exit(1);
		pause();
		_exit(0);
	}
	usleep(100000);
	ok(walk_pfn(c, p) == pfn && walk_pfn(getpid(), p) == pfn,
	   "after close(), the page is still mapped, and a fork child maps the same PFN");
	kill(c, SIGTERM);
	waitpid(c, &st, 0);
	ok(system("rmmod vmscope 2>/dev/null") != 0 && access("/sys/module/vmscope", F_OK) == 0,
	   "the module cannot be unloaded while the page is mapped");
	munmap(p, PG);
}

static void rules(void)
{
	int fd = open(MT, O_RDWR), ro = open(MT, O_RDONLY);
	char *p;

	p = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	ok(p == MAP_FAILED && errno == EINVAL, "two pages: EINVAL");
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, PG);
	ok(p == MAP_FAILED && errno == EINVAL, "offset one page: EINVAL");
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ok(p == MAP_FAILED && errno == EINVAL, "a writable private mapping: EINVAL");
	p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 0);
	ok(p != MAP_FAILED && page_id(p) > 0 && mprotect(p, PG, PROT_READ | PROT_WRITE) != 0,
	   "a read-only private mapping works and cannot be made writable");
	if (p != MAP_FAILED)
		munmap(p, PG);
	p = map_one(fd, PROT_READ, MAP_SHARED);
	ok(p && mremap(p, PG, 2 * PG, 0) == MAP_FAILED, "the mapping cannot grow (VM_DONTEXPAND)");
	if (p)
		munmap(p, PG);
	p = map_one(ro, PROT_READ | PROT_WRITE, MAP_SHARED);
	ok(!p && errno == EACCES, "a writable shared mapping of a read-only open: EACCES");
	close(fd);
	close(ro);
}

int main(void)
{
	int st;

	tap_start();
	if (access(MT, F_OK)) {
		tap_skip("module not loaded (no " MT ")", "/proc/maptest");
		return tap_finish();
	}
	v = vmem_open(&st);
	lab_flow();
	per_open();
	lifetime();
	rules();
	vmem_close(v);
	return tap_finish();
}
