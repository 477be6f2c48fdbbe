// SPDX-License-Identifier: GPL-2.0
/*
 * Reading and writing another process's memory through the fault path,
 * the way process_vm_readv()/writev() do (access_remote_vm() is not
 * exported on 6.12).
 *
 * Reads take pages with get_user_pages_remote(); writes pin them with
 * pin_user_pages_remote().  Both fault pages in and, for FOLL_WRITE, break
 * copy-on-write first: a private file page, a page
 * still shared with a fork child, a KSM page or the zero page is replaced
 * by a private copy before a byte changes.  A PFN found by a page walk is
 * never written.  A write into a MAP_SHARED file mapping does change the
 * file's page cache, as it would if the process wrote it itself (and as
 * /proc/PID/mem does).
 *
 * For /proc/mtest, GUP runs "unlockable" (a locked argument): faults may
 * then wait killably (userfaultfd, FUSE, I/O) and drop mmap_lock.  For the
 * kfuncs (VMS_ACC_NOWAIT, policy.c rule 5) mmap_lock is only trylocked and
 * GUP runs with FOLL_NOWAIT: a fault that would wait starts its I/O and
 * ends the call with -EAGAIN, and the lock is never dropped and retaken
 * inside GUP; the CLI calls again.  Each GUP call is
 * kept inside one VMA, found beforehand with the lock held, so GUP never
 * meets a hole below a stack (it would warn that it no longer grows
 * stacks).  Bytes are copied with mmap_lock dropped, under page references.
 *
 * Writes must pin, not merely reference: between un-sharing a page (phase
 * 1 below) and storing into it (phase 2), the process may fork.  fork()
 * shares a referenced anonymous page with the child, so the store would
 * land in the child too; a pinned page (folio_maybe_dma_pinned()) is copied
 * for the child instead, as for O_DIRECT and RDMA.  Reads keep plain
 * references: a read-only pin would un-share a COW page just to read it.
 *
 * Shadow stacks (6.6+) are never written, even with FOLL_FORCE.
 *
 * Reads may be short, like process_vm_readv().  Writes are all or
 * nothing: every page is faulted in and held first; only when all of them
 * are held is the first byte written.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "vmscope.h"
#include "compat.h"

/* Pages taken per get_user_pages_remote() call. */
#define ACC_BATCH	16

/*
 * Take up to nr pages from addr (page aligned), all inside addr's VMA, with
 * references.  Returns how many or -errno (-EFAULT: nothing mapped there,
 * or not accessible this way).
 */
static long acc_get_pages(struct mm_struct *mm, unsigned long addr, unsigned long nr,
			  unsigned int gup_flags, struct page **pages)
{
	bool pin = gup_flags & FOLL_WRITE, nowait = gup_flags & FOLL_NOWAIT;
	struct vm_area_struct *vma;
	int locked = 1;
	long got;

	got = vms_mmap_read_lock(mm, nowait);
	if (got)
		return got;
	vma = vma_lookup(mm, addr);
	if (!vma) {
		mmap_read_unlock(mm);
		return -EFAULT;
	}
#ifdef VM_SHADOW_STACK
	if (pin && (vma->vm_flags & VM_SHADOW_STACK)) {
		mmap_read_unlock(mm);
		return -EFAULT;
	}
#endif
	nr = min(nr, (vma->vm_end - addr) >> PAGE_SHIFT);
	if (pin)
		got = vms_pin_remote(mm, addr, nr, gup_flags, pages, &locked);
	else
		got = vms_gup_remote(mm, addr, nr, gup_flags, pages, &locked);
	if (locked)
		mmap_read_unlock(mm);
	/*
	 * FOLL_NOWAIT: a fault that would have waited (its I/O is under way,
	 * a page lock, userfaultfd) ends GUP with no page and no error: GUP
	 * turns faultin_page()'s -EBUSY into 0 pages (6.1 to 7.x).  A real
	 * failure comes back as a negative errno.
	 */
	if (got == 0)
		return nowait ? -EAGAIN : -EFAULT;
	return got;
}

