// SPDX-License-Identifier: GPL-2.0
/*
 * The VMA listing through the iter/task_vma iterator (every kernel): one
 * program run per VMA, fixed-size records streamed through read(), names
 * into the string table (vma_rec.bpf.h).  It waits for a contended
 * mmap_lock, so it also lists the processes the fast path found busy.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vma_rec.bpf.h"

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
	struct vms_vsnap s;
	struct vms_vma *r;
	__u32 zero = 0, tgid;

	if (!vma || !task || full)
		return 0;
	tgid = ns_tgid(task);
	if (!tgid || skip_vma(tgid, vma->vm_start))
		return 0;
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r || vms_vsnap_read((__u64)vma, &s))
		return 0;
	if (fill_rec(r, tgid, (__u64)task, &s, vma->vm_file)) {
		stop_at(tgid, vma->vm_start);
		return 0;
	}
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}
