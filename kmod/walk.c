// SPDX-License-Identifier: GPL-2.0
/*
 * The page walk: a read-only snapshot of a user address's translation.
 *
 * walk_page_range(), __pte_offset_map_lock() and vm_normal_page() are not
 * exported on 6.12, so the walk is written out here.  Rules it follows:
 *  - mmap_read_lock and an mm reference for the whole walk, and only
 *    addresses inside a VMA: page tables of a live VMA are not freed under
 *    the read lock (munmap frees them only after detaching the VMA).
 *  - PTE tables can still be freed under RCU (khugepaged collapse), so PTEs
 *    are read under rcu_read_lock() from a lockless PMD snapshot that is
 *    re-checked under the PTE lock, as __pte_offset_map_lock() does.
 *  - struct pages are only looked at under the lock of the entry that maps
 *    them (the page cannot be unmapped and freed meanwhile), never for
 *    VM_PFNMAP/VM_IO mappings or special entries (no struct page by design).
 * Nothing here writes to a page table or takes a page reference.
 */
#include <linux/hugetlb.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/swapops.h>
#include "vmscope.h"

#define WALK_RETRIES	8

/* Per-walk state; entries above the stop level are valid. */
struct wstate {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	bool show_pfn;
	u64 entry[VMS_NR_LEVELS];
	u32 bits[VMS_NR_LEVELS];
	u32 stop_level;
	u32 stop_reason;	/* 0: continue to the PTE table at pmdp */
	u32 leaf_shift;
	u32 hshift;		/* hugetlb page shift, 0 otherwise */
	pud_t *pudp;
	pmd_t *pmdp;
	pmd_t pmdval;
};

/* State of the struct page behind a leaf. */
struct pinfo {
	struct folio *folio;
	u32 page_flags;
	s32 refcount;
	s32 mapcount;
	u32 order;
	bool have_page;
};

static inline int nr_levels(void)
{
	return pgtable_l5_enabled() ? 5 : 4;
}

/* Decoded x86 bits of one entry.  leaf: a PTE, or a PUD/PMD with PSE. */
static u32 entry_bits(u64 v, int level)
{
	bool leaf;
	u32 b = 0;

	if (!v)
		return 0;
	if (!(v & _PAGE_PRESENT) && !((level >= VMS_LVL_PUD) && (v & _PAGE_PROTNONE))) {
		/* A swap-format entry: only its software bits mean anything. */
		if (v & _PAGE_SWP_SOFT_DIRTY)
			b |= VMS_E_SOFT_DIRTY;
		if (v & _PAGE_SWP_UFFD_WP)
			b |= VMS_E_UFFD_WP;
		return b;
	}
	leaf = level == VMS_LVL_PTE ||
	       ((level == VMS_LVL_PMD || level == VMS_LVL_PUD) && (v & _PAGE_PSE));
	if (v & _PAGE_PRESENT)
		b |= VMS_E_PRESENT;
	else
		b |= VMS_E_PROTNONE;
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
	if (v & _PAGE_DIRTY)
		b |= VMS_E_DIRTY;
	if ((v & _PAGE_GLOBAL) && (v & _PAGE_PRESENT))
		b |= VMS_E_GLOBAL;
	if (level == VMS_LVL_PTE ? (v & _PAGE_PAT) : (v & _PAGE_PAT_LARGE))
		b |= VMS_E_PAT;
	if (v & _PAGE_SOFT_DIRTY)
		b |= VMS_E_SOFT_DIRTY;
	if (v & _PAGE_UFFD_WP)
		b |= VMS_E_UFFD_WP;
	if (v & _PAGE_SPECIAL)
		b |= VMS_E_SPECIAL;
	if (v & _PAGE_DEVMAP)
		b |= VMS_E_DEVMAP;
	return b;
}

/* The raw entry as a caller without CAP_SYS_ADMIN may see it. */
static u64 masked_entry(u64 v, bool show_pfn)
{
	if (show_pfn || !v)
		return v;
	if (v & (_PAGE_PRESENT | _PAGE_PROTNONE))
		return v & ~PTE_PFN_MASK;
	return v & 0xff;	/* swap entry: type and offset hidden, like pagemap */
}

