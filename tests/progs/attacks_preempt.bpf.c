// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: a token taken with preemption disabled by
 * bpf_preempt_disable() (6.10+).  The verifier refuses a sleepable kfunc
 * there ("is sleepable within non-preemptible region"); the module's
 * -EDEADLK is the second line.  The object must not load where the kfunc
 * exists.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "kfunc_call.bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern void bpf_preempt_disable(void) __weak __ksym;
extern void bpf_preempt_enable(void) __weak __ksym;

__s32 pid;
__u64 addr;
__s64 ret;
__u8 buf[8];

SEC("syscall")
int go(void *ctx)
{
	bpf_preempt_disable();
	VMS_CALL(pid, ret, vmscope_read(c, addr, buf, sizeof(buf)));
	bpf_preempt_enable();
	return 0;
}
