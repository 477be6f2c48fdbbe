// SPDX-License-Identifier: GPL-2.0
/*
 * The vmscope module as user space sees it: loaded or not, with BTF or
 * not, which ABI it speaks (abi.bpf.c calls vmscope_abi_version()), and
 * what to tell a user whose commands need it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "common.h"
#include "vmscope_uapi.h"
#include "abi.lskel.h"

const char *module_load_hint(void)
{
	return "load it with 'modprobe vmscope' if it is installed, or build and load it "
	       "for this kernel with 'make kmod KERNEL=host && insmod build/kmod/host/vmscope.ko'";
}

int module_abi(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, ropts);
	struct abi *skel;
	int err;

	if (access("/sys/module/vmscope", F_OK))
		return 0;
	/* Loaded without BTF: its kfuncs are not registered. */
	if (access("/sys/kernel/btf/vmscope", F_OK))
		return 0;
	skel = abi__open();
	if (!skel)
		return -errno;
	err = abi__load(skel);
	if (!err)
		err = bpf_prog_test_run_opts(skel->progs.abi_probe.prog_fd, &ropts);
	if (!err)
		err = (int)skel->bss->abi_version;
	abi__destroy(skel);
	return err;
}

int require_module(const char *cmd)
{
	int abi = module_abi();

	if (abi < 0) {
		p_err("%s: cannot run BPF: %s", cmd, bpf_err_hint(abi));
		return abi;
	}
	if (abi == 0) {
		p_err("%s needs the vmscope kernel module, which is not loaded: %s", cmd,
		      module_load_hint());
		return -ENOENT;
	}
	if (abi != VMSCOPE_ABI_VERSION) {
		p_err("%s: the loaded vmscope module speaks ABI %d but this vmscope speaks ABI %d: "
		      "rebuild both from one tree and reload the module", cmd, abi, VMSCOPE_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}

