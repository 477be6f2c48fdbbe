// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope status: what this kernel and this user can do, and for the
 * module, what to run to get one that works here.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "cmds.h"
#include "common.h"
#include "module.h"
#include "vmscope_uapi.h"
#include "vmalist.h"

/* One line about the module, and whether its commands can run. */
static bool module_line(const struct module_state *st, bool bpf_ok, const char *release,
			char *buf, size_t sz)
{
	if (!st->kernel_modules) {
		snprintf(buf, sz, "cannot be loaded: this kernel (%s) has no module support; "
			 "maps, find, pin, unpin and status work with BPF alone", release);
		return false;
	}
	if (!st->loaded) {
		snprintf(buf, sz, "not loaded (maps, find, pin, unpin and status work without it; "
			 "page, read, write and dev need it): %s", module_load_hint());
		return false;
	}
	if (!st->btf) {
		snprintf(buf, sz, "loaded but without BTF: its kfuncs are not registered; rebuild "
			 "it against headers with a vmlinux (CONFIG_DEBUG_INFO_BTF_MODULES)");
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
	snprintf(buf, sz, "loaded, %s%sABI %d (matches)", st->version[0] ? st->version : "",
		 st->version[0] ? ", " : "", st->abi);
	return true;
}

int do_status(int argc, char **argv)
{
	static const struct option longopts[] = { COMMON_LONG, {} };
	const char *cmd = argv[0], *bpf_msg = "ok (the VMA iterator loads)";
	struct module_state st;
	struct vma_bpf *obj;
	struct utsname u;
	char line[1536];
	bool btf, bpf_ok, usable;
	int c, rc, err = 0;

	while ((c = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
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
	obj = vmalist_open(VMALIST_RECORDS, &err);
	bpf_ok = obj != NULL;
	vmalist_close(obj);
	if (!bpf_ok)
		bpf_msg = bpf_err_hint(err);
	module_state(&st);
	usable = module_line(&st, bpf_ok, u.release, line, sizeof(line));

	if (json_output) {
		jw_start_obj();
		jw_str("version", VMSCOPE_VERSION);
		jw_str("kernel", u.release);
		jw_bool("btf", btf);
		jw_bool("bpf", bpf_ok);
		if (!bpf_ok)
			jw_str("bpf_error", bpf_msg);
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
	return 0;
}
