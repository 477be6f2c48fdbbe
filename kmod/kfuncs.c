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
 * Each memory kfunc first checks vms_kfunc_direct(): it must be running in
 * the task inside bpf(BPF_PROG_TEST_RUN), not in a callback a syscall
 * program deferred to a timer, a bpf_wq or a task_work (policy.c, rule 5).
 * They may sleep for as long as a fault takes (userfaultfd, FUSE); every
 * such wait is killable, and a fatal signal ends the call with -EINTR.
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
#include "vmscope.h"
#include "vmscope_kfuncs.h"
#include "compat.h"

__bpf_kfunc_start_defs();

__bpf_kfunc int vmscope_abi_version(void)
{
	return VMSCOPE_ABI_VERSION;
}

__bpf_kfunc int vmscope_find_vmas(int pid, void *buf, u32 buf__sz)
{
	struct vms_find *uh = buf, h;
	struct vms_vmainfo *vi;
	struct mm_struct *mm;
	u64 recs;
	int ret;

	if (!vms_kfunc_direct())
		return -EPERM;
	if (buf__sz < sizeof(h))
		return -EINVAL;
	h.n = READ_ONCE(uh->n);
	h.flags = READ_ONCE(uh->flags);
	if (!h.n || (h.flags & ~VMS_FIND_NAME))
		return -EINVAL;
	recs = (u64)h.n * sizeof(*vi);
	if (recs > buf__sz - sizeof(h))
		return -EINVAL;
	vi = (struct vms_vmainfo *)(uh + 1);
	mm = vms_get_mm_checked(pid, NULL);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	h.str_len = 0;
	h.found = 0;
	ret = vms_find_vmas(mm, vi, h.n, h.flags, (char *)vi + recs,
			    buf__sz - sizeof(h) - recs, &h.str_len, &h.found);
	mmput(mm);
	h.done = ret > 0 ? ret : 0;
	h.reserved = 0;
	memcpy(uh, &h, sizeof(h));
	return ret;
}

__bpf_kfunc int vmscope_walk(int pid, void *buf, u32 buf__sz)
{
	struct vms_walk *uw = buf, w;
	u32 i, n = buf__sz / sizeof(w);
	struct mm_struct *mm;
	bool priv;

	if (!vms_kfunc_direct())
		return -EPERM;
	if (!n)
		return -EINVAL;
	mm = vms_get_mm_checked(pid, NULL);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	priv = vms_may_see_phys(NULL);
	for (i = 0; i < n; i++) {
		u64 addr = READ_ONCE(uw[i].addr);

		w.err = vms_walk_addr(mm, addr, priv, &w);
		memcpy(&uw[i], &w, sizeof(w));
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	mmput(mm);
	return i < n ? -EINTR : n;
}

__bpf_kfunc int vmscope_walk_range(int pid, void *buf, u32 buf__sz)
{
	struct vms_range *uh = buf;
	struct vms_range_args a = {};
	struct mm_struct *mm;
	u64 room;
	int ret;

	if (!vms_kfunc_direct())
		return -EPERM;
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
	mm = vms_get_mm_checked(pid, NULL);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	a.priv = vms_may_see_phys(NULL);
	ret = vms_walk_range(mm, &a);
	mmput(mm);
	a.hdr.start = a.start;
	a.hdr.end = a.end;
	a.hdr.max_pages = a.max_pages;
	a.hdr.reserved = 0;
	memcpy(uh, &a.hdr, sizeof(a.hdr));
	return ret;
}

__bpf_kfunc long vmscope_read(int pid, u64 addr, void *buf, u32 buf__sz)
{
	struct mm_struct *mm;
	long ret;

	if (!vms_kfunc_direct())
		return -EPERM;
	if (buf__sz > VMS_ACC_MAX)
		return -E2BIG;
	mm = vms_get_mm_checked(pid, NULL);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = vms_access(mm, addr, buf, buf__sz, 0);
	mmput(mm);
	return ret;
}

__bpf_kfunc long vmscope_write(int pid, u64 addr, void *buf, u32 buf__sz, u32 flags)
{
	struct mm_struct *mm;
	long ret;

	if (!vms_kfunc_direct())
		return -EPERM;
	if (flags & ~VMS_WRITE_FORCE)
		return -EINVAL;
	if ((flags & VMS_WRITE_FORCE) && !vms_may_force())
		return -EPERM;
	if (buf__sz > VMS_ACC_MAX)
		return -E2BIG;
	mm = vms_get_mm_checked(pid, NULL);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = vms_access(mm, addr, buf, buf__sz,
			 VMS_ACC_WRITE | (flags & VMS_WRITE_FORCE ? VMS_ACC_FORCE : 0));
	mmput(mm);
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
BTF_ID_FLAGS(func, vmscope_find_vmas, KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_walk, KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_walk_range, KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_read, KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_write, KF_SLEEPABLE)
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