static void acc_put_pages(struct page **pages, unsigned long n)
{
	while (n)
		put_page(pages[--n]);
}

/* Pinned pages of a write: dirty (the store happened) or not (it did not). */
static void acc_unpin_pages(struct page **pages, unsigned long n, bool dirty)
{
	if (dirty)
		unpin_user_pages_dirty_lock(pages, n, true);
	else
		unpin_user_pages(pages, n);
}

static long acc_read(struct mm_struct *mm, unsigned long addr, void *buf, size_t len,
		     unsigned int gup_flags)
{
	struct page *pages[ACC_BATCH];
	size_t done = 0;
	long err = 0;

	while (done < len) {
		unsigned long start = addr & PAGE_MASK;
		unsigned long nr = DIV_ROUND_UP((addr & ~PAGE_MASK) + (len - done), PAGE_SIZE);
		long got, i;

		got = acc_get_pages(mm, start, min_t(unsigned long, nr, ACC_BATCH), gup_flags,
				    pages);
		if (got < 0) {
			err = got;
			break;
		}
		for (i = 0; i < got; i++) {
			size_t off = addr & ~PAGE_MASK;
			size_t n = min_t(size_t, PAGE_SIZE - off, len - done);
			void *kaddr = kmap_local_page(pages[i]);

			memcpy(buf + done, kaddr + off, n);
			kunmap_local(kaddr);
			done += n;
			addr += n;
		}
		acc_put_pages(pages, got);
		if (done < len && fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
	return done ? done : err;
}

static long acc_write(struct mm_struct *mm, unsigned long addr, const void *buf, size_t len,
		      unsigned int gup_flags)
{
	unsigned long start = addr & PAGE_MASK;
	unsigned long npages = DIV_ROUND_UP((addr & ~PAGE_MASK) + len, PAGE_SIZE);
	struct page *few[ACC_BATCH], **pages = few;
	unsigned long held = 0, i;
	size_t done = 0;
	long err = 0;

	if (npages > ACC_BATCH) {
		pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
		if (!pages)
			return -ENOMEM;
	}
	/* Phase 1: fault in (and un-share) every page; nothing is written yet. */
	while (held < npages) {
		long got = acc_get_pages(mm, start + held * PAGE_SIZE, npages - held,
					 gup_flags, pages + held);

		if (got < 0) {
			err = got;
			goto out_put;
		}
		held += got;
		if (held < npages && fatal_signal_pending(current)) {
			err = -EINTR;
			goto out_put;
		}
	}
	/* Phase 2: every page is held; the copy cannot fail. */
	for (i = 0; i < npages; i++) {
		size_t off = addr & ~PAGE_MASK;
		size_t n = min_t(size_t, PAGE_SIZE - off, len - done);
		void *kaddr = kmap_local_page(pages[i]);

		memcpy(kaddr + off, buf + done, n);
		flush_dcache_page(pages[i]);
		kunmap_local(kaddr);
		done += n;
		addr += n;
	}
out_put:
	/* Marks them dirty (set_page_dirty_lock()) when the copy was made. */
	acc_unpin_pages(pages, held, !err);
	if (pages != few)
		kvfree(pages);
	return err ? err : (long)len;
}

long vms_access(struct mm_struct *mm, unsigned long addr, void *buf, size_t len,
		unsigned int flags)
{
	unsigned int gup_flags = 0;

	if (flags & ~(VMS_ACC_WRITE | VMS_ACC_FORCE | VMS_ACC_NOWAIT))
		return -EINVAL;
	if (!len)
		return 0;
	if (len > VMS_ACC_MAX)
		return -E2BIG;
	if (addr >= TASK_SIZE_MAX || len > TASK_SIZE_MAX - addr)
		return -EFAULT;
	if (flags & VMS_ACC_FORCE)
		gup_flags |= FOLL_FORCE;
	if (flags & VMS_ACC_NOWAIT)
		gup_flags |= FOLL_NOWAIT;
	if (flags & VMS_ACC_WRITE)
		return acc_write(mm, addr, buf, len, gup_flags | FOLL_WRITE);
	return acc_read(mm, addr, buf, len, gup_flags);
}

/*
 * Compare-and-write: when the len bytes at addr are old, make them new;
 * otherwise change nothing.  The bytes are first compared through a plain
 * read, so a mismatch breaks no copy-on-write (a refused undo must not
 * leave a private copy of a file page behind).  When they match, every
 * page is pinned for writing (COW broken first, as for a write) and
 * locked, the bytes compared again, then written.  Holding the page locks makes it all or nothing against other
 * writers that lock pages (another vmscope write or compare, truncation,
 * migration); the process's own stores do not lock pages and can still
 * race with it, as with any debugger.  The kfuncs' rules hold (nowait:
 * trylocks, FOLL_NOWAIT).  Returns len, -ECANCELED (the bytes differ), or
 * -errno.
 */
long vms_cmpxchg(struct mm_struct *mm, unsigned long addr, const void *old, const void *new,
		 size_t len, unsigned int flags)
{
	unsigned int gup_flags = FOLL_WRITE | FOLL_NOWAIT;
	unsigned long start = addr & PAGE_MASK, npages, held = 0, locked = 0, i;
	struct page *few[ACC_BATCH], **pages = few;
	size_t done;
	long err = 0;

	if (flags & ~VMS_ACC_FORCE)
		return -EINVAL;
	if (!len)
		return 0;
	if (len > VMS_ACC_MAX)
		return -E2BIG;
	if (addr >= TASK_SIZE_MAX || len > TASK_SIZE_MAX - addr)
		return -EFAULT;
	if (flags & VMS_ACC_FORCE)
		gup_flags |= FOLL_FORCE;
	{
		/* The first comparison, with read references only. */
		void *cur = kvmalloc(len, GFP_KERNEL);
		long n;

		if (!cur)
			return -ENOMEM;
		n = acc_read(mm, addr, cur, len, (gup_flags & FOLL_FORCE) | FOLL_NOWAIT);
		if (n >= 0 && (size_t)n < len) {
			/* Short: the next byte says why (-EFAULT), or it reads now (ask again). */
			n = acc_read(mm, addr + n, cur + n, 1, (gup_flags & FOLL_FORCE) | FOLL_NOWAIT);
			err = n < 0 ? n : -EAGAIN;
		} else {
			err = n < 0 ? n : memcmp(cur, old, len) ? -ECANCELED : 0;
		}
		kvfree(cur);
		if (err)
			return err;
	}
	npages = DIV_ROUND_UP((addr & ~PAGE_MASK) + len, PAGE_SIZE);
	if (npages > ACC_BATCH) {
		pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
		if (!pages)
			return -ENOMEM;
	}
	while (held < npages) {
		long got = acc_get_pages(mm, start + held * PAGE_SIZE, npages - held, gup_flags,
					 pages + held);

		if (got < 0) {
			err = got;
			goto out;
		}
		held += got;
	}
	/* Page locks in address order, never waited for (rule 5). */
	for (locked = 0; locked < npages; locked++) {
		if (!trylock_page(pages[locked])) {
			err = -EAGAIN;
			goto out;
		}
	}
	for (i = 0, done = 0; i < npages && !err; i++) {
		size_t off = i ? 0 : addr & ~PAGE_MASK;
		size_t n = min_t(size_t, PAGE_SIZE - off, len - done);
		void *kaddr = kmap_local_page(pages[i]);

		if (memcmp(kaddr + off, old + done, n))
			err = -ECANCELED;
		kunmap_local(kaddr);
		done += n;
	}
	for (i = 0, done = 0; i < npages && !err; i++) {
		size_t off = i ? 0 : addr & ~PAGE_MASK;
		size_t n = min_t(size_t, PAGE_SIZE - off, len - done);
		void *kaddr = kmap_local_page(pages[i]);

		memcpy(kaddr + off, new + done, n);
		flush_dcache_page(pages[i]);
		kunmap_local(kaddr);
		done += n;
	}
out:
	while (locked)
		unlock_page(pages[--locked]);
	acc_unpin_pages(pages, held, !err);
	if (pages != few)
		kvfree(pages);
	return err ? err : (long)len;
}