static void set_entry(struct wstate *ws, int level, u64 v)
{
	ws->entry[level] = v;
	ws->bits[level] = entry_bits(v, level);
}

static void stop(struct wstate *ws, int level, u32 reason)
{
	ws->stop_level = level;
	ws->stop_reason = reason;
}

/* Is a non-none entry at this level the hugetlb leaf of ws->vma? */
static bool hugetlb_level(struct wstate *ws, int level)
{
	return ws->hshift && ((level == VMS_LVL_PUD && ws->hshift == PUD_SHIFT) ||
			      (level == VMS_LVL_PMD && ws->hshift == PMD_SHIFT));
}

/* Present or not for a hugetlb entry, which is PTE-formatted at any level. */
static void hugetlb_stop(struct wstate *ws, int level, u64 v)
{
	if (pte_present(__pte(v))) {
		stop(ws, level, VMS_STOP_LEAF);
		ws->leaf_shift = ws->hshift;
	} else {
		stop(ws, level, VMS_STOP_NOT_PRESENT);
	}
}

/*
 * Walk from the PGD down to the PMD.  Sets a stop, or stop_reason 0 with
 * pmdp/pmdval for a PTE table.
 */
static void walk_upper(struct wstate *ws, unsigned long addr)
{
	bool l5 = pgtable_l5_enabled();
	int top = l5 ? VMS_LVL_P4D : VMS_LVL_PGD;
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;

	memset(ws->entry, 0, sizeof(ws->entry));
	memset(ws->bits, 0, sizeof(ws->bits));
	ws->stop_reason = 0;
	ws->leaf_shift = 0;
	ws->pmdp = NULL;

	pgdp = pgd_offset(ws->mm, addr);
	pgd = pgdp_get(pgdp);
	set_entry(ws, VMS_LVL_PGD, pgd_val(pgd));
	if (l5) {
		if (pgd_none(pgd))
			return stop(ws, VMS_LVL_PGD, VMS_STOP_NONE_ENTRY);
		if (!pgd_present(pgd) || pgd_bad(pgd))
			return stop(ws, VMS_LVL_PGD, VMS_STOP_BAD);
	}
	/* On 4-level paging the P4D is folded into the PGD: p4dp == pgdp. */
	p4dp = p4d_offset(pgdp, addr);
	p4d = p4dp_get(p4dp);
	if (l5)
		set_entry(ws, VMS_LVL_P4D, p4d_val(p4d));
	if (p4d_none(p4d))
		return stop(ws, top, VMS_STOP_NONE_ENTRY);
	if (!p4d_present(p4d) || p4d_bad(p4d))
		return stop(ws, top, VMS_STOP_BAD);

	pudp = pud_offset(p4dp, addr);
	pud = pudp_get(pudp);
	ws->pudp = pudp;
	set_entry(ws, VMS_LVL_PUD, pud_val(pud));
	if (pud_none(pud))
		return stop(ws, VMS_LVL_PUD, VMS_STOP_NONE_ENTRY);
	if (hugetlb_level(ws, VMS_LVL_PUD))
		return hugetlb_stop(ws, VMS_LVL_PUD, pud_val(pud));
	if (!pud_present(pud))
		return stop(ws, VMS_LVL_PUD, VMS_STOP_NOT_PRESENT);
	if (pud_leaf(pud)) {
		ws->leaf_shift = PUD_SHIFT;
		return stop(ws, VMS_LVL_PUD, VMS_STOP_LEAF);
	}
	if (pud_bad(pud))
		return stop(ws, VMS_LVL_PUD, VMS_STOP_BAD);

	pmdp = pmd_offset(pudp, addr);
	pmd = pmdp_get_lockless(pmdp);
	ws->pmdp = pmdp;
	ws->pmdval = pmd;
	set_entry(ws, VMS_LVL_PMD, pmd_val(pmd));
	if (pmd_none(pmd))
		return stop(ws, VMS_LVL_PMD, VMS_STOP_NONE_ENTRY);
	if (hugetlb_level(ws, VMS_LVL_PMD))
		return hugetlb_stop(ws, VMS_LVL_PMD, pmd_val(pmd));
	if (!pmd_present(pmd))
		return stop(ws, VMS_LVL_PMD, VMS_STOP_NOT_PRESENT);
	if (pmd_leaf(pmd) || pmd_trans_huge(pmd) || pmd_devmap(pmd)) {
		ws->leaf_shift = PMD_SHIFT;
		return stop(ws, VMS_LVL_PMD, VMS_STOP_LEAF);
	}
	if (pmd_bad(pmd))
		return stop(ws, VMS_LVL_PMD, VMS_STOP_BAD);
	if (ws->hshift)	/* a hugetlb VMA never has PTE tables on x86 */
		return stop(ws, VMS_LVL_PMD, VMS_STOP_BAD);
}

