// SPDX-License-Identifier: GPL-2.0
/*
 * The fast VMA listing: an iter/task program lists each process's VMAs in
 * one program run and writes fixed-size records straight into an mmapable
 * array that user space reads in place; names go into the string table
 * (vma_rec.bpf.h).  Two ways to find the VMAs, both in this object:
 *
 *  - The tree walk (where the kernel has mm->mm_lock_seq as a seqcount,
 *    6.12 and later, and the listing names files by its own dentry walk):
 *    the process's maple tree read in order, each node once, each VMA in
 *    one probe read, under the reference bpf_iter_task_vma_new() holds on
 *    the mm and inside the RCU read section every iterator program runs
 *    in.  It takes no lock: the walk is valid only if no mmap_lock writer
 *    ran meanwhile, which the mm's sequence count tells (even before, the
 *    same after; the same check mmap_lock_speculate_try_begin() and
 *    _retry() make for the kernel's own lockless VMA lookups).  Maple
 *    nodes and VMAs are freed only after an RCU grace period (VMAs may be
 *    reused for another VMA at once: every VMA's own range and mm are
 *    checked against the tree), and every change to the tree or to a
 *    VMA's fields shown here happens under the mmap_lock write lock.  A
 *    walk that raced with a writer is thrown away and tried once more,
 *    then the process is listed by the iterator below.  x86 keeps loads in
 *    order, so no barrier is needed between the walk and the checks.
 *  - The open-coded task_vma iterator (6.7+): one VMA per kfunc call,
 *    each looked up and locked on its own (per-VMA locks), several
 *    hundred nanoseconds per VMA.  bpf_d_path() needs its trusted vm_file.
 *
 * A process bpf_iter_task_vma_new() refuses is reported in busy_pids and
 * listed again by vma_seq.bpf.c.  On kernels without the open-coded
 * iterator this object does not load and vma_seq.bpf.c lists everything.
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
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

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
/* 0: never walk the tree (VMSCOPE_PATH=iter, for tests and comparisons). */
const volatile __u32 tree_walk = 1;

__u32 nr_out;		/* records in out[] */
__u32 nr_busy;
__u32 busy_pids[VMS_MAX_BUSY];
__u32 nr_busy_lost;	/* busy processes beyond busy_pids[] */
/* How processes were listed in this pass (status -v, tests). */
__u32 nr_tree, nr_tree_retry, nr_iter;

/* ---- the tree walk ------------------------------------------------------- */

/*
 * lib/maple_tree.c: an encoded node pointer (a maple_enode: the node, its
 * type at bit 3, MAPLE_ENODE_NULL), and the root, which holds an enode
 * marked as an internal entry (MAPLE_ROOT_NODE) when the tree has a node.
 */
#define MT_NODE_MASK	255ull
#define MT_TYPE(e)	(((e) >> 3) & 15)
#define MT_ENODE_NULL	4ull
#define MT_ROOT_NODE	2ull
#define MT_INTERNAL(e)	(((e) & 3) == 2)
#define MT_IS_ROOT_NODE(e)	(MT_INTERNAL(e) && (e) > 4096)

#define TW_DEPTH	8	/* levels kept; a tree of 16^7 VMAs would need more */
#define TW_WORDS	32	/* a maple node is 256 bytes */
#define TW_STEPS	(1u << 20)

struct tw_frame {
	__u64 min, max;		/* the node's range */
	__u32 type, off, end;	/* node type, next slot, last slot */
	__u32 pad;
};

struct tw_state {
	__u64 node[TW_DEPTH][TW_WORDS];
	struct tw_frame f[TW_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tw_state);
} tw_state SEC(".maps");

enum { TW_RUNNING, TW_DONE, TW_FULL, TW_FAIL };

struct tw_ctx {
	__u64 addr;		/* the first address still wanted */
	__u32 depth;
	__u32 rc;
};

/* Node layouts, from BTF: word offsets of pivots and slots, byte offset of meta. */
#define R_PIV	(bpf_core_field_offset(struct maple_range_64, pivot) / 8)
#define R_SLOT	(bpf_core_field_offset(struct maple_range_64, slot) / 8)
#define R_META	bpf_core_field_offset(struct maple_range_64, meta)
#define R_NPIV	(bpf_core_field_size(struct maple_range_64, pivot) / 8)
#define A_PIV	(bpf_core_field_offset(struct maple_arange_64, pivot) / 8)
#define A_SLOT	(bpf_core_field_offset(struct maple_arange_64, slot) / 8)
#define A_META	bpf_core_field_offset(struct maple_arange_64, meta)
#define A_NPIV	(bpf_core_field_size(struct maple_arange_64, pivot) / 8)
#define MT_LEAF		bpf_core_enum_value(enum maple_type, maple_leaf_64)
#define MT_RANGE	bpf_core_enum_value(enum maple_type, maple_range_64)
#define MT_ARANGE	bpf_core_enum_value(enum maple_type, maple_arange_64)

