// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope status: what this kernel and this user can do, route by route
 * (each BPF object as this kernel's verifier judges it, the /proc
 * interfaces the fallbacks use, the module and its kfuncs), and for the
 * module, what to run to get one that works here.  Every refusal carries
 * what the kernel said, never a guessed cause.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include "bpfcache.h"
#include "cmds.h"
#include "common.h"
#include "module.h"
#include "procmap.h"
#include "vmscope_uapi.h"
#include "vmalist.h"

/* One line about the module, and whether its commands can run. */
static bool module_line(const struct module_state *st, bool bpf_ok, const char *release,
			char *buf, size_t sz)
{
	if (!st->kernel_modules) {
		snprintf(buf, sz, "cannot be loaded: this kernel (%s) has no module support; "
			 "maps, find, pin, unpin and status work with BPF alone, page from "
			 "/proc/PID/pagemap", release);
		return false;
	}
	if (!st->loaded) {
		snprintf(buf, sz, "not loaded (maps, find, pin, unpin and status work without it, "
			 "page from /proc/PID/pagemap; read, write and dev need it): %s",
			 module_load_hint());
		return false;
	}
	if (!st->btf) {
		snprintf(buf, sz, "loaded but without BTF: its kfuncs are not registered; rebuild "
			 "it for this kernel with pahole (dwarves) installed (its build log says "
			 "why it got none; the kernel needs CONFIG_DEBUG_INFO_BTF_MODULES)");
		return false;
	}
	if (!bpf_ok) {
		snprintf(buf, sz, "loaded; its ABI cannot be asked without BPF permission");
		return false;
	}
	if (st->abi < 0) {
		snprintf(buf, sz, "loaded; ABI unknown (%s)", bpf_err_hint(st->abi));
		return false;
	}
	if (st->abi != VMSCOPE_ABI_VERSION) {
		snprintf(buf, sz, "loaded, ABI %d, but this vmscope speaks ABI %d: install or build "
			 "both from one version and reload it", st->abi, VMSCOPE_ABI_VERSION);
		return false;
	}
	if (!strcmp(st->kfunc_callers, "none")) {
		snprintf(buf, sz, "loaded, %s%sABI %d (matches), but its kfuncs refuse every call on "
			 "this kernel: it keeps no preempt count, and this architecture no frame records "
			 "to tell a program's main function from a callback (docs/kernel-safety.md, "
			 "rule 5b); page answers from /proc/PID/pagemap", st->version[0] ? st->version : "",
			 st->version[0] ? ", " : "", st->abi);
		return false;
	}
	snprintf(buf, sz, "loaded, %s%sABI %d (matches)%s", st->version[0] ? st->version : "",
		 st->version[0] ? ", " : "", st->abi,
		 !strcmp(st->kfunc_callers, "main") ?
		 "; its kfuncs take calls only from a program's main function, never from a "
		 "callback (this kernel keeps no preempt count to show a lock held)" : "");
	return true;
}

/* One route: what it is for, whether it works here, and what the kernel said. */
struct route {
	const char *name;	/* JSON key */
	const char *what;	/* for people */
	bool ok;
	int err;		/* -errno when not ok, if there is one */
	char detail[1600];
};

static const char *object_what(const char *obj, const char *names)
{
	if (!strcmp(obj, "names_probe"))
		return "bpf_d_path() on vma->vm_file (file names)";
	if (!strcmp(obj, "vma_seq"))
		return !strcmp(names, "d_path") ? "listing: task_vma iterator, names by bpf_d_path()"
						: "listing: task_vma iterator, names by dentry walk";
	if (!strcmp(obj, "vma_fast"))
		return !strcmp(names, "d_path") ? "listing: open-coded task_vma (6.7+), bpf_d_path()"
						: "listing: open-coded task_vma (6.7+), dentry walk";
	return !strcmp(names, "d_path") ? "maps text pin, names by bpf_d_path()"
					: "maps text pin, names by dentry walk";
}

