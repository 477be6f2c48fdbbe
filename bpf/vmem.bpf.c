// SPDX-License-Identifier: GPL-2.0
/*
 * SEC("syscall") programs that drive the module's memory kfuncs: VMA
 * lookups, page walks, range walks, reads and writes.  Each run does one
 * batch in the kernel; arguments and results live in .bss and the data
 * in the bufs map, both mmapped by user space, so bytes and records reach
 * the CLI without another copy.
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

/*
 * The buffers live in a mmapable array map, not in .bss: a light
 * skeleton carries .bss's initial bytes in its loader blob, and 2 MiB of
 * zeros there cost every one-shot command a copy and a map update.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct vmem_bufs);
} bufs SEC(".maps");

static __always_inline struct vmem_bufs *get_bufs(void)
{
	__u32 zero = 0;
	struct vmem_bufs *b = bpf_map_lookup_elem(&bufs, &zero);

	if (!b)
		ret = -12;	/* -ENOMEM; an array's only entry is always there */
	return b;
}

/* The module's ABI, asked first: a module of another ABI is not driven. */
SEC("syscall")
int abi(void *ctx)
{
	ret = vmscope_abi_version();
	return 0;
}

SEC("syscall")
int find_vmas(void *ctx)
{
	struct vmem_bufs *b = get_bufs();

	if (!b)
		return 0;
	ret = vmscope_find_vmas(pid, b->buf, VMEM_BUF_SIZE);
	return 0;
}

SEC("syscall")
int walk(void *ctx)
{
	__u64 n = len;	/* 64-bit, so the bounds below hold for the call */
	struct vmem_bufs *b = get_bufs();

	if (!b)
		return 0;
	if (n == 0 || n > VMEM_BUF_SIZE / sizeof(struct vms_walk)) {
		ret = -22;	/* -EINVAL */
		return 0;
	}
	ret = vmscope_walk(pid, b->buf, n * sizeof(struct vms_walk));
	return 0;
}

SEC("syscall")
int walk_range(void *ctx)
{
	struct vmem_bufs *b = get_bufs();

	if (!b)
		return 0;
	ret = vmscope_walk_range(pid, b->buf, VMEM_BUF_SIZE);
	return 0;
}

SEC("syscall")
int mem_read(void *ctx)
{
	__u64 n = len;
	struct vmem_bufs *b = get_bufs();

	if (!b)
		return 0;
	if (n == 0 || n > VMEM_BUF_SIZE) {
		ret = n ? -7 : 0;	/* -E2BIG */
		return 0;
	}
	ret = vmscope_read(pid, addr, b->buf, n);
	return 0;
}

SEC("syscall")
int mem_write(void *ctx)
{
	__u64 n = len;
	struct vmem_bufs *b = get_bufs();

	if (!b)
		return 0;
	if (n == 0 || n > VMEM_WBUF_SIZE) {
		ret = n ? -7 : 0;
		return 0;
	}
	if (wflags & VMEM_W_SHOW)
		ret_old = vmscope_read(pid, addr, b->wold, n);
	ret = vmscope_write(pid, addr, b->wbuf, n, flags);
	if (wflags & VMEM_W_SHOW)
		ret_new = vmscope_read(pid, addr, b->wnew, n);
	return 0;
}
