// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/maptest: the labs' mmap exercise (Project 3, task 2).  Each open of
 * the file gets one page from alloc_page(), filled with text that says
 * which page it is, and mmap() shares that page with user space through
 * remap_pfn_range(); read() returns the same text.  A write through the
 * mapping changes only that opener's page.
 *
 * Lifetime: a PFN map does not hold a reference on the page, so the page
 * must outlive every mapping of it, and the code that frees it must
 * outlive them too.  A proc file's f_op is procfs's own, which pins no
 * module, so mmap() gives the VMA a file of the module's own instead
 * (anon_inode_getfile() with .owner = THIS_MODULE, installed with
 * vma_set_file()): every VMA (fork and split take their own reference)
 * then holds that file, the file holds the page, and the module stays
 * loaded until the last of them is gone.  /proc/PID/maps therefore shows
 * the mapping as "anon_inode:[vmscope-maptest]".  No vm_ops: nothing of
 * the module runs when a mapping goes away.
 *
 * The rules of /dev/vmscope: exactly one page at offset 0 (the length is
 * checked, VM_DONTEXPAND forbids growing it later), read-only private
 * mappings allowed and kept read-only, writable private ones refused.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "vmscope.h"
#include "compat.h"

struct mt_page {
	struct kref ref;
	struct page *page;
};

static atomic_t mt_opens = ATOMIC_INIT(0);

static void mt_release_page(struct kref *ref)
{
	struct mt_page *mp = container_of(ref, struct mt_page, ref);

	__free_page(mp->page);
	kfree(mp);
}

/* The page's text: who it is for, then numbered lines up to the last byte. */
static void mt_fill(struct mt_page *mp, unsigned int id)
{
	char *p = page_address(mp->page), comm[TASK_COMM_LEN];
	size_t off, line = 0;

	get_task_comm(comm, current);
	off = scnprintf(p, PAGE_SIZE, "vmscope /proc/maptest page #%u, opened by pid %d (%s)\n",
			id, task_tgid_vnr(current), comm);
	while (off + 32 < PAGE_SIZE)
		off += scnprintf(p + off, PAGE_SIZE - off, "maptest #%u line %04zu\n", id, ++line);
	memset(p + off, 0, PAGE_SIZE - off);	/* NUL-terminated text */
}

static int mt_open(struct inode *inode, struct file *file)
{
	struct mt_page *mp = kzalloc(sizeof(*mp), GFP_KERNEL);

	if (!mp)
		return -ENOMEM;
	mp->page = alloc_page(GFP_KERNEL);	/* never highmem: page_address() works */
	if (!mp->page) {
		kfree(mp);
		return -ENOMEM;
	}
	kref_init(&mp->ref);
	mt_fill(mp, atomic_inc_return(&mt_opens));
	file->private_data = mp;
	return 0;
}

static int mt_release(struct inode *inode, struct file *file)
{
	struct mt_page *mp = file->private_data;

	kref_put(&mp->ref, mt_release_page);
	return 0;
}

static ssize_t mt_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct mt_page *mp = file->private_data;

	return simple_read_from_buffer(buf, count, ppos, page_address(mp->page), PAGE_SIZE);
}

/* The mappings' own file: it holds the page and, through .owner, the module. */
static int mt_map_release(struct inode *inode, struct file *file)
{
	struct mt_page *mp = file->private_data;

	kref_put(&mp->ref, mt_release_page);
	return 0;
}

static const struct file_operations mt_map_fops = {
	.owner = THIS_MODULE,
	.release = mt_map_release,
};

static int mt_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mt_page *mp = file->private_data;
	struct file *mf;
	int err;

	if (vma->vm_pgoff != 0 || vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	if (!(vma->vm_flags & VM_MAYSHARE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EINVAL;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	kref_get(&mp->ref);	/* the mapping file's */
	mf = anon_inode_getfile("[vmscope-maptest]", &mt_map_fops, mp, O_RDWR);
	if (IS_ERR(mf)) {
		kref_put(&mp->ref, mt_release_page);
		return PTR_ERR(mf);
	}
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	err = remap_pfn_range(vma, vma->vm_start, page_to_pfn(mp->page), PAGE_SIZE,
			      vma->vm_page_prot);
	/* The VMA takes its own reference to mf; ours goes either way. */
	if (!err)
		vma_set_file(vma, mf);
	fput(mf);
	return err;
}

static const struct proc_ops mt_ops = {
	.proc_open = mt_open,
	.proc_release = mt_release,
	.proc_read = mt_read,
	.proc_lseek = default_llseek,
	.proc_mmap = mt_mmap,
};

/* World-readable: each opener gets a page of its own, and nothing else. */
int vms_maptest_init(void)
{
	return proc_create("maptest", 0444, NULL, &mt_ops) ? 0 : -ENOMEM;
}

void vms_maptest_exit(void)
{
	remove_proc_entry("maptest", NULL);
}
