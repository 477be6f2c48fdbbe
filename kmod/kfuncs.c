// SPDX-License-Identifier: GPL-2.0
/*
 * kfunc definitions and their registration.
 *
 * vmscope_abi_version() is registered for TRACING (iterators) and SYSCALL
 * programs.  Every other kfunc takes mmap_lock, faults or sleeps: they are
 * KF_SLEEPABLE and registered for SYSCALL programs only.  A sleepable
 * iterator (iter.s/task_vma) runs with the iterated task's mmap_lock held,
 * so calling them there would deadlock, and an iterator's permission checks
 * would be made against whoever read() it.  policy.c has the rules.
 *
 * A program run starts with vmscope_call_begin(pid): the context check
 * (policy.c, rule 5), the process and the caller's right to it, once; the
 * token holds that mm until vmscope_call_end(), which drops it with
 * mmput_async() (a caller inside a bpf_find_vma() callback holds that
 * mm's mmap_lock, and a last mmput() would take it for writing).  Each
 * memory kfunc starts in kfunc_enter(): the token and the context again,
 * since the token can be handed to a synchronous callback.  They never
 * block on mmap_lock and never wait for a fault (-EAGAIN: the caller runs
 * the program again).
 *
 * Buffers come from BPF programs, usually as BPF map values that user space
 * has mmapped and can rewrite during the call.  So each (in) field is read
 * exactly once into a local, results are built in kernel memory and copied
 * into the buffer once, and nothing written there is read back.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/err.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "vmscope.h"
#include "vmscope_kfuncs.h"
#include "compat.h"

__bpf_kfunc_start_defs();

__bpf_kfunc int vmscope_abi_version(void)
{
	return VMSCOPE_ABI_VERSION;
}

__bpf_kfunc struct vms_call *vmscope_call_begin(int pid, int *err)
{
	struct vms_call *call, c = {};
	struct mm_struct *mm;
	int e;

	/* The context first: nothing may sleep before it is known to be safe. */
	e = vms_kfunc_begin(_RET_IP_, (unsigned long)__builtin_frame_address(0), &c);
	if (e)
		goto fail;
	call = kmalloc(sizeof(*call), GFP_KERNEL);
	if (!call) {
		e = -ENOMEM;
		goto fail;
	}
	mm = vms_get_mm_checked(pid, NULL, &c.who);
	if (IS_ERR(mm)) {
		kfree(call);
		e = PTR_ERR(mm);
		goto fail;
	}
	*call = c;
	call->magic = VMS_CALL_MAGIC;
	call->task = current;
	call->mm = mm;
	*err = 0;
	return call;
fail:
	*err = e;
	return NULL;
}

/* Async: the caller may hold this mm's mmap_lock (a bpf_find_vma() callback). */
__bpf_kfunc void vmscope_call_end(struct vms_call *call)
{
	call->magic = 0;
	mmput_async(call->mm);
	kfree(call);
}

/*
 * The shared start of every memory kfunc: its token's mm, or an ERR_PTR.
 * A macro, so that _RET_IP_ is the kfunc's own return address (its caller
 * in the program) and the frame its own frame record.
 */
static struct mm_struct *kfunc_enter_at(const struct vms_call *call, unsigned long caller,
					unsigned long frame)
{
	int err = vms_kfunc_context(call, caller, frame);

	return err ? ERR_PTR(err) : call->mm;
}
#define kfunc_enter(call) \
	kfunc_enter_at(call, _RET_IP_, (unsigned long)__builtin_frame_address(0))

