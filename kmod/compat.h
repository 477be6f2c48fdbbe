/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels vmscope builds for, in one place.  The
 * rest of the module calls the vms_* names below and never tests
 * LINUX_VERSION_CODE itself.
 */
#ifndef VMSCOPE_COMPAT_H
#define VMSCOPE_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include "vmscope_uapi.h"

#ifndef CONFIG_X86_64
#error "vmscope decodes x86-64 page tables: build it for x86_64"
#endif

/* ---- swap-format (non-present, non-none) entries ------------------------ */

/*
 * Classify a non-present PTE-format entry (PTEs, and hugetlb or migration
 * entries at PMD/PUD level): *kind is enum vms_swp_kind, *type the swap
 * type and *offset the swap offset or, for entries that name a page
 * (migration, hwpoison, device), its PFN.
 */
static inline void vms_swp_decode(pte_t pte, u32 *kind, u32 *type, u64 *offset)
{
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
}

/* ---- legacy ZONE_DEVICE mappings (pte_devmap) ----------------------------- */

/* Raw bit, for decoding; 0 where the kernel has no such bit. */
#define VMS_PAGE_DEVMAP		_PAGE_DEVMAP

static inline bool vms_pmd_devmap(pmd_t pmd)
{
	return pmd_devmap(pmd);
}

/* ---- kfunc sets ----------------------------------------------------------- */

#define VMS_BTF_KFUNCS_START(name)	BTF_KFUNCS_START(name)
#define VMS_BTF_KFUNCS_END(name)	BTF_KFUNCS_END(name)

/* ---- VMA names ------------------------------------------------------------ */

/* The path /proc/PID/maps shows for a mapped file (overlayfs: the user's). */
static inline const struct path *vms_file_user_path(struct file *file)
{
	return file_user_path(file);
}

/* The name given with prctl(PR_SET_VMA_ANON_NAME), or NULL. */
static inline const char *vms_vma_anon_name(struct vm_area_struct *vma)
{
#ifdef CONFIG_ANON_VMA_NAME
	return vma->anon_name ? vma->anon_name->name : NULL;
#else
	return NULL;
#endif
}

#endif /* VMSCOPE_COMPAT_H */
