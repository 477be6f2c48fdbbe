/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the guest tests (header-only: each test is one file). */
#ifndef VMSCOPE_GUEST_UTIL_H
#define VMSCOPE_GUEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "caps.h"

static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (int)strlen(s) ? 0 : -EIO;
}

static inline int run_cmd(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * The running kernel's CONFIG_NAME from /boot/config-$(uname -r) (scripts/vm.sh
 * puts it there, as Debian does): 1 set (y or m), 0 not set, -1 when the file
 * is missing.
 */
#include <sys/utsname.h>
static inline int kernel_config(const char *name)
{
	char path[128], line[256];
	struct utsname u;
	size_t n = strlen(name);
	int set = 0;
	FILE *f;

	if (uname(&u))
		return -1;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == '=' && (line[n + 1] == 'y' || line[n + 1] == 'm'))
			set = 1;
	fclose(f);
	return set;
}

/* zram swap, once per boot: lz4 modules, then zram, mkswap, swapon. */
static inline const char *setup_swap(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int lines = 0;

	while (f && fgets(line, sizeof(line), f))
		lines++;
	if (f)
		fclose(f);
	if (lines > 1)
		return NULL;
	run_cmd("insmod /lib/modules/lz4_compress.ko 2>/dev/null; "
		"insmod /lib/modules/lz4hc_compress.ko 2>/dev/null; "
		"insmod /lib/modules/zram.ko 2>/dev/null");
	if (access("/sys/block/zram0/disksize", W_OK))
		return "zram is not available in this guest";
	write_file("/sys/block/zram0/comp_algorithm", "lz4");
	if (write_file("/sys/block/zram0/disksize", "128M"))
		return "cannot size zram0";
	if (run_cmd("mkswap /dev/zram0 >/dev/null 2>&1 && swapon /dev/zram0"))
		return "mkswap/swapon on zram0 failed";
	return NULL;
}

#endif
