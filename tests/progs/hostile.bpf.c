// SPDX-License-Identifier: GPL-2.0
/*
 * BPF programs a hostile caller would write: raw kfunc calls with whatever
 * arguments user space puts in .bss (guest_hostile, guest_safety), and
 * iterator programs that try to reach the memory kfuncs, which the
 * verifier must refuse (their autoload is switched on one at a time).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "kfunc_call.bpf.h"
#include "hostile.h"

char LICENSE[] SEC("license") = "GPL";

__s32 pid;
__u64 addr;
__u32 sz;		/* buffer bytes handed to the kfunc (bounded below) */
__u32 flags;
__u32 which;		/* enum hostile_call */
__s64 ret;
__u8 buf[HOSTILE_BUF];

SEC("syscall")
int call(void *ctx)
{
	__u32 n = sz;

	/* The verifier needs a bound; user space picks anything up to it. */
	if (n > HOSTILE_BUF)
		n = HOSTILE_BUF;
	if (n == 0)
		n = 1;
	switch (which) {
	case HC_FIND:
		VMS_CALL(pid, ret, vmscope_find_vmas(c, buf, n));
		break;
	case HC_WALK:
		VMS_CALL(pid, ret, vmscope_walk(c, buf, n));
		break;
	case HC_RANGE:
		VMS_CALL(pid, ret, vmscope_walk_range(c, buf, n));
		break;
	case HC_READ:
		VMS_CALL(pid, ret, vmscope_read(c, addr, buf, n));
		break;
	case HC_WRITE:
		VMS_CALL(pid, ret, vmscope_write(c, addr, buf, n, flags));
		break;
	default:
		ret = vmscope_abi_version();
	}
	return 0;
}

/* A sleepable iterator runs with the task's mmap_lock held: must not load. */
SEC("iter.s/task_vma")
int walk_from_iter(struct bpf_iter__task_vma *ctx)
{
	struct vms_walk w = {};
	long r = 0;

	if (ctx->vma)
		VMS_CALL(0, r, vmscope_walk(c, &w, sizeof(w)));
	ret = r;
	return 0;
}

SEC("iter.s/task")
int write_from_iter(struct bpf_iter__task *ctx)
{
	__u64 v = 0;
	long r = 0;

	if (ctx->task)
		VMS_CALL(1, r, vmscope_write(c, 0x400000, &v, sizeof(v), VMS_WRITE_FORCE));
	ret = r;
	return 0;
}

SEC("iter/task")
int read_from_iter(struct bpf_iter__task *ctx)
{
	__u64 v = 0;
	long r = 0;

	if (ctx->task)
		VMS_CALL(1, r, vmscope_read(c, 0x400000, &v, sizeof(v)));
	ret = r;
	return 0;
}

/* The ABI kfunc stays callable from iterators. */
SEC("iter/task")
int abi_from_iter(struct bpf_iter__task *ctx)
{
	if (ctx->task)
		ret = vmscope_abi_version();
	return 0;
}

/* Control: the same kind of iterator without a memory kfunc loads. */
SEC("iter.s/task_vma")
int sleepable_iter_ok(struct bpf_iter__task_vma *ctx)
{
	return 0;
}
