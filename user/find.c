// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope find PID ADDR...: the VMA of each address, or the next one.
 * Sources, best first (find_source): the module's batched lookup kfunc;
 * the BPF VMA listing (no module); PROCMAP_QUERY on /proc/PID/maps (Linux
 * 6.11+, no BPF permission needed, so it also works for a user on their
 * own processes); the text of /proc/PID/maps.  The last two report only
 * the r/w/x/s bits of vm_flags.  The help (user/find.c) and
 * vmscope-find(8) list them in this order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "cmds.h"
#include "common.h"
#include "memcmd.h"
#include "module.h"
#include "procmap.h"
#include "vmalist.h"


/* The names of the lookups: one string table, vi[i].vma.name_off into it. */
static const char *name_of(const struct vms_vmainfo *r, const struct vmem_str *names)
{
	return r->vma.name_len ? names->s + r->vma.name_off : "";
}

static int add_name(struct vmem_str *t, const char *s, struct vms_vma *r)
{
	size_t n = strlen(s) + 1, off = t->len;
	int err = vmem_str_append(t, s, n);

	if (err)
		return err;
	r->name_off = off;
	r->name_len = n - 1;
	return 0;
}

/*
 * From a listing (the BPF iterators, or /proc/PID/maps text: flags): the
 * covering VMA or the next one, by binary search.
 */
static int find_listing(pid_t pid, unsigned int flags, struct vms_vmainfo *vi, size_t n,
			struct vmem_str *names)
{
	struct vmalist l = {};
	struct vma_bpf *obj;
	size_t i, nv;
	int err, found = 0;

	obj = vmalist_open(VMALIST_RECORDS | flags, &err);
	if (!obj)
		return err;
	err = vmalist_collect(obj, pid, &l);
	vmalist_close(obj);
	if (err)
		goto out;
	/* The [vsyscall] gate VMA is not in the VMA tree: lookups never see it. */
	for (nv = l.n; nv && l.v[nv - 1].start >= VMS_VSYSCALL_START; nv--)
		;
	if (!nv) {
		err = -ESRCH;
		goto out;
	}
	for (i = 0; i < n && !err; i++) {
		size_t lo = 0, hi = nv;

		while (lo < hi) {	/* the first VMA with end > addr */
			size_t mid = (lo + hi) / 2;

			if (l.v[mid].end > vi[i].addr)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (lo == nv) {
			vi[i].err = -ENOENT;
			continue;
		}
		vi[i].vma = l.v[lo];
		err = add_name(names, vma_name_of(&l, &l.v[lo]), &vi[i].vma);
		found++;
	}
out:
	vmalist_free(&l);
	return err ? err : found;
}

/* From PROCMAP_QUERY: -ENOTTY where the kernel has no such ioctl. */
static int find_procmap(pid_t pid, struct vms_vmainfo *vi, size_t n, struct vmem_str *names)
{
	char path[64], name[4096];
	int fd, found = 0, err = 0;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; i < n && !err; i++) {
		struct vms_procmap_query q = {
			.size = sizeof(q), .query_flags = VMS_PQ_COVERING_OR_NEXT,
			.query_addr = vi[i].addr, .vma_name_addr = (uintptr_t)name,
			.vma_name_size = sizeof(name),
		};
		struct vms_vma *r = &vi[i].vma;

		if (ioctl(fd, VMS_PROCMAP_QUERY, &q)) {
			if (errno == ENOENT) {
				vi[i].err = -ENOENT;
				continue;
			}
			err = -errno;
			break;
		}
		memset(r, 0, sizeof(*r));
		r->start = q.vma_start;
		r->end = q.vma_end;
		/* PROCMAP_QUERY_VMA_{READABLE,WRITABLE,EXECUTABLE,SHARED} */
		r->vm_flags = (q.vma_flags & 1 ? VMS_VM_READ : 0) | (q.vma_flags & 2 ? VMS_VM_WRITE : 0) |
			      (q.vma_flags & 4 ? VMS_VM_EXEC : 0) |
			      (q.vma_flags & 8 ? VMS_VM_MAYSHARE | VMS_VM_SHARED : 0);
		r->pgoff = q.vma_offset;
		r->ino = q.inode;
		r->dev = q.dev_major << 20 | q.dev_minor;
		r->pid = pid;
		if (!q.vma_name_size)
			name[0] = 0;
		r->name_kind = vma_kind_of_name(name, q.inode);
		err = add_name(names, name, r);
		found++;
	}
	close(fd);
	return err ? err : found;
}

