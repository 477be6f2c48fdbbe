// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap lab's test program, run against /dev/vmscope: map the device's
 * buffer shared and check that every page starts with aa bb cc dd.
 *   devmap_example [DEVICE [PAGES]]      (default /dev/vmscope 16)
 * Nothing here knows vmscope: only the device path is different.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/vmscope";
	int npages = argc > 2 ? atoi(argv[2]) : 16;
	long ps = sysconf(_SC_PAGESIZE);
	unsigned char *p;
	int fd, i, bad = 0;

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	p = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < npages; i++) {
		unsigned char *pg = p + i * ps;

		if (pg[0] != 0xaa || pg[1] != 0xbb || pg[2] != 0xcc || pg[3] != 0xdd) {
			printf("page %d: %02x %02x %02x %02x\n", i, pg[0], pg[1], pg[2], pg[3]);
			bad++;
		}
	}
	printf("%s: %d pages mapped, %d with the signature aa bb cc dd\n",
	       dev, npages, npages - bad);
	munmap(p, npages * ps);
	close(fd);
	return bad ? 1 : 0;
}
