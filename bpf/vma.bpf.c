// SPDX-License-Identifier: GPL-2.0
/*
 * VMA listing with the task_vma iterator: fixed-size binary records for the
 * CLI.  Which processes are visited is chosen when the iterator is attached
 * (all, or one tgid).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vmscope_kfuncs.h"
#include "vma_name.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vms_vma);
} scratch SEC(".maps");

SEC("iter/task_vma")
int vma_records(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct vms_vma *r;
	struct file *file;
	__u32 zero = 0;

	if (!vma || !task)
		return 0;
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->vm_flags = vma->vm_flags;
	r->pid = task->tgid;
	r->rflags = 0;
	r->name_kind = 0;
	file = vma->vm_file;
	if (file) {
		struct inode *inode = file->f_inode;

		r->pgoff = (__u64)vma->vm_pgoff << 12;
		r->dev = inode->i_sb->s_dev;
		r->ino = inode->i_ino;
	} else {
		r->pgoff = 0;
		r->dev = 0;
		r->ino = 0;
	}
	bpf_probe_read_kernel(r->comm, sizeof(r->comm), task->comm);
	vma_name(vma, r->name, sizeof(r->name), &r->name_kind, &r->rflags);
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}
