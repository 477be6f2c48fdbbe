/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels vmscope builds for (Debian's 6.1, 6.12
 * and 7.x, tested; others in between by the same tests), in one place.
 * The rest of the module uses the vms_* names below, or the newer kernels'
 * own names where an older kernel merely lacked a helper of the same
 * meaning, and never tests LINUX_VERSION_CODE itself.
 *
 * Feature tests (__has_include, #ifdef on a macro) are preferred; a version
 * test marks the release that changed the API.
 */
#ifndef VMSCOPE_COMPAT_H
#define VMSCOPE_COMPAT_H

#include <linux/version.h>
#include <linux/btf_ids.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/swap.h>		/* swapops.h needs it first on 6.1 and 6.12 */
#include <linux/swapops.h>
#if __has_include(<linux/leafops.h>)
#include <linux/leafops.h>	/* 6.19: non-present entries are softleaf_t */
#define VMS_HAVE_SOFTLEAF 1
#endif
#include "vmscope_uapi.h"

/* put_unaligned_le32() and friends moved to <linux/unaligned.h> in 6.12. */
#if __has_include(<linux/unaligned.h>)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* ---- kfunc definitions ----------------------------------------------------- */

#ifdef BTF_KFUNCS_START			/* 6.9 */
#define VMS_BTF_KFUNCS_START(name)	BTF_KFUNCS_START(name)
#define VMS_BTF_KFUNCS_END(name)	BTF_KFUNCS_END(name)
#else
#define VMS_BTF_KFUNCS_START(name)	BTF_SET8_START(name)
#define VMS_BTF_KFUNCS_END(name)	BTF_SET8_END(name)
#endif
#ifndef __bpf_kfunc			/* 6.3 */
#define __bpf_kfunc __used noinline
#endif
/* 7.x: every kfunc pointer argument is trusted; the flag is gone. */
#ifndef KF_TRUSTED_ARGS
#define KF_TRUSTED_ARGS	0
#endif

#ifndef __bpf_kfunc_start_defs		/* 6.8: kfuncs have no prior declaration */
#define __bpf_kfunc_start_defs()						\
	__diag_push();								\
	__diag_ignore_all("-Wmissing-declarations", "kfuncs are declared in BTF"); \
	__diag_ignore_all("-Wmissing-prototypes", "kfuncs are declared in BTF")
#define __bpf_kfunc_end_defs()	__diag_pop()
#endif

/* ---- VMAs, files, GUP ---------------------------------------------------------- */

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
/* Before 6.3 vm_flags was written directly (in ->mmap, under mmap_lock). */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/* The [heap] and [stack] rules of /proc/PID/maps (helpers since 6.6). */
static inline bool vms_vma_is_heap(const struct vm_area_struct *vma)
{
	return vma->vm_start < vma->vm_mm->brk && vma->vm_end > vma->vm_mm->start_brk;
}

static inline bool vms_vma_is_stack(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->start_stack &&
	       vma->vm_end >= vma->vm_mm->start_stack;
}

/* The path /proc/PID/maps shows for a mapped file (overlayfs: the user's, 6.8+). */
static inline const struct path *vms_file_user_path(struct file *file)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	return file_user_path(file);
#else
	return &file->f_path;
#endif
}

/* The inode whose dev and number /proc/PID/maps shows (6.8+: the user's). */
static inline const struct inode *vms_file_user_inode(struct file *file)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	return file_user_inode(file);
#else
	return file_inode(file);
#endif
}

/* prctl(PR_SET_THP_DISABLE) state of an mm: VMS_W_THP_DISABLED, _ADVISED or 0. */
static inline u32 vms_mm_thp_wflags(const struct mm_struct *mm)
{
#ifdef MMF_DISABLE_THP_COMPLETELY	/* 6.18+: two modes, mm_flags_t */
	unsigned long f = __mm_flags_get_word(mm);

	if (f & BIT(MMF_DISABLE_THP_COMPLETELY))
		return VMS_W_THP_DISABLED;
	return f & BIT(MMF_DISABLE_THP_EXCEPT_ADVISED) ? VMS_W_THP_ADVISED : 0;
#else
	return test_bit(MMF_DISABLE_THP, &mm->flags) ? VMS_W_THP_DISABLED : 0;
#endif
}

/*
 * x86-64: this mm shows the [vsyscall] gate VMA after its last VMA, as
 * get_gate_vma() decides (not exported).  MM_CONTEXT_HAS_VSYSCALL was a
 * mask (BIT(1), 6.1) and became the bit's number (1) later.
 */
