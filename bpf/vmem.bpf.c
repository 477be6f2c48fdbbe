// SPDX-License-Identifier: GPL-2.0
/*
 * SEC("syscall") programs that drive the module's memory kfuncs: VMA
 * lookups, page walks, range walks, reads and writes.  Each run does one
 * batch in the kernel; arguments and results live in .bss, which user
 * space mmaps, so bytes and records reach the CLI without another copy.
 * User space loads this object only when the module's BTF has the kfuncs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vmscope_kfuncs.h"
#include "vmem.h"

char LICENSE[] SEC("license") = "GPL";

/* in */
__s32 pid;
__u64 addr;
__u32 len;		/* bytes (read, write) or records (walk) */
__u32 flags;		/* write: VMS_WRITE_* */
__u32 wflags;		/* write: VMEM_W_* */
/* out */
__s64 ret;
__s64 ret_old;
__s64 ret_new;

__u8 buf[VMEM_BUF_SIZE];
__u8 wbuf[VMEM_WBUF_SIZE];
__u8 wold[VMEM_WBUF_SIZE];
__u8 wnew[VMEM_WBUF_SIZE];

SEC("syscall")
int find_vmas(void *ctx)
{
	ret = vmscope_find_vmas(pid, buf, VMEM_BUF_SIZE);
	return 0;
}

SEC("syscall")
int walk(void *ctx)
{
	__u64 n = len;	/* 64-bit, so the bounds below hold for the call */

	if (n == 0 || n > VMEM_BUF_SIZE / sizeof(struct vms_walk)) {
		ret = -22;	/* -EINVAL */
		return 0;
	}
	ret = vmscope_walk(pid, buf, n * sizeof(struct vms_walk));
	return 0;
}

SEC("syscall")
int walk_range(void *ctx)
{
	ret = vmscope_walk_range(pid, buf, VMEM_BUF_SIZE);
	return 0;
}

SEC("syscall")
int mem_read(void *ctx)
{
	__u64 n = len;

	if (n == 0 || n > VMEM_BUF_SIZE) {
		ret = n ? -7 : 0;	/* -E2BIG */
		return 0;
	}
	ret = vmscope_read(pid, addr, buf, n);
	return 0;
}

SEC("syscall")
int mem_write(void *ctx)
{
	__u64 n = len;

	if (n == 0 || n > VMEM_WBUF_SIZE) {
		ret = n ? -7 : 0;
		return 0;
	}
	if (wflags & VMEM_W_SHOW)
		ret_old = vmscope_read(pid, addr, wold, n);
	ret = vmscope_write(pid, addr, wbuf, n, flags);
	if (wflags & VMEM_W_SHOW)
		ret_new = vmscope_read(pid, addr, wnew, n);
	return 0;
}