/* find's sources, best first. */
enum find_source { FS_MODULE, FS_BPF, FS_PROCMAP, FS_PROC, FS_NR };
static const char *const find_source_names[FS_NR] = {
	"module", "bpf", "procmap_query", "proc_maps",
};
static const char *const find_source_what[FS_NR] = {
	"the module", "the BPF listing", "PROCMAP_QUERY", "/proc/PID/maps",
};

/* The lookups of one run, from one source. */
struct find_res {
	pid_t pid;
	enum find_source source;	/* the one that answered */
	struct vms_vmainfo *vi;
	struct vmem_str names;
	size_t n;
};

static void print_find_json(const struct find_res *res)
{
	const struct vms_vmainfo *vi = res->vi;
	const struct vmem_str *names = &res->names;
	size_t i, n = res->n;

	jw_start_obj();
	jw_u64("pid", res->pid);
	jw_str("source", find_source_names[res->source]);
	jw_key("lookups");
	jw_start_arr();
	for (i = 0; i < n; i++) {
		const struct vms_vmainfo *r = &vi[i];

		jw_start_obj();
		jw_hex("addr", r->addr);
		jw_bool("found", !r->err);
		if (!r->err) {
			jw_bool("covering", r->addr >= r->vma.start);
			jw_key("vma");
			jw_start_obj();
			jw_vma(&r->vma, name_of(r, names));
			jw_end_obj();
		} else {
			/* A failed part (exit 1): error and errno, as explain's. */
			jw_str("error", r->err == -ENOENT ? "no VMA at or after this address" :
				   strerror(-r->err));
			jw_i64("errno", r->err < 0 ? -r->err : r->err);
		}
		jw_end_obj();
	}
	jw_end_arr();
	jw_end_obj();
	jw_done();
}

static void print_find_plain(const struct find_res *res)
{
	const struct vms_vmainfo *vi = res->vi;
	const struct vmem_str *names = &res->names;
	int wa = 7, wr = 7, wsz = 4;
	char buf[96], perms[5];
	size_t i, n = res->n;

	for (i = 0; i < n; i++) {
		int w = snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)vi[i].addr);

		wa = w > wa ? w : wa;
		if (vi[i].err)
			continue;
		w = snprintf(buf, sizeof(buf), "%08llx-%08llx", (unsigned long long)vi[i].vma.start,
			     (unsigned long long)vi[i].vma.end);
		wr = w > wr ? w : wr;
		w = strlen(fmt_size(vi[i].vma.end - vi[i].vma.start, buf, sizeof(buf)));
		wsz = w > wsz ? w : wsz;
	}
	printf("%-*s %-*s %-5s %-8s %-5s %*s %s\n", wa, "ADDRESS", wr, "VMA", "PERMS", "OFFSET",
	       "DEV", wsz, "SIZE", "NAME");
	for (i = 0; i < n; i++) {
		const struct vms_vmainfo *r = &vi[i];
		char range[64], dev[16];

		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)r->addr);
		if (r->err) {
			printf("%-*s (no VMA at or after this address)\n", wa, buf);
			continue;
		}
		vm_flags_perms(r->vma.vm_flags, perms);
		snprintf(range, sizeof(range), "%08llx-%08llx", (unsigned long long)r->vma.start,
			 (unsigned long long)r->vma.end);
		snprintf(dev, sizeof(dev), "%02x:%02x", r->vma.dev >> 20, r->vma.dev & 0xfffff);
		printf("%-*s %-*s %-5s %08llx %-5s ", wa, buf, wr, range, perms,
		       (unsigned long long)r->vma.pgoff, dev);
		printf("%*s ", wsz, fmt_size(r->vma.end - r->vma.start, buf, sizeof(buf)));
		fput_name(stdout, name_of(r, names));
		printf("%s\n", r->addr < r->vma.start ? " (not mapped: next VMA)" : "");
	}
}

