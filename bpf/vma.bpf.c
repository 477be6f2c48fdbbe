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

static __always_inline void fill_rec(struct vms_vma *r, struct task_struct *task,
				     struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;

	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->vm_flags = vma->vm_flags;
	r->pid = task->tgid;
	r->rflags = 0;
	r->name_kind = 0;
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
}

/*
 * The portable path: one program run per VMA, records through seq_file.
 * It waits for a contended mmap_lock, so it also serves as the fallback
 * for the fast path below.
 */
SEC("iter/task_vma")
int vma_records(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct vms_vma *r;
	__u32 zero = 0;

	if (!vma || !task)
		return 0;
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	fill_rec(r, task, vma);
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}

/*
 * The fast path: one program run per process walks all its VMAs with the
 * open-coded task_vma iterator and writes records straight into an
 * mmapable array that user space reads in place: no program run and no
 * seq_file copy per VMA.  bpf_iter_task_vma_new() only trylocks mmap_lock;
 * a process whose lock is contended is reported in busy_pids and listed
 * again through vma_records, which waits for the lock.
 */
extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it,
				 struct task_struct *task, __u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;

#define VMS_MAX_BUSY 64

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);		/* sized by user space before load */
	__type(key, __u32);
	__type(value, struct vms_vma);
} out SEC(".maps");

const volatile __u32 out_cap = 1;	/* = out's max_entries */

/* (in) resume point: skip tgids below, and VMAs below resume_addr in it */
__u32 resume_tgid;
__u64 resume_addr;
/* (out) */
__u32 nr_out;
__u32 full;			/* out[] filled up: resume_* say where to go on */
__u32 nr_busy;
__u32 busy_pids[VMS_MAX_BUSY];
__u32 nr_busy_lost;		/* busy processes beyond busy_pids[] */

SEC("iter/task")
int vma_fast(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	__u64 start = 0;
	__u32 tgid;
	int err;

	if (!task || full)
		return 0;
	tgid = task->tgid;
	/* Only the leader: /proc/PID/maps is the leader's mm (none if it exited). */
	if (task->pid != tgid || !task->mm || tgid < resume_tgid)
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
				full = 1;
				resume_tgid = tgid;
				resume_addr = vma->vm_start;
				break;
			}
			r = bpf_map_lookup_elem(&out, &idx);
			if (!r)
				break;
			fill_rec(r, task, vma);
			nr_out = idx + 1;
		}
	}
	bpf_iter_task_vma_destroy(&it);
	return 0;
}
