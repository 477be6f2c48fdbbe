// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: page-table entry decoding and system call registers (arch.h).
 *
 * Supported: the 4K granule with 4 levels (48-bit VA: Debian's 6.1) or 5
 * levels (52-bit VA with LPA2: Debian's 6.12 and later), where the top
 * level is folded at run time on CPUs without LPA2, as x86-64 folds the
 * P4D: the walk then reports 4 levels, the PGD entry standing for the
 * folded P4D.  The uapi counts in 4K pages, 2M PMDs and 1G PUDs, so the
 * 16K and 64K granules and the 3-level (39-bit VA) layouts are refused at
 * build time below rather than walked wrongly.
 *
 * Descriptors (Arm ARM D8.3, the kernel's pgtable-hwdef.h/-prot.h): bits
 * [1:0] are 0b11 for a table (PGD..PMD) or page (PTE), 0b01 for a block
 * (a PMD or PUD leaf).  A present entry that is not valid for the hardware
 * (PROT_NONE, a NUMA hint; 6.1: PTE_PROT_NONE, 6.10+: PTE_PRESENT_INVALID)
 * is reported as VMS_E_PROTNONE.  Hardware dirty is DBM (PTE_WRITE) with
 * AP[2] (PTE_RDONLY) clear; VMS_E_DIRTY follows pte_dirty(): that, or the
 * software PTE_DIRTY.  arm64 has no soft-dirty bit (no
 * CONFIG_HAVE_ARCH_SOFT_DIRTY up to 7.x): VMS_E_SOFT_DIRTY follows the
 * kernel's pte_soft_dirty(), which is 0 there.
 *
 * Contiguous runs (PTE_CONT, mTHP on 6.9+) are read with ptep_get(), which
 * folds the access and dirty bits of the whole run into each entry, as the
 * kernel sees them.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched/task_stack.h>
#include <asm/pointer_auth.h>
#include <asm/ptrace.h>
#include "arch.h"

#if !defined(CONFIG_ARM64_4K_PAGES) || CONFIG_PGTABLE_LEVELS < 4
#error "vmscope on arm64 needs 4K pages and 4 or 5 page-table levels (48- or 52-bit VA)"
#endif

/* userfaultfd write-protect: 6.10+ (PTE_UFFD_WP), renamed PTE_UFFD in 6.18. */
#if defined(PTE_UFFD)
#define VMS_PTE_UFFD		PTE_UFFD
#define VMS_PTE_SWP_UFFD	PTE_SWP_UFFD
#elif defined(PTE_UFFD_WP)
#define VMS_PTE_UFFD		PTE_UFFD_WP
#define VMS_PTE_SWP_UFFD	PTE_SWP_UFFD_WP
#else
#define VMS_PTE_UFFD		0ULL
#define VMS_PTE_SWP_UFFD	0ULL
#endif

/* Table descriptors' hierarchical execute-never bits (same at every level). */
#define VMS_TABLE_PXN		PMD_TABLE_PXN
#define VMS_TABLE_UXN		PMD_TABLE_UXN

bool vms_arch_l5(void)
{
#if CONFIG_PGTABLE_LEVELS > 4
	return pgtable_l5_enabled();
#else
	return false;
#endif
}

u32 vms_arch_entry_bits(u64 v, int level)
{
	pte_t pte = __pte(v);
	bool leaf;
	u32 b = 0;

	if (!v)
		return 0;
	if (!pte_present(pte) && !(level == VMS_LVL_PMD && pmd_present(__pmd(v)))) {
		/* A swap-format entry: only its software bits mean anything. */
		if (pte_swp_soft_dirty(pte))
			b |= VMS_E_SOFT_DIRTY;
		if (v & VMS_PTE_SWP_UFFD)
			b |= VMS_E_UFFD_WP;
		return b;
	}
	b |= (v & PTE_VALID) ? VMS_E_PRESENT : VMS_E_PROTNONE;
	/* A PTE is a page; a PMD or PUD that is not a table is a block. */
	leaf = level == VMS_LVL_PTE ||
	       ((level == VMS_LVL_PMD || level == VMS_LVL_PUD) &&
		(v & PTE_TYPE_MASK) != PMD_TYPE_TABLE);
	if (!leaf) {
		/* A table: only its limits on the levels below. */
		if (v & VMS_TABLE_UXN)
			b |= VMS_E_UXN;
		if (v & VMS_TABLE_PXN)
			b |= VMS_E_PXN;
		return b;
	}
	b |= VMS_E_LEAF;
	if (v & PTE_WRITE)		/* DBM */
		b |= VMS_E_WRITE;
	if (v & PTE_RDONLY)		/* AP[2] */
		b |= VMS_E_RDONLY;
	if (v & PTE_USER)		/* AP[1] */
		b |= VMS_E_USER;
	if (v & PTE_AF)
		b |= VMS_E_AF;
	if (pte_dirty(pte))
		b |= VMS_E_DIRTY;
	/* Without PTE_VALID, bit 11 is PTE_PRESENT_INVALID (6.10+). */
	if ((v & PTE_NG) && (v & PTE_VALID))
		b |= VMS_E_NG;
	if (v & PTE_CONT)
		b |= VMS_E_CONT;
	if (v & PTE_UXN)
		b |= VMS_E_UXN;
	if (v & PTE_PXN)
		b |= VMS_E_PXN;
	if (pte_soft_dirty(pte))
		b |= VMS_E_SOFT_DIRTY;
	if (v & VMS_PTE_UFFD)
		b |= VMS_E_UFFD_WP;
	if (v & PTE_SPECIAL)
		b |= VMS_E_SPECIAL;
	if (v & VMS_PTE_DEVMAP)
		b |= VMS_E_DEVMAP;
	return b;
}

u64 vms_arch_masked_entry(u64 v)
{
	if (pte_present(__pte(v)) || pmd_present(__pmd(v)))
		return v & ~vms_arch_addr_bits();
	/* Swap entry: type and offset hidden, like pagemap; the flags below them kept. */
	return v & ((1ULL << __SWP_TYPE_SHIFT) - 1);
}

/*
 * arm64 enters a system call with orig_x0 = x0 (the first argument) and
 * syscallno set, and stores the return value in x0 only when the call
 * returns.  On the way out, a restart puts orig_x0 back into x0 but first
 * sets syscallno to NO_SYSCALL (forget_syscall() in do_signal()), so a
 * system call number and x0 == orig_x0 together mean "inside the call".
 * (bpf() returns 0 or -errno, never its command.)
 */
bool vms_arch_syscall_args(struct pt_regs *regs, unsigned long *arg0, unsigned long *arg1)
{
	*arg0 = regs->regs[0];
	*arg1 = regs->regs[1];
	return regs->syscallno != NO_SYSCALL && regs->regs[0] == regs->orig_x0;
}

/*
 * arm64 kernels are built with frame pointers, and the BPF JIT's prologue
 * pushes a frame record too (x29, x30, the return address signed when
 * pointer authentication is on): the kfunc's record links to the JIT
 * function's, whose second word is that function's return address.
 */
unsigned long vms_arch_bpf_entry(unsigned long frame)
{
	unsigned long base = (unsigned long)task_stack_page(current), fp, lr;

	if (frame < base || frame > base + THREAD_SIZE - 16)
		return 0;
	fp = READ_ONCE(((unsigned long *)frame)[0]);
	if (fp < base || fp > base + THREAD_SIZE - 16 || (fp & 15))
		return 0;
	lr = READ_ONCE(((unsigned long *)fp)[1]);
#ifdef ptrauth_strip_kernel_insn_pac
	return ptrauth_strip_kernel_insn_pac(lr);
#else
	return ptrauth_strip_insn_pac(lr);
#endif
}

const bool vms_arch_frame_records = true;
