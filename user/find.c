// SPDX-License-Identifier: GPL-2.0
/* vmscope find PID ADDR...: the VMA of each address, or the next one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "common.h"
#include "memcli.h"
#include "vma.h"

static const char *name_of(const struct vms_vmainfo *r, const struct vmem_str *names)
{
	return r->vma.name_len ? names->s + r->vma.name_off : "";
}

static void print_json(const struct vms_vmainfo *vi, const struct vmem_str *names, size_t n)
{
	size_t i;

	jw_start_arr();
	for (i = 0; i < n; i++) {
		const struct vms_vmainfo *r = &vi[i];

		jw_start_obj();
		jw_hex("addr", r->addr);
		if (r->err) {
			jw_bool("found", false);
			jw_end_obj();
			continue;
		}
		jw_bool("found", true);
		jw_bool("covering", r->addr >= r->vma.start);
		jw_vma(&r->vma, name_of(r, names));
		jw_end_obj();
	}
	jw_end_arr();
	jw_done();
}

static void print_table(const struct vms_vmainfo *vi, const struct vmem_str *names, size_t n)
{
	int wa = 7, wr = 7, wsz = 4;
	char buf[96], perms[5];
	size_t i;

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

int do_find(int argc, char **argv)
{
	struct vms_vmainfo *vi = NULL;
	struct vmem_str names = {};
	struct vmem *v = NULL;
	pid_t pid;
	int i, n, ret, rc = 1;

	argc = common_opts(argc, argv, "find");
	if (argc < 0)
		return 0;
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			p_err("find: unknown option '%s'", argv[i]);
			return 2;
		}
	}
	if (argc < 3) {
		p_err("find: expected a PID and at least one address");
		cmd_usage("find");
		return 2;
	}
	if (parse_pid(argv[1], &pid))
		return 2;
	n = argc - 2;
	vi = calloc(n, sizeof(*vi));
	if (!vi) {
		p_err("find: out of memory");
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint64_t a;

		if (parse_addr(argv[i + 2], &a)) {
			free(vi);
			return 2;
		}
		vi[i].addr = a;
	}
	v = memcli_open("find");
	if (!v)
		goto out;
	ret = vmem_find(v, pid, vi, n, &names);
	if (ret < 0) {
		memcli_err("find", pid, ret, 0, 0);
		goto out;
	}
	if (json_output)
		print_json(vi, &names, n);
	else
		print_table(vi, &names, n);
	rc = 0;
	/* Every address without a VMA at or after it is an error too. */
	for (i = 0; i < n; i++)
		if (vi[i].err)
			rc = 1;
out:
	vmem_close(v);
	vmem_str_free(&names);
	free(vi);
	return rc;
}
