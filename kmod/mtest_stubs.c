// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY: minimal versions of the issue-3 internal API (task.c, walk.c,
 * access.c) so that /proc/mtest can be built and tested on this branch.
 * Drop this file when the real implementation is merged.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include "vmscope.h"

struct mm_struct *vms_get_mm(pid_t pid)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *p;

	p = find_get_pid(pid);
	if (!p)
		return ERR_PTR(-ESRCH);
	task = get_pid_task(p, PIDTYPE_PID);
	put_pid(p);
	if (!task)
		return ERR_PTR(-ESRCH);
	mm = get_task_mm(task);
	put_task_struct(task);
	return mm ?: ERR_PTR(-EINVAL);
}

static void stub_leaf(struct vms_walk *w, int level, unsigned int shift,
		      unsigned long pfn, bool show_pfn)
{
	w->stop_level = level;
	w->stop_reason = VMS_STOP_LEAF;
	w->leaf_shift = shift;
	pfn += (w->addr & ((1UL << shift) - 1)) >> PAGE_SHIFT;
	if (show_pfn) {
		w->pfn = pfn;
		w->phys = PFN_PHYS(pfn) | offset_in_page(w->addr);
		w->wflags |= VMS_W_PFN_VALID;
	} else {
		w->wflags |= VMS_W_PFN_HIDDEN;
	}
}

static void stub_walk(struct mm_struct *mm, unsigned long addr, bool show_pfn,
		      struct vms_walk *w)
{
	pgd_t *pgdp = pgd_offset(mm, addr), pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t pte;

	pgd = READ_ONCE(*pgdp);
	w->entry[VMS_LVL_PGD] = pgd_val(pgd);
	w->stop_level = VMS_LVL_PGD;
	if (pgd_none(pgd))
		goto none;
	p4dp = p4d_offset(pgdp, addr);
	p4d = READ_ONCE(*p4dp);
	w->entry[VMS_LVL_P4D] = p4d_val(p4d);
	w->stop_level = VMS_LVL_P4D;
	if (p4d_none(p4d))
		goto none;
	pudp = pud_offset(p4dp, addr);
	pud = READ_ONCE(*pudp);
	w->entry[VMS_LVL_PUD] = pud_val(pud);
	w->stop_level = VMS_LVL_PUD;
	if (pud_none(pud))
		goto none;
	if (pud_leaf(pud))
		return stub_leaf(w, VMS_LVL_PUD, PUD_SHIFT, pud_pfn(pud), show_pfn);
	pmdp = pmd_offset(pudp, addr);
	pmd = pmdp_get_lockless(pmdp);
	w->entry[VMS_LVL_PMD] = pmd_val(pmd);
	w->stop_level = VMS_LVL_PMD;
	if (pmd_none(pmd))
		goto none;
	if (!pmd_present(pmd)) {
		w->stop_reason = VMS_STOP_NOT_PRESENT;
		return;
	}
	if (pmd_leaf(pmd))
		return stub_leaf(w, VMS_LVL_PMD, PMD_SHIFT, pmd_pfn(pmd), show_pfn);
	/* The PTE table may be freed under RCU: read it inside, re-check. */
	rcu_read_lock();
	if (!pmd_same(pmd, pmdp_get_lockless(pmdp))) {
		rcu_read_unlock();
		w->stop_reason = VMS_STOP_BAD;
		return;
	}
	pte = ptep_get(pte_offset_kernel(&pmd, addr));
	rcu_read_unlock();
	w->entry[VMS_LVL_PTE] = pte_val(pte);
	w->stop_level = VMS_LVL_PTE;
	if (pte_none(pte))
		goto none;
	if (!pte_present(pte)) {
		w->stop_reason = VMS_STOP_NOT_PRESENT;
		return;
	}
	if (pte_special(pte))
		w->page_flags |= VMS_PG_NOPAGE;
	return stub_leaf(w, VMS_LVL_PTE, PAGE_SHIFT, pte_pfn(pte), show_pfn);
none:
	w->stop_reason = VMS_STOP_NONE_ENTRY;
}

int vms_walk_addr(struct mm_struct *mm, unsigned long addr, bool show_pfn,
		  struct vms_walk *w)
{
	struct vm_area_struct *vma;
	int i;

	memset(w, 0, sizeof(*w));
	w->addr = addr;
	w->levels = pgtable_l5_enabled() ? 5 : 4;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		w->wflags |= VMS_W_NO_VMA;
	} else {
		w->vm_start = vma->vm_start;
		w->vm_end = vma->vm_end;
		w->vm_flags = vma->vm_flags;
		stub_walk(mm, addr, show_pfn, w);
		if (vma->vm_flags & VM_PFNMAP)
			w->page_flags |= VMS_PG_NOPAGE;
	}
	mmap_read_unlock(mm);
	if (!show_pfn)
		for (i = 0; i < VMS_NR_LEVELS; i++)
			w->entry[i] &= ~PTE_PFN_MASK;
	return 0;
}

long vms_access(struct mm_struct *mm, unsigned long addr, void *buf,
		size_t len, unsigned int flags)
{
	unsigned int gup = 0;
	size_t done = 0;

	if (flags & VMS_ACC_WRITE)
		gup |= FOLL_WRITE;
	if (flags & VMS_ACC_FORCE)
		gup |= FOLL_FORCE;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	while (done < len) {
		size_t off = offset_in_page(addr + done);
		size_t n = min_t(size_t, len - done, PAGE_SIZE - off);
		struct page *page;
		void *k;

		if (get_user_pages_remote(mm, addr + done, 1, gup, &page, NULL) != 1)
			break;
		k = kmap_local_page(page);
		if (flags & VMS_ACC_WRITE)
			memcpy(k + off, buf + done, n);
		else
			memcpy(buf + done, k + off, n);
		kunmap_local(k);
		if (flags & VMS_ACC_WRITE)
			set_page_dirty_lock(page);
		put_page(page);
		done += n;
	}
	mmap_read_unlock(mm);
	return done ? done : -EFAULT;
}