/* The lock that keeps a huge leaf at this level in place. */
static spinlock_t *leaf_lock(struct wstate *ws, int level)
{
	if (level == VMS_LVL_PMD)
		return pmd_lockptr(ws->mm, ws->pmdp);
	return &ws->mm->page_table_lock;	/* PUD leaves, huge_pte_lockptr() */
}

static u64 reread_leaf(struct wstate *ws, int level)
{
	if (level == VMS_LVL_PMD)
		return pmd_val(pmdp_get(ws->pmdp));
	return pud_val(pudp_get(ws->pudp));
}

/* atomic_read(&page->_mapcount) + 1 plus the folio's entire mapcount. */
static int precise_mapcount(struct folio *folio, struct page *page)
{
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (page_mapcount_is_type(mapcount))
		mapcount = 0;
	if (folio_test_large(folio))
		mapcount += folio_entire_mapcount(folio);
	return mapcount;
}

/* Page state flags, with the same meaning as /proc/kpageflags. */
static u32 folio_state(struct folio *folio, struct page *page)
{
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);
	unsigned long k = READ_ONCE(folio->flags);
	bool large = k & (1UL << PG_head);
	u32 f = 0;

	if (mapping & PAGE_MAPPING_ANON) {
		f |= VMS_PG_ANON;
		if ((mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_KSM)
			f |= VMS_PG_KSM;
	} else if (mapping) {
		f |= VMS_PG_FILE;
	}
	if (large) {
		f |= VMS_PG_COMPOUND;
		if (folio_test_hugetlb(folio))
			f |= VMS_PG_HUGETLB;
		else if (folio_test_large_rmappable(folio))
			f |= VMS_PG_THP;
	}
	if (k & (1UL << PG_lru))
		f |= VMS_PG_LRU;
	if (k & (1UL << PG_dirty))
		f |= VMS_PG_DIRTY;
	if (k & (1UL << PG_locked))
		f |= VMS_PG_LOCKED;
	if ((k & (1UL << PG_swapbacked)) && (k & (1UL << PG_swapcache)))
		f |= VMS_PG_SWAPCACHE;
	if (k & (1UL << PG_writeback))
		f |= VMS_PG_WRITEBACK;
	if (k & (1UL << PG_uptodate))
		f |= VMS_PG_UPTODATE;
	if (k & (1UL << PG_active))
		f |= VMS_PG_ACTIVE;
	if (k & (1UL << PG_referenced))
		f |= VMS_PG_REFERENCED;
	if (k & (1UL << PG_unevictable))
		f |= VMS_PG_UNEVICTABLE;
	if (k & (1UL << PG_mlocked))
		f |= VMS_PG_MLOCKED;
	if (PageReserved(page))
		f |= VMS_PG_RESERVED;
	return f;
}

/*
 * The struct page behind pfn (mapped at level with raw entry v), like
 * vm_normal_page() on an arch with pte_special, or NULL when there is none
 * to look at.  Called with the entry's lock held.
 */
static struct page *leaf_page(struct wstate *ws, int level, u64 v, unsigned long pfn)
{
	if (ws->vma->vm_flags & (VM_PFNMAP | VM_IO))
		return NULL;
	if ((v & _PAGE_SPECIAL) && level == VMS_LVL_PTE) {
		if (!is_zero_pfn(pfn))
			return NULL;
	} else if ((v & _PAGE_DEVMAP) || !pfn_valid(pfn)) {
		/* Legacy ZONE_DEVICE pages carry no refcount: leave them be. */
		return NULL;
	}
	return pfn_to_page(pfn);
}

