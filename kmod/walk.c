// SPDX-License-Identifier: GPL-2.0
/*
 * The page walk: a read-only snapshot of a user address's translation.
 *
 * walk_page_range(), __pte_offset_map_lock(), vm_normal_page() and
 * hugetlb_vma_lock_read() are not exported, so the walk is written out
 * here, once, and both walkers (one address, a range) use the same four
 * helpers: walk_upper() descends PGD..PMD, pte_map_lock() maps and locks a
 * PTE table, leaf_lock_same() re-reads a huge leaf under its lock, and
 * leaf_pfn()/leaf_page() find the page inside a leaf.  The rules:
 *
 *  - mmap_read_lock and an mm reference for the whole walk, and only
 *    addresses inside a VMA: page tables of a live VMA are not freed under
 *    the read lock (munmap frees them only after detaching the VMA under
 *    the write lock), with two exceptions handled below.
 *  - PTE tables can be freed under RCU with only the read lock held
 *    (shmem/file THP collapse: retract_page_tables() + pte_free_defer()).
 *    pte_map_lock() therefore reads the PMD inside rcu_read_lock(), takes
 *    the table's lock from that value and re-checks the PMD under it, as
 *    __pte_offset_map_lock() does; the PMD read before is only a hint.
 *  - hugetlb PMD tables can be shared between processes and unshared
 *    (huge_pmd_unshare(), from try_to_unmap, migration or another mm's
 *    munmap) without our mmap_lock; the last sharer then frees the table.
 *    Every huge_pmd_unshare() runs with the mapping's i_mmap_rwsem held for
 *    write, so the walk of a hugetlb VMA holds it for read (down_read() is
 *    exported; the hugetlb VMA lock is not).  Lock order: mmap_lock, then
 *    i_mmap_rwsem, then page-table locks, as in mm/rmap.c.
 *  - struct pages are only looked at under the lock of the entry that maps
 *    them (the page cannot be unmapped and freed meanwhile), never for
 *    special entries or VM_PFNMAP huge leaves (no struct page by design);
 *    a non-special PTE in a VM_PFNMAP mapping is a COW'd anonymous page
 *    and is looked at (vm_normal_page()'s rules on an arch with
 *    pte_special).
 * Nothing here writes to a page table or takes a page reference.  Results
 * are built in kernel memory; the callers copy them out.
 */
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/huge_mm.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "vmscope.h"
#include "arch.h"
#include "compat.h"

/* How often a walk restarts when the tables change under it. */
#define WALK_RETRIES	8

/*
 * How long a range walk keeps mmap_lock once a writer waits for it: then
 * it returns what it has (h->next says where to go on), and the writer,
 * whose own mmap() or munmap() would otherwise wait for the whole buffer,
 * goes first.  Uncontended, a walk runs on to the end of its buffer.
 */
#define WALK_SLICE_NS	(500 * NSEC_PER_USEC)

/* Per-walk state; entry[] up to stop_level is valid. */
struct wstate {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	bool priv;		/* may see PFNs and page state (CAP_SYS_ADMIN) */
	bool nowait;		/* never block on a lock (policy.c, rule 5) */
	u32 hshift;		/* hugetlb page shift of vma, 0 otherwise */
	u64 entry[VMS_NR_LEVELS];
	u32 stop_level;
	u32 stop_reason;	/* 0: continue to the PTE table at pmdp */
	u32 leaf_shift;
	pud_t *pudp;
	pmd_t *pmdp;
};

/* State of the struct page behind a leaf. */
struct pinfo {
	struct folio *folio;
	u32 page_flags;
	s32 refcount;
	s32 mapcount;
	u32 order;
	s32 nid;
	bool have_page;
};

/* ---- decoding (arch_*.c) ------------------------------------------------- */

static inline int nr_levels(void)
{
	return vms_arch_l5() ? 5 : 4;
}

static u32 entry_bits(u64 v, int level)
{
	return vms_arch_entry_bits(v, level);
}

/* The raw entry as a caller without CAP_SYS_ADMIN may see it. */
static u64 masked_entry(u64 v, bool priv)
{
	if (priv || !v)
		return v;
	return vms_arch_masked_entry(v);
}

