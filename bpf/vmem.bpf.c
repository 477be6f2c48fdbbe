// SPDX-License-Identifier: GPL-2.0
/*
 * SEC("syscall") programs that drive the module's memory kfuncs: VMA
 * lookups, page walks, range walks, reads and writes.  Each run does one
 * batch in the kernel; arguments and results live in .bss and the data
 * in the bufs map, both mmapped by user space, so bytes and records reach
 * the CLI without another copy.
 * Every run takes a call token first and gives it back last (the module
 * refuses memory kfuncs without one: kmod/policy.c, rule 5).  A kfunc
 * that would have waited returns -EAGAIN, and user space runs the
 * program again.
 * User space loads this object only when the module's BTF has the kfuncs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vmscope_kfuncs.h"
#include "vmem.h"

char LICENSE[] SEC("license") = "GPL";

#ifndef ENOMEM
#define ENOMEM	12
#define EINVAL	22
#define E2BIG	7
#define EPERM	1
#endif

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
		ret = -ENOMEM;	/* an array's only entry is always there */
	return b;
}

/* The token of this run for pid, or NULL with ret set to why not. */
static __always_inline struct vms_call *begin(void)
{
	int err = 0;
	struct vms_call *c = vmscope_call_begin(pid, &err);

	if (!c)
		ret = err ? err : -EPERM;
	return c;
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
	struct vms_call *c;

	if (!b || !(c = begin()))
		return 0;
	ret = vmscope_find_vmas(c, b->buf, VMEM_BUF_SIZE);
	vmscope_call_end(c);
	return 0;
}

SEC("syscall")
int walk(void *ctx)
{
	__u64 n = len;	/* 64-bit, so the bounds below hold for the call */
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b)
		return 0;
	if (n == 0 || n > VMEM_BUF_SIZE / sizeof(struct vms_walk)) {
		ret = -EINVAL;
		return 0;
	}
	c = begin();
	if (!c)
		return 0;
	ret = vmscope_walk(c, b->buf, n * sizeof(struct vms_walk));
	vmscope_call_end(c);
	return 0;
}

SEC("syscall")
int walk_range(void *ctx)
{
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b || !(c = begin()))
		return 0;
	ret = vmscope_walk_range(c, b->buf, VMEM_BUF_SIZE);
	vmscope_call_end(c);
	return 0;
}

SEC("syscall")
int mem_read(void *ctx)
{
	__u64 n = len;
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b)
		return 0;
	if (n == 0 || n > VMEM_BUF_SIZE) {
		ret = n ? -E2BIG : 0;
		return 0;
	}
	c = begin();
	if (!c)
		return 0;
	ret = vmscope_read(c, addr, b->buf, n);
	vmscope_call_end(c);
	return 0;
}

SEC("syscall")
int mem_write(void *ctx)
{
	__u64 n = len;
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b)
		return 0;
	if (n == 0 || n > VMEM_WBUF_SIZE) {
		ret = n ? -E2BIG : 0;
		return 0;
	}
	c = begin();
	if (!c)
		return 0;
	if (wflags & VMEM_W_SHOW)
		ret_old = vmscope_read(c, addr, b->wold, n);
	ret = vmscope_write(c, addr, b->wbuf, n, flags);
	if (wflags & VMEM_W_SHOW)
		ret_new = vmscope_read(c, addr, b->wnew, n);
	vmscope_call_end(c);
	return 0;
}

/* Compare-and-write: buf holds len old bytes, then len new ones. */
SEC("syscall")
int mem_cmpxchg(void *ctx)
{
	__u64 n = len;
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b)
		return 0;
	if (n == 0 || n > VMEM_WBUF_SIZE) {
		ret = n ? -E2BIG : 0;
		return 0;
	}
	c = begin();
	if (!c)
		return 0;
	ret = vmscope_cmpxchg(c, addr, b->buf, 2 * n, flags);
	vmscope_call_end(c);
	return 0;
}

SEC("syscall")
int page_sharers(void *ctx)
{
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b || !(c = begin()))
		return 0;
	ret = vmscope_page_sharers(c, b->buf, VMEM_BUF_SIZE);
	vmscope_call_end(c);
	return 0;
}
