/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Listing records, shared by the fast listing (vma_fast.bpf.c) and its
 * fallback (vma_seq.bpf.c): the string table, the record filler and the
 * resume point that lets a listing larger than the buffers take several
 * passes.
 *
 * Verification time matters here: a one-shot `vmscope maps` must not cost
 * more than pmap, and the verifier looks up a BTF type name for every
 * load of a pointer field from a BTF pointer (trusted-pointer checks).  So
 * a VMA is read in one probe read into a snapshot (vms_vsnap_read()),
 * except vma->vm_file where bpf_d_path() needs it as a BTF pointer, and a
 * process's own fields once per process.
 */
#ifndef VMSCOPE_VMA_REC_BPF_H
#define VMSCOPE_VMA_REC_BPF_H

#include "vma_name.bpf.h"

struct str_chunk {
	char b[VMS_STR_CHUNK];
};

/* Sized by user space before load (chunks of VMS_STR_CHUNK). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, VMS_STR_CHUNKS);
	__type(key, __u32);
	__type(value, struct str_chunk);
} strtab SEC(".maps");

const volatile __u32 str_chunks = VMS_STR_CHUNKS;	/* = strtab's max_entries */

/*
 * Pids as the reader's pid namespace numbers them (its /proc does): the
 * iterators walk that namespace's processes in the order of those numbers,
 * so records, the resume point and the busy list all use them.  Set by
 * user space for the iterator objects; vma_pid (a SYSCALL program, used
 * only in the initial namespace) leaves it off and never reaches the
 * helper below.
 */
const volatile bool ns_local = false;

/* Process task's id in the reader's pid namespace (0 if it has none). */
static __always_inline __u32 ns_tgid(struct task_struct *task)
{
	struct task_struct *me;
	struct pid *p;
	unsigned int lvl, mine;
	__u32 nr = 0;

	/* Read, never dereferenced: the compiler may merge the loads below. */
	if (!ns_local)
		return BPF_CORE_READ(task, tgid);
	me = bpf_get_current_task_btf();
	mine = BPF_CORE_READ(me, thread_pid, level);
	if (!mine)
		return BPF_CORE_READ(task, tgid);	/* the initial namespace: the global id */
	p = BPF_CORE_READ(task, group_leader, thread_pid);
	if (!p)
		return 0;
	lvl = BPF_CORE_READ(p, level);
	if (lvl < mine || mine > 63)
		return 0;
	bpf_probe_read_kernel(&nr, sizeof(nr), &p->numbers[mine & 63].nr);
	return nr;
}

/* (in) resume point: skip tgids below, and VMAs below resume_addr in it */
__u32 resume_tgid;
__u64 resume_addr;
/* (in/out) per pass; user space zeroes them */
__u32 str_pos;		/* bytes used in strtab */
__u32 full;		/* out of room: resume_* say where to go on */
__u64 last_file;	/* dedup: the file whose path is at last_off */
__u32 last_off, last_len;
__u32 comm_tgid, comm_off;
/*
 * (out) one process's VMAs in this pass came from two address spaces:
 * iter/task_vma lets go of the task between reads and takes task->mm
 * again, which an exec has replaced (/proc/PID/maps keeps the mm it
 * opened).  User space starts the listing over.
 */
__u32 mm_switched;

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
	if (chunk >= str_chunks)
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

/* The process of comm_tgid: what its VMAs are named by (vms_mminfo). */
__u64 cur_mm, cur_start_brk, cur_brk, cur_start_stack;
__u32 cur_mm_rflags;
/*
 * (out) comm_tgid's thread-group leader's start time and exec count:
 * with cur_mm, which address space the pass listed last, so that user
 * space can tell a listing in several passes crossed an exec or a reused
 * pid (an mm's address alone may come back after two execs).  User space
 * zeroes them.
 */
__u64 cur_start_time, cur_exec_id;

/*
 * Fill r for the VMA in s, of process tgid (task: its task_struct, as a
 * number); bfile: see vms_file_name().  0, or -1 when the string table is
 * full.
 */
static __always_inline int fill_rec(struct vms_vma *r, __u32 tgid, __u64 task,
				    const struct vms_vsnap *s, struct file *bfile)
{
	__u32 kind = 0, rflags, off;
	struct vms_mminfo m;
	char *buf;
	int n;

	r->start = s->start;
	r->end = s->end;
	r->vm_flags = s->flags;
	r->pid = tgid;
	r->reserved = 0;
	if (s->file) {
		struct inode *inode = vms_file_inode((struct file *)s->file);

		r->pgoff = s->pgoff << 12;
		r->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		r->ino = BPF_CORE_READ(inode, i_ino);
	} else {
		r->pgoff = 0;
		r->dev = 0;
		r->ino = 0;
	}
	if (comm_tgid != tgid || !comm_tgid) {
		buf = str_room(&off);
		if (!buf)
			return -1;
		bpf_probe_read_kernel_str(buf, VMS_COMM_LEN,
					  &((struct task_struct *)task)->comm);
		comm_off = off;
		comm_tgid = tgid;
		str_pos = off + VMS_COMM_LEN;
		vms_mminfo_read(s->mm, &m);
		cur_mm = m.mm;
		cur_start_brk = m.start_brk;
		cur_brk = m.brk;
		cur_start_stack = m.start_stack;
		cur_mm_rflags = m.rflags;
		cur_start_time = BPF_CORE_READ((struct task_struct *)task, group_leader, start_time);
		cur_exec_id = BPF_CORE_READ((struct task_struct *)task, group_leader, self_exec_id);
	} else {
		if (s->mm != cur_mm)
			mm_switched = 1;
		m.mm = cur_mm;
		m.start_brk = cur_start_brk;
		m.brk = cur_brk;
		m.start_stack = cur_start_stack;
		m.rflags = cur_mm_rflags;
	}
	r->comm_off = comm_off;
	/* /proc/PID/maps ends with the gate VMA when the mm has one. */
	rflags = m.rflags;

	/* The same file maps several VMAs in a row: store its path once. */
	if (s->file && last_file == s->file) {
		r->name_off = last_off;
		r->name_len = last_len;
		r->name_kind = VMS_NAME_FILE;
		r->rflags = rflags;
		return 0;
	}
	buf = str_room(&off);
	if (!buf)
		return -1;
	n = vma_name(s, &m, bfile, buf, VMS_NAME_MAX, &kind, &rflags);
	if (n < 0 || n >= VMS_NAME_MAX)
		n = 0;
	r->name_off = off;
	r->name_len = n;
	r->name_kind = kind;
	r->rflags = rflags;
	if (n)
		str_pos = off + n + 1;
	if (kind == VMS_NAME_FILE && !(rflags & (VMS_R_NAME_TRUNC | VMS_R_NAME_ERR))) {
		last_file = s->file;
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

#endif /* VMSCOPE_VMA_REC_BPF_H */