/* PROCMAP_QUERY on our own maps: ENOTTY before 6.11. */
static void route_procmap(struct route *r)
{
	struct vms_procmap_query q = { .size = sizeof(q), .query_flags = VMS_PQ_COVERING_OR_NEXT };
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	r->name = "procmap_query";
	r->what = "PROCMAP_QUERY (find without BPF)";
	if (fd < 0) {
		r->err = -errno;
	} else {
		r->err = ioctl(fd, VMS_PROCMAP_QUERY, &q) ? -errno : 0;
		close(fd);
	}
	r->ok = !r->err;
	snprintf(r->detail, sizeof(r->detail), "%s", r->ok ? "available" :
		 r->err == -ENOTTY ? "not in this kernel (ENOTTY; Linux 6.11+)" : strerror(-r->err));
}

/* pagemap: readable, and whether it shows PFNs to this user (CAP_SYS_ADMIN). */
static void route_pagemap(struct route *r)
{
	static volatile char probe = 1;
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	r->name = "pagemap";
	r->what = "/proc/PID/pagemap (page without the module)";
	if (fd < 0) {
		r->err = -errno;
		snprintf(r->detail, sizeof(r->detail), "%s", strerror(errno));
		return;
	}
	(void)probe;
	if (pread(fd, &e, sizeof(e), ((uintptr_t)&probe / 4096) * 8) != sizeof(e))
		r->err = -EIO;
	close(fd);
	r->ok = !r->err;
	if (!r->ok)
		snprintf(r->detail, sizeof(r->detail), "cannot be read (%s)", strerror(-r->err));
	else
		snprintf(r->detail, sizeof(r->detail), "readable; PFNs %s",
			 (e & ((1ull << 55) - 1)) ? "shown" : "hidden (need CAP_SYS_ADMIN)");
}

static void route_file(struct route *r, const char *name, const char *what, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	r->name = name;
	r->what = what;
	r->err = fd < 0 ? -errno : 0;
	r->ok = fd >= 0;
	if (fd >= 0)
		close(fd);
	snprintf(r->detail, sizeof(r->detail), "%s", r->ok ? "readable" : strerror(-r->err));
}