static inline bool vms_mm_has_vsyscall(struct mm_struct *mm)
{
#if defined(CONFIG_X86_64) && defined(MM_CONTEXT_HAS_VSYSCALL)
# if MM_CONTEXT_HAS_VSYSCALL == 1
	return test_bit(MM_CONTEXT_HAS_VSYSCALL, &mm->context.flags);
# else
	return mm->context.flags & MM_CONTEXT_HAS_VSYSCALL;
# endif
#else
	return false;
#endif
}

/* The name given with prctl(PR_SET_VMA_ANON_NAME), or NULL. */
static inline const char *vms_vma_anon_name(struct vm_area_struct *vma)
{
#ifdef CONFIG_ANON_VMA_NAME
	/* Before 6.2 anon_name shared a union with the file-only 'shared'. */
	if (LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0) && vma->vm_file)
		return NULL;
	return vma->anon_name ? vma->anon_name->name : NULL;
#else
	return NULL;
#endif
}

/* get_user_pages_remote() lost its vmas argument in 6.5. */
static inline long vms_gup_remote(struct mm_struct *mm, unsigned long start,
				  unsigned long nr, unsigned int gup_flags,
				  struct page **pages, int *locked)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return get_user_pages_remote(mm, start, nr, gup_flags, pages, NULL, locked);
#else
	return get_user_pages_remote(mm, start, nr, gup_flags, pages, locked);
#endif
}

/* pin_user_pages_remote() too. */
static inline long vms_pin_remote(struct mm_struct *mm, unsigned long start,
				  unsigned long nr, unsigned int gup_flags,
				  struct page **pages, int *locked)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return pin_user_pages_remote(mm, start, nr, gup_flags, pages, NULL, locked);
#else
	return pin_user_pages_remote(mm, start, nr, gup_flags, pages, locked);
#endif
}

/* ---- page-table entries ------------------------------------------------------- */

/* x86-64 and arm64 read a whole entry in one load; the helpers came in 6.5 and 6.11. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
static inline pmd_t pmdp_get(pmd_t *pmdp)
{
	return READ_ONCE(*pmdp);
}

static inline pmd_t pmdp_get_lockless(pmd_t *pmdp)
{
	return READ_ONCE(*pmdp);
}
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
static inline pud_t pudp_get(pud_t *pudp)
{
	return READ_ONCE(*pudp);
}

static inline p4d_t p4dp_get(p4d_t *p4dp)
{
	return READ_ONCE(*p4dp);
}

static inline pgd_t pgdp_get(pgd_t *pgdp)
{
	return READ_ONCE(*pgdp);
}
#endif

/*
 * Legacy ZONE_DEVICE "devmap" entries (gone in 6.17: such pages are
 * refcounted).  The entry bits themselves are decoded in arch_*.c.
 */
#if defined(_PAGE_DEVMAP) || defined(PTE_DEVMAP)
#define vms_pmd_devmap(pmd)	pmd_devmap(pmd)
#else
#define vms_pmd_devmap(pmd)	false
#endif

/* ---- folios -------------------------------------------------------------------- */

/* folio->mapping's low bits: PAGE_MAPPING_* became FOLIO_MAPPING_* (6.16). */
#ifdef FOLIO_MAPPING_ANON
#define VMS_MAPPING_ANON	FOLIO_MAPPING_ANON
#define VMS_MAPPING_KSM		FOLIO_MAPPING_KSM
#define VMS_MAPPING_FLAGS	FOLIO_MAPPING_FLAGS
#else
#define VMS_MAPPING_ANON	PAGE_MAPPING_ANON
#define VMS_MAPPING_KSM		PAGE_MAPPING_KSM
#define VMS_MAPPING_FLAGS	PAGE_MAPPING_FLAGS
#endif

/* The PG_* word: folio->flags became memdesc_flags_t (6.18). */
static inline unsigned long vms_folio_flags(const struct folio *folio)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
	return READ_ONCE(folio->flags.f);
#else
	return READ_ONCE(folio->flags);
#endif
}

/* page->_mapcount + 1, when it is a mapcount and not a page type (6.11 change). */
static inline int vms_page_mapcount(struct page *page)
{
	int mapcount = atomic_read(&page->_mapcount) + 1;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	return page_mapcount_is_type(mapcount) ? 0 : mapcount;
#else
	return page_has_type(page) ? 0 : mapcount;
#endif
}

