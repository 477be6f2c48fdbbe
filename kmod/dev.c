// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmscope: each open file owns a buffer of kernel pages that mmap()
 * shares with user space and read()/write() reach as a file.
 *
 * Lifetime: the buffer is refcounted.  The open file holds one reference
 * and every VMA mapping it holds one (taken in mmap and vm_ops->open on
 * fork/split/mremap, dropped in vm_ops->close), so it outlives close() of
 * the fd for as long as any mapping exists.  The module cannot go away
 * under a mapping: vma->vm_file holds the struct file, whose f_op (ours,
 * .owner = THIS_MODULE) keeps a module reference until the last fput().
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "vmscope.h"
#include "vmscope_dev_uapi.h"
#include "compat.h"

struct vms_buf {
	struct kref ref;
	enum vms_dev_backing backing;
	unsigned long npages;
	void *kaddr;		/* KMALLOC, VMALLOC: the whole buffer */
	struct page **pages;	/* PAGES: one order-0 page each */
};

struct vms_file {
	struct mutex lock;	/* settings and the buffer pointer */
	unsigned long npages;
	enum vms_dev_backing backing;
	struct vms_buf *buf;	/* NULL until first mmap/read/write */
	bool mapped;
};

static void *vms_buf_page(struct vms_buf *buf, unsigned long idx)
{
	if (buf->backing == VMS_DEV_PAGES)
		return page_address(buf->pages[idx]);	/* GFP_KERNEL: never highmem */
	return buf->kaddr + idx * PAGE_SIZE;
}

static unsigned long vms_buf_pfn(struct vms_buf *buf, unsigned long idx)
{
	switch (buf->backing) {
	case VMS_DEV_KMALLOC:
		return page_to_pfn(virt_to_page(buf->kaddr)) + idx;
	case VMS_DEV_VMALLOC:
		return vmalloc_to_pfn(buf->kaddr + idx * PAGE_SIZE);
	case VMS_DEV_PAGES:
		return page_to_pfn(buf->pages[idx]);
	}
	return 0;
}

static void vms_buf_free(struct vms_buf *buf)
{
	unsigned long i;

	switch (buf->backing) {
	case VMS_DEV_KMALLOC:
		kfree(buf->kaddr);
		break;
	case VMS_DEV_VMALLOC:
		vfree(buf->kaddr);
		break;
	case VMS_DEV_PAGES:
		for (i = 0; buf->pages && i < buf->npages && buf->pages[i]; i++)
			__free_page(buf->pages[i]);
		kvfree(buf->pages);
		break;
	}
	kfree(buf);
}

static void vms_buf_release(struct kref *ref)
{
	vms_buf_free(container_of(ref, struct vms_buf, ref));
}

static void vms_buf_put(struct vms_buf *buf)
{
	kref_put(&buf->ref, vms_buf_release);
}

static struct vms_buf *vms_buf_alloc(unsigned long npages,
				     enum vms_dev_backing backing)
{
	size_t size = npages * PAGE_SIZE;
	struct vms_buf *buf;
	unsigned long i;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	kref_init(&buf->ref);
	buf->backing = backing;
	buf->npages = npages;

	switch (backing) {
	case VMS_DEV_KMALLOC:
		/* Page-sized multiples come page-aligned (slab or page allocator). */
		buf->kaddr = kzalloc(size, GFP_KERNEL | __GFP_NOWARN);
		if (buf->kaddr && !PAGE_ALIGNED(buf->kaddr)) {
			kfree(buf->kaddr);
			buf->kaddr = NULL;
		}
		break;
	case VMS_DEV_VMALLOC:
		buf->kaddr = vmalloc_user(size);
		break;
	case VMS_DEV_PAGES:
		buf->pages = kvcalloc(npages, sizeof(*buf->pages), GFP_KERNEL);
		if (!buf->pages)
			break;
		for (i = 0; i < npages; i++) {
			buf->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
			if (!buf->pages[i]) {
				vms_buf_free(buf);	/* frees the pages before i */
				return NULL;
			}
		}
		break;
	}
	/* Every backing keeps its memory behind kaddr or pages: none, no buffer. */
	if (!buf->kaddr && !buf->pages) {
		kfree(buf);
		return NULL;
	}

