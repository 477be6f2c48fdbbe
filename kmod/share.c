// SPDX-License-Identifier: GPL-2.0
/*
 * Who else maps a page: the reverse map, as far as a module can reach it.
 *
 * rmap_walk() and the interval-tree iterators are not exported, so the
 * candidates are found by walking the trees themselves with rb_first() and
 * rb_next(), under the same lock the kernel's rmap walk takes:
 *  - an anonymous page: its anon_vma's tree of anon_vma_chains (root
 *    rwsem, read); every VMA there descends from the one that faulted the
 *    page in, across fork().  The anon_vma is taken from the folio, and
 *    used only when the asking VMA's own chain links to it (so it is alive:
 *    that VMA holds it while our mmap_lock is held).
 *  - a page-cache page: the file's i_mmap tree (i_mmap_rwsem, read), which
 *    holds every VMA mapping the file, shared or private.
 *  - KSM pages (their rmap lives in mm/ksm.c's private structures), the
 *    zero page and PFN maps are not followed: the kind says so.
 * Each candidate VMA gives the address where the page would be (the same
 * linear page offset), and the candidate's own page table is then walked:
 * only a mapping of the very same PFN is reported.  Lock order as in
 * mm/rmap.c: our mmap_lock, then the rmap lock; both only trylocked (policy
 * rule 5), and the candidates' mmap_locks only after both are dropped.
 * A candidate mm is held with mmget_not_zero() and let go with
 * mmput_async().  Results go to kernel memory and are copied out once.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/rbtree.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "vmscope.h"
#include "compat.h"

/* Bounds: VMAs collected, and tree nodes looked at. */
#define SHARE_MAX_CAND	4096
#define SHARE_MAX_SCAN	65536

struct share_cand {
	struct mm_struct *mm;
	unsigned long addr;
};

struct share_ctx {
	pgoff_t pgoff;		/* linear page offset of the page */
	struct share_cand *cand;
	u32 ncand, scanned, flags;
};