static int find_from(enum find_source src, struct vmem *v, pid_t pid, struct vms_vmainfo *vi,
		     size_t n, struct vmem_str *names)
{
	size_t i;

	for (i = 0; i < n; i++)
		vi[i].err = 0;
	names->len = 0;
	switch (src) {
	case FS_MODULE:
		return v ? vmem_find(v, pid, vi, n, names) : -ENOPKG;
	case FS_BPF:
		return find_listing(pid, VMALIST_ONLY_BPF, vi, n, names);
	case FS_PROCMAP:
		return find_procmap(pid, vi, n, names);
	default:
		return find_listing(pid, VMALIST_ONLY_PROC, vi, n, names);
	}
}

/* Errors about the process itself: every source would say the same. */
static bool process_error(int err)
{
	return err == -ESRCH || err == -ENOENT;
}

struct find_opts {
	const char *cmd;
	pid_t pid;
	int forced;		/* --source: enum find_source, or -1: the first that answers */
	uint64_t *addrs;
	size_t n;
};

/* Options and arguments into o; returns -1 to go on, or the exit status. */
static int find_opts(int argc, char **argv, struct find_opts *o)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 'S' },
		COMMON_LONG,
		{}
	};
	size_t i;
	int c, rc;

	o->cmd = argv[0];
	o->forced = -1;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		if (c == 'S') {
			for (o->forced = 0; o->forced < FS_NR; o->forced++)
				if (!strcmp(optarg, find_source_names[o->forced]) ||
				    (o->forced == FS_PROC && !strcmp(optarg, "proc")))
					break;
			if (o->forced == FS_NR) {
				p_usage(o->cmd, "unknown source '%s': expected module, bpf, "
					"procmap_query or proc", optarg);
				return EXIT_USAGE;
			}
			continue;
		}
		rc = cmd_common(o->cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind < 2) {
		p_usage(o->cmd, "expected a PID and at least one address");
		return EXIT_USAGE;
	}
	if (parse_pid(argv[optind], &o->pid))
		return EXIT_USAGE;
	o->n = argc - optind - 1;
	o->addrs = calloc(o->n, sizeof(*o->addrs));
	if (!o->addrs) {
		p_error(ENOMEM, "%s: out of memory", o->cmd);
		return EXIT_RUNTIME;
	}
	for (i = 0; i < o->n; i++)
		if (parse_addr(argv[optind + 1 + i], &o->addrs[i]))
			return EXIT_USAGE;
	return -1;
}

/*
 * Each source in turn until one answers: the module (absent, or refusing
 * another user's process without CAP_SYS_PTRACE), the BPF listing (no BPF
 * permission, or a verifier that refuses it), PROCMAP_QUERY (6.11+; a
 * user's own processes), the maps text.  Fills res; returns a negative
 * errno when none answered.  A fallback is said on stderr.
 */
