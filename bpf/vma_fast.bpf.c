// SPDX-License-Identifier: GPL-2.0
/*
 * The fast VMA listing of every process, or of one through an iterator
 * link: an iter/task program, each process listed in one program run
 * (vma_tree.bpf.h).  vma_pid.bpf.c lists one process in one system call.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vma_tree.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int vma_fast(struct bpf_iter__task *ctx)
{
	list_task(ctx->task);
	return 0;
}
