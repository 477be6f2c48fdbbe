// SPDX-License-Identifier: GPL-2.0
/*
 * kfunc definitions and their registration for TRACING (iterators) and
 * SYSCALL programs.
 *
 * Access rule: a caller may look into its own process; any other process
 * needs CAP_SYS_PTRACE in the initial user namespace.  A module cannot call
 * ptrace_may_access() (not exported on 6.12), so the finer ptrace checks
 * (same uid, dumpable, Yama, LSMs) are not reproduced: the capability is
 * required instead.  Physical addresses need CAP_SYS_ADMIN, like pagemap.
 * Everything that locks mmap_lock or faults is KF_SLEEPABLE, so only
 * SEC("syscall") (and other sleepable) programs can call it.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include "vmscope.h"
#include "vmscope_kfuncs.h"

/* Largest read or write in one call. */
#define KF_MAX_IO	(64u << 20)

static struct mm_struct *kf_get_mm(int pid)
{
	struct mm_struct *mm = vms_get_mm(pid);

	if (IS_ERR(mm))
		return mm;
	if (mm != current->mm && !capable(CAP_SYS_PTRACE)) {
		mmput(mm);
		return ERR_PTR(-EPERM);
	}
	return mm;
}

static bool kf_show_pfn(void)
{
	return capable(CAP_SYS_ADMIN);
}

__bpf_kfunc_start_defs();

/* The ABI this module speaks.  Its prototype must never change. */
__bpf_kfunc int vmscope_abi_version(void)
{
	return VMSCOPE_ABI_VERSION;
}

/*
 * buf: n struct vms_vmainfo with addr set, then (VMS_FIND_NAME) n names of
 * VMS_VI_NAME_LEN bytes.  Returns how many addresses had a VMA at or
 * after them, or -errno.
 */
__bpf_kfunc int vmscope_find_vmas(int pid, void *buf, u32 buf__sz, u32 n, u32 flags)
{
	u64 need = (u64)n * (sizeof(struct vms_vmainfo) +
			     (flags & VMS_FIND_NAME ? VMS_VI_NAME_LEN : 0));
	struct mm_struct *mm;
	int ret;

	if (!n || need > buf__sz)
		return -EINVAL;
	mm = kf_get_mm(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = vms_find_vmas(mm, buf, n, flags & VMS_FIND_NAME ?
			    (char *)buf + (size_t)n * sizeof(struct vms_vmainfo) : NULL, flags);
	mmput(mm);
	return ret;
}

/*
 * buf: an array of struct vms_walk with addr set; each gets its own err.
 * Returns the number walked or -errno.
 */
__bpf_kfunc int vmscope_walk(int pid, void *buf, u32 buf__sz)
{
	struct vms_walk *w = buf;
	u32 i, n = buf__sz / sizeof(*w);
	struct mm_struct *mm;
	bool show_pfn;

	if (!n)
		return -EINVAL;
	mm = kf_get_mm(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	show_pfn = kf_show_pfn();
	for (i = 0; i < n; i++)
		w[i].err = vms_walk_addr(mm, w[i].addr, show_pfn, &w[i]);
	mmput(mm);
	return n;
}

/*
 * buf: struct vms_range, then max_pages records, then dirs.  Returns the
 * number of records filled or -errno.
 */
__bpf_kfunc int vmscope_walk_range(int pid, void *buf, u32 buf__sz)
{
	struct vms_range *r = buf;
	struct vms_prec *recs;
	struct mm_struct *mm;
	u32 max;
	u64 room;
	int ret;

	if (buf__sz < sizeof(*r))
		return -EINVAL;
	/* buf is also mapped in user space: read the size once, use the copy. */
	max = READ_ONCE(r->max_pages);
	room = buf__sz - sizeof(*r);
	if ((u64)max * sizeof(*recs) > room)
		return -ENOSPC;
	recs = (struct vms_prec *)(r + 1);
	room -= (u64)max * sizeof(*recs);
	mm = kf_get_mm(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = vms_walk_range(mm, r, max, kf_show_pfn(), recs, (struct vms_pdir *)(recs + max),
			     room / sizeof(struct vms_pdir));
	mmput(mm);
	return ret;
}

/* Read buf__sz bytes at addr.  Returns the bytes read (short at the first
 * page that cannot be read) or -errno. */
__bpf_kfunc long vmscope_read(int pid, u64 addr, void *buf, u32 buf__sz)
{
	struct mm_struct *mm;
	long ret;

	if (buf__sz > KF_MAX_IO)
		return -E2BIG;
	mm = kf_get_mm(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = vms_access(mm, addr, buf, buf__sz, 0);
	mmput(mm);
	return ret;
}

/* Write buf__sz bytes at addr (VMS_WRITE_FORCE: also into a read-only
 * private mapping, as a COW copy).  Returns the bytes written or -errno. */
__bpf_kfunc long vmscope_write(int pid, u64 addr, void *buf, u32 buf__sz, u32 flags)
{
	struct mm_struct *mm;
	long ret;

	if (flags & ~VMS_WRITE_FORCE)
		return -EINVAL;
	if (buf__sz > KF_MAX_IO)
		return -E2BIG;
	mm = kf_get_mm(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = vms_access(mm, addr, buf, buf__sz,
			 VMS_ACC_WRITE | (flags & VMS_WRITE_FORCE ? VMS_ACC_FORCE : 0));
	mmput(mm);
	return ret;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(vmscope_kfunc_ids)
BTF_ID_FLAGS(func, vmscope_abi_version)
BTF_ID_FLAGS(func, vmscope_find_vmas, KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_walk, KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_walk_range, KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_read, KF_SLEEPABLE)
BTF_ID_FLAGS(func, vmscope_write, KF_SLEEPABLE)
BTF_KFUNCS_END(vmscope_kfunc_ids)

static const struct btf_kfunc_id_set vmscope_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &vmscope_kfunc_ids,
};

int vmscope_kfuncs_init(void)
{
	int err;

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &vmscope_kfunc_set);
	if (err)
		return err;
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL, &vmscope_kfunc_set);
}
