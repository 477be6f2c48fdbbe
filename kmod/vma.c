// SPDX-License-Identifier: GPL-2.0
/*
 * VMAs as /proc/PID/maps shows them: the one name function used by the
 * lookup kfunc and by /proc/mtest (it follows get_vma_name() in
 * fs/proc/task_mmu.c), and batched address-to-VMA lookups, many per
 * mmap_lock hold (PROCMAP_QUERY's COVERING_OR_NEXT mode), or chained into a
 * listing of every VMA in order.
 *
 * Names are built in a kernel buffer and copied into the caller's string
 * area once: that area is usually a BPF map that user space has mmapped,
 * and anything read back from it (a strlen, say) could run off its end.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "vmscope.h"
#include "compat.h"

/* Drop mmap_lock this often during a batch, so writers are not starved. */
#define FIND_RELOCK	256

const char *vms_vma_name(struct vm_area_struct *vma, char *buf, size_t size,
			 u32 *kind, u32 *rflags)
{
	const char *anon = vms_vma_anon_name(vma);
	char *p;

	mmap_assert_locked(vma->vm_mm);
	*kind = VMS_NAME_NONE;
	*rflags = 0;
	if (vma->vm_file) {
		if (anon) {
			*kind = VMS_NAME_ANON_SHMEM;
			if (snprintf(buf, size, "[anon_shmem:%s]", anon) >= size)
				*rflags |= VMS_R_NAME_TRUNC;
			return buf;
		}
		*kind = VMS_NAME_FILE;
		p = d_path(vms_file_user_path(vma->vm_file), buf, size);
		if (IS_ERR(p)) {
			*rflags |= PTR_ERR(p) == -ENAMETOOLONG ? VMS_R_NAME_TRUNC : VMS_R_NAME_ERR;
			return "";
		}
		return p;
	}
	if (vma->vm_ops && vma->vm_ops->name) {
		const char *name = vma->vm_ops->name(vma);

		if (name) {
			*kind = VMS_NAME_SPECIAL;
			return name;
		}
	}
	if (vms_vma_is_heap(vma)) {
		*kind = VMS_NAME_HEAP;
		return "[heap]";
	}
	if (vms_vma_is_stack(vma)) {
		*kind = VMS_NAME_STACK;
		return "[stack]";
	}
	if (anon) {
		*kind = VMS_NAME_ANON;
		if (snprintf(buf, size, "[anon:%s]", anon) >= size)
			*rflags |= VMS_R_NAME_TRUNC;
		return buf;
	}
	return "";
}

static void fill(struct vm_area_struct *vma, struct vms_vma *r)
{
	struct file *file = vma->vm_file;

	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->vm_flags = vma->vm_flags;
	if (file) {
		const struct inode *inode = vms_file_user_inode(file);

		r->pgoff = (u64)vma->vm_pgoff << PAGE_SHIFT;
		r->dev = inode->i_sb->s_dev;
		r->ino = inode->i_ino;
	}
}

int vms_find_vmas(struct mm_struct *mm, struct vms_vmainfo *vi, u32 n, unsigned int flags,
		  bool nowait, char *str, u32 str_room, u32 *str_len, u32 *found)
{
	struct file *last_file = NULL;
	u32 last_off = 0, last_len = 0, pos = 0, i;
	bool chain = flags & VMS_FIND_CHAIN;
	u64 next = 0;		/* chain: where record i looks (the last VMA's end) */
	bool seek = true;	/* chain: vmi must be set to addr (first, or relocked) */
	VMA_ITERATOR(vmi, mm, 0);
	char *kbuf = NULL;
	u8 mm_rflags = chain && vms_mm_has_vsyscall(mm) ? VMS_R_MM_VSYSCALL : 0;
	int err = 0;

	*str_len = 0;
	*found = 0;
	if (flags & ~VMS_FIND_FLAGS)
		return -EINVAL;
	if (flags & VMS_FIND_NAME) {
		kbuf = kmalloc(VMS_NAME_MAX, GFP_KERNEL);
		if (!kbuf)
			return -ENOMEM;
	}
	err = vms_mmap_read_lock(mm, nowait);
	if (err) {
		kfree(kbuf);
		return err;
	}
	for (i = 0; i < n; i++) {
		u64 addr = chain && i ? next : READ_ONCE(vi[i].addr);
		struct vm_area_struct *vma;
		struct vms_vmainfo k = { .addr = addr };

		if (i && !(i % FIND_RELOCK)) {
			mmap_read_unlock(mm);
			if (fatal_signal_pending(current)) {
				err = -EINTR;
				goto out_unlocked;
			}
			cond_resched();
			err = vms_mmap_read_lock(mm, nowait);
			if (err)
				goto out_unlocked;	/* the caller asks again from i */
			last_file = NULL;	/* it may be gone: never compare stale pointers */
			seek = true;		/* and the tree may have changed */
		}
		if (addr >= TASK_SIZE_MAX) {
			vma = NULL;
		} else if (chain) {
			/* The VMA after the last one, without a walk from the root. */
			if (seek)
				mas_set(&vmi.mas, addr);
			seek = false;
			vma = vma_next(&vmi);
		} else {
			vma = find_vma(mm, addr);
		}
		if (!vma) {
			/* A listing ends at the top too (a VMA may end there). */
			k.err = addr < TASK_SIZE_MAX || chain ? -ENOENT : -EFAULT;
			memcpy(&vi[i], &k, sizeof(k));
			if (chain) {
				i++;	/* the listing is complete: this record says so */
				break;
			}
			continue;
		}
		fill(vma, &k.vma);
		k.vma.rflags = mm_rflags;
		next = vma->vm_end;
		if (kbuf) {
			u32 kind, rflags, len;
			const char *name;

			if (vma->vm_file && vma->vm_file == last_file) {
				/* The same file maps several VMAs in a row: store it once. */
				k.vma.name_kind = VMS_NAME_FILE;
				k.vma.name_off = last_off;
				k.vma.name_len = last_len;
				goto done;
			}
			name = vms_vma_name(vma, kbuf, VMS_NAME_MAX, &kind, &rflags);
			len = strnlen(name, VMS_NAME_MAX - 1);
			k.vma.name_kind = kind;
			k.vma.rflags |= rflags;
			if (len && (u64)pos + len + 1 > str_room) {
				if (i)
					break;	/* full: the caller asks again from here */
				len = 0;	/* one name larger than the whole area */
				k.vma.rflags |= VMS_R_NAME_TRUNC;
			}
			if (len) {
				memcpy(str + pos, name, len);
				str[pos + len] = '\0';
				k.vma.name_off = pos;
				k.vma.name_len = len;
				pos += len + 1;
				if (kind == VMS_NAME_FILE && !rflags) {
					last_file = vma->vm_file;
					last_off = k.vma.name_off;
					last_len = len;
				}
			}
		}
done:
		memcpy(&vi[i], &k, sizeof(k));
		(*found)++;
	}
	mmap_read_unlock(mm);
out_unlocked:
	kfree(kbuf);
	*str_len = pos;
	if (err && !i)
		return err;
	return i;
}