/* State of the page at pfn (see leaf_page()).  Reads only. */
static void page_info(struct wstate *ws, int level, u64 v, unsigned long pfn,
		      struct pinfo *pi)
{
	struct page *page = leaf_page(ws, level, v, pfn);
	struct folio *folio;

	memset(pi, 0, sizeof(*pi));
	pi->mapcount = -1;
	if (!page) {
		pi->page_flags = VMS_PG_NOPAGE;
		return;
	}
	folio = page_folio(page);
	pi->folio = folio;
	pi->have_page = true;
	pi->page_flags = folio_state(folio, page);
	if (is_zero_pfn(pfn)) {
		pi->page_flags |= VMS_PG_ZERO;
	} else if (level == VMS_LVL_PMD && vma_is_anonymous(ws->vma) &&
		   !(pi->page_flags & (VMS_PG_ANON | VMS_PG_HUGETLB))) {
		/*
		 * huge_zero_folio is not exported: in an anonymous VMA the
		 * only PMD-mapped folio that is not anonymous is the huge
		 * zero page.  kpageflags reports it as ZERO_PAGE and THP.
		 */
		pi->page_flags |= VMS_PG_ZERO | VMS_PG_THP;
	}
	pi->refcount = folio_ref_count(folio);
	pi->mapcount = precise_mapcount(folio, page);
	pi->order = folio_order(folio);
}

