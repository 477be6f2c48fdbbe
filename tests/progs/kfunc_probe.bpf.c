// SPDX-License-Identifier: GPL-2.0
/* Calls the module's ABI kfunc from both program types it is registered for. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vmscope_kfuncs.h"

char LICENSE[] SEC("license") = "GPL";

__s64 from_syscall = -1;
__s64 from_iter = -1;

SEC("syscall")
int probe_syscall(void *ctx)
{
	from_syscall = vmscope_abi_version();
	return 0;
}

SEC("iter/task")
int probe_iter(struct bpf_iter__task *ctx)
{
	if (ctx->task)
		from_iter = vmscope_abi_version();
	return 0;
}