static void stop(struct wstate *ws, int level, u32 reason)
{
	ws->stop_level = level;
	ws->stop_reason = reason;
}

/* ---- the descent ----------------------------------------------------------- */

/* Is a non-none entry at this level the hugetlb leaf of ws->vma? */
static bool hugetlb_level(struct wstate *ws, int level)
{
	return ws->hshift && ((level == VMS_LVL_PUD && ws->hshift == PUD_SHIFT) ||
			      (level == VMS_LVL_PMD && ws->hshift == PMD_SHIFT));
}

/* A hugetlb entry is PTE-formatted at any level: present or swap-format. */
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
 * pmdp when the PMD points to a PTE table (which pte_map_lock() re-checks).
 */
static void walk_upper(struct wstate *ws, unsigned long addr)
{
	bool l5 = vms_arch_l5();
	int top = l5 ? VMS_LVL_P4D : VMS_LVL_PGD;
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;

	mmap_assert_locked(ws->mm);
	memset(ws->entry, 0, sizeof(ws->entry));
	ws->stop_reason = 0;
	ws->leaf_shift = 0;
	ws->pudp = NULL;
	ws->pmdp = NULL;

	pgdp = pgd_offset(ws->mm, addr);
	pgd = pgdp_get(pgdp);
	ws->entry[VMS_LVL_PGD] = pgd_val(pgd);
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
		ws->entry[VMS_LVL_P4D] = p4d_val(p4d);
	if (p4d_none(p4d))
		return stop(ws, top, VMS_STOP_NONE_ENTRY);
	if (!p4d_present(p4d) || p4d_bad(p4d))
		return stop(ws, top, VMS_STOP_BAD);

	pudp = pud_offset(p4dp, addr);
	pud = pudp_get(pudp);
	ws->pudp = pudp;
	ws->entry[VMS_LVL_PUD] = pud_val(pud);
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
	ws->entry[VMS_LVL_PMD] = pmd_val(pmd);
	if (pmd_none(pmd))
		return stop(ws, VMS_LVL_PMD, VMS_STOP_NONE_ENTRY);
	if (hugetlb_level(ws, VMS_LVL_PMD))
		return hugetlb_stop(ws, VMS_LVL_PMD, pmd_val(pmd));
	/*
	 * A hugetlb page size that is neither a PUD nor a PMD: arm64's
	 * contiguous sizes (64K of CONT_PTEs, 32M of CONT_PMDs), whose entries
	 * take the hugetlb lock (huge_pte_lockptr()) and not the one a leaf
	 * at their level takes here.  Not walked.  (Never on x86-64.)
	 */
	if (ws->hshift)
		return stop(ws, VMS_LVL_PMD, VMS_STOP_BAD);
	if (!pmd_present(pmd))
		return stop(ws, VMS_LVL_PMD, VMS_STOP_NOT_PRESENT);
	if (pmd_leaf(pmd) || vms_pmd_devmap(pmd)) {
		ws->leaf_shift = PMD_SHIFT;
		return stop(ws, VMS_LVL_PMD, VMS_STOP_LEAF);
	}
	if (pmd_bad(pmd))
		return stop(ws, VMS_LVL_PMD, VMS_STOP_BAD);
}

/* Does a PMD value point to a PTE table? */
static bool pmd_is_table(pmd_t pmd)
{
	return !pmd_none(pmd) && pmd_present(pmd) && !pmd_leaf(pmd) &&
	       !vms_pmd_devmap(pmd) && !pmd_bad(pmd);
}

/*
 * Map and lock the PTE table under ws->pmdp, as __pte_offset_map_lock():
 * the PMD is read inside rcu_read_lock() (a table freed by pte_free_defer()
 * outlives the RCU section), the lock is taken from that value and the PMD
 * is checked again under it.  Returns the PTE for addr with the RCU read
 * lock and *ptlp held (pte_unmap_unlock_rcu() drops both), or NULL when
 * the PMD no longer points to a table: the caller walks again.
 */
