/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/vmscope: a buffer of kernel pages shared with user space by mmap.
 * Shared by the module, the CLI and the tests.  Field comments say (in) or
 * (out) from the kernel's point of view; value 0 is never a valid constant.
 */
#ifndef VMSCOPE_DEV_UAPI_H
#define VMSCOPE_DEV_UAPI_H

#ifdef __KERNEL__
#include <linux/ioctl.h>
#include <linux/types.h>
#else
#include <sys/ioctl.h>
#include <linux/types.h>
#endif

#define VMS_DEV_PATH		"/dev/vmscope"

/* Buffer size in pages: default, and the most one open file may ask for. */
#define VMS_DEV_DEFAULT_PAGES	16
#define VMS_DEV_MAX_PAGES	1024	/* 4 MiB: the largest kmalloc() */

/*
 * Every page of a fresh buffer starts with these four bytes, then the page
 * index as a 32-bit little-endian number; the rest is zero.
 */
#define VMS_DEV_SIG0		0xaa
#define VMS_DEV_SIG1		0xbb
#define VMS_DEV_SIG2		0xcc
#define VMS_DEV_SIG3		0xdd
#define VMS_DEV_SIG_LEN		8	/* signature + index */

/* How the buffer is allocated and mapped (the three methods of the labs). */
enum vms_dev_backing {
	VMS_DEV_KMALLOC = 1,	/* one contiguous kmalloc(), one remap_pfn_range() */
	VMS_DEV_VMALLOC,	/* vmalloc_user(), mapped page by page (vmalloc_to_pfn) */
	VMS_DEV_PAGES,		/* one alloc_page() per page, mapped page by page */
};

/* VMS_DEV_IOC_SET_PAGES: before the buffer exists (first mmap/read/write). */
struct vms_dev_pages {
	__u64 pages;		/* (in) 1..VMS_DEV_MAX_PAGES */
};

/* VMS_DEV_IOC_SET_BACKING: before the buffer exists. */
struct vms_dev_backing_arg {
	__u64 backing;		/* (in) enum vms_dev_backing */
};

/* vms_dev_info.flags */
#define VMS_DEV_F_ALLOCATED	(1u << 0)	/* the buffer exists */
#define VMS_DEV_F_MAPPED	(1u << 1)	/* it has been mmap()ed at least once */
#define VMS_DEV_F_PFNS		(1u << 2)	/* pfns[] was filled in */
#define VMS_DEV_F_PFN_HIDDEN	(1u << 3)	/* PFNs asked for without CAP_SYS_ADMIN */

/* VMS_DEV_IOC_INFO */
struct vms_dev_info {
	__u64 pages;		/* (out) buffer size in pages */
	__u64 size;		/* (out) buffer size in bytes */
	__u64 backing;		/* (out) enum vms_dev_backing */
	__u64 flags;		/* (out) VMS_DEV_F_* */
	__u64 pfns;		/* (in) user pointer to __u64[pfn_count], or 0 */
	__u64 pfn_count;	/* (in) entries at pfns; filled up to pages */
	__u64 reserved[2];	/* (in) must be zero */
};

/*
 * 0xBD: no other driver's (Documentation/userspace-api/ioctl/ioctl-number.rst
 * lists none).  Setters only pass data in (_IOW); INFO reads pfns and
 * pfn_count in and writes the rest back (_IOWR).
 */
#define VMS_DEV_IOC_MAGIC	0xBD
#define VMS_DEV_IOC_SET_PAGES	_IOW(VMS_DEV_IOC_MAGIC, 1, struct vms_dev_pages)
#define VMS_DEV_IOC_SET_BACKING	_IOW(VMS_DEV_IOC_MAGIC, 2, struct vms_dev_backing_arg)
#define VMS_DEV_IOC_INFO	_IOWR(VMS_DEV_IOC_MAGIC, 3, struct vms_dev_info)

#endif /* VMSCOPE_DEV_UAPI_H */
