// SPDX-License-Identifier: GPL-2.0
/*
 * The fast VMA listing of one process in one system call: a syscall
 * program run by BPF_PROG_TEST_RUN (vma_tree.bpf.h), where vma_fast.bpf.c
 * takes an iterator link, an iterator fd and a read() for the same
 * answer.  bpf_task_from_pid() looks the pid up in the initial pid
 * namespace: user space uses this object only there.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vma_tree.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#ifndef ESRCH
#define ESRCH 3
#endif

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

__u32 in_pid;		/* (in) the process */
__s32 pid_err;		/* (out) 0, or -ESRCH: no such process */

SEC("syscall")
int vma_pid(void *ctx)
{
	struct task_struct *task = bpf_task_from_pid(in_pid);

	if (!task) {
		pid_err = -ESRCH;
		return 0;
	}
	pid_err = 0;
	list_task(task);
	bpf_task_release(task);
	return 0;
}