static pte_t *pte_map_lock(struct wstate *ws, unsigned long addr, spinlock_t **ptlp)
{
	spinlock_t *ptl;
	pmd_t pmdval;

	mmap_assert_locked(ws->mm);
	rcu_read_lock();
	pmdval = pmdp_get_lockless(ws->pmdp);
	if (!pmd_is_table(pmdval))
		goto fail;
	ptl = pte_lockptr(ws->mm, &pmdval);
	spin_lock(ptl);
	if (!pmd_same(pmdval, pmdp_get_lockless(ws->pmdp))) {
		spin_unlock(ptl);
		goto fail;
	}
	ws->entry[VMS_LVL_PMD] = pmd_val(pmdval);
	*ptlp = ptl;
	return pte_offset_kernel(&pmdval, addr);
fail:
	rcu_read_unlock();
	return NULL;
}

static void pte_unmap_unlock_rcu(spinlock_t *ptl)
{
	spin_unlock(ptl);
	rcu_read_unlock();
}

/* The lock that keeps a huge leaf at this level in place (huge_pte_lockptr()). */
static spinlock_t *leaf_lockptr(struct wstate *ws, int level)
{
	if (level == VMS_LVL_PMD)
		return pmd_lockptr(ws->mm, ws->pmdp);
	return pud_lockptr(ws->mm, ws->pudp);
}

/*
 * Lock the huge leaf found by walk_upper() and check it is still the entry
 * the walk saw.  Returns the lock, held, or NULL (unlocked) when the entry
 * changed: the caller walks again.
 */
static spinlock_t *leaf_lock_same(struct wstate *ws)
{
	int level = ws->stop_level;
	spinlock_t *ptl = leaf_lockptr(ws, level);
	u64 v;

	spin_lock(ptl);
	v = level == VMS_LVL_PMD ? pmd_val(pmdp_get(ws->pmdp)) : pud_val(pudp_get(ws->pudp));
	if (v == ws->entry[level])
		return ptl;
	spin_unlock(ptl);
	return NULL;
}

/* PFN of the 4K page at addr inside a present leaf v of level and size shift. */
static unsigned long leaf_pfn(int level, u64 v, unsigned long addr, u32 shift)
{
	unsigned long pfn;

	if (level == VMS_LVL_PTE)
		pfn = pte_pfn(__pte(v));
	else if (level == VMS_LVL_PMD)
		pfn = pmd_pfn(__pmd(v));
	else
		pfn = pud_pfn(__pud(v));
	return pfn + ((addr & ((1UL << shift) - 1)) >> PAGE_SHIFT);
}

/*
 * The struct page behind pfn, mapped at level by the present leaf v, or
 * NULL when there is none to look at (vm_normal_page()'s rules; the zero
 * page is looked at, it is a real page).  Called with the leaf's lock held.
 */
static struct page *leaf_page(struct wstate *ws, int level, u64 v, unsigned long pfn)
{
	bool pfnmap = ws->vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP);

	if (vms_arch_special(v)) {
		if (level == VMS_LVL_PTE)
			return is_zero_pfn(pfn) ? pfn_to_page(pfn) : NULL;
		/*
		 * 7.x marks the huge zero PMD special; outside PFN maps it is
		 * the only special PMD (huge_zero_pfn is not exported).
		 */
		return level == VMS_LVL_PMD && !pfnmap && pfn_valid(pfn) ? pfn_to_page(pfn) : NULL;
	}
	if (level != VMS_LVL_PTE && !ws->hshift && pfnmap)
		return NULL;	/* huge PFN maps: never a COW copy */
	/* Legacy ZONE_DEVICE pages carry no refcount: leave them be. */
	if (vms_arch_devmap(v) || !pfn_valid(pfn))
		return NULL;
	return pfn_to_page(pfn);
}

/* ---- page state ------------------------------------------------------------ */

/* The page's mapcount as /proc/kpagecount gives it. */
static int precise_mapcount(struct folio *folio, struct page *page)
{
	if (folio_test_large(folio))
		return vms_page_mapcount(page) + vms_large_mapcount_base(folio);
	return vms_page_mapcount(page);
}

/*
 * The folio's state flags, with the same meaning as /proc/kpageflags, from
 * its mapping word and its flags word k (read once by the caller).
 */
