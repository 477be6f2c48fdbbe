/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fast listing of one process (list_task()), for vma_fast.bpf.c (an
 * iter/task program: every process, or one by an iterator link) and
 * vma_pid.bpf.c (a syscall program: one process, in one system call).
 * Records go straight into an mmapable array that user space reads in
 * place; names into the string table (vma_rec.bpf.h).  Two ways to find
 * the VMAs:
 *
 *  - The tree walk (where the kernel has mm->mm_lock_seq as a seqcount,
 *    6.12 and later, and the listing names files by its own dentry walk):
 *    the process's maple tree read in order, each node once, each VMA in
 *    one read, under the reference bpf_iter_task_vma_new() holds on the mm
 *    and inside an RCU read section.  It takes no lock: the walk is valid
 *    only if no mmap_lock writer ran meanwhile, which the mm's sequence
 *    count tells (even before, the same after; the same check
 *    mmap_lock_speculate_try_begin() and _retry() make for the kernel's
 *    own lockless VMA lookups).  Maple nodes and VMAs are freed only after
 *    an RCU grace period (VMAs may be reused for another VMA at once: every
 *    VMA's own range and mm are checked against the tree), and every change
 *    to the tree or to a VMA's fields shown here happens under the
 *    mmap_lock write lock.  A walk that raced with a writer is thrown away
 *    and tried once more, then the process is listed by the iterator
 *    below.  The walk's loads must stay between the two reads of the
 *    count (the kernel's smp_rmb()s): x86 keeps loads in order, so it
 *    needs nothing; elsewhere tw_rmb() orders them.
 *  - The open-coded task_vma iterator (6.7+): one VMA per kfunc call,
 *    each looked up and locked on its own (per-VMA locks), several
 *    hundred nanoseconds per VMA.  bpf_d_path() needs its trusted vm_file.
 *
 * A process bpf_iter_task_vma_new() refuses is reported in busy_pids and
 * listed again by vma_seq.bpf.c.  On kernels without the open-coded
 * iterator these objects do not load and vma_seq.bpf.c lists everything.
 */
#ifndef VMSCOPE_VMA_TREE_BPF_H
#define VMSCOPE_VMA_TREE_BPF_H

#include "vma_rec.bpf.h"

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it,
				 struct task_struct *task, __u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

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
	__u32 seq;		/* mm_lock_seq when this walk began */
	__u32 tries;		/* walks begun */
	__u32 o_nr, o_pos;	/* nr_out and str_pos before the first */
	__u32 o_tgid;		/* resume point before the first */
	__u64 o_addr;
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
		/* A full node's last slot (end == A_NPIV) ends at the node's max. */
		end = ((__u8 *)w)[A_META & (TW_WORDS * 8 - 1)];
		if (end > A_NPIV)
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

struct mm_struct___seq {
	seqcount_t mm_lock_seq;
} __attribute__((preserve_access_index));

static __always_inline __u32 mm_seq(__u64 mm)
{
	return BPF_CORE_READ((struct mm_struct___seq *)mm, mm_lock_seq.sequence);
}

#ifdef __TARGET_ARCH_x86
static __always_inline void tw_rmb(void)
{
}
#else
/*
 * smp_rmb() for arm64, where loads may pass loads: BPF has no barrier
 * (load-acquire came in 6.15), but an atomic with BPF_FETCH is fully
 * ordered (arm64's JIT: LDSETAL, or an exclusive loop and DMB ISH).
 * (Clang makes this fetch-and-add of 0 a fetch-or of 0.)
 */
__u64 tw_fence;

static __always_inline void tw_rmb(void)
{
	__u64 v = __sync_fetch_and_add(&tw_fence, 0);

	barrier_var(v);		/* used: the fetch form, not a plain add */
}
#endif

/*
 * (Re)start the walk of tw_mm at its root: TW_RUNNING, TW_DONE (no VMAs),
 * or TW_FAIL: a writer holds mmap_lock, or the tree has no node (one
 * entry at 0: not a process's).
 */
static __always_inline __u32 tw_begin(struct tw_ctx *c, struct tw_state *t)
{
	__u64 root;

	c->tries++;
	c->depth = 0;
	c->seq = mm_seq(tw_mm);
	if (c->seq & 1)
		return TW_FAIL;
	tw_rmb();
	root = (__u64)BPF_CORE_READ((struct mm_struct *)tw_mm, mm_mt.ma_root);
	if (!root)
		return TW_DONE;
	if (!MT_IS_ROOT_NODE(root) || tw_load(t, 0, root & ~MT_ROOT_NODE, 0, ~0ull))
		return TW_FAIL;
	return TW_RUNNING;
}

/*
 * A walk came to its end (rc: TW_DONE or TW_FULL): kept if no writer ran
 * meanwhile; else its records, strings and resume point are thrown away
 * and the walk begins again, once.  Returns whether the loop stops.
 */
static __always_inline long tw_end(struct tw_ctx *c, struct tw_state *t, __u32 rc)
{
	tw_rmb();
	if (rc != TW_FAIL && mm_seq(tw_mm) == c->seq) {
		c->rc = rc;
		return 1;
	}
	nr_out = c->o_nr;
	str_pos = c->o_pos;
	full = 0;
	resume_tgid = c->o_tgid;
	resume_addr = c->o_addr;
	last_file = 0;
	comm_tgid = 0;
	c->rc = c->tries < 2 ? tw_begin(c, t) : TW_FAIL;
	return c->rc != TW_RUNNING;	/* TW_DONE: the tree is empty now */
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
		if (!d)
			return tw_end(c, t, TW_DONE);
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
			return tw_end(c, t, TW_FAIL);
		c->depth = d + 1;
		return 0;
	}
	f->off = off + 1;
	if (!e || MT_INTERNAL(e))
		return 0;	/* a gap, or a marker (XA_ZERO_ENTRY) */
	rc = put_vma(e, smin, smax, 1);
	if (!rc)
		return 0;
	if (rc == TW_FULL)
		stop_at(tw_tgid, smin);
	return tw_end(c, t, rc);
fail:
	c->rc = TW_FAIL;
	return 1;
}

/*
 * List process tgid (mm, task as numbers) from start by the tree walk.
 * 0: listed (full may be set), -1: not possible, or a writer kept
 * racing: nothing of this process is in the buffers.
 */
static __always_inline int tree_list(__u32 tgid, __u64 task, __u64 mm, __u64 start)
{
	struct tw_state *t;
	struct tw_ctx c;
	__u32 zero = 0;

	t = bpf_map_lookup_elem(&tw_state, &zero);
	if (!t)
		return -1;
	tw_mm = mm;
	tw_task = task;
	tw_tgid = tgid;
	c.addr = start;
	c.tries = 0;
	c.o_nr = nr_out;
	c.o_pos = str_pos;
	c.o_tgid = resume_tgid;
	c.o_addr = resume_addr;
	c.rc = tw_begin(&c, t);
	if (c.rc == TW_FAIL)
		tw_end(&c, t, TW_FAIL);	/* a writer: once more */
	if (c.rc == TW_RUNNING)
		bpf_loop(TW_STEPS, tw_step, &c, 0);
	if (c.rc != TW_DONE && c.rc != TW_FULL)
		return -1;	/* nothing of this walk is left in the buffers */
	nr_tree++;
	nr_tree_retry += c.tries - 1;
	return 0;
}

/*
 * put_vma() for names by bpf_d_path(), which needs vm_file as the verifier
 * trusts it: a function of its own, so that its stack is not the caller's.
 */
static __noinline int put_vma_dpath(struct vm_area_struct *vma, struct task_struct *task,
				    __u32 tgid)
{
	struct vms_vsnap s;
	struct vms_vma *r;
	__u32 idx = nr_out;

	if (idx >= out_cap)
		return TW_FULL;
	r = bpf_map_lookup_elem(&out, &idx);
	if (!r || vms_vsnap_read((__u64)vma, &s))
		return TW_FAIL;
	if (fill_rec(r, tgid, (__u64)task, &s, vma->vm_file))
		return TW_FULL;
	nr_out = idx + 1;
	return 0;
}

/*
 * List task's VMAs from the resume point into out[] (full set when it
 * filled up), by the tree walk where it works, else by the iterator.
 */
static __always_inline void list_task(struct task_struct *task)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	__u64 start = 0, mmaddr;
	__u32 tgid;
	int err;

	if (!task || full)
		return;
	mm = BPF_CORE_READ(task, mm);
	/* Only the leader: /proc/PID/maps is the leader's mm (none if it exited). */
	if (task->pid != task->tgid || !mm)
		return;
	tgid = ns_tgid(task);
	if (!tgid || tgid < resume_tgid)
		return;
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
		mmaddr = (__u64)BPF_CORE_READ(vma, vm_mm);
		/* The syscall program is sleepable: RCU is not held by itself. */
		bpf_rcu_read_lock();
		err = tree_list(tgid, (__u64)task, mmaddr, start);
		bpf_rcu_read_unlock();
		if (!err)
			goto out;
	}
	nr_iter++;
	tw_mm = 0;
	tw_task = (__u64)task;
	tw_tgid = tgid;
	for (; vma; vma = bpf_iter_task_vma_next(&it)) {
		__u64 a = 0;
		int rc;

		if (name_route == VMS_NAMES_WALK) {
			/* The VMA's address as a number (a global function takes no BTF pointer). */
			bpf_probe_read_kernel(&a, sizeof(a), &vma);
			rc = put_vma(a, 0, 0, 0);
		} else {
			rc = put_vma_dpath(vma, task, tgid);
		}
		if (rc == TW_FULL)
			stop_at(tgid, vma->vm_start);
		if (rc)
			break;
	}
out:
	bpf_iter_task_vma_destroy(&it);
}

#endif /* VMSCOPE_VMA_TREE_BPF_H */
