// SPDX-License-Identifier: GPL-2.0
/* vmscope maps / pin / unpin: VMA listings from the task_vma iterator. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cmds.h"
#include "common.h"
#include "vmalist.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static void print_json(const struct vmalist *l, bool all)
{
	size_t i;

	jw_start_arr();
	for (i = 0; i < l->n; i++) {
		const struct vms_vma *r = &l->v[i];

		jw_start_obj();
		if (all) {
			jw_u64("pid", r->pid);
			jw_str("comm", vma_comm_of(l, r));
		}
		jw_vma(r, vma_name_of(l, r));
		if (r->rflags & VMS_R_NAME_TRUNC)
			jw_bool("name_truncated", true);
		jw_end_obj();
	}
	jw_end_arr();
	jw_done();
}

static void print_table(const struct vmalist *l, bool all)
{
	int wpid = 3, wcomm = 4, waddr = 7, woff = 6, wdev = 3, wino = 5, wsize = 4;
	char buf[64], perms[5];
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct vms_vma *r = &l->v[i];
		int w;

		w = snprintf(buf, sizeof(buf), "%d", r->pid);
		wpid = w > wpid ? w : wpid;
		w = strlen(vma_comm_of(l, r));
		wcomm = w > wcomm ? w : wcomm;
		w = snprintf(buf, sizeof(buf), "%08llx-%08llx", (unsigned long long)r->start,
			     (unsigned long long)r->end);
		waddr = w > waddr ? w : waddr;
		w = snprintf(buf, sizeof(buf), "%08llx", (unsigned long long)r->pgoff);
		woff = w > woff ? w : woff;
		w = snprintf(buf, sizeof(buf), "%02x:%02x", r->dev >> 20, r->dev & 0xfffff);
		wdev = w > wdev ? w : wdev;
		w = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)r->ino);
		wino = w > wino ? w : wino;
		w = strlen(fmt_size(r->end - r->start, buf, sizeof(buf)));
		wsize = w > wsize ? w : wsize;
	}
	if (all)
		printf("%*s %-*s ", wpid, "PID", wcomm, "COMM");
	printf("%-*s %-5s %-*s %-*s %*s %*s %s\n", waddr, "ADDRESS", "PERMS", woff, "OFFSET",
	       wdev, "DEV", wino, "INODE", wsize, "SIZE", "NAME");
	for (i = 0; i < l->n; i++) {
		const struct vms_vma *r = &l->v[i];
		char addr[40];

		vm_flags_perms(r->vm_flags, perms);
		if (all)
			printf("%*d %-*s ", wpid, r->pid, wcomm, vma_comm_of(l, r));
		snprintf(addr, sizeof(addr), "%08llx-%08llx", (unsigned long long)r->start,
			 (unsigned long long)r->end);
		snprintf(buf, sizeof(buf), "%02x:%02x", r->dev >> 20, r->dev & 0xfffff);
		printf("%-*s %-5s %0*llx %-*s %*llu ", waddr, addr, perms, woff,
		       (unsigned long long)r->pgoff, wdev, buf, wino, (unsigned long long)r->ino);
		printf("%*s ", wsize, fmt_size(r->end - r->start, buf, sizeof(buf)));
		fput_name(stdout, vma_name_of(l, r));
		printf("%s\n", r->rflags & VMS_R_NAME_TRUNC ? "(name longer than PATH_MAX)" : "");
	}
}

static void print_maps(const struct vmalist *l)
{
	char line[4 * VMS_NAME_MAX + 128];
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (vma_format_maps(l, &l->v[i], line, sizeof(line)) >= 0)
			puts(line);
	}
}

int do_maps(int argc, char **argv)
{
	struct vmalist l = {};
	struct vma_bpf *obj = NULL;
	bool all = false, raw = false;
	pid_t pid = 0;
	int i, err;

	argc = common_opts(argc, argv, "maps");
	if (argc < 0)
		return 0;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "-a")) {
			all = true;
		} else if (!strcmp(argv[i], "--maps")) {
			raw = true;
		} else if (argv[i][0] == '-') {
			p_err("maps: unknown option '%s'", argv[i]);
			return 2;
		} else if (pid) {
			p_err("maps: more than one pid given ('%s')", argv[i]);
			return 2;
		} else if (parse_pid(argv[i], &pid)) {
			return 2;
		}
	}
	if (!pid && !all) {
		p_err("maps: expected a PID or --all; see 'vmscope maps --help'");
		return 2;
	}
	if (pid && all) {
		p_err("maps: give a PID or --all, not both");
		return 2;
	}
	if (pid && check_pid(pid))
		return 1;

	obj = vmalist_open(VMALIST_RECORDS | (all ? VMALIST_ALL : 0), &err);
	if (!obj) {
		p_err("maps: cannot load the VMA iterator: %s", bpf_err_hint(err));
		return 1;
	}
	err = vmalist_collect(obj, pid, &l);
	if (err) {
		if (err == -ESRCH || err == -ENOENT)
			p_err("no such process: %d", pid);
		else
			p_err("maps: reading the VMA iterator: %s", strerror(-err));
		goto cleanup;
	}
	if (pid && l.n == 0) {
		if (check_pid(pid)) {
			err = -ESRCH;
			goto cleanup;
		}
		if (pid_is_kthread(pid)) {
			p_err("process %d is a kernel thread: it has no user address space", pid);
			err = -EINVAL;
			goto cleanup;
		}
		/* A zombie or exiting process: an empty map, like /proc/PID/maps. */
	}
	if (json_output)
		print_json(&l, all);
	else if (raw)
		print_maps(&l);
	else
		print_table(&l, all);