	for (i = 0; i < npages; i++) {
		u8 *p = vms_buf_page(buf, i);

		p[0] = VMS_DEV_SIG0;
		p[1] = VMS_DEV_SIG1;
		p[2] = VMS_DEV_SIG2;
		p[3] = VMS_DEV_SIG3;
		put_unaligned_le32(i, p + 4);
	}
	return buf;
}

/* The file's buffer, allocated on first use with the file's settings. */
static struct vms_buf *vms_file_buf(struct vms_file *f)
{
	struct vms_buf *buf;

	mutex_lock(&f->lock);
	if (!f->buf)
		f->buf = vms_buf_alloc(f->npages, f->backing);
	buf = f->buf;
	mutex_unlock(&f->lock);
	return buf;
}

static int vms_dev_open(struct inode *inode, struct file *file)
{
	struct vms_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	f->npages = VMS_DEV_DEFAULT_PAGES;
	f->backing = VMS_DEV_KMALLOC;
	file->private_data = f;
	return 0;
}

static int vms_dev_release(struct inode *inode, struct file *file)
{
	struct vms_file *f = file->private_data;

	if (f->buf)
		vms_buf_put(f->buf);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static void vms_vm_open(struct vm_area_struct *vma)
{
	struct vms_buf *buf = vma->vm_private_data;

	kref_get(&buf->ref);
}

static void vms_vm_close(struct vm_area_struct *vma)
{
	vms_buf_put(vma->vm_private_data);
}

static const struct vm_operations_struct vms_vm_ops = {
	.open = vms_vm_open,
	.close = vms_vm_close,
};

static int vms_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vms_file *f = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long npages = len >> PAGE_SHIFT;
	unsigned long off = vma->vm_pgoff, end, i;
	struct vms_buf *buf;
	int err;

	/*
	 * A private mapping is allowed read-only, and stays so (no
	 * VM_MAYWRITE: mprotect() cannot add PROT_WRITE), as the labs'
	 * mmap(PROT_READ, MAP_PRIVATE) of a read-only open needs.  It then
	 * shows the shared buffer like a shared mapping does.  A writable
	 * private mapping would want copy-on-write copies of PFNMAP pages:
	 * refused.  VM_MAYSHARE, not VM_SHARED: the kernel clears VM_SHARED on
	 * a MAP_SHARED mapping of a file opened read-only.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EINVAL;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	buf = vms_file_buf(f);
	if (!buf)
		return -ENOMEM;
	if (check_add_overflow(off, npages, &end) || end > buf->npages)
		return -EINVAL;

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	if (buf->backing == VMS_DEV_KMALLOC) {
		err = remap_pfn_range(vma, vma->vm_start, vms_buf_pfn(buf, off),
				      len, vma->vm_page_prot);
	} else {
		err = 0;
		for (i = 0; i < npages && !err; i++)
			err = remap_pfn_range(vma, vma->vm_start + i * PAGE_SIZE,
					      vms_buf_pfn(buf, off + i), PAGE_SIZE,
					      vma->vm_page_prot);
	}
	/* On failure the core unmaps what was mapped; vm_ops are not set yet. */
	if (err)
		return err;

	kref_get(&buf->ref);
	vma->vm_private_data = buf;
	vma->vm_ops = &vms_vm_ops;
	mutex_lock(&f->lock);
	f->mapped = true;
	mutex_unlock(&f->lock);
	return 0;
}

static size_t vms_buf_size(struct vms_buf *buf)
{
	return buf->npages * PAGE_SIZE;
}

static ssize_t vms_dev_read(struct file *file, char __user *ubuf, size_t count,
			    loff_t *ppos)
{
	struct vms_buf *buf = vms_file_buf(file->private_data);
	loff_t pos = *ppos;
	size_t done = 0;

	if (!buf)
		return -ENOMEM;
	if (pos < 0)
		return -EINVAL;
	if (pos >= vms_buf_size(buf))
		return 0;
	count = min_t(size_t, count, vms_buf_size(buf) - pos);
	/* The buffer never changes once allocated: copy without the lock. */
	while (done < count) {
		unsigned long idx = (pos + done) >> PAGE_SHIFT;
		size_t in = offset_in_page(pos + done);
		size_t n = min_t(size_t, count - done, PAGE_SIZE - in);

		if (copy_to_user(ubuf + done, vms_buf_page(buf, idx) + in, n))
			break;
		done += n;
	}
	if (!done && count)
		return -EFAULT;
	*ppos = pos + done;
	return done;
}