static int find_run(const struct find_opts *o, struct vmem *v, struct find_res *res)
{
	int ret = -ENOPKG, src, failed = -1, failed_err = 0;
	size_t i;

	res->pid = o->pid;
	res->n = o->n;
	res->vi = calloc(o->n, sizeof(*res->vi));
	if (!res->vi)
		return -ENOMEM;
	for (i = 0; i < o->n; i++)
		res->vi[i].addr = o->addrs[i];
	for (src = o->forced < 0 ? FS_MODULE : o->forced; src < FS_NR; src++) {
		ret = find_from(src, v, o->pid, res->vi, o->n, &res->names);
		if (ret >= 0 || o->forced >= 0 || process_error(ret))
			break;
		if (ret != -ENOPKG && failed < 0) {
			failed = src;
			failed_err = ret;
		}
		if (verbose && ret != -ENOPKG)
			p_info("vmscope: %s: %s: %s\n", o->cmd, find_source_what[src],
			       strerror(-ret));
	}
	if (ret < 0)
		return ret;
	res->source = src;
	if (failed >= 0)
		p_info("vmscope: %s: VMAs from %s: %s did not answer (%s)\n", o->cmd,
		       find_source_what[src], find_source_what[failed],
		       failed == FS_BPF ? bpf_err_hint(failed_err) : strerror(-failed_err));
	else if (verbose)
		p_info("vmscope: %s: VMAs from %s\n", o->cmd, find_source_what[src]);
	return 0;
}

/* No source answered: why, with what to do. */
static void find_fail(const struct find_opts *o, int ret)
{
	char msg[256];

	if (process_error(ret) || ret == -EINVAL) {
		ret = -pid_no_vmas(o->pid, msg, sizeof(msg));
		p_error(ret, "%s", msg);
	} else if (ret == -EPERM || ret == -EACCES) {
		p_error(ret, "%s: permission denied: looking into process %d needs BPF (root, "
			"or CAP_BPF and CAP_PERFMON), or PROCMAP_QUERY (Linux 6.11+) or "
			"/proc/%d/maps on a process of yours", o->cmd, o->pid, o->pid);
	} else if (ret == -ENOTTY && o->forced == FS_PROCMAP) {
		p_error(ret, "%s: this kernel has no PROCMAP_QUERY (Linux 6.11+)", o->cmd);
	} else if (o->forced == FS_BPF) {
		p_error(ret, "%s: the BPF listing: %s", o->cmd, bpf_err_hint(ret));
	} else {
		memcmd_err(o->cmd, o->pid, ret, 0, false);
	}
}

/* Every address without a VMA at or after it is an error too. */
static int find_status(const struct find_res *res)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (res->vi[i].err)
			return EXIT_RUNTIME;
	return 0;
}

static int do_find(int argc, char **argv)
{
	struct find_opts o = {};
	struct find_res res = {};
	struct vmem *v = NULL;
	int rc, ret;

	rc = find_opts(argc, argv, &o);
	if (rc >= 0)
		goto out;
	rc = EXIT_RUNTIME;
	if (o.forced < 0 || o.forced == FS_MODULE) {
		v = o.forced == FS_MODULE ? memcmd_open(o.cmd, VMEM_P_FIND) :
						   memcmd_try_open(VMEM_P_FIND);
		if (o.forced == FS_MODULE && !v)
			goto out;
	}
	ret = find_run(&o, v, &res);
	if (ret < 0) {
		find_fail(&o, ret);
		goto out;
	}
	if (json_output)
		print_find_json(&res);
	else
		print_find_plain(&res);
	rc = find_status(&res);
out:
	vmem_close(v);
	vmem_str_free(&res.names);
	free(res.vi);
	free(o.addrs);
	return rc;
}

const struct cmd cmd_find = {
	.name = "find",
	.fn = do_find,
	.usage = "find [OPTIONS] PID ADDR...",
	.summary = "the VMA holding each address, or the next one after it",
	.help = "      --source S     ask only S: module, bpf, procmap_query or proc\n"
	        "  ADDR is hex, with or without 0x.  Sources, first that answers: the\n"
	        "  module, the BPF listing, PROCMAP_QUERY (Linux 6.11+), /proc/PID/maps.\n"
	        "examples:\n"
	        "  vmscope find 1234 0x7ffd1c2a1f00 55d0c0ffe000\n"
	        "  vmscope -j find 1234 0\n",
};

const struct cmd cmd_findvma = {
	.name = "findvma",
	.fn = do_find,
	.usage = "findvma [OPTIONS] PID ADDR...",
	.summary = "lab alias of find",
	.alias_of = "find",
};
