// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: the memory kfuncs inside an open-coded task_vma loop
 * (bpf_iter_task_vma_*, 6.7+), and from a bpf_find_vma() callback on a
 * task found by pid (bpf_task_from_pid(), 6.2+), so that root can aim
 * both at another process.  Kernels up to some 6.12.y hold the task's
 * mmap_lock for read from _new() to _destroy(); later ones take a VMA
 * lock inside _next() and hold nothing in the loop's body.  Either way a
 * call there may work or say -EAGAIN, never wait behind a queued writer.
 * Where the kfuncs are missing the object does not load (the test skips).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "attacks_visit.bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task,
				 __u64 addr) __weak __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __weak __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __weak __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __weak __ksym;
extern void bpf_task_release(struct task_struct *p) __weak __ksym;

__s32 target;		/* whose VMAs: the caller, or a victim */
__s64 ret_helper;
__u32 vmas;		/* VMAs the last loop visited */

SEC("syscall")
int tvma(void *ctx)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct task_struct *task;
	__u32 n = 0;

	task = bpf_task_from_pid(target);
	if (!task) {
		ret_helper = -3;	/* -ESRCH */
		return 0;
	}
	ret_helper = bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		visit();
		if (++n >= 32)
			break;
	}
	bpf_iter_task_vma_destroy(&it);
	bpf_task_release(task);
	vmas = n;
	return 0;
}

static long fvma_cb(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	visit();
	return 0;
}

SEC("syscall")
int fvma_pid(void *ctx)
{
	struct task_struct *task = bpf_task_from_pid(target);

	if (!task) {
		ret_helper = -3;
		return 0;
	}
	ret_helper = bpf_find_vma(task, addr, fvma_cb, NULL, 0);
	bpf_task_release(task);
	return 0;
}
