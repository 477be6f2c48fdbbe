/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the architectures vmscope runs on, behind one
 * interface: arch_x86.c (x86-64) and arch_arm64.c (arm64) each implement
 * it, and kmod/Kbuild builds the one for the target.  The rest of the
 * module is the same on both.
 *
 * An entry is a page-table entry's raw 64-bit value at a walk level (enum
 * vms_level); both architectures have 64-bit entries of one format at
 * every level, read in one load.
 */
#ifndef VMSCOPE_ARCH_H
#define VMSCOPE_ARCH_H

#include <linux/types.h>
#include <linux/pgtable.h>
#include "vmscope_uapi.h"

#if !defined(CONFIG_X86_64) && !defined(CONFIG_ARM64)
#error "vmscope decodes x86-64 and arm64 page tables: build it for one of them"
#endif

struct pt_regs;

/* enum vms_arch of this build (vms_walk.arch, vms_range.arch). */
#ifdef CONFIG_ARM64
#define VMS_ARCH	VMS_ARCH_ARM64
#else
#define VMS_ARCH	VMS_ARCH_X86_64
#endif

/* Is the PGD a real level above the P4D (5-level paging in use)? */
bool vms_arch_l5(void);

/* VMS_E_* of the entry v at level (0 for a none entry). */
u32 vms_arch_entry_bits(u64 v, int level);

/*
 * The entry as a caller without CAP_SYS_ADMIN may see it: a present entry
 * without its address bits, a swap-format one with only its flag bits (no
 * type, no offset), like pagemap.
 */
u64 vms_arch_masked_entry(u64 v);

/*
 * The three below run for every page of a range walk (walk.c,
 * range_ptes()), so they are inline here rather than calls into
 * arch_*.c.
 */
#ifdef CONFIG_ARM64
/* Legacy ZONE_DEVICE "devmap" entries (gone in 6.17). */
#ifdef PTE_DEVMAP
#define VMS_PTE_DEVMAP		PTE_DEVMAP
#else
#define VMS_PTE_DEVMAP		0ULL
#endif
#define VMS_LEAF_SPECIAL	PTE_SPECIAL
#define VMS_LEAF_DEVMAP		VMS_PTE_DEVMAP

/*
 * The output-address bits of an entry: [49:12], and with LPA2 in use also
 * [9:8] (OA[51:50]; the shareability bits otherwise), as __pte_to_phys().
 */
static inline u64 vms_arch_addr_bits(void)
{
#ifdef CONFIG_ARM64_PA_BITS_52
	if (lpa2_is_enabled())
		return PTE_ADDR_LOW | PTE_ADDR_HIGH;
#endif
	return PTE_ADDR_LOW;
}
#else
/* Legacy ZONE_DEVICE "devmap" entries (gone in 6.17: such pages are refcounted). */
#ifdef _PAGE_DEVMAP
#define VMS_PAGE_DEVMAP		_PAGE_DEVMAP
#else
#define VMS_PAGE_DEVMAP		0ULL
#endif
#define VMS_LEAF_SPECIAL	_PAGE_SPECIAL
#define VMS_LEAF_DEVMAP		VMS_PAGE_DEVMAP

static inline u64 vms_arch_addr_bits(void)
{
	return PTE_PFN_MASK;
}
#endif

/* The present leaf v is special (pte_special: no struct page by design). */
static inline bool vms_arch_special(u64 v)
{
	return v & VMS_LEAF_SPECIAL;
}

/* The present leaf v is a legacy ZONE_DEVICE "devmap" entry. */
static inline bool vms_arch_devmap(u64 v)
{
	return v & VMS_LEAF_DEVMAP;
}

/*
 * Is current inside a native system call that has not returned yet (its
 * return value not stored in regs)?  Then *arg0 and *arg1 are its first two
 * arguments as it was called.
 */
bool vms_arch_syscall_args(struct pt_regs *regs, unsigned long *arg0, unsigned long *arg1);

/*
 * A kfunc's frame record (its __builtin_frame_address(0)) -> the return
 * address saved in the frame record of the BPF function that called it,
 * that is, where that function's own caller continues: the code that
 * entered the JIT image.  A tail call skips the callee's prologue, so after
 * one it is the tail caller's.  0 when it cannot be told (no frame
 * records, or a record off this task's stack).
 */
unsigned long vms_arch_bpf_entry(unsigned long frame);
/* Does vms_arch_bpf_entry() ever tell (the architecture keeps frame records)? */
extern const bool vms_arch_frame_records;

#endif /* VMSCOPE_ARCH_H */
