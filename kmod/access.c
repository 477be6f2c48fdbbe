// SPDX-License-Identifier: GPL-2.0
/*
 * Reading and writing another process's memory through the fault path,
 * the way /proc/PID/mem does (access_remote_vm() is not exported on 6.12).
 *
 * Writes take each page with get_user_pages_remote(FOLL_WRITE), which
 * breaks copy-on-write first: a private file page, a page still shared with
 * a fork child, a KSM page or the zero page is replaced by a private copy
 * before a byte changes.  A PFN found by a page walk is never written.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/signal.h>
#include "vmscope.h"

/* Pages taken per get_user_pages_remote() call for reads. */
#define ACC_BATCH	16
/* Drop mmap_lock this often so a writer (munmap, mprotect) is not starved. */
#define ACC_RELOCK_PAGES	1024

long vms_access(struct mm_struct *mm, unsigned long addr, void *buf,
		size_t len, unsigned int flags)
{
	unsigned int gup_flags = 0;
	struct page *pages[ACC_BATCH];
	bool write = flags & VMS_ACC_WRITE;
	unsigned long since_relock = 0;
	size_t done = 0;
	long err = 0;

	if (flags & ~(VMS_ACC_WRITE | VMS_ACC_FORCE))
		return -EINVAL;
	if (!len)
		return 0;
	if (addr >= TASK_SIZE_MAX || len > TASK_SIZE_MAX - addr)
		return -EFAULT;
	if (write)
		gup_flags |= FOLL_WRITE;
	if (flags & VMS_ACC_FORCE)
		gup_flags |= FOLL_FORCE;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	while (done < len) {
		unsigned long start = addr & PAGE_MASK;
		struct vm_area_struct *vma;
		unsigned long nr;
		long got, i;

		/*
		 * GUP on an address below a stack VMA warns with a stack dump
		 * ("GUP no longer grows the stack"): look the VMA up first,
		 * like __access_remote_vm(), and never expand the stack.
		 */
		vma = vma_lookup(mm, addr);
		if (!vma) {
			err = -EFAULT;
			break;
		}
		/* Writes go one page at a time; reads batch within the VMA. */
		nr = 1;
		if (!write) {
			unsigned long last = min_t(unsigned long, vma->vm_end - 1,
						   addr + (len - done) - 1);

			nr = min_t(unsigned long, ACC_BATCH,
				   ((last - start) >> PAGE_SHIFT) + 1);
		}
		got = get_user_pages_remote(mm, start, nr, gup_flags, pages, NULL);
		if (got <= 0) {
			err = got ? got : -EFAULT;
			break;
		}
		for (i = 0; i < got; i++) {
			size_t off = addr & ~PAGE_MASK;
			size_t n = min_t(size_t, PAGE_SIZE - off, len - done);
			void *kaddr = kmap_local_page(pages[i]);

			if (write) {
				memcpy(kaddr + off, buf + done, n);
				flush_dcache_page(pages[i]);
			} else {
				memcpy(buf + done, kaddr + off, n);
			}
			kunmap_local(kaddr);
			if (write)
				set_page_dirty_lock(pages[i]);
			put_page(pages[i]);
			done += n;
			addr += n;
		}
		since_relock += got;
		if (done >= len)
			break;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		if (since_relock >= ACC_RELOCK_PAGES) {
			since_relock = 0;
			mmap_read_unlock(mm);
			cond_resched();
			if (mmap_read_lock_killable(mm))
				return done ? done : -EINTR;
		}
	}
	mmap_read_unlock(mm);
	return done ? done : err;
}
