// SPDX-License-Identifier: GPL-2.0
/*
 * The fast VMA listing: an iter/task program walks each process's VMAs in
 * one program run with the open-coded task_vma iterator (Linux 6.7+) and
 * writes fixed-size records straight into an mmapable array that user
 * space reads in place; names go into the string table (vma_rec.bpf.h).
 *
 * bpf_iter_task_vma_new() only trylocks mmap_lock, so a process whose lock
 * is contended is reported in busy_pids and listed again by vma_seq.bpf.c,
 * which waits for the lock.  On kernels without the open-coded iterator
 * this object does not load and vma_seq.bpf.c lists everything.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vma_rec.bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it,
				 struct task_struct *task, __u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;

#define VMS_MAX_BUSY 64

/* Sized by user space before load; out_cap = its max_entries. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, VMS_FAST_CAP);
	__type(key, __u32);
	__type(value, struct vms_vma);
} out SEC(".maps");

const volatile __u32 out_cap = VMS_FAST_CAP;

__u32 nr_out;		/* records in out[] */
__u32 nr_busy;
__u32 busy_pids[VMS_MAX_BUSY];
__u32 nr_busy_lost;	/* busy processes beyond busy_pids[] */

SEC("iter/task")
int vma_fast(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	__u64 start = 0;
	__u32 tgid;
	int err;

	if (!task || full)
		return 0;
	tgid = task->tgid;
	mm = BPF_CORE_READ(task, mm);
	/* Only the leader: /proc/PID/maps is the leader's mm (none if it exited). */
	if (task->pid != tgid || !mm || tgid < resume_tgid)
		return 0;
	if (tgid == resume_tgid)
		start = resume_addr;
	err = bpf_iter_task_vma_new(&it, task, start);
	if (err) {
		__u32 b = nr_busy;

		if (b < VMS_MAX_BUSY) {
			busy_pids[b] = tgid;
			nr_busy = b + 1;
		} else {
			nr_busy_lost++;
		}
	} else {
		while ((vma = bpf_iter_task_vma_next(&it))) {
			__u32 idx = nr_out;
			struct vms_vma *r;

			if (idx >= out_cap) {
				stop_at(tgid, vma->vm_start);
				break;
			}
			r = bpf_map_lookup_elem(&out, &idx);
			if (!r)
				break;
			if (fill_rec(r, task, mm, vma)) {
				stop_at(tgid, vma->vm_start);
				break;
			}
			nr_out = idx + 1;
		}
	}
	bpf_iter_task_vma_destroy(&it);
	return 0;
}
