// SPDX-License-Identifier: GPL-2.0
/*
 * A target process for the CLI tests and the demo.  Prints one line
 *   pid=N str=ADDR thp=ADDR ro=ADDR
 * then, every INTERVAL ms, "value: <the string>".  The string lives in a
 * heap buffer; thp is a written, 2 MiB-aligned MADV_HUGEPAGE region; ro a
 * read-only private page.
 *   vms_target [STRING] [INTERVAL_MS]
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	const char *init = argc > 1 ? argv[1] : "hello from vms_target";
	int ms = argc > 2 ? atoi(argv[2]) : 500;
	char *str = malloc(256), *raw, *thp, *ro;
	uintptr_t a;

	snprintf(str, 256, "%s", init);
	raw = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a = ((uintptr_t)raw + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1);
	thp = (char *)a;
	madvise(thp, 2 << 20, MADV_HUGEPAGE);
	memset(thp, 0x42, 2 << 20);
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(ro, "read-only data");
	mprotect(ro, 4096, PROT_READ);
	printf("pid=%d str=%p thp=%p ro=%p\n", getpid(), (void *)str, (void *)thp, (void *)ro);
	fflush(stdout);
	for (;;) {
		printf("value: %s\n", str);
		fflush(stdout);
		usleep(ms * 1000);
	}
}