/*
 * What a large folio adds to each of its pages' own count
 * (vms_page_mapcount()) to make the page's mapcount as /proc/kpagecount
 * gives it.  6.2+: the folio's PMD/PUD mappings, its entire mapcount.
 * 6.1 counted otherwise (its __page_mapcount()): a file THP's PMD mapping
 * went into every page's own count already, and an anon THP mapped by a
 * PMD and by PTEs (PageDoubleMap) kept one extra count on each page.  Read
 * once per folio, so a walk reads one word per page.
 */
static inline int vms_large_mapcount_base(struct folio *folio)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return folio_entire_mapcount(folio);
#else
	if (!folio_test_anon(folio) && !folio_test_hugetlb(folio))
		return 0;
	return folio_entire_mapcount(folio) - (PageDoubleMap(&folio->page) ? 1 : 0);
#endif
}

/*
 * True when no page of the large folio is mapped by a PTE anywhere, so
 * every page's own mapcount is 0 and its precise mapcount is the folio's
 * entire mapcount (entire: read once by the caller, the value it then
 * reports).  6.9+ counts every mapping of a large folio in _large_mapcount,
 * a PMD or PUD one as 1; before, the answer is "maybe not" and the caller
 * reads each page.  Racy as reading each page's count is: a mapping made
 * or removed during the walk may or may not be counted.
 */
static inline bool vms_folio_no_pte_maps(struct folio *folio, int entire)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	return folio_large_mapcount(folio) == entire;
#else
	return false;
#endif
}

/*
 * A transparent huge page as /proc/kpageflags says it: 6.6+ marks the THP
 * allocator's folios large_rmappable; before, kpageflags took a compound
 * page on the LRU, or an anonymous one.
 */
static inline bool vms_folio_is_thp(struct folio *folio)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return folio_test_large_rmappable(folio);
#else
	return folio_test_large(folio) && (folio_test_lru(folio) || folio_test_anon(folio));
#endif
}

/* ---- non-present entries -------------------------------------------------------- */

/*
 * Classify a non-present PTE-format entry (PTEs, and hugetlb or migration
 * entries at PMD/PUD level): *kind is enum vms_swp_kind, *type the swap
 * type and *offset the swap offset or, for entries that name a page
 * (migration, hwpoison, device), its PFN.
 */
static inline void vms_swp_decode(pte_t pte, u32 *kind, u32 *type, u64 *offset)
{
#ifdef VMS_HAVE_SOFTLEAF
	softleaf_t e = softleaf_from_pte(pte);

	*type = swp_type(e);
	*offset = softleaf_has_pfn(e) ? softleaf_to_pfn(e) : swp_offset(e);
	switch (softleaf_type(e)) {
	case SOFTLEAF_SWAP:
		*kind = VMS_SWP_SWAP;
		break;
	case SOFTLEAF_MIGRATION_READ:
		*kind = VMS_SWP_MIGRATION_READ;
		break;
	case SOFTLEAF_MIGRATION_READ_EXCLUSIVE:
	case SOFTLEAF_MIGRATION_WRITE:
		*kind = VMS_SWP_MIGRATION_WRITE;
		break;
	case SOFTLEAF_HWPOISON:
		*kind = VMS_SWP_HWPOISON;
		break;
	case SOFTLEAF_DEVICE_PRIVATE_READ:
	case SOFTLEAF_DEVICE_PRIVATE_WRITE:
	case SOFTLEAF_DEVICE_EXCLUSIVE:
		*kind = VMS_SWP_DEVICE;
		break;
	case SOFTLEAF_MARKER:
		*kind = VMS_SWP_MARKER;
		break;
	default:
		*kind = VMS_SWP_OTHER;
	}
#else
	swp_entry_t e = pte_to_swp_entry(pte);

	*type = swp_type(e);
	*offset = is_pfn_swap_entry(e) ? swp_offset_pfn(e) : swp_offset(e);
	if (!non_swap_entry(e))
		*kind = VMS_SWP_SWAP;
	else if (is_migration_entry(e))
		*kind = is_readable_migration_entry(e) ? VMS_SWP_MIGRATION_READ :
							VMS_SWP_MIGRATION_WRITE;
	else if (is_hwpoison_entry(e))
		*kind = VMS_SWP_HWPOISON;
	else if (is_device_private_entry(e) || is_device_exclusive_entry(e))
		*kind = VMS_SWP_DEVICE;
	else if (is_pte_marker_entry(e))
		*kind = VMS_SWP_MARKER;
	else
		*kind = VMS_SWP_OTHER;
#endif
}

#endif /* VMSCOPE_COMPAT_H */
