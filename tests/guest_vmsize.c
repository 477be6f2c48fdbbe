// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmscope/vmsize: "BYTES VMAS COMM" of the reader, checked against
 * /proc/self/status (VmSize), /proc/self/maps and a 10 MiB mmap.
 * Files are read with open/read into static buffers: no malloc, so the
 * address space does not change between the readings.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "tap.h"

#define VMSIZE "/proc/vmscope/vmsize"

static char fbuf[1 << 20];

static const char *slurp(const char *path)
{
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY);

	fbuf[0] = 0;
	if (fd < 0)
		return fbuf;
	while ((n = read(fd, fbuf + len, sizeof(fbuf) - 1 - len)) > 0)
		len += n;
	fbuf[len] = 0;
	close(fd);
	return fbuf;
}

struct vmsize { unsigned long long bytes, vmas; char comm[32]; int ok; };

static struct vmsize read_vmsize(void)
{
	struct vmsize v = { 0 };
	char nl;

	v.ok = sscanf(slurp(VMSIZE), "%llu %llu %31s%c", &v.bytes, &v.vmas, v.comm, &nl) == 4 &&
	       nl == '\n';
	return v;
}

int main(void)
{
	const size_t ten = 10 << 20;
	struct vmsize a, b, c;
	unsigned long long kb = 0, lines = 0;
	const char *p;
	void *m;

	tap_start();
	if (access(VMSIZE, R_OK)) {
		for (int i = 0; i < 6; i++)
			tap_skip("no " VMSIZE ": module not loaded", "vmsize");
		return tap_finish();
	}
	prctl(PR_SET_NAME, "mmap-test");
	a = read_vmsize();
	ok(a.ok && !strcmp(a.comm, "mmap-test"), "vmsize: reads 'BYTES VMAS COMM' with the reader's comm (%s)", a.comm);

	p = strstr(slurp("/proc/self/status"), "VmSize:");
	if (p)
		kb = strtoull(p + 7, NULL, 10);
	b = read_vmsize();
	ok(b.bytes == kb * 1024, "vmsize: bytes equal VmSize in /proc/self/status (%llu, %llu kB)", b.bytes, kb);

	for (p = slurp("/proc/self/maps"); *p; p++)
		if (*p == '\n')
			lines++;
	if (strstr(fbuf, "[vsyscall]"))
		lines--;	/* not a VMA: the kernel adds it to maps by hand */
	b = read_vmsize();
	ok(b.vmas == lines, "vmsize: VMA count equals /proc/self/maps lines (%llu, %llu)", b.vmas, lines);

	a = read_vmsize();
	m = mmap(NULL, ten, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = read_vmsize();
	ok(m != MAP_FAILED && b.bytes == a.bytes + ten,
	   "vmsize: grows by exactly 10 MiB after a 10 MiB anonymous mmap (%llu -> %llu)", a.bytes, b.bytes);
	munmap(m, ten);
	c = read_vmsize();
	ok(c.bytes == a.bytes, "vmsize: shrinks back after munmap (%llu)", c.bytes);

	m = mmap(NULL, ten, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	b = read_vmsize();
	ok(m != MAP_FAILED && b.bytes == a.bytes + ten,
	   "vmsize: counts mapped, not touched, memory (PROT_NONE 10 MiB: %llu -> %llu)", a.bytes, b.bytes);
	return tap_finish();
}
