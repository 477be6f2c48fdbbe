// SPDX-License-Identifier: GPL-2.0
/*
 * kfunc definitions and their registration for TRACING (iterators) and
 * SYSCALL programs.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include "vmscope.h"
#include "vmscope_kfuncs.h"

__bpf_kfunc_start_defs();

/* The ABI this module speaks.  Its prototype must never change. */
__bpf_kfunc int vmscope_abi_version(void)
{
	return VMSCOPE_ABI_VERSION;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(vmscope_kfunc_ids)
BTF_ID_FLAGS(func, vmscope_abi_version)
BTF_KFUNCS_END(vmscope_kfunc_ids)

static const struct btf_kfunc_id_set vmscope_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &vmscope_kfunc_ids,
};

int vmscope_kfuncs_init(void)
{
	int err;

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &vmscope_kfunc_set);
	if (err)
		return err;
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL, &vmscope_kfunc_set);
}
