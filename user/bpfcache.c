// SPDX-License-Identifier: GPL-2.0
/*
 * The root-only cache of loaded BPF objects in bpffs (bpfcache.h has the
 * rules: who may use it, what an entry holds, why it can be trusted).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include "bpfcache.h"
#include "common.h"

#define BPF_FS_ROOT	"/sys/fs/bpf"
#define BPF_FS_MAGIC_	0xcafe4a11

static char why[512];

const char *bpfcache_why(void)
{
	return why;
}

static int fail(int err, const char *fmt, const char *arg)
{
	snprintf(why, sizeof(why), fmt, arg);
	return err;
}

bool bpfcache_enabled(void)
{
	const char *c = getenv("VMSCOPE_BPFCACHE");

	return geteuid() == 0 && !(c && !strcmp(c, "0")) && !getenv("VMSCOPE_NAMES") &&
	       !getenv("VMSCOPE_PATH");
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

#define FNV_START	0xcbf29ce484222325ull

/* This CLI's objects in this boot: what every entry name starts with. */
static uint64_t generation(void)
{
	static uint64_t gen;
	char boot[64] = "";
	int fd;

	if (gen)
		return gen;
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, boot, sizeof(boot) - 1);

		boot[n > 0 ? n : 0] = 0;
		close(fd);
	}
	gen = fnv(FNV_START, vmscope_version, strlen(vmscope_version) + 1);
	gen = fnv(gen, vmscope_bpf_hash, strlen(vmscope_bpf_hash) + 1);
	gen = fnv(gen, boot, strlen(boot) + 1) | 1;
	return gen;
}

uint64_t bpfcache_key(const char *obj, const void *ro, size_t ro_sz)
{
	return fnv(fnv(FNV_START, obj, strlen(obj) + 1), ro, ro_sz);
}

/*
 * Is the directory at fd one only root can change?  The bpffs root may be
 * world-writable if sticky (others cannot rename or remove root's entries).
 */
static bool root_only(const struct stat *st, bool sticky_ok)
{
	if (!S_ISDIR(st->st_mode) || st->st_uid != 0)
		return false;
	if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
		return true;
	return sticky_ok && (st->st_mode & S_ISVTX);
}

/* The bpffs mount and the cache directory: root's only.  0 or -errno. */
static int check_parents(bool create)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(BPF_FS_ROOT, &sfs) || sfs.f_type != BPF_FS_MAGIC_)
		return fail(-ENOENT, "%s is not a BPF file system", BPF_FS_ROOT);
	if (lstat(BPF_FS_ROOT, &st) || !root_only(&st, true))
		return fail(-EPERM, "%s may be changed by others than root", BPF_FS_ROOT);
	if (create && mkdir(BPFCACHE_DIR, 0700) && errno != EEXIST)
		return fail(-errno, "cannot make %s", BPFCACHE_DIR);
	if (lstat(BPFCACHE_DIR, &st))
		return fail(-ENOENT, "no %s", BPFCACHE_DIR);
	if (!root_only(&st, false) || (st.st_mode & 077))
		return fail(-EPERM, "%s is not root's own (0700)", BPFCACHE_DIR);
	return 0;
}

/* OBJ-GEN-KEY: GEN is this CLI and boot (stale otherwise), KEY the variant. */
static void entry_path(char *buf, size_t sz, const char *obj, uint64_t key, const char *suffix)
{
	snprintf(buf, sz, BPFCACHE_DIR "/%s-%016llx-%016llx%s", obj,
		 (unsigned long long)generation(), (unsigned long long)key, suffix);
}

static void close_all(int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int bpfcache_get(const char *obj, uint64_t key, int *map_fds, size_t nmaps, int *prog_fds,
		 size_t nprogs, unsigned int prog_type, const char *const *prog_names, int *lock)
{
	char dir[256], pin[300];
	struct stat st;
	size_t i;
	int d, err;

	why[0] = 0;
	for (i = 0; i < nmaps; i++)
		map_fds[i] = -1;
	for (i = 0; i < nprogs; i++)
		prog_fds[i] = -1;
	err = check_parents(false);
	if (err)
		return err;
	entry_path(dir, sizeof(dir), obj, key, "");
	d = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d < 0)
		return fail(-errno, "no entry %s", dir);
	if (fstat(d, &st) || !root_only(&st, false) || (st.st_mode & 077)) {
		close(d);
		return fail(-EPERM, "%s is not root's own (0700)", dir);
	}
	if (flock(d, LOCK_EX | LOCK_NB)) {
		err = -errno;
		close(d);
		return fail(err == -EWOULDBLOCK ? -EBUSY : err, "%s is in use", dir);
	}
	for (i = 0; i < nmaps; i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		snprintf(pin, sizeof(pin), "%s/m%zu", dir, i);
		map_fds[i] = bpf_obj_get(pin);
		if (map_fds[i] < 0 || bpf_obj_get_info_by_fd(map_fds[i], &info, &len) ||
		    info.key_size != 4) {
			err = fail(-EPERM, "%s: not one of the object's maps", pin);
			goto out;
		}
	}
	for (i = 0; i < nprogs; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		snprintf(pin, sizeof(pin), "%s/p%zu", dir, i);
		prog_fds[i] = bpf_obj_get(pin);
		if (prog_fds[i] < 0 || bpf_obj_get_info_by_fd(prog_fds[i], &info, &len) ||
		    info.type != prog_type ||
		    strncmp(info.name, prog_names[i], sizeof(info.name) - 1)) {
			err = fail(-EPERM, "%s: not the object's program", pin);
			goto out;
		}
	}
	*lock = d;
	return 0;
out:
	close_all(map_fds, nmaps);
	close_all(prog_fds, nprogs);
	close(d);
	return err;
}