__bpf_kfunc int vmscope_find_vmas(struct vms_call *call, void *buf, u32 buf__sz)
{
	struct vms_find *uh = buf, h;
	struct vms_vmainfo *vi;
	struct mm_struct *mm;
	u64 recs;
	int ret;

	if (buf__sz < sizeof(h))
		return -EINVAL;
	h.n = READ_ONCE(uh->n);
	h.flags = READ_ONCE(uh->flags);
	if (!h.n || (h.flags & ~VMS_FIND_FLAGS))
		return -EINVAL;
	recs = (u64)h.n * sizeof(*vi);
	if (recs > buf__sz - sizeof(h))
		return -EINVAL;
	vi = (struct vms_vmainfo *)(uh + 1);
	mm = kfunc_enter(call);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	h.str_len = 0;
	h.found = 0;
	ret = vms_find_vmas(mm, vi, h.n, h.flags, VMS_NOWAIT, (char *)vi + recs,
			    buf__sz - sizeof(h) - recs, &h.str_len, &h.found);
	h.done = ret > 0 ? ret : 0;
	h.reserved = 0;
	BUILD_BUG_ON(sizeof(h.comm) != sizeof(call->who.comm));
	memcpy(h.comm, call->who.comm, sizeof(h.comm));
	h.mm_id = call->who.mm_id;
	memcpy(uh, &h, sizeof(h));
	return ret;
}