/* The address of pgoff in vma, or 0 when vma does not cover it. */
static unsigned long share_addr(struct vm_area_struct *vma, pgoff_t pgoff)
{
	if (pgoff < vma->vm_pgoff || pgoff - vma->vm_pgoff >= vma_pages(vma))
		return 0;
	return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

static void share_add(struct share_ctx *c, struct vm_area_struct *vma)
{
	unsigned long addr = share_addr(vma, c->pgoff);
	struct mm_struct *mm = vma->vm_mm;

	if (!addr)
		return;
	if (c->ncand == SHARE_MAX_CAND) {
		c->flags |= VMS_SH_SCAN_LIMIT;
		return;
	}
	/* An exiting process (no users left) has nothing to report. */
	if (!mmget_not_zero(mm))
		return;
	c->cand[c->ncand].mm = mm;
	c->cand[c->ncand].addr = addr;
	c->ncand++;
}

/* Candidates from an anon_vma's tree; its root rwsem is held. */
static void share_anon(struct share_ctx *c, struct anon_vma *av)
{
	struct rb_node *n;

	for (n = rb_first(&av->rb_root.rb_root); n; n = rb_next(n)) {
		struct anon_vma_chain *avc = rb_entry(n, struct anon_vma_chain, rb);

		if (++c->scanned > SHARE_MAX_SCAN) {
			c->flags |= VMS_SH_SCAN_LIMIT;
			return;
		}
		share_add(c, avc->vma);
	}
}

/* Candidates from a file's i_mmap tree; i_mmap_rwsem is held. */
static void share_file(struct share_ctx *c, struct address_space *mapping)
{
	struct rb_node *n;

	for (n = rb_first(&mapping->i_mmap.rb_root); n; n = rb_next(n)) {
		struct vm_area_struct *vma = rb_entry(n, struct vm_area_struct, shared.rb);

		if (++c->scanned > SHARE_MAX_SCAN) {
			c->flags |= VMS_SH_SCAN_LIMIT;
			return;
		}
		share_add(c, vma);
	}
}

/* Is av one of vma's own anon_vmas (so alive while vma is)? */
static bool vma_links(struct vm_area_struct *vma, struct anon_vma *av)
{
	struct anon_vma_chain *avc;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		if (avc->anon_vma == av)
			return true;
	return false;
}

/*
 * The page at addr of mm and its candidates.  Fills h (pfn, kind,
 * mapcount) and c; 0, -EAGAIN, -ENOENT (no VMA) or -ENXIO (nothing there).
 */
static int share_collect(struct mm_struct *mm, unsigned long addr, struct vms_share *h,
			 struct share_ctx *c)
{
	struct vm_area_struct *vma;
	struct vms_walk w;
	unsigned long mapping;
	struct folio *folio;
	int err;

	/* The walk takes the lock itself: the page first. */
	err = vms_walk_addr(mm, addr, true, VMS_NOWAIT, &w);
	if (err)
		return err;
	if (w.stop_reason != VMS_STOP_LEAF)
		return -ENXIO;
	h->pfn = w.pfn;
	h->mapcount = w.mapcount;
	if (!(w.wflags & VMS_W_HAVE_PAGE)) {
		h->kind = VMS_SH_NOPAGE;
		return 0;
	}
	if (w.page_flags & VMS_PG_ZERO) {
		h->kind = VMS_SH_ZERO;
		return 0;
	}
	if (w.page_flags & VMS_PG_KSM) {
		h->kind = VMS_SH_KSM;
		return 0;
	}
	err = vms_mmap_read_lock(mm, VMS_NOWAIT);
	if (err)
		return err;
	vma = vma_lookup(mm, addr);
	if (!vma) {
		err = -ENOENT;
		goto out;
	}
	c->pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	/*
	 * The folio may have changed since the walk; what we find now is
	 * only a hint checked against this VMA, and every candidate is
	 * checked by its PFN below.
	 */
	folio = page_folio(pfn_to_page(w.pfn));
	mapping = (unsigned long)READ_ONCE(folio->mapping);
	if (mapping & VMS_MAPPING_ANON) {
		struct anon_vma *av = (struct anon_vma *)(mapping & ~VMS_MAPPING_FLAGS);

		h->kind = VMS_SH_ANON;
		if ((mapping & VMS_MAPPING_FLAGS) == VMS_MAPPING_KSM) {
			h->kind = VMS_SH_KSM;
			goto out;
		}
		if (!vma_links(vma, av)) {
			err = -EAGAIN;	/* it changed under us: ask again */
			goto out;
		}
		if (!down_read_trylock(&av->root->rwsem)) {
			err = -EAGAIN;
			goto out;
		}
		share_anon(c, av);
		up_read(&av->root->rwsem);
	} else if (mapping) {
		struct address_space *as = vma->vm_file ? vma->vm_file->f_mapping : NULL;

		h->kind = VMS_SH_FILE;
		if (!as || (unsigned long)as != mapping) {
			err = -EAGAIN;
			goto out;
		}
		if (!i_mmap_trylock_read(as)) {
			err = -EAGAIN;
			goto out;
		}
		share_file(c, as);
		i_mmap_unlock_read(as);
	} else {
		err = -EAGAIN;	/* truncated or being freed */
	}
out:
	mmap_read_unlock(mm);
	return err;
}

/* Every task whose mm is mm, into recs (from *n; at most max). */
static void share_tasks(struct mm_struct *mm, struct mm_struct *self, u64 addr,
			u64 vm_flags, struct vms_sharer *recs, u32 max, u32 *n, u32 *flags)
{
	struct task_struct *p;

	rcu_read_lock();
	for_each_process(p) {
		struct vms_sharer *r;

		if (READ_ONCE(p->mm) != mm)
			continue;
		if (*n == max) {
			*flags |= VMS_SH_TRUNC;
			break;
		}
		r = &recs[(*n)++];
		memset(r, 0, sizeof(*r));
		r->pid = __task_pid_nr_ns(p, PIDTYPE_TGID, NULL);
		r->flags = mm == self ? VMS_SHR_SELF : 0;
		r->addr = addr;
		r->vm_flags = vm_flags;
		strscpy(r->comm, p->comm, sizeof(r->comm));
	}
	rcu_read_unlock();
}

int vms_page_sharers(struct mm_struct *mm, struct vms_share *h, struct vms_sharer *out,
		     u32 max)
{
	struct share_ctx c = {};
	struct vms_sharer *recs;
	u32 i, n = 0;
	int err;

	h->n = 0;
	h->pfn = 0;
	h->kind = VMS_SH_NONE;
	h->mapcount = -1;
	h->candidates = 0;
	h->flags = 0;
	max = min_t(u32, max, SHARE_MAX_CAND);
	c.cand = kvmalloc_array(SHARE_MAX_CAND, sizeof(*c.cand), GFP_KERNEL);
	recs = kvmalloc_array(max ? max : 1, sizeof(*recs), GFP_KERNEL);
	if (!c.cand || !recs) {
		err = -ENOMEM;
		goto out;
	}
	err = share_collect(mm, h->addr & PAGE_MASK, h, &c);
	if (err == -ENXIO) {
		err = 0;	/* nothing present: no sharers, kind NONE */
		goto out;
	}
	if (err)
		goto out;
	h->candidates = c.ncand;
	for (i = 0; i < c.ncand; i++) {
		struct vms_walk w;
		int e;

		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		e = vms_walk_addr(c.cand[i].mm, c.cand[i].addr, true, VMS_NOWAIT, &w);
		if (e == -EAGAIN)
			c.flags |= VMS_SH_BUSY;
		else if (!e && w.stop_reason == VMS_STOP_LEAF && w.pfn == h->pfn)
			share_tasks(c.cand[i].mm, mm, c.cand[i].addr | (h->addr & ~PAGE_MASK),
				    w.vm_flags, recs, max, &n, &c.flags);
		cond_resched();
	}
	h->n = n;
	h->flags = c.flags;
	if (!err && n)
		memcpy(out, recs, n * sizeof(*recs));
out:
	for (i = 0; c.cand && i < c.ncand; i++)
		mmput_async(c.cand[i].mm);
	kvfree(c.cand);
	kvfree(recs);
	return err ? err : n;
}