void bpfcache_release(int lock)
{
	if (lock >= 0)
		close(lock);	/* and with it the flock */
}

/* Remove an entry directory (pins, then the directory); errors ignored. */
static void remove_entry(const char *dir)
{
	struct dirent *de;
	char p[512];
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/*
 * Entries of obj from another CLI or boot (another generation), and the
 * half-made entries of runs that died before their rename (a live run
 * holds the flock of its own).
 */
static void remove_stale(const char *obj)
{
	char gen[64], p[512];
	size_t ol = strlen(obj);
	struct dirent *de;
	DIR *d = opendir(BPFCACHE_DIR);

	snprintf(gen, sizeof(gen), "-%016llx-", (unsigned long long)generation());
	while (d && (de = readdir(d))) {
		if (!strncmp(de->d_name, "new_", 4)) {
			int fd;

			snprintf(p, sizeof(p), BPFCACHE_DIR "/%s", de->d_name);
			fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB))
				remove_entry(p);
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (strncmp(de->d_name, obj, ol) || de->d_name[ol] != '-' ||
		    !strncmp(de->d_name + ol, gen, strlen(gen)))
			continue;
		snprintf(p, sizeof(p), BPFCACHE_DIR "/%s", de->d_name);
		remove_entry(p);
	}
	if (d)
		closedir(d);
}

int bpfcache_put(const char *obj, uint64_t key, const int *map_fds, size_t nmaps,
		 const int *prog_fds, size_t nprogs, int *lock)
{
	char dir[256], tmp[256], pin[300];
	int err = check_parents(true), fd;
	size_t i;

	if (err)
		return err;
	entry_path(dir, sizeof(dir), obj, key, "");
	/*
	 * A name no other run has (mkdtemp), locked before anything is pinned
	 * in it: the lock goes with the directory through the rename, so no
	 * other run can take the entry while this one still uses its maps.
	 */
	snprintf(tmp, sizeof(tmp), BPFCACHE_DIR "/new_%s_XXXXXX", obj);
	if (!mkdtemp(tmp))
		return -errno;
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		rmdir(tmp);
		return err;
	}
	for (i = 0; i < nmaps && !err; i++) {
		snprintf(pin, sizeof(pin), "%s/m%zu", tmp, i);
		err = bpf_obj_pin(map_fds[i], pin) ? -errno : 0;
	}
	for (i = 0; i < nprogs && !err; i++) {
		snprintf(pin, sizeof(pin), "%s/p%zu", tmp, i);
		err = bpf_obj_pin(prog_fds[i], pin) ? -errno : 0;
	}
	/* Whole or not at all: another run may have put the same entry first. */
	if (err || rename(tmp, dir)) {
		err = err ?: -errno;
		remove_entry(tmp);
		close(fd);
		return err;
	}
	*lock = fd;
	remove_stale(obj);
	return 0;
}

bool bpfcache_state(char *buf, size_t sz)
{
	const char *c = getenv("VMSCOPE_BPFCACHE");
	unsigned int cur = 0, refused = 0, other = 0;
	char gen[40];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int err;

	if (geteuid() != 0) {
		snprintf(buf, sz, "off: used by root only");
		return false;
	}
	if (c && !strcmp(c, "0")) {
		snprintf(buf, sz, "off: VMSCOPE_BPFCACHE=0");
		return false;
	}
	if (getenv("VMSCOPE_NAMES") || getenv("VMSCOPE_PATH")) {
		snprintf(buf, sz, "off: a route is forced (VMSCOPE_NAMES or VMSCOPE_PATH)");
		return false;
	}
	err = check_parents(false);
	if (err == -ENOENT && lstat(BPFCACHE_DIR, &st) && errno == ENOENT &&
	    !strncmp(why, "no ", 3)) {
		snprintf(buf, sz, "empty: root's first listing makes " BPFCACHE_DIR);
		return true;
	}
	if (err) {
		snprintf(buf, sz, "not used: %s%s", why,
			 err == -EPERM ? " (remove it, as root, to use the cache again)" : "");
		return false;
	}
	snprintf(gen, sizeof(gen), "-%016llx-", (unsigned long long)generation());
	d = opendir(BPFCACHE_DIR);
	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		if (!strstr(de->d_name, gen))
			other++;
		else if (n > 8 && !strcmp(de->d_name + n - 8, "_refused"))
			refused++;
		else
			cur++;
	}
	if (d)
		closedir(d);
	snprintf(buf, sz, "in use: %u object%s loaded, %u refusal%s remembered%s", cur,
		 cur == 1 ? "" : "s", refused, refused == 1 ? "" : "s",
		 other ? " (and entries of another vmscope or boot, removed by the next load)" : "");
	return true;
}

bool bpfcache_refused(const char *obj, uint64_t key)
{
	char dir[256];
	struct stat st;

	entry_path(dir, sizeof(dir), obj, key, "_refused");
	return !lstat(dir, &st) && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
	       !check_parents(false);
}

void bpfcache_refuse(const char *obj, uint64_t key)
{
	char dir[256];

	if (check_parents(true))
		return;
	entry_path(dir, sizeof(dir), obj, key, "_refused");
	if (!mkdir(dir, 0700))
		remove_stale(obj);
}