/* Read the node e into frame d; 0 or -1 (ma_data_end() of lib/maple_tree.c). */
static __always_inline int tw_load(struct tw_state *t, __u32 d, __u64 e, __u64 min, __u64 max)
{
	__u64 *w = t->node[d & (TW_DEPTH - 1)];
	struct tw_frame *f = &t->f[d & (TW_DEPTH - 1)];
	__u32 type = MT_TYPE(e), end;

	if (e < 4096 || !(e & MT_ENODE_NULL) ||
	    (type != MT_LEAF && type != MT_RANGE && type != MT_ARANGE))
		return -1;
	if (bpf_probe_read_kernel(w, TW_WORDS * 8, (void *)(e & ~MT_NODE_MASK)))
		return -1;
	if (type == MT_ARANGE) {
		end = ((__u8 *)w)[A_META & (TW_WORDS * 8 - 1)];
		if (end >= A_NPIV)
			return -1;
	} else {
		__u64 last = w[(R_PIV + R_NPIV - 1) & (TW_WORDS - 1)];

		if (!last)
			end = ((__u8 *)w)[R_META & (TW_WORDS * 8 - 1)];
		else if (last == max)
			end = R_NPIV - 1;
		else
			end = R_NPIV;
		if (end > R_NPIV)
			return -1;
	}
	f->min = min;
	f->max = max;
	f->type = type;
	f->off = 0;
	f->end = end;
	return 0;
}

/*
 * vms_vsnap_read() by direct loads, which the JIT guards against faults:
 * cheaper than a probe read of the VMA's head (bpf_rdonly_cast(), 6.2+).
 */
static __always_inline int vms_vsnap_cast(__u64 e, struct vms_vsnap *s)
{
	struct vm_area_struct *v = bpf_rdonly_cast((void *)e,
						   bpf_core_type_id_kernel(struct vm_area_struct));

	s->start = v->vm_start;
	s->end = v->vm_end;
	s->mm = (__u64)v->vm_mm;
	s->flags = v->vm_flags;
	s->ops = (__u64)v->vm_ops;
	s->pgoff = v->vm_pgoff;
	s->file = (__u64)v->vm_file;
	s->priv = (__u64)v->vm_private_data;
	s->anon = 0;
	if (bpf_core_field_exists(((struct vm_area_struct___vms *)v)->anon_name))
		return vms_vsnap_read(e, s);	/* anon_name's rules: one place */
	return 0;
}

/* The process being listed, for put_vma(). */
__u64 tw_mm, tw_task;
__u32 tw_tgid;

/*
 * The record of the VMA at address e: 0, TW_FULL (no room: the next pass
 * starts at this VMA) or TW_FAIL.  From the tree walk (tree set), the VMA
 * must span [smin, smax] and belong to tw_mm.  Names by the walk only.  A
 * global function, so the verifier checks it once, not once per state of
 * each loop that calls it.
 */
__noinline int put_vma(__u64 e, __u64 smin, __u64 smax, __u32 tree)
{
	struct vms_vsnap s;
	struct vms_vma *r;
	__u32 idx;

	if (vms_vsnap_cast(e, &s))
		return TW_FAIL;
	if (tree && (s.start != smin || s.end != smax + 1 || s.mm != tw_mm))
		return TW_FAIL;
	idx = nr_out;
	if (idx >= out_cap)
		return TW_FULL;
	r = bpf_map_lookup_elem(&out, &idx);
	if (!r)
		return TW_FAIL;
	if (fill_rec(r, tw_tgid, tw_task, &s, 0))
		return TW_FULL;
	nr_out = idx + 1;
	return 0;
}

/* One step of an in-order walk: a slot of a leaf, or a move up or down. */
static long tw_step(__u32 i, struct tw_ctx *c)
{
	__u32 zero = 0, d = c->depth, off, piv0, slot0;
	struct tw_state *t = bpf_map_lookup_elem(&tw_state, &zero);
	struct tw_frame *f;
	__u64 *w, smin, smax, e;
	int rc;

	if (!t || d >= TW_DEPTH)
		goto fail;
	f = &t->f[d];
	w = t->node[d];
	off = f->off;
	if (off > f->end) {
		/* This node is done: on with the parent's next slot. */
		if (!d) {
			c->rc = TW_DONE;
			return 1;
		}
		c->depth = d - 1;
		t->f[(d - 1) & (TW_DEPTH - 1)].off++;
		return 0;
	}
	piv0 = f->type == MT_ARANGE ? A_PIV : R_PIV;
	slot0 = f->type == MT_ARANGE ? A_SLOT : R_SLOT;
	smin = off ? w[(piv0 + off - 1) & (TW_WORDS - 1)] + 1 : f->min;
	smax = off < f->end ? w[(piv0 + off) & (TW_WORDS - 1)] : f->max;
	e = w[(slot0 + off) & (TW_WORDS - 1)];
	if (smax < c->addr || smax < smin) {
		f->off = off + 1;	/* before the resume point */
		return 0;
	}
	if (f->type != MT_LEAF) {
		if (d + 1 >= TW_DEPTH || tw_load(t, d + 1, e, smin, smax))
			goto fail;
		c->depth = d + 1;
		return 0;
	}
	f->off = off + 1;
	if (!e || MT_INTERNAL(e))
		return 0;	/* a gap, or a marker (XA_ZERO_ENTRY) */
	rc = put_vma(e, smin, smax, 1);
	if (!rc)
		return 0;
	if (rc == TW_FULL) {
		stop_at(tw_tgid, smin);
		c->rc = TW_FULL;
		return 1;
	}
fail:
	c->rc = TW_FAIL;
	return 1;
}

