// SPDX-License-Identifier: GPL-2.0
/*
 * Address to VMA lookups, many per mmap_lock hold: the fields of a
 * /proc/PID/maps line for the VMA covering an address or the next one
 * (PROCMAP_QUERY's COVERING_OR_NEXT mode).  The name follows get_vma_name()
 * in fs/proc/task_mmu.c.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include "vmscope.h"

static void copy_name(struct vms_vmainfo *vi, char *name, const char *s, u32 kind)
{
	if (strscpy(name, s, VMS_VI_NAME_LEN) < 0)
		vi->rflags |= VMS_R_NAME_TRUNC;
	vi->name_kind = kind;
}

static void vma_name(struct vm_area_struct *vma, struct vms_vmainfo *vi, char *buf)
{
	const char *name;

	if (vma->vm_file) {
		char *p = d_path(file_user_path(vma->vm_file), buf, VMS_VI_NAME_LEN);

		vi->name_kind = VMS_NAME_FILE;
		if (IS_ERR(p)) {
			vi->rflags |= PTR_ERR(p) == -ENAMETOOLONG ? VMS_R_NAME_TRUNC :
								    VMS_R_NAME_ERR;
			buf[0] = 0;
		} else {
			memmove(buf, p, strlen(p) + 1);
		}
		return;
	}
	if (vma->vm_ops && vma->vm_ops->name) {
		name = vma->vm_ops->name(vma);
		if (name)
			return copy_name(vi, buf, name, VMS_NAME_SPECIAL);
	}
	if (vma_is_initial_heap(vma))
		return copy_name(vi, buf, "[heap]", VMS_NAME_HEAP);
	if (vma_is_initial_stack(vma))
		return copy_name(vi, buf, "[stack]", VMS_NAME_STACK);
	/* CONFIG_ANON_VMA_NAME is off in Debian's 6.12: no [anon:NAME]. */
}

static void fill(struct vm_area_struct *vma, struct vms_vmainfo *vi, char *name)
{
	struct file *file = vma->vm_file;

	vi->start = vma->vm_start;
	vi->end = vma->vm_end;
	vi->vm_flags = vma->vm_flags;
	if (file) {
		struct inode *inode = file_inode(file);

		vi->pgoff = (u64)vma->vm_pgoff << PAGE_SHIFT;
		vi->dev = inode->i_sb->s_dev;
		vi->ino = inode->i_ino;
	}
	if (name)
		vma_name(vma, vi, name);
}

int vms_find_vmas(struct mm_struct *mm, struct vms_vmainfo *vi, u32 n,
		  char *names, unsigned int flags)
{
	int found = 0;
	u32 i;

	if (flags & ~VMS_FIND_NAME)
		return -EINVAL;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for (i = 0; i < n; i++) {
		u64 addr = vi[i].addr;
		struct vm_area_struct *vma;

		char *name = names ? names + (size_t)i * VMS_VI_NAME_LEN : NULL;

		memset(&vi[i], 0, sizeof(vi[i]));
		vi[i].addr = addr;
		if (name)
			name[0] = 0;
		vma = addr < TASK_SIZE_MAX ? find_vma(mm, addr) : NULL;
		if (!vma) {
			vi[i].err = addr < TASK_SIZE_MAX ? -ENOENT : -EFAULT;
			continue;
		}
		fill(vma, &vi[i], name);
		found++;
		if (!(i & 255) && fatal_signal_pending(current))
			break;
	}
	mmap_read_unlock(mm);
	return found;
}
