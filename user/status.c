// SPDX-License-Identifier: GPL-2.0
/* vmscope status: what this kernel and this user can do. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "cmds.h"
#include "common.h"
#include "vmscope_uapi.h"
#include "vmalist.h"

int do_status(int argc, char **argv)
{
	bool btf, mod_loaded, mod_btf, bpf_ok;
	struct vma_bpf *obj;
	struct utsname u;
	int abi = 0, err = 0;
	const char *bpf_msg = "ok";

	argc = common_opts(argc, argv, "status");
	if (argc < 0)
		return 0;
	if (argc != 1) {
		p_err("status: unexpected argument '%s'", argv[1]);
		return 2;
	}
	uname(&u);
	btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	mod_loaded = access("/sys/module/vmscope", F_OK) == 0;
	mod_btf = access("/sys/kernel/btf/vmscope", R_OK) == 0;

	obj = vmalist_open(VMALIST_RECORDS, &err);
	bpf_ok = obj != NULL;
	vmalist_close(obj);
	if (!bpf_ok)
		bpf_msg = bpf_err_hint(err);
	else
		abi = module_abi();

	if (json_output) {
		jw_start_obj();
		jw_str("kernel", u.release);
		jw_bool("btf", btf);
		jw_bool("bpf", bpf_ok);
		if (!bpf_ok)
			jw_str("bpf_error", bpf_msg);
		jw_bool("module_loaded", mod_loaded);
		jw_bool("module_btf", mod_btf);
		if (abi > 0)
			jw_i64("module_abi", abi);
		else
			jw_null("module_abi");
		jw_i64("cli_abi", VMSCOPE_ABI_VERSION);
		jw_bool("module_usable", abi == VMSCOPE_ABI_VERSION);
		jw_end_obj();
		jw_done();
		return 0;
	}
	printf("kernel:      %s\n", u.release);
	printf("BTF:         %s\n", btf ? "yes (/sys/kernel/btf/vmlinux)" : "no: the iterators need CONFIG_DEBUG_INFO_BTF");
	printf("BPF:         %s\n", bpf_ok ? "ok (iterator loads)" : bpf_msg);
	if (!mod_loaded)
		printf("module:      not loaded (maps and pin work; page, read and write need it: insmod kmod/vmscope.ko)\n");
	else if (!mod_btf)
		printf("module:      loaded but without BTF: its kfuncs are not registered (rebuild with CONFIG_DEBUG_INFO_BTF_MODULES)\n");
	else if (abi < 0)
		printf("module:      loaded; ABI unknown (%s)\n", bpf_err_hint(abi));
	else if (abi == 0)
		printf("module:      loaded, but its kfuncs are not callable from BPF\n");
	else if (abi != VMSCOPE_ABI_VERSION)
		printf("module:      loaded, ABI %d, but this vmscope speaks ABI %d: reload a matching module\n",
		       abi, VMSCOPE_ABI_VERSION);
	else
		printf("module:      loaded, ABI %d (matches)\n", abi);
	return 0;
}