static int do_status(int argc, char **argv)
{
	static const struct option longopts[] = { COMMON_LONG, {} };
	const struct vmalist_attempt *at;
	const char *cmd = argv[0];
	struct route routes[24];
	struct module_state st;
	struct utsname u;
	char line[1536], bpf_msg[700];
	bool btf, bpf_ok = false, usable;
	size_t na, nr = 0, i;
	int c, rc, bpf_err = 0;

	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		rc = cmd_common(cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc) {
		p_usage(cmd, "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	uname(&u);
	btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;

	/* Every BPF object, as this kernel's verifier judges it. */
	memset(routes, 0, sizeof(routes));
	vmalist_probe_routes();
	at = vmalist_attempts(&na);
	for (i = 0; i < na && nr < ARRAY_SIZE(routes) - 7; i++) {
		struct route *r = &routes[nr++];

		r->name = at[i].object;
		r->what = object_what(at[i].object, at[i].names);
		r->ok = !at[i].err;
		r->err = at[i].err;
		if (r->ok)
			snprintf(r->detail, sizeof(r->detail), "loads");
		else
			snprintf(r->detail, sizeof(r->detail), "refused%s (%s)%s%s",
				 r->err == -EACCES ? " by the verifier" : "", errno_name(r->err),
				 at[i].reason[0] ? ": " : "", at[i].reason);
		if (r->ok && !strcmp(at[i].object, "vma_seq"))
			bpf_ok = true;
		if (!r->ok && !bpf_err)
			bpf_err = r->err;
	}
	if (bpf_ok)
		snprintf(bpf_msg, sizeof(bpf_msg), "ok: the listing loads (file names by %s)",
			 !strcmp(vmalist_names_route(), "d_path") ? "bpf_d_path()" : "the dentry walk");
	else if (!na)
		snprintf(bpf_msg, sizeof(bpf_msg), "no BPF object could be opened");
	else
		snprintf(bpf_msg, sizeof(bpf_msg), "%s; no listing object loads, so maps and find "
			 "use /proc text instead", bpf_err_hint(bpf_err));
	route_file(&routes[nr++], "proc_maps", "/proc/PID/maps text (listing fallback)",
		   "/proc/self/maps");
	route_procmap(&routes[nr++]);
	route_pagemap(&routes[nr++]);
	route_file(&routes[nr++], "kpageflags", "/proc/kpageflags (page state without the module)",
		   "/proc/kpageflags");
	{
		struct route *r = &routes[nr++];

		r->name = "bpffs_cache";
		r->what = "cache of loaded listings (" BPFCACHE_DIR ")";
		r->ok = bpfcache_state(r->detail, sizeof(r->detail));
	}

	module_state(&st);
	usable = module_line(&st, bpf_ok, u.release, line, sizeof(line));
	{
		struct route *r = &routes[nr++];

		r->name = "module_btf";
		r->what = "module BTF (its kfuncs register)";
		r->ok = st.loaded && st.btf;
		snprintf(r->detail, sizeof(r->detail), "%s", !st.loaded ? "module not loaded" :
			 st.btf ? "yes (/sys/kernel/btf/vmscope)" :
			 "no: the module was built without BTF, its kfuncs are not registered");
		r = &routes[nr++];
		r->name = "kfuncs";
		r->what = "module kfuncs (page's levels, read, write)";
		r->ok = usable;
		r->err = st.abi < 0 ? st.abi : 0;
		snprintf(r->detail, sizeof(r->detail), "%s", line);
	}

	if (json_output) {
		jw_start_obj();
		jw_str("version", VMSCOPE_VERSION);
		jw_str("kernel", u.release);
		jw_bool("btf", btf);
		jw_bool("bpf", bpf_ok);
		if (!bpf_ok)
			jw_str("bpf_error", bpf_msg);
		jw_str("names", vmalist_names_route());
		jw_key("routes");
		jw_start_arr();
		for (i = 0; i < nr; i++) {
			jw_start_obj();
			jw_str("route", routes[i].name);
			jw_str("what", routes[i].what);
			jw_bool("ok", routes[i].ok);
			if (routes[i].err)
				jw_i64("errno", -routes[i].err);
			else
				jw_null("errno");
			jw_str("detail", routes[i].detail);
			jw_end_obj();
		}
		jw_end_arr();
		jw_bool("kernel_modules", st.kernel_modules);
		jw_bool("module_loaded", st.loaded);
		jw_bool("module_btf", st.btf);
		if (st.abi > 0)
			jw_i64("module_abi", st.abi);
		else
			jw_null("module_abi");
		jw_i64("cli_abi", VMSCOPE_ABI_VERSION);
		if (st.version[0])
			jw_str("module_version", st.version);
		else
			jw_null("module_version");
		jw_bool("module_usable", usable);
		if (st.kfunc_callers[0])
			jw_str("kfunc_callers", st.kfunc_callers);
		else
			jw_null("kfunc_callers");
		if (st.installed[0])
			jw_str("module_installed", st.installed);
		if (st.built[0]) {
			jw_str("module_built", st.built);
			jw_str("module_built_for", st.built_vermagic);
		}
		jw_str("module_status", line);
		jw_end_obj();
		jw_done();
		return 0;
	}
	printf("vmscope:     %s (module ABI %d)\n", VMSCOPE_VERSION, VMSCOPE_ABI_VERSION);
	printf("kernel:      %s\n", u.release);
	printf("BTF:         %s\n", btf ? "yes (/sys/kernel/btf/vmlinux)" :
	       "no: the iterators need CONFIG_DEBUG_INFO_BTF");
	printf("BPF:         %s\n", bpf_msg);
	printf("module:      %s\n", line);
	printf("routes:\n");
	for (i = 0; i < nr; i++)
		printf("  %-4s %-52s %s\n", routes[i].ok ? "ok" : "no", routes[i].what,
		       routes[i].detail);
	return 0;
}

const struct cmd cmd_status = {
	.name = "status",
	.fn = do_status,
	.usage = "status [OPTIONS]",
	.summary = "the kernel, BTF, BPF permission and the module: loaded, its ABI, how to load it",
	.help = "examples:\n"
	        "  vmscope status\n"
	        "  vmscope -j status\n",
};