struct mm_struct___seq {
	seqcount_t mm_lock_seq;
} __attribute__((preserve_access_index));

static __always_inline __u32 mm_seq(__u64 mm)
{
	return BPF_CORE_READ((struct mm_struct___seq *)mm, mm_lock_seq.sequence);
}

/*
 * List process tgid (mm, task as numbers) from start by the tree walk.
 * 0: listed (full may be set), -1: not possible, or a writer kept
 * racing: nothing of this process is in the buffers.
 */
static __always_inline int tree_list(__u32 tgid, __u64 task, __u64 mm, __u64 start)
{
	__u32 zero = 0, try, seq, o_nr, o_pos;
	struct tw_state *t;
	struct tw_ctx c;
	__u64 root;

	t = bpf_map_lookup_elem(&tw_state, &zero);
	if (!t)
		return -1;
	o_nr = nr_out;
	o_pos = str_pos;
	for (try = 0; try < 2; try++) {
		seq = mm_seq(mm);
		if (seq & 1)
			continue;	/* a writer holds mmap_lock */
		root = (__u64)BPF_CORE_READ((struct mm_struct *)mm, mm_mt.ma_root);
		c.rc = TW_RUNNING;
		if (!root)
			c.rc = TW_DONE;	/* no VMAs */
		else if (!MT_IS_ROOT_NODE(root) || tw_load(t, 0, root & ~MT_ROOT_NODE, 0, ~0ull))
			return -1;	/* a one-entry tree has no node: not ours to list */
		tw_mm = mm;
		tw_task = task;
		tw_tgid = tgid;
		c.addr = start;
		c.depth = 0;
		if (c.rc == TW_RUNNING)
			bpf_loop(TW_STEPS, tw_step, &c, 0);
		if ((c.rc == TW_DONE || c.rc == TW_FULL) && mm_seq(mm) == seq) {
			nr_tree++;
			nr_tree_retry += try;
			return 0;
		}
		/* Thrown away: no record, string or resume point of this walk. */
		nr_out = o_nr;
		str_pos = o_pos;
		full = 0;
		resume_tgid = 0;
		resume_addr = 0;
		last_file = 0;
		comm_tgid = 0;
	}
	return -1;
}

SEC("iter/task")
int vma_fast(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	__u64 start = 0;
	__u32 tgid, o_tgid, idx;
	__u64 o_addr;
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
		goto out;
	}
	vma = bpf_iter_task_vma_next(&it);
	/*
	 * The tree walk, where it works: the iterator holds a reference on
	 * the mm of the VMA it returned (the task may have exec'ed since
	 * task->mm was read above).
	 */
	if (vma && tree_walk && name_route == VMS_NAMES_WALK &&
	    bpf_core_field_exists(((struct mm_struct___seq *)0)->mm_lock_seq.sequence)) {
		o_tgid = resume_tgid;
		o_addr = resume_addr;
		if (!tree_list(tgid, (__u64)task, (__u64)BPF_CORE_READ(vma, vm_mm), start))
			goto out;
		resume_tgid = o_tgid;
		resume_addr = o_addr;
	}
	nr_iter++;
	tw_mm = 0;
	tw_task = (__u64)task;
	tw_tgid = tgid;
	for (; vma; vma = bpf_iter_task_vma_next(&it)) {
		struct vms_vsnap s;
		struct vms_vma *r;
		int rc;

		if (name_route == VMS_NAMES_WALK) {
			__u64 a = 0;

			/* The VMA's address as a number (a global function takes no BTF pointer). */
			bpf_probe_read_kernel(&a, sizeof(a), &vma);
			rc = put_vma(a, 0, 0, 0);
			if (rc == TW_FULL)
				stop_at(tgid, vma->vm_start);
			if (rc)
				break;
			continue;
		}
		/* bpf_d_path() needs vm_file as the verifier trusts it. */
		idx = nr_out;
		if (idx >= out_cap) {
			stop_at(tgid, vma->vm_start);
			break;
		}
		r = bpf_map_lookup_elem(&out, &idx);
		if (!r || vms_vsnap_read((__u64)vma, &s))
			break;
		if (fill_rec(r, tgid, (__u64)task, &s, vma->vm_file)) {
			stop_at(tgid, vma->vm_start);
			break;
		}
		nr_out = idx + 1;
	}
out:
	bpf_iter_task_vma_destroy(&it);
	return 0;
}