static ssize_t vms_dev_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct vms_buf *buf = vms_file_buf(file->private_data);
	loff_t pos = *ppos;
	size_t done = 0;

	if (!buf)
		return -ENOMEM;
	if (pos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	if (pos >= vms_buf_size(buf))
		return -ENOSPC;
	count = min_t(size_t, count, vms_buf_size(buf) - pos);
	while (done < count) {
		unsigned long idx = (pos + done) >> PAGE_SHIFT;
		size_t in = offset_in_page(pos + done);
		size_t n = min_t(size_t, count - done, PAGE_SIZE - in);

		if (copy_from_user(vms_buf_page(buf, idx) + in, ubuf + done, n))
			break;
		done += n;
	}
	if (!done)
		return -EFAULT;
	*ppos = pos + done;
	return done;
}

static loff_t vms_dev_llseek(struct file *file, loff_t offset, int whence)
{
	struct vms_file *f = file->private_data;
	loff_t size;

	mutex_lock(&f->lock);
	size = (loff_t)(f->buf ? f->buf->npages : f->npages) * PAGE_SIZE;
	mutex_unlock(&f->lock);
	return fixed_size_llseek(file, offset, whence, size);
}

static long vms_dev_info(struct file *file, struct vms_dev_info __user *uarg)
{
	struct vms_file *f = file->private_data;
	struct vms_dev_info info;
	struct vms_buf *buf;
	u64 __user *upfns;
	unsigned long i, n;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return -EFAULT;
	if (info.reserved[0] || info.reserved[1])
		return -EINVAL;
	upfns = u64_to_user_ptr(info.pfns);

	mutex_lock(&f->lock);
	buf = f->buf;
	if (buf)
		kref_get(&buf->ref);
	info.pages = buf ? buf->npages : f->npages;
	info.backing = buf ? buf->backing : f->backing;
	info.flags = (buf ? VMS_DEV_F_ALLOCATED : 0) | (f->mapped ? VMS_DEV_F_MAPPED : 0);
	mutex_unlock(&f->lock);
	info.size = info.pages * PAGE_SIZE;

	if (buf && upfns && info.pfn_count) {
		if (!vms_may_see_phys(file)) {
			info.flags |= VMS_DEV_F_PFN_HIDDEN;
		} else {
			n = min_t(u64, info.pfn_count, buf->npages);
			for (i = 0; i < n; i++) {
				if (put_user((u64)vms_buf_pfn(buf, i), upfns + i)) {
					vms_buf_put(buf);
					return -EFAULT;
				}
			}
			info.flags |= VMS_DEV_F_PFNS;
		}
	}
	if (buf)
		vms_buf_put(buf);
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long vms_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vms_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct vms_dev_backing_arg b;
	struct vms_dev_pages p;
	long err = 0;

	switch (cmd) {
	case VMS_DEV_IOC_SET_PAGES:
		if (copy_from_user(&p, uarg, sizeof(p)))
			return -EFAULT;
		if (!p.pages || p.pages > VMS_DEV_MAX_PAGES)
			return -EINVAL;
		mutex_lock(&f->lock);
		if (f->buf)
			err = -EBUSY;
		else
			f->npages = p.pages;
		mutex_unlock(&f->lock);
		return err;
	case VMS_DEV_IOC_SET_BACKING:
		if (copy_from_user(&b, uarg, sizeof(b)))
			return -EFAULT;
		if (b.backing != VMS_DEV_KMALLOC && b.backing != VMS_DEV_VMALLOC &&
		    b.backing != VMS_DEV_PAGES)
			return -EINVAL;
		mutex_lock(&f->lock);
		if (f->buf)
			err = -EBUSY;
		else
			f->backing = b.backing;
		mutex_unlock(&f->lock);
		return err;
	case VMS_DEV_IOC_INFO:
		return vms_dev_info(file, uarg);
	}
	return -ENOTTY;
}

static const struct file_operations vms_dev_fops = {
	.owner = THIS_MODULE,
	.open = vms_dev_open,
	.release = vms_dev_release,
	.mmap = vms_dev_mmap,
	.read = vms_dev_read,
	.write = vms_dev_write,
	.llseek = vms_dev_llseek,
	.unlocked_ioctl = vms_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice vms_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vmscope",
	.fops = &vms_dev_fops,
	.mode = 0600,
};

int vms_dev_init(void)
{
	return misc_register(&vms_miscdev);
}

void vms_dev_exit(void)
{
	misc_deregister(&vms_miscdev);
}
