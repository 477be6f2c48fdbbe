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
 * fields are read with BPF_CORE_READ() (probe reads) except vma->vm_file,
 * which bpf_d_path() needs as a BTF pointer.
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

/* (in) resume point: skip tgids below, and VMAs below resume_addr in it */
__u32 resume_tgid;
__u64 resume_addr;
/* (in/out) per pass; user space zeroes them */
__u32 str_pos;		/* bytes used in strtab */
__u32 full;		/* out of room: resume_* say where to go on */
__u64 last_file;	/* dedup: the file whose path is at last_off */
__u32 last_off, last_len;
__u32 comm_tgid, comm_off;

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

/* x86's MM_CONTEXT_HAS_VSYSCALL: get_gate_vma() shows [vsyscall] for this mm. */
#define VMS_MM_HAS_VSYSCALL_BIT	1

/* Fill r for vma of task (with mm); 0, or -1 when the string table is full. */
static __always_inline int fill_rec(struct vms_vma *r, struct task_struct *task,
				    struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;
	__u32 kind = 0, rflags = 0, off;
	__u64 ctxflags;
	char *buf;
	int n;

	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->vm_flags = vma->vm_flags;
	r->pid = BPF_CORE_READ(task, tgid);
	r->reserved = 0;
	if (file) {
		struct inode *inode = vms_file_inode(file);

		r->pgoff = (__u64)vma->vm_pgoff << 12;
		r->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		r->ino = BPF_CORE_READ(inode, i_ino);
	} else {
		r->pgoff = 0;
		r->dev = 0;
		r->ino = 0;
	}
	/* /proc/PID/maps ends with the gate VMA when the mm has one. */
	ctxflags = BPF_CORE_READ(mm, context.flags);
	if (ctxflags & (1ull << VMS_MM_HAS_VSYSCALL_BIT))
		rflags |= VMS_R_MM_VSYSCALL;
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
		r->rflags = rflags;
		return 0;
	}
	buf = str_room(&off);
	if (!buf)
		return -1;
	n = vma_name(vma, mm, file, buf, VMS_NAME_MAX, &kind, &rflags);
	if (n < 0 || n >= VMS_NAME_MAX)
		n = 0;
	r->name_off = off;
	r->name_len = n;
	r->name_kind = kind;
	r->rflags = rflags;
	if (n)
		str_pos = off + n + 1;
	if (kind == VMS_NAME_FILE && !(rflags & (VMS_R_NAME_TRUNC | VMS_R_NAME_ERR))) {
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

#endif /* VMSCOPE_VMA_REC_BPF_H */