__bpf_kfunc int vmscope_walk(struct vms_call *call, void *buf, u32 buf__sz)
{
	struct vms_walk *uw = buf, w;
	u32 i, n = buf__sz / sizeof(w);
	struct mm_struct *mm;
	bool priv;
	int err = 0;

	if (!n)
		return -EINVAL;
	mm = kfunc_enter(call);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	priv = vms_may_see_phys(NULL);
	for (i = 0; i < n; i++) {
		u64 addr = READ_ONCE(uw[i].addr);

		w.err = vms_walk_addr(mm, addr, priv, VMS_NOWAIT, &w);
		if (w.err == -EAGAIN) {
			err = -EAGAIN;	/* the caller asks again from uw[i] */
			break;
		}
		memcpy(&uw[i], &w, sizeof(w));
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
	/* How many were answered; none: why. */
	return i ? i : err;
}

__bpf_kfunc int vmscope_walk_range(struct vms_call *call, void *buf, u32 buf__sz)
{
	struct vms_range *uh = buf;
	struct vms_range_args a = {};
	struct mm_struct *mm;
	u64 room;
	int ret;

	if (buf__sz < sizeof(*uh))
		return -EINVAL;
	a.start = READ_ONCE(uh->start);
	a.end = READ_ONCE(uh->end);
	a.max_pages = READ_ONCE(uh->max_pages);
	room = buf__sz - sizeof(*uh);
	if ((u64)a.max_pages * sizeof(struct vms_prec) > room)
		return -ENOSPC;
	a.recs = (struct vms_prec *)(uh + 1);
	room -= (u64)a.max_pages * sizeof(struct vms_prec);
	a.dirs = (struct vms_pdir *)(a.recs + a.max_pages);
	a.max_dirs = room / sizeof(struct vms_pdir);
	mm = kfunc_enter(call);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	a.priv = vms_may_see_phys(NULL);
	a.nowait = VMS_NOWAIT;
	ret = vms_walk_range(mm, &a);
	a.hdr.start = a.start;
	a.hdr.end = a.end;
	a.hdr.max_pages = a.max_pages;
	memcpy(uh, &a.hdr, sizeof(a.hdr));
	return ret;
}

__bpf_kfunc long vmscope_read(struct vms_call *call, u64 addr, void *buf, u32 buf__sz)
{
	struct mm_struct *mm;

	if (buf__sz > VMS_ACC_MAX)
		return -E2BIG;
	mm = kfunc_enter(call);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	return vms_access(mm, addr, buf, buf__sz, VMS_ACC_NOWAIT);
}

__bpf_kfunc long vmscope_write(struct vms_call *call, u64 addr, void *buf, u32 buf__sz,
			       u32 flags)
{
	struct mm_struct *mm;

	if (flags & ~VMS_WRITE_FORCE)
		return -EINVAL;
	if (buf__sz > VMS_ACC_MAX)
		return -E2BIG;
	mm = kfunc_enter(call);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	if ((flags & VMS_WRITE_FORCE) && !vms_may_force())
		return -EPERM;
	return vms_access(mm, addr, buf, buf__sz, VMS_ACC_WRITE | VMS_ACC_NOWAIT |
			  (flags & VMS_WRITE_FORCE ? VMS_ACC_FORCE : 0));
}

/*
 * buf: the old bytes, then the new ones (buf__sz = 2 * len).  Root's undo
 * (vmscope undo) writes back only where its own bytes are still there.
 */
__bpf_kfunc long vmscope_cmpxchg(struct vms_call *call, u64 addr, void *buf, u32 buf__sz,
				 u32 flags)
{
	struct mm_struct *mm;
	u32 len = buf__sz / 2;
	void *k;
	long ret;

	if (flags & ~VMS_WRITE_FORCE)
		return -EINVAL;
	if (buf__sz & 1)
		return -EINVAL;
	if (len > VMS_CMPXCHG_MAX)
		return -E2BIG;
	mm = kfunc_enter(call);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	if ((flags & VMS_WRITE_FORCE) && !vms_may_force())
		return -EPERM;
	/* Both halves read once, into kernel memory. */
	k = kvmalloc(buf__sz ? buf__sz : 1, GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	memcpy(k, buf, buf__sz);
	ret = vms_cmpxchg(mm, addr, k, k + len, len, flags & VMS_WRITE_FORCE ? VMS_ACC_FORCE : 0);
	kvfree(k);
	return ret;
}

/*
 * buf: struct vms_share, then room for records.  Who maps the same page:
 * other processes' layouts and a PFN, so CAP_SYS_ADMIN and CAP_SYS_PTRACE.
 */
__bpf_kfunc int vmscope_page_sharers(struct vms_call *call, void *buf, u32 buf__sz)
{
	struct vms_share *uh = buf, h = {};
	struct mm_struct *mm;
	u32 max;
	int ret;

	if (buf__sz < sizeof(h))
		return -EINVAL;
	mm = kfunc_enter(call);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	if (!vms_may_see_phys(NULL) || !vms_may_force())
		return -EPERM;
	h.addr = READ_ONCE(uh->addr);
	max = min_t(u32, READ_ONCE(uh->max), (buf__sz - sizeof(h)) / sizeof(struct vms_sharer));
	ret = vms_page_sharers(mm, &h, (struct vms_sharer *)(uh + 1), max);
	h.max = max;
	memcpy(uh, &h, sizeof(h));
	return ret;
}

__bpf_kfunc_end_defs();

/*
 * A module may register one set per program type, so the ABI kfunc is in
 * both sets: alone for TRACING, with the memory kfuncs for SYSCALL.
 */
VMS_BTF_KFUNCS_START(vmscope_tracing_ids)
BTF_ID_FLAGS(func, vmscope_abi_version)
VMS_BTF_KFUNCS_END(vmscope_tracing_ids)

VMS_BTF_KFUNCS_START(vmscope_syscall_ids)
BTF_ID_FLAGS(func, vmscope_abi_version)
BTF_ID_FLAGS(func, vmscope_call_begin, KF_ACQUIRE | KF_RET_NULL | KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_call_end, KF_RELEASE)
BTF_ID_FLAGS(func, vmscope_find_vmas, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_walk, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_walk_range, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_read, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_write, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_cmpxchg, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_page_sharers, KF_TRUSTED_ARGS | KF_SLEEPABLE)
VMS_BTF_KFUNCS_END(vmscope_syscall_ids)

static const struct btf_kfunc_id_set vmscope_tracing_set = {
	.owner = THIS_MODULE,
	.set = &vmscope_tracing_ids,
};

static const struct btf_kfunc_id_set vmscope_syscall_set = {
	.owner = THIS_MODULE,
	.set = &vmscope_syscall_ids,
};

/* Sets cannot be unregistered: the module's BTF going away retires them. */
int vms_kfuncs_init(void)
{
	int err;

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &vmscope_tracing_set);
	if (!err)
		err = register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL, &vmscope_syscall_set);
	return err;
}
