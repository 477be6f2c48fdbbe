// SPDX-License-Identifier: GPL-2.0
/* vmscope pin / unpin: cat-able /proc/PID/maps listings pinned in bpffs. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include "cmds.h"
#include "common.h"
#include "vmalist.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static int check_bpffs(const char *cmd, const char *path)
{
	char *dup = strdup(path), *dir;
	struct statfs st;
	int err = 0;

	if (!dup)
		return -ENOMEM;
	dir = dirname(dup);
	if (statfs(dir, &st)) {
		err = -errno;
		p_error(err, "%s: %s: %s", cmd, dir, strerror(-err));
	} else if ((unsigned long)st.f_type != BPF_FS_MAGIC) {
		err = -EINVAL;
		p_error(err, "%s: %s is not on a BPF filesystem: mount one with "
			"'mount -t bpf bpf /sys/fs/bpf'", cmd, path);
	}
	free(dup);
	return err;
}

/*
 * A directory is never a pinned listing: say what it is (the mount point
 * of a BPF filesystem, whose parent is not on it, or a directory) before
 * check_bpffs would judge it by its parent.  -EISDIR after saying so.
 */
static int refuse_dir(const char *cmd, const char *path)
{
	char up[4096];
	struct stat st, pst;
	struct statfs sf;
	bool top;

	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return 0;
	snprintf(up, sizeof(up), "%s/..", path);
	top = !statfs(path, &sf) && (unsigned long)sf.f_type == BPF_FS_MAGIC &&
	      (stat(up, &pst) || pst.st_dev != st.st_dev || pst.st_ino == st.st_ino);
	if (top)
		p_error(EISDIR, "%s: %s is the mount point of a BPF filesystem, not a listing pinned "
			"by 'vmscope pin'; not removing it", cmd, path);
	else
		p_error(EISDIR, "%s: %s is a directory, not a listing pinned by 'vmscope pin'; not "
			"removing it", cmd, path);
	return -EISDIR;
}

static int do_pin(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'P' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0], *path = NULL, *base;
	struct vma_bpf *obj = NULL;
	pid_t pid = 0;
	int c, rc, err;

	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		if (c == 'P') {
			if (parse_pid(optarg, &pid))
				return EXIT_USAGE;
			continue;
		}
		rc = cmd_common(cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (optind >= argc) {
		p_usage(cmd, "expected a path in bpffs");
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		p_usage(cmd, "expected one path, got '%s' too", argv[optind + 1]);
		return EXIT_USAGE;
	}
	path = argv[optind];
	if (pid && !pid_exists(pid)) {
		p_error(ESRCH, "no such process: %d", pid);
		return EXIT_RUNTIME;
	}
	if (pid && pid_is_kthread(pid)) {
		p_error(EINVAL, "process %d is a kernel thread: it has no user address space", pid);
		return EXIT_RUNTIME;
	}
	if (check_bpffs(cmd, path))
		return EXIT_RUNTIME;
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (strchr(base, '.')) {
		p_error(EINVAL, "%s: bpffs does not allow '.' in a name: '%s'", cmd, path);
		return EXIT_RUNTIME;
	}
	if (access(path, F_OK) == 0) {
		p_error(EEXIST, "%s: %s already exists", cmd, path);
		return EXIT_RUNTIME;
	}
	obj = vmalist_open(VMALIST_TEXT, &err);
	if (!obj) {
		p_error(err, "%s: cannot load the VMA iterator: %s", cmd, bpf_err_hint(err));
		return EXIT_RUNTIME;
	}
	err = vmalist_pin_text(obj, pid, path);
	vmalist_close(obj);
	if (err) {
		p_error(err, "%s: cannot pin at %s: %s", cmd, path, strerror(-err));
		return EXIT_RUNTIME;
	}
	if (json_output) {
		jw_start_obj();
		jw_str("pinned", path);
		if (pid)
			jw_u64("pid", pid);
		else
			jw_null("pid");
		jw_end_obj();
		jw_done();
	}
	return 0;
}

static int do_unpin(int argc, char **argv)
{
	static const struct option longopts[] = { COMMON_LONG, {} };
	const char *cmd = argv[0], *path;
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int c, rc, fd;

	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		rc = cmd_common(cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (optind != argc - 1) {
		p_usage(cmd, "expected exactly one path");
		return EXIT_USAGE;
	}
	path = argv[optind];
	if (refuse_dir(cmd, path) || check_bpffs(cmd, path))
		return EXIT_RUNTIME;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		p_error(errno, "%s: %s: %s", cmd, path, strerror(errno));
		return EXIT_RUNTIME;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_LINK_TYPE_ITER) {
		close(fd);
		p_error(EINVAL, "%s: %s is not a pinned iterator link; not removing it", cmd, path);
		return EXIT_RUNTIME;
	}
	close(fd);
	if (unlink(path)) {
		p_error(errno, "%s: %s: %s", cmd, path, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (json_output) {
		jw_start_obj();
		jw_str("unpinned", path);
		jw_end_obj();
		jw_done();
	}
	return 0;
}

const struct cmd cmd_pin = {
	.name = "pin",
	.fn = do_pin,
	.usage = "pin [OPTIONS] PATH [--pid PID]",
	.summary = "pin a cat-able /proc/PID/maps listing (all processes, or one) in bpffs",
	.help = "      --pid PID      only this process\n"
	        "  PATH must be on a BPF filesystem; 'cat PATH' then lists the VMAs.\n"
	        "examples:\n"
	        "  vmscope pin /sys/fs/bpf/maps1234 --pid 1234 && cat /sys/fs/bpf/maps1234\n",
};

const struct cmd cmd_unpin = {
	.name = "unpin",
	.fn = do_unpin,
	.usage = "unpin [OPTIONS] PATH",
	.summary = "remove a listing pinned by 'vmscope pin'",
	.help = "  Refuses anything that is not a pinned iterator link: a directory, the\n"
	        "  bpffs mount point itself.\n"
	        "examples:\n"
	        "  vmscope unpin /sys/fs/bpf/maps1234\n",
};