cleanup:
	vmalist_free(&l);
	vmalist_close(obj);
	return err ? 1 : 0;
}

static int check_bpffs(const char *path)
{
	char *dup = strdup(path), *dir;
	struct statfs st;
	int err = 0;

	if (!dup)
		return -ENOMEM;
	dir = dirname(dup);
	if (statfs(dir, &st)) {
		p_err("%s: %s", dir, strerror(errno));
		err = -errno;
	} else if ((unsigned long)st.f_type != BPF_FS_MAGIC) {
		p_err("%s is not on a BPF filesystem: mount one with 'mount -t bpf bpf /sys/fs/bpf'",
		      path);
		err = -EINVAL;
	}
	free(dup);
	return err;
}

int do_pin(int argc, char **argv)
{
	struct vma_bpf *obj = NULL;
	const char *path = NULL;
	pid_t pid = 0;
	int i, err;

	argc = common_opts(argc, argv, "pin");
	if (argc < 0)
		return 0;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pid") || !strcmp(argv[i], "-p")) {
			if (++i >= argc) {
				p_err("pin: --pid needs a value");
				return 2;
			}
			if (parse_pid(argv[i], &pid))
				return 2;
		} else if (argv[i][0] == '-') {
			p_err("pin: unknown option '%s'", argv[i]);
			return 2;
		} else if (path) {
			p_err("pin: more than one path given ('%s')", argv[i]);
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		p_err("pin: expected a path in bpffs; see 'vmscope pin --help'");
		return 2;
	}
	if (pid && check_pid(pid))
		return 1;
	if (pid && pid_is_kthread(pid)) {
		p_err("process %d is a kernel thread: it has no user address space", pid);
		return 1;
	}
	if (check_bpffs(path))
		return 1;
	if (strchr(strrchr(path, '/') ? strrchr(path, '/') + 1 : path, '.')) {
		p_err("pin: bpffs does not allow '.' in a name: '%s'", path);
		return 1;
	}
	if (access(path, F_OK) == 0) {
		p_err("pin: %s already exists", path);
		return 1;
	}
	obj = vmalist_open(VMALIST_TEXT, &err);
	if (!obj) {
		p_err("pin: cannot load the VMA iterator: %s", bpf_err_hint(err));
		return 1;
	}
	err = vmalist_pin_text(obj, pid, path);
	if (err)
		p_err("pin: cannot pin at %s: %s", path, strerror(-err));
	else if (json_output) {
		jw_start_obj();
		jw_str("pinned", path);
		if (pid)
			jw_u64("pid", pid);
		jw_end_obj();
		jw_done();
	}
	vmalist_close(obj);
	return err ? 1 : 0;
}

int do_unpin(int argc, char **argv)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int fd;

	argc = common_opts(argc, argv, "unpin");
	if (argc < 0)
		return 0;
	if (argc != 2) {
		p_err("unpin: expected exactly one path; see 'vmscope unpin --help'");
		return 2;
	}
	if (check_bpffs(argv[1]))
		return 1;
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		p_err("unpin: %s: %s", argv[1], strerror(errno));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_LINK_TYPE_ITER) {
		close(fd);
		p_err("unpin: %s is not a pinned iterator link; not removing it", argv[1]);
		return 1;
	}
	close(fd);
	if (unlink(argv[1])) {
		p_err("unpin: %s: %s", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
