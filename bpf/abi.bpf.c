// SPDX-License-Identifier: GPL-2.0
/*
 * Module detection.  Kept apart from the programs that use the other kfuncs:
 * vmscope_abi_version()'s prototype never changes, so this object loads
 * against any module version.  User space loads it only when the module's
 * BTF lists the kfunc (libbpf 1.1 cannot resolve bpf_ksym_exists() on a
 * module kfunc, so presence is decided before load, not in BPF).
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
	abi_version = vmscope_abi_version();
	return 0;
}
