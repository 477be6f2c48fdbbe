// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64: page-table entry decoding and system call registers (arch.h).
 * 4- or 5-level paging, 4K pages; the P4D is folded into the PGD at run
 * time when 5-level paging is off.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <asm/ptrace.h>
#include "arch.h"

/* The userfaultfd write-protect bits became the generic uffd bits (6.18). */
#ifdef _PAGE_UFFD_WP
#define VMS_PAGE_UFFD		_PAGE_UFFD_WP
#define VMS_PAGE_SWP_UFFD	_PAGE_SWP_UFFD_WP
#else
#define VMS_PAGE_UFFD		_PAGE_UFFD
#define VMS_PAGE_SWP_UFFD	_PAGE_SWP_UFFD
#endif

/*
 * With user shadow stacks (6.6+), write-protecting a dirty entry moves its
 * dirty bit to the software SavedDirty bit (Write=0,Dirty=1 would mean
 * shadow stack): pte_dirty() tests both, and so must we.
 */
#ifdef _PAGE_SAVED_DIRTY
#define VMS_PAGE_DIRTY_BITS	(_PAGE_DIRTY | _PAGE_SAVED_DIRTY)
#else
#define VMS_PAGE_DIRTY_BITS	_PAGE_DIRTY
#endif

bool vms_arch_l5(void)
{
	return pgtable_l5_enabled();
}

/* Decoded x86 bits of one entry.  leaf: a PTE, or a PUD/PMD with PSE. */
u32 vms_arch_entry_bits(u64 v, int level)
{
	bool leaf;
	u32 b = 0;

	if (!v)
		return 0;
	if (!(v & _PAGE_PRESENT) && !((level >= VMS_LVL_PUD) && (v & _PAGE_PROTNONE))) {
		/* A swap-format entry: only its software bits mean anything. */
		if (v & _PAGE_SWP_SOFT_DIRTY)
			b |= VMS_E_SOFT_DIRTY;
		if (v & VMS_PAGE_SWP_UFFD)
			b |= VMS_E_UFFD_WP;
		return b;
	}
	leaf = level == VMS_LVL_PTE ||
	       ((level == VMS_LVL_PMD || level == VMS_LVL_PUD) && (v & _PAGE_PSE));
	b |= (v & _PAGE_PRESENT) ? VMS_E_PRESENT : VMS_E_PROTNONE;
	if (v & _PAGE_RW)
		b |= VMS_E_WRITE;
	if (v & _PAGE_USER)
		b |= VMS_E_USER;
	if (v & _PAGE_PWT)
		b |= VMS_E_PWT;
	if (v & _PAGE_PCD)
		b |= VMS_E_PCD;
	if (v & _PAGE_ACCESSED)
		b |= VMS_E_ACCESSED;
	if (v & _PAGE_NX)
		b |= VMS_E_NX;
	if (!leaf)
		return b;
	b |= VMS_E_LEAF;
	if (v & VMS_PAGE_DIRTY_BITS)
		b |= VMS_E_DIRTY;
	if ((v & _PAGE_GLOBAL) && (v & _PAGE_PRESENT))
		b |= VMS_E_GLOBAL;
	if (level == VMS_LVL_PTE ? (v & _PAGE_PAT) : (v & _PAGE_PAT_LARGE))
		b |= VMS_E_PAT;
	if (v & _PAGE_SOFT_DIRTY)
		b |= VMS_E_SOFT_DIRTY;
	if (v & VMS_PAGE_UFFD)
		b |= VMS_E_UFFD_WP;
	if (v & _PAGE_SPECIAL)
		b |= VMS_E_SPECIAL;
	if (v & VMS_PAGE_DEVMAP)
		b |= VMS_E_DEVMAP;
	return b;
}

u64 vms_arch_masked_entry(u64 v)
{
	if (v & (_PAGE_PRESENT | _PAGE_PROTNONE))
		return v & ~PTE_PFN_MASK;
	return v & 0xff;	/* swap entry: type and offset hidden, like pagemap */
}

/*
 * x86-64 enters every system call with pt_regs->ax = -ENOSYS and stores
 * the return value there only when the call returns; di and si hold the
 * first two arguments.
 */
bool vms_arch_syscall_args(struct pt_regs *regs, unsigned long *arg0, unsigned long *arg1)
{
	*arg0 = regs->di;
	*arg1 = regs->si;
	return regs->ax == (unsigned long)-ENOSYS;
}

/*
 * x86-64 kernels keep no frame records (Debian's use ORC): unknown, and
 * rule 5b then refuses every call on a kernel without a preempt count.
 */
unsigned long vms_arch_bpf_entry(unsigned long frame)
{
	return 0;
}

const bool vms_arch_frame_records = false;
