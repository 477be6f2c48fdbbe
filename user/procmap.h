/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PROCMAP_QUERY, the /proc/PID/maps ioctl of Linux 6.11
 * (include/uapi/linux/fs.h); bookworm's kernel headers predate it.
 */
#ifndef VMSCOPE_PROCMAP_H
#define VMSCOPE_PROCMAP_H

#include <linux/types.h>
#include <sys/ioctl.h>

struct vms_procmap_query {
	__u64 size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size;
	__u64 vma_offset, inode;
	__u32 dev_major, dev_minor, vma_name_size, build_id_size;
	__u64 vma_name_addr, build_id_addr;
};
#define VMS_PROCMAP_QUERY		_IOWR('f', 17, struct vms_procmap_query)
#define VMS_PQ_COVERING_OR_NEXT		0x10

#endif