/* Decode a non-present, non-none entry (PTE-formatted on x86). */
static void swap_info(u64 v, u32 *kind, u32 *type, u64 *offset)
{
	swp_entry_t e = pte_to_swp_entry(__pte(v));

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

static unsigned long leaf_pfn(int level, u64 v)
{
	if (level == VMS_LVL_PTE)
		return pte_pfn(__pte(v));
	if (level == VMS_LVL_PMD)
		return pmd_pfn(__pmd(v));
	return pud_pfn(__pud(v));
}

/* The hugetlb page shift of a VMA, 0 for other VMAs. */
static u32 vma_hshift(struct vm_area_struct *vma)
{
	if (!is_vm_hugetlb_page(vma))
		return 0;
	return huge_page_shift(hstate_vma(vma));
}

/* Fill w's leaf fields from a leaf (or non-present) entry v at level. */
static void fill_stop(struct wstate *ws, struct vms_walk *w, unsigned long addr,
		      u64 v, struct pinfo *pi)
{
	int level = ws->stop_level;

	if (ws->stop_reason == VMS_STOP_LEAF) {
		unsigned long pfn = leaf_pfn(level, v) +
			((addr & ((1UL << ws->leaf_shift) - 1)) >> PAGE_SHIFT);

		if (ws->show_pfn) {
			w->pfn = pfn;
			w->phys = ((u64)pfn << PAGE_SHIFT) | (addr & ~PAGE_MASK);
			w->wflags |= VMS_W_PFN_VALID;
		} else {
			w->wflags |= VMS_W_PFN_HIDDEN;
		}
		if (pi->have_page)
			w->wflags |= VMS_W_HAVE_PAGE;
		w->page_flags = pi->page_flags;
		w->refcount = pi->refcount;
		w->mapcount = pi->mapcount;
		w->order = pi->order;
	} else if (ws->stop_reason == VMS_STOP_NOT_PRESENT) {
		u64 off;

		swap_info(v, &w->swp_kind, &w->swp_type, &off);
		if (ws->show_pfn) {
			w->swp_offset = off;
		} else {
			w->swp_type = 0;
			w->wflags |= VMS_W_PFN_HIDDEN;
		}
	}
}

/*
 * One address, with mmap_read_lock held.  The leaf is re-read under its
 * lock; a leaf that changed meanwhile restarts the walk.
 */
static int walk_locked(struct wstate *ws, unsigned long addr, struct vms_walk *w)
{
	struct pinfo pi;
	int tries, i;

	for (tries = 0; tries < WALK_RETRIES; tries++) {
		spinlock_t *ptl;
		pte_t *ptep;
		u64 v;

		memset(&pi, 0, sizeof(pi));
		walk_upper(ws, addr);
		if (ws->stop_reason == VMS_STOP_LEAF) {
			int level = ws->stop_level;

			ptl = leaf_lock(ws, level);
			spin_lock(ptl);
			v = reread_leaf(ws, level);
			if (v != ws->entry[level]) {
				spin_unlock(ptl);
				continue;
			}
			page_info(ws, level, v, leaf_pfn(level, v) +
				  ((addr & ((1UL << ws->leaf_shift) - 1)) >> PAGE_SHIFT), &pi);
			spin_unlock(ptl);
			fill_stop(ws, w, addr, v, &pi);
			break;
		}
		if (ws->stop_reason) {
			fill_stop(ws, w, addr, ws->entry[ws->stop_level], &pi);
			break;
		}
		/* A PTE table: map it from the PMD snapshot, as __pte_offset_map_lock(). */
		rcu_read_lock();
		if (!pmd_same(ws->pmdval, pmdp_get_lockless(ws->pmdp))) {
			rcu_read_unlock();
			continue;
		}
		ptep = pte_offset_kernel(&ws->pmdval, addr);
		ptl = pte_lockptr(ws->mm, &ws->pmdval);
		spin_lock(ptl);
		if (!pmd_same(ws->pmdval, pmdp_get_lockless(ws->pmdp))) {
			spin_unlock(ptl);
			rcu_read_unlock();
			continue;
		}
		v = pte_val(ptep_get(ptep));
		set_entry(ws, VMS_LVL_PTE, v);
		if (!v) {
			stop(ws, VMS_LVL_PTE, VMS_STOP_NONE_ENTRY);
		} else if (pte_present(__pte(v))) {
			stop(ws, VMS_LVL_PTE, VMS_STOP_LEAF);
			ws->leaf_shift = PAGE_SHIFT;
			page_info(ws, VMS_LVL_PTE, v, pte_pfn(__pte(v)), &pi);
		} else {
			stop(ws, VMS_LVL_PTE, VMS_STOP_NOT_PRESENT);
		}
		spin_unlock(ptl);
		rcu_read_unlock();
		fill_stop(ws, w, addr, v, &pi);
		break;
	}
	if (tries == WALK_RETRIES)
		return -EAGAIN;	/* the tables kept changing under us */
	w->stop_level = ws->stop_level;
	w->stop_reason = ws->stop_reason;
	w->leaf_shift = ws->stop_reason == VMS_STOP_LEAF ? ws->leaf_shift : 0;
	for (i = 0; i < VMS_NR_LEVELS; i++) {
		w->entry[i] = masked_entry(ws->entry[i], ws->show_pfn);
		w->bits[i] = ws->bits[i];
	}
	return 0;
}

int vms_walk_addr(struct mm_struct *mm, unsigned long addr, bool show_pfn,
		  struct vms_walk *w)
{
	struct vm_area_struct *vma;
	struct wstate ws = { .mm = mm, .show_pfn = show_pfn };
	int err = 0;

	memset(w, 0, sizeof(*w));
	w->addr = addr;
	w->levels = nr_levels();
	if (addr >= TASK_SIZE_MAX)
		return -EFAULT;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = vma_lookup(mm, addr);
	if (!vma) {
		/* Tables outside a VMA may be being freed: do not walk them. */
		w->wflags |= VMS_W_NO_VMA;
		err = -ENOENT;
		goto out;
	}
	w->vm_start = vma->vm_start;
	w->vm_end = vma->vm_end;
	w->vm_flags = vma->vm_flags;
	if (vma->vm_flags & (VM_PFNMAP | VM_IO))
		w->wflags |= VMS_W_PFNMAP;
	if (is_vm_hugetlb_page(vma))
		w->wflags |= VMS_W_HUGETLB_VMA;
	ws.vma = vma;
	ws.hshift = vma_hshift(vma);
	err = walk_locked(&ws, addr, w);
out:
	mmap_read_unlock(mm);
	return err;
}

/* ---- range walk ---------------------------------------------------------- */

/* The record of a page stopped at ws's stop entry v, but for pfn and mapcount. */
static void rec_template(struct wstate *ws, struct vms_prec *r, u64 v, u32 bits)
{
	memset(r, 0, sizeof(*r));
	r->entry = masked_entry(v, ws->show_pfn);
	r->bits = bits;
	r->level = ws->stop_level;
	r->stop = ws->stop_reason;
	r->mapcount = -1;
	if (ws->stop_reason == VMS_STOP_LEAF) {
		r->leaf_shift = ws->leaf_shift;
	} else if (ws->stop_reason == VMS_STOP_NOT_PRESENT) {
		u32 kind, type;
		u64 off;

		swap_info(v, &kind, &type, &off);
		r->swp_kind = kind;
		if (ws->show_pfn) {
			r->swp_type = type;
			r->pfn = off;
		}
	}
}

/* Pages under one huge leaf: one folio, so its state is read once. */
static void range_leaf(struct wstate *ws, unsigned long addr, int n, u64 v,
		       struct vms_prec *recs)
{
	int level = ws->stop_level, i;
	unsigned long pfn = leaf_pfn(level, v) +
		((addr & ((1UL << ws->leaf_shift) - 1)) >> PAGE_SHIFT);
	struct vms_prec t;
	struct pinfo pi;

	page_info(ws, level, v, pfn, &pi);
	rec_template(ws, &t, v, entry_bits(v, level));
	t.page_flags = pi.page_flags;
	for (i = 0; i < n; i++) {
		recs[i] = t;
		if (ws->show_pfn)
			recs[i].pfn = pfn + i;
		if (pi.have_page)
			recs[i].mapcount = precise_mapcount(pi.folio, pfn_to_page(pfn + i));
	}
}

/* The PTEs of one table, under its lock. */
static void range_ptes(struct wstate *ws, pte_t *ptep, int n, struct vms_prec *recs)
{
	u64 key = ~0ULL;
	struct folio *last = NULL;
	u32 bits = 0, last_flags = 0;
	int i;

	for (i = 0; i < n; i++) {
		u64 v = pte_val(ptep_get(ptep + i));
		struct vms_prec *r = &recs[i];
		unsigned long pfn;
		struct page *page;

		/* Decoded bits depend on the non-PFN bits only. */
		if ((v & ~PTE_PFN_MASK) != key) {
			key = v & ~PTE_PFN_MASK;
			bits = entry_bits(v, VMS_LVL_PTE);
		}
		if (!v) {
			stop(ws, VMS_LVL_PTE, VMS_STOP_NONE_ENTRY);
			rec_template(ws, r, v, bits);
			continue;
		}
		if (!pte_present(__pte(v))) {
			stop(ws, VMS_LVL_PTE, VMS_STOP_NOT_PRESENT);
			rec_template(ws, r, v, bits);
			continue;
		}
		stop(ws, VMS_LVL_PTE, VMS_STOP_LEAF);
		ws->leaf_shift = PAGE_SHIFT;
		r->entry = masked_entry(v, ws->show_pfn);
		r->bits = bits;
		r->level = VMS_LVL_PTE;
		r->stop = VMS_STOP_LEAF;
		r->leaf_shift = PAGE_SHIFT;
		r->swp_kind = 0;
		r->swp_type = 0;
		pfn = pte_pfn(__pte(v));
		r->pfn = ws->show_pfn ? pfn : 0;
		page = leaf_page(ws, VMS_LVL_PTE, v, pfn);
		if (!page) {
			r->page_flags = VMS_PG_NOPAGE;
			r->mapcount = -1;
			continue;
		}
		if (!last || !folio_test_large(last) || page_folio(page) != last) {
			struct pinfo pi;

			page_info(ws, VMS_LVL_PTE, v, pfn, &pi);
			last = pi.folio;
			last_flags = pi.page_flags;
			r->mapcount = pi.mapcount;
		} else {
			r->mapcount = precise_mapcount(last, page);
		}
		r->page_flags = last_flags;
	}
}

/*
 * Pages [addr, end) of one PMD region of ws->vma into recs.  Returns the
 * number of pages done, or -EAGAIN if the tables kept changing.
 */
static int range_region(struct wstate *ws, unsigned long addr, unsigned long end,
			struct vms_prec *recs, struct vms_pdir *dir)
{
	int tries, i, n = (end - addr) >> PAGE_SHIFT;

	for (tries = 0; tries < WALK_RETRIES; tries++) {
		spinlock_t *ptl;
		pte_t *ptep;

		walk_upper(ws, addr);
		for (i = 0; i < VMS_LVL_PTE; i++)
			dir->entry[i] = masked_entry(ws->entry[i], ws->show_pfn);
		if (ws->stop_reason == VMS_STOP_LEAF) {
			int level = ws->stop_level;
			u64 v;

			ptl = leaf_lock(ws, level);
			spin_lock(ptl);
			v = reread_leaf(ws, level);
			if (v != ws->entry[level]) {
				spin_unlock(ptl);
				continue;
			}
			range_leaf(ws, addr, n, v, recs);
			spin_unlock(ptl);
			return n;
		}
		if (ws->stop_reason) {
			u64 v = ws->entry[ws->stop_level];

			rec_template(ws, &recs[0], v, entry_bits(v, ws->stop_level));
			for (i = 1; i < n; i++)
				recs[i] = recs[0];
			return n;
		}
		rcu_read_lock();
		ptep = pte_offset_kernel(&ws->pmdval, addr);
		ptl = pte_lockptr(ws->mm, &ws->pmdval);
		spin_lock(ptl);
		if (!pmd_same(ws->pmdval, pmdp_get_lockless(ws->pmdp))) {
			spin_unlock(ptl);
			rcu_read_unlock();
			continue;
		}
		range_ptes(ws, ptep, n, recs);
		spin_unlock(ptl);
		rcu_read_unlock();
		return n;
	}
	return -EAGAIN;
}

int vms_walk_range(struct mm_struct *mm, struct vms_range *r, u32 max, bool show_pfn,
		   struct vms_prec *recs, struct vms_pdir *dirs, u32 ndirs_max)
{
	struct wstate ws = { .mm = mm, .show_pfn = show_pfn };
	unsigned long addr, end, base;
	u32 n = 0;
	int err = 0;

	/* r may be user-mapped memory (a BPF map): read its inputs once. */
	addr = READ_ONCE(r->start) & PAGE_MASK;
	end = READ_ONCE(r->end);
	r->next = addr;
	r->npages = 0;
	r->ndirs = 0;
	r->levels = nr_levels();
	r->wflags = show_pfn ? 0 : VMS_W_PFN_HIDDEN;
	if (addr >= TASK_SIZE_MAX || end <= addr)
		return addr >= TASK_SIZE_MAX ? -EFAULT : 0;
	if (end > TASK_SIZE_MAX)
		end = TASK_SIZE_MAX;
	end = PAGE_ALIGN(end);
	/* Records and dirs must both fit: clamp the pages to the dirs. */
	if (!ndirs_max)
		return -ENOSPC;
	if (max > (u64)(ndirs_max - 1) * PTRS_PER_PTE)
		max = (ndirs_max - 1) * PTRS_PER_PTE;
	if (!max)
		return -ENOSPC;
	if ((end - addr) >> PAGE_SHIFT > max)
		end = addr + ((unsigned long)max << PAGE_SHIFT);
	base = addr & PMD_MASK;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	while (addr < end) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned long stop_at = min(pmd_addr_end(addr, end), end);
		struct vms_pdir *dir = &dirs[(addr - base) >> PMD_SHIFT];
		int done;

		if (!vma || vma->vm_start > addr) {
			/* A gap: records with stop == 0, no table is read. */
			if (vma && vma->vm_start < stop_at)
				stop_at = vma->vm_start;
			done = (stop_at - addr) >> PAGE_SHIFT;
			memset(&recs[n], 0, done * sizeof(*recs));
			memset(dir, 0, sizeof(*dir));
		} else {
			if (vma->vm_end < stop_at)
				stop_at = vma->vm_end;
			ws.vma = vma;
			ws.hshift = vma_hshift(vma);
			done = range_region(&ws, addr, stop_at, &recs[n], dir);
			if (done < 0) {
				err = done;
				break;
			}
		}
		n += done;
		addr = stop_at;
		r->ndirs = ((addr - 1 - base) >> PMD_SHIFT) + 1;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		if (!(addr & ~PMD_MASK))
			cond_resched();
	}
	mmap_read_unlock(mm);
	r->npages = n;
	r->next = addr;
	return n ? n : err;
}
