// SPDX-License-Identifier: GPL-2.0
/*
 * VMA listing: fixed-size records plus a string table, for the CLI.  Which
 * processes are visited is chosen when an iterator is attached (all, or
 * one tgid).
 *
 * vma_fast (iter/task) walks each process's VMAs in one program run with
 * the open-coded task_vma iterator and writes records straight into an
 * mmapable array that user space reads in place.  bpf_iter_task_vma_new()
 * only trylocks mmap_lock, so a process whose lock is contended is reported
 * in busy_pids and listed again with vma_records (iter/task_vma), which
 * waits for the lock and emits its records through seq_file.
 *
 * Both fill the same string table and honour the same resume point, so a
 * listing larger than the arrays is taken in several passes.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vma_name.bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it,
				 struct task_struct *task, __u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;

#define VMS_MAX_BUSY 64

struct str_chunk {
	char b[VMS_STR_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);		/* sized by user space before load */
	__type(key, __u32);
	__type(value, struct vms_vma);
} out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, VMS_STR_CHUNKS);
	__type(key, __u32);
	__type(value, struct str_chunk);
} strtab SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vms_vma);
} scratch SEC(".maps");

const volatile __u32 out_cap = 1;	/* = out's max_entries */

/* (in) resume point: skip tgids below, and VMAs below resume_addr in it */
__u32 resume_tgid;
__u64 resume_addr;
/* (in/out) per pass; user space zeroes them */
__u32 nr_out;		/* records in out[] (fast path) */
__u32 str_pos;		/* bytes used in strtab */
__u32 full;		/* out of room: resume_* say where to go on */
__u64 last_file;	/* dedup: the file whose path is at last_off */
__u32 last_off, last_len;
__u32 comm_tgid, comm_off;
__u32 nr_busy;
__u32 busy_pids[VMS_MAX_BUSY];
__u32 nr_busy_lost;	/* busy processes beyond busy_pids[] */

/* Room for a string of up to VMS_NAME_MAX bytes; NULL when the table is full. */
static __always_inline char *str_room(__u32 *off_out)
{
	__u32 pos = str_pos, chunk, off;
	struct str_chunk *c;

	off = pos & (VMS_STR_CHUNK - 1);
	chunk = pos / VMS_STR_CHUNK;
	if (off > VMS_STR_CHUNK - VMS_NAME_MAX) {
		chunk++;
		off = 0;
	}
	if (chunk >= VMS_STR_CHUNKS)
		return NULL;
	c = bpf_map_lookup_elem(&strtab, &chunk);
	if (!c)
		return NULL;
	*off_out = chunk * VMS_STR_CHUNK + off;
	/* For the verifier: off <= VMS_STR_CHUNK - VMS_NAME_MAX. */
	off &= VMS_STR_CHUNK - 1;
	if (off > VMS_STR_CHUNK - VMS_NAME_MAX)
		return NULL;
	return c->b + off;
}

/* Fill r for vma of task; 0, or -1 when the string table is full. */
static __always_inline int fill_rec(struct vms_vma *r, struct task_struct *task,
				    struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;
	__u32 kind = 0, rflags = 0, off;
	char *buf;
	int n;

	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->vm_flags = vma->vm_flags;
	r->pid = task->tgid;
	r->reserved = 0;
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
	if (comm_tgid != r->pid || !comm_tgid) {
		buf = str_room(&off);
		if (!buf)
			return -1;
		bpf_probe_read_kernel_str(buf, VMS_COMM_LEN, task->comm);
		comm_off = off;
		comm_tgid = r->pid;
		str_pos = off + VMS_COMM_LEN;
	}
	r->comm_off = comm_off;

	/* The same file maps several VMAs in a row: store its path once. */
	if (file && last_file == (__u64)file) {
		r->name_off = last_off;
		r->name_len = last_len;
		r->name_kind = VMS_NAME_FILE;
		r->rflags = 0;
		return 0;
	}
	buf = str_room(&off);
	if (!buf)
		return -1;
	n = vma_name(vma, buf, VMS_NAME_MAX, &kind, &rflags);
	if (n < 0 || n >= VMS_NAME_MAX)
		n = 0;
	r->name_off = off;
	r->name_len = n;
	r->name_kind = kind;
	r->rflags = rflags;
	if (n)
		str_pos = off + n + 1;
	if (kind == VMS_NAME_FILE && !rflags) {
		last_file = (__u64)file;
		last_off = off;
		last_len = n;
	}
	return 0;
}

/* Before a pass's first record of a process: skip what earlier passes took. */
static __always_inline bool skip_vma(__u32 tgid, __u64 start)
{
	return tgid < resume_tgid || (tgid == resume_tgid && start < resume_addr);
}

static __always_inline void stop_at(__u32 tgid, __u64 start)
{
	full = 1;
	resume_tgid = tgid;
	resume_addr = start;
}

SEC("iter/task_vma")
int vma_records(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct vms_vma *r;
	__u32 zero = 0;

	if (!vma || !task || full || skip_vma(task->tgid, vma->vm_start))
		return 0;
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	if (fill_rec(r, task, vma)) {
		stop_at(task->tgid, vma->vm_start);
		return 0;
	}
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}

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
				stop_at(tgid, vma->vm_start);
				break;
			}
			r = bpf_map_lookup_elem(&out, &idx);
			if (!r)
				break;
			if (fill_rec(r, task, vma)) {
				stop_at(tgid, vma->vm_start);
				break;
			}
			nr_out = idx + 1;
		}
	}
	bpf_iter_task_vma_destroy(&it);
	return 0;
}
