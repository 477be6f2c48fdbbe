// SPDX-License-Identifier: GPL-2.0
/*
 * Module detection.  Kept apart from the programs that use the other kfuncs:
 * vmscope_abi_version()'s prototype never changes, so this object loads
 * against any module version (or none) and tells the CLI what it found.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vmscope_kfuncs.h"

char LICENSE[] SEC("license") = "GPL";

/* 0: module absent; otherwise the module's VMSCOPE_ABI_VERSION. */
__s64 abi_version;

SEC("syscall")
int abi_probe(void *ctx)
{
	abi_version = bpf_ksym_exists(vmscope_abi_version) ? vmscope_abi_version() : 0;
	return 0;
}