static u32 folio_bits(struct folio *folio, unsigned long mapping, unsigned long k)
{
	u32 f = 0;

	if (mapping & VMS_MAPPING_ANON) {
		f |= VMS_PG_ANON;
		if ((mapping & VMS_MAPPING_FLAGS) == VMS_MAPPING_KSM)
			f |= VMS_PG_KSM;
	} else if (mapping) {
		f |= VMS_PG_FILE;
	}
	if (k & (1UL << PG_head)) {
		f |= VMS_PG_COMPOUND;
		if (folio_test_hugetlb(folio))
			f |= VMS_PG_HUGETLB;
		else if (vms_folio_is_thp(folio))
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
	return f;
}

/*
 * The folio's state flags, the page's own Reserved, and AnonExclusive as
 * the page excl carries it: the page itself under a PTE, the huge leaf's
 * first page otherwise (see page_info()).
 */
static u32 folio_state(struct folio *folio, struct page *page, struct page *excl)
{
	u32 f = folio_bits(folio, (unsigned long)READ_ONCE(folio->mapping),
			   vms_folio_flags(folio));

	if (PageReserved(page))
		f |= VMS_PG_RESERVED;
	if ((f & VMS_PG_ANON) && !(f & VMS_PG_KSM) && PageAnonExclusive(excl))
		f |= VMS_PG_ANON_EXCL;
	return f;
}

/*
 * folio_state() of a small folio (neither head nor tail: the page is the
 * folio), whose flags word k holds the page's own bits too.
 */
static u32 small_folio_state(struct folio *folio, unsigned long k)
{
	u32 f = folio_bits(folio, (unsigned long)READ_ONCE(folio->mapping), k);

	if (k & (1UL << PG_reserved))
		f |= VMS_PG_RESERVED;
	if ((f & VMS_PG_ANON) && !(f & VMS_PG_KSM) && (k & (1UL << PG_anon_exclusive)))
		f |= VMS_PG_ANON_EXCL;
	return f;
}

/*
 * State of the page at pfn under the present leaf v.  Reads only; called
 * with the leaf's lock held.  Without priv the caller learns nothing about
 * the page (kpageflags and kpagecount are root-only too).
 */
static void page_info(struct wstate *ws, spinlock_t *ptl, int level, u64 v,
		      unsigned long pfn, struct pinfo *pi)
{
	struct page *page;
	struct folio *folio;

	lockdep_assert_held(ptl);
	memset(pi, 0, sizeof(*pi));
	pi->mapcount = -1;
	pi->nid = NUMA_NO_NODE;
	if (!ws->priv)
		return;
	page = leaf_page(ws, level, v, pfn);
	if (!page) {
		pi->page_flags = VMS_PG_NOPAGE;
		return;
	}
	folio = page_folio(page);
	pi->folio = folio;
	pi->have_page = true;
	/*
	 * A huge leaf is exclusive or not as a whole, by its first page's bit
	 * (the THP's head: do_huge_pmd_wp_page() and the split read that
	 * one), not by the 4K page's own.  Asking a hugetlb tail page at all
	 * is a VM_BUG_ON_PGFLAGS on 6.1 (CONFIG_DEBUG_VM_PGFLAGS).
	 */
	pi->page_flags = folio_state(folio, page, level == VMS_LVL_PTE ? page :
				     pfn_to_page(leaf_pfn(level, v, 0, ws->leaf_shift)));
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
	pi->nid = page_to_nid(page);
}

/* ---- hugetlb ------------------------------------------------------------------ */

/*
 * Keep shared hugetlb PMD tables from being unshared and freed (see top).
 * 0, or -EAGAIN when nowait and the lock is taken.
 */
static int hugetlb_walk_lock(struct wstate *ws)
{
	if (!ws->hshift)
		return 0;
	if (ws->nowait)
		return i_mmap_trylock_read(ws->vma->vm_file->f_mapping) ? 0 : -EAGAIN;
	i_mmap_lock_read(ws->vma->vm_file->f_mapping);
	return 0;
}

static void hugetlb_walk_unlock(struct wstate *ws)
{
	if (ws->hshift)
		i_mmap_unlock_read(ws->vma->vm_file->f_mapping);
}

static void set_vma(struct wstate *ws, struct vm_area_struct *vma)
{
	ws->vma = vma;
	ws->hshift = is_vm_hugetlb_page(vma) ? huge_page_shift(hstate_vma(vma)) : 0;
}

/* ---- one address ------------------------------------------------------------- */

static void fill_leaf(struct wstate *ws, struct vms_walk *w, unsigned long addr, u64 v,
		      const struct pinfo *pi)
{
	unsigned long pfn = leaf_pfn(ws->stop_level, v, addr, ws->leaf_shift);

	if (ws->priv) {
		w->pfn = pfn;
		w->phys = ((u64)pfn << PAGE_SHIFT) | (addr & ~PAGE_MASK);
		w->wflags |= VMS_W_PFN_VALID;
		if (pi->have_page)
			w->wflags |= VMS_W_HAVE_PAGE;
	} else {
		w->wflags |= VMS_W_PFN_HIDDEN | VMS_W_PAGE_HIDDEN;
	}
	w->page_flags = pi->page_flags;
	w->refcount = pi->refcount;
	w->mapcount = pi->mapcount;
	w->order = pi->order;
	w->nid = pi->nid;
}

static void fill_swap(struct wstate *ws, struct vms_walk *w, u64 v)
{
	u32 kind, type;
	u64 off;

	vms_swp_decode(__pte(v), &kind, &type, &off);
	w->swp_kind = kind;
	if (ws->priv) {
		w->swp_type = type;
		w->swp_offset = off;
	} else {
		w->wflags |= VMS_W_PFN_HIDDEN;
	}
}

/* One address, mmap_read_lock held.  Returns 0 or -EAGAIN. */
static int walk_one(struct wstate *ws, unsigned long addr, struct vms_walk *w)
{
	struct pinfo pi = { .mapcount = -1 };
	spinlock_t *ptl;
	int tries, i;
	pte_t *ptep;
	u64 v = 0;

	for (tries = 0; tries < WALK_RETRIES; tries++) {
		walk_upper(ws, addr);
		if (ws->stop_reason == VMS_STOP_LEAF) {
			ptl = leaf_lock_same(ws);
			if (!ptl)
				continue;
			v = ws->entry[ws->stop_level];
			page_info(ws, ptl, ws->stop_level, v,
				  leaf_pfn(ws->stop_level, v, addr, ws->leaf_shift), &pi);
			spin_unlock(ptl);
			break;
		}
		if (ws->stop_reason) {
			v = ws->entry[ws->stop_level];
			break;
		}
		ptep = pte_map_lock(ws, addr, &ptl);
		if (!ptep)
			continue;
		v = pte_val(ptep_get(ptep));
		ws->entry[VMS_LVL_PTE] = v;
		if (!v) {
			stop(ws, VMS_LVL_PTE, VMS_STOP_NONE_ENTRY);
		} else if (pte_present(__pte(v))) {
			stop(ws, VMS_LVL_PTE, VMS_STOP_LEAF);
			ws->leaf_shift = PAGE_SHIFT;
			page_info(ws, ptl, VMS_LVL_PTE, v, pte_pfn(__pte(v)), &pi);
		} else {
			stop(ws, VMS_LVL_PTE, VMS_STOP_NOT_PRESENT);
		}
		pte_unmap_unlock_rcu(ptl);
		break;
	}
	if (tries == WALK_RETRIES)
		return -EAGAIN;	/* the tables kept changing under us */

	if (ws->stop_reason == VMS_STOP_LEAF)
		fill_leaf(ws, w, addr, v, &pi);
	else if (ws->stop_reason == VMS_STOP_NOT_PRESENT)
		fill_swap(ws, w, v);
	w->stop_level = ws->stop_level;
	w->stop_reason = ws->stop_reason;
	w->leaf_shift = ws->stop_reason == VMS_STOP_LEAF ? ws->leaf_shift : 0;
	for (i = 0; i < VMS_NR_LEVELS; i++) {
		w->entry[i] = masked_entry(ws->entry[i], ws->priv);
		w->bits[i] = entry_bits(ws->entry[i], i);
	}
	return 0;
}

int vms_walk_addr(struct mm_struct *mm, unsigned long addr, bool priv, bool nowait,
		  struct vms_walk *w)
{
	struct wstate ws = { .mm = mm, .priv = priv, .nowait = nowait };
	struct vm_area_struct *vma;
	int err;

	memset(w, 0, sizeof(*w));
	w->addr = addr;
	w->levels = nr_levels();
	w->arch = VMS_ARCH;
	w->nid = NUMA_NO_NODE;
	if (addr >= TASK_SIZE_MAX)
		return -EFAULT;
	err = vms_mmap_read_lock(mm, nowait);
	if (err)
		return err;
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
	w->wflags |= vms_mm_thp_wflags(mm);
	if (vma->vm_file && mapping_large_folio_support(vma->vm_file->f_mapping))
		w->wflags |= VMS_W_LARGE_FOLIOS;
	set_vma(&ws, vma);
	err = hugetlb_walk_lock(&ws);
	if (err)
		goto out;
	err = walk_one(&ws, addr, w);
	hugetlb_walk_unlock(&ws);
out:
	mmap_read_unlock(mm);
	return err;
}

/* ---- range walk ---------------------------------------------------------------- */

/* The record of a page whose walk stopped at ws's stop entry v. */
static void rec_stop(struct wstate *ws, struct vms_prec *r, u64 v)
{
	memset(r, 0, sizeof(*r));
	r->entry = masked_entry(v, ws->priv);
	r->bits = entry_bits(v, ws->stop_level);
	r->level = ws->stop_level;
	r->stop = ws->stop_reason;
	r->mapcount = -1;
	if (ws->stop_reason == VMS_STOP_NOT_PRESENT) {
		u32 kind, type;
		u64 off;

		vms_swp_decode(__pte(v), &kind, &type, &off);
		r->swp_kind = kind;
		if (ws->priv) {
			r->swp_type = type;
			r->pfn = off;
		}
	}
}

/*
 * Pages [addr, addr + n pages) under one huge leaf v, with its lock held.
 * recs is the caller's buffer, which user space may write meanwhile: it is
 * only written, each record whole (so for every range_ function).
 */
static void range_leaf(struct wstate *ws, spinlock_t *ptl, unsigned long addr, int n,
		       u64 v, struct vms_prec *recs)
{
	int level = ws->stop_level, i;
	unsigned long pfn = leaf_pfn(level, v, addr, ws->leaf_shift);
	struct vms_prec t;
	struct pinfo pi;
	bool whole = false;
	int base = 0;

	/* One folio: its state, and its part of the mapcount, are read once. */
	page_info(ws, ptl, level, v, pfn, &pi);
	rec_stop(ws, &t, v);
	t.leaf_shift = ws->leaf_shift;
	t.page_flags = pi.page_flags;
	t.order = pi.order;
	if (pi.have_page && folio_test_large(pi.folio)) {
		/* one read: the count checked is the count reported */
		base = vms_large_mapcount_base(pi.folio);
		whole = vms_folio_no_pte_maps(pi.folio, base);
	}
	/*
	 * Mapped only whole (the usual THP, every hugetlb page), each page's
	 * count is the folio's part and no struct page is read; otherwise
	 * precise_mapcount(), the folio's part read once.
	 */
	if (pi.have_page)
		t.mapcount = base;
	for (i = 0; i < n; i++) {
		if (ws->priv)
			t.pfn = pfn + i;
		if (pi.have_page && !whole)
			t.mapcount = vms_page_mapcount(pfn_to_page(pfn + i)) + base;
		recs[i] = t;
	}
}

/*
 * pfn_valid() for the pfns of one PTE table under its lock, asked once per
 * memory subsection (*sub: the last valid one).  Every pfn of a subsection
 * answers alike (pfn_section_valid()), and the subsection of a page mapped
 * by an entry of the locked table cannot be offlined, let alone removed,
 * until that entry is gone: offlining needs each of its pages free.
 */
static inline bool pte_pfn_valid(unsigned long pfn, unsigned long *sub)
{
#ifdef PAGES_PER_SUBSECTION
	if (pfn / PAGES_PER_SUBSECTION == *sub)
		return true;
	if (!pfn_valid(pfn))
		return false;
	*sub = pfn / PAGES_PER_SUBSECTION;
	return true;
#else
	return pfn_valid(pfn);
#endif
}

/*
 * The PTEs [ptep, ptep + n) of one table, with its lock held.  The hot loop
 * of a range walk: entry bits are decoded once per distinct non-PFN bits;
 * a small folio's state comes from one read of its flags word, a large
 * folio's once per folio.  leaf_page()'s rules, for a PTE.
 */
static void range_ptes(struct wstate *ws, spinlock_t *ptl, pte_t *ptep, int n,
		       struct vms_prec *recs)
{
	const u64 addr_bits = vms_arch_addr_bits();
	const bool priv = ws->priv;
	unsigned long valid_sub = ULONG_MAX;
	struct folio *last = NULL;
	u64 key = ~0ULL;
	u32 last_flags = 0;
	int last_base = 0;
	u8 last_order = 0;
	u16 bits = 0;
	int i;

	lockdep_assert_held(ptl);
	for (i = 0; i < n; i++) {
		u64 v = pte_val(ptep_get(ptep + i));
		struct vms_prec r = { .level = VMS_LVL_PTE, .mapcount = -1 };
		unsigned long pfn, k;
		struct folio *folio;
		struct page *page;

		/* PTEs with equal bits outside the address have equal entry bits. */
		if ((v & ~addr_bits) != key) {
			key = v & ~addr_bits;
			bits = entry_bits(v, VMS_LVL_PTE);
		}
		r.entry = masked_entry(v, priv);
		r.bits = bits;
		if (!v) {
			r.stop = VMS_STOP_NONE_ENTRY;
			goto store;
		}
		if (!pte_present(__pte(v))) {
			u32 kind, type;
			u64 off;

			r.stop = VMS_STOP_NOT_PRESENT;
			vms_swp_decode(__pte(v), &kind, &type, &off);
			r.swp_kind = kind;
			if (priv) {
				r.swp_type = type;
				r.pfn = off;
			}
			goto store;
		}
		r.stop = VMS_STOP_LEAF;
		r.leaf_shift = PAGE_SHIFT;
		if (!priv)
			goto store;
		pfn = pte_pfn(__pte(v));
		r.pfn = pfn;
		if (vms_arch_special(v) ? !is_zero_pfn(pfn) :
		    vms_arch_devmap(v) || !pte_pfn_valid(pfn, &valid_sub)) {
			r.page_flags = VMS_PG_NOPAGE;
			goto store;
		}
		page = pfn_to_page(pfn);
		folio = page_folio(page);
		k = vms_folio_flags(folio);
		if ((struct page *)folio == page && !(k & (1UL << PG_head))) {
			r.page_flags = small_folio_state(folio, k);
			if (is_zero_pfn(pfn))
				r.page_flags |= VMS_PG_ZERO;
			r.mapcount = vms_page_mapcount(page);
			goto store;
		}
		if (folio != last) {
			last = folio;
			last_flags = folio_state(folio, page, page) &
				     ~(VMS_PG_RESERVED | VMS_PG_ANON_EXCL);
			last_order = folio_order(folio);
			last_base = folio_test_large(folio) ? vms_large_mapcount_base(folio) : 0;
		}
		r.page_flags = last_flags | (PageReserved(page) ? VMS_PG_RESERVED : 0) |
			       ((last_flags & VMS_PG_ANON) && !(last_flags & VMS_PG_KSM) &&
				PageAnonExclusive(page) ? VMS_PG_ANON_EXCL : 0);
		r.order = last_order;
		/* precise_mapcount(), the folio's part read once */
		r.mapcount = vms_page_mapcount(page) + last_base;
store:
		recs[i] = r;
	}
}

/*
 * Pages [addr, addr + n pages) of one PMD region of ws->vma into recs (the
 * caller's buffer: written, never read), and the region's upper entries
 * into dir (kernel memory).  Returns 0 or -EAGAIN when the tables kept
 * changing (recs may then hold some records of the failed tries).
 */
static int range_region(struct wstate *ws, unsigned long addr, int n,
			struct vms_prec *recs, struct vms_pdir *dir)
{
	spinlock_t *ptl;
	int tries, i;
	pte_t *ptep;

	for (tries = 0; tries < WALK_RETRIES; tries++) {
		walk_upper(ws, addr);
		if (ws->stop_reason == VMS_STOP_LEAF) {
			ptl = leaf_lock_same(ws);
			if (!ptl)
				continue;
			range_leaf(ws, ptl, addr, n, ws->entry[ws->stop_level], recs);
			spin_unlock(ptl);
		} else if (ws->stop_reason) {
			struct vms_prec t;

			rec_stop(ws, &t, ws->entry[ws->stop_level]);
			for (i = 0; i < n; i++)
				recs[i] = t;
		} else {
			ptep = pte_map_lock(ws, addr, &ptl);
			if (!ptep)
				continue;
			range_ptes(ws, ptl, ptep, n, recs);
			pte_unmap_unlock_rcu(ptl);
		}
		for (i = 0; i < VMS_LVL_PTE; i++)
			dir->entry[i] = masked_entry(ws->entry[i], ws->priv);
		return 0;
	}
	return -EAGAIN;
}

int vms_walk_range(struct mm_struct *mm, struct vms_range_args *a)
{
	struct wstate ws = { .mm = mm, .priv = a->priv, .nowait = a->nowait };
	struct vms_range *h = &a->hdr;
	unsigned long addr, end, first, max = a->max_pages;
	struct vm_area_struct *vma;
	struct vms_pdir dir;
	u32 n = 0, ndirs = 0;
	long cur_region = -1;
	u64 locked_at;
	int err = 0;

	addr = a->start & PAGE_MASK;
	end = a->end;
	h->first = addr;
	h->next = addr;
	h->npages = 0;
	h->ndirs = 0;
	h->levels = nr_levels();
	h->arch = VMS_ARCH;
	h->wflags = a->priv ? 0 : VMS_W_PFN_HIDDEN | VMS_W_PAGE_HIDDEN;
	if (addr >= TASK_SIZE_MAX)
		return -EFAULT;
	if (end > TASK_SIZE_MAX)
		end = TASK_SIZE_MAX;
	end = PAGE_ALIGN(end);
	if (end <= addr) {
		h->next = end > addr ? end : addr;
		return 0;
	}
	/* Records and dirs must both fit: n pages touch at most n/512 + 1 regions. */
	if (a->max_dirs < 2)
		return -ENOSPC;
	max = min_t(unsigned long, max, (unsigned long)(a->max_dirs - 1) * PTRS_PER_PTE);
	if (!max)
		return -ENOSPC;

	err = vms_mmap_read_lock(mm, a->nowait);
	if (err)
		return err;
	locked_at = ktime_get_ns();
	/* A hole before the first record is skipped, at the cost of one lookup. */
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start >= end) {
		h->next = end;
		goto out;
	}
	if (vma->vm_start > addr)
		addr = vma->vm_start;
	first = addr;
	h->first = first;
	while (addr < end && n < max) {
		unsigned long stop_at;
		int done;

		if (addr >= vma->vm_end) {
			vma = find_vma(mm, addr);
			if (!vma || vma->vm_start > addr) {
				/* A hole: stop here, the next call starts past it. */
				addr = vma ? min(vma->vm_start, end) : end;
				break;
			}
		}
		stop_at = min3(pmd_addr_end(addr, end), vma->vm_end,
			       addr + ((max - n) << PAGE_SHIFT));
		done = (stop_at - addr) >> PAGE_SHIFT;
		if ((long)((addr - (first & PMD_MASK)) >> PMD_SHIFT) != cur_region) {
			if (cur_region >= 0)
				memcpy(&a->dirs[cur_region], &dir, sizeof(dir));
			cur_region = (addr - (first & PMD_MASK)) >> PMD_SHIFT;
			memset(&dir, 0, sizeof(dir));
		}
		set_vma(&ws, vma);
		err = hugetlb_walk_lock(&ws);
		if (err)
			break;
		/* Straight into the caller's buffer: written, never read back. */
		err = range_region(&ws, addr, done, &a->recs[n], &dir);
		hugetlb_walk_unlock(&ws);
		if (err)
			break;
		n += done;
		addr = stop_at;
		ndirs = cur_region + 1;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		/* A writer waits, and this walk has had its slice. */
		if (addr < end && mmap_lock_is_contended(mm) &&
		    ktime_get_ns() - locked_at >= WALK_SLICE_NS)
			break;
		cond_resched();
	}
	if (cur_region >= 0)
		memcpy(&a->dirs[cur_region], &dir, sizeof(dir));
	h->next = addr;
out:
	mmap_read_unlock(mm);
	h->npages = n;
	h->ndirs = ndirs;
	return n ? n : err;
}
