// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: a token taken inside bpf_rcu_read_lock() (6.2+).  The
 * verifier knows this region and refuses a sleepable kfunc in it
 * ("is sleepable within rcu_read_lock region"); the module's -EDEADLK is
 * the second line.  The object must not load where the kfunc exists.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "kfunc_call.bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern void bpf_rcu_read_lock(void) __weak __ksym;
extern void bpf_rcu_read_unlock(void) __weak __ksym;

__s32 pid;
__u64 addr;
__s64 ret;
__u8 buf[8];

SEC("syscall")
int go(void *ctx)
{
	bpf_rcu_read_lock();
	VMS_CALL(pid, ret, vmscope_read(c, addr, buf, sizeof(buf)));
	bpf_rcu_read_unlock();
	return 0;
}
