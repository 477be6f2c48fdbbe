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
 * Built whole (vmem) and as smaller objects of some of its programs
 * (VMEM_PROGS: vmem.h says why).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vmscope_kfuncs.h"
#include "vmem.h"

char LICENSE[] SEC("license") = "GPL";

#ifndef VMEM_PROGS
#define VMEM_PROGS	VMEM_P_ALL
#endif
#define HAS(p)		(VMEM_PROGS & VMEM_P_##p)
/* (An unknown VMEM_SET_ name is an error here, where #if would take it as 0.) */
_Static_assert((VMEM_PROGS) != 0, "VMEM_PROGS names no program");

#ifndef ENOMEM
#define ENOMEM	12
#define EINVAL	22
#define E2BIG	7
#define EPERM	1
#endif
#ifndef EFAULT
#define EFAULT	14
#endif
#ifndef EAGAIN
#define EAGAIN	11
#endif

/* Arguments and results, one struct so that every object has one layout. */
struct vmem_io io;

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
		io.ret = -ENOMEM;	/* an array's only entry is always there */
	return b;
}

/* The token of this run for io.pid, or NULL with io.ret set to why not. */
static __always_inline struct vms_call *begin(void)
{
	int err = 0;
	struct vms_call *c = vmscope_call_begin(io.pid, &err);

	if (!c)
		io.ret = err ? err : -EPERM;
	return c;
}

/*
 * The module's ABI, through its kfunc: only in the whole object.  The
 * smaller ones leave the kfunc out (each module kfunc costs a load a BTF
 * name lookup); user space reads the module's abi parameter instead,
 * while the loaded programs keep the module from being replaced
 * (user/vmem.c, vmem_abi()).
 */
#if VMEM_PROGS == VMEM_P_ALL
SEC("syscall")
int abi(void *ctx)
{
	io.ret = vmscope_abi_version();
	return 0;
}
#endif

#if HAS(FIND)
SEC("syscall")
int find_vmas(void *ctx)
{
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b || !(c = begin()))
		return 0;
	io.ret = vmscope_find_vmas(c, b->buf, VMEM_BUF_SIZE);
	vmscope_call_end(c);
	return 0;
}
#endif

#if HAS(WALK)
SEC("syscall")
int walk(void *ctx)
{
	__u64 n = io.len;	/* 64-bit, so the bounds below hold for the call */
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b)
		return 0;
	if (n == 0 || n > VMEM_BUF_SIZE / sizeof(struct vms_walk)) {
		io.ret = -EINVAL;
		return 0;
	}
	c = begin();
	if (!c)
		return 0;
	io.ret = vmscope_walk(c, b->buf, n * sizeof(struct vms_walk));
	vmscope_call_end(c);
	return 0;
}
#endif

#if HAS(RANGE)
SEC("syscall")
int walk_range(void *ctx)
{
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b || !(c = begin()))
		return 0;
	io.ret = vmscope_walk_range(c, b->buf, VMEM_BUF_SIZE);
	vmscope_call_end(c);
	return 0;
}
#endif

#if HAS(READ)
SEC("syscall")
int mem_read(void *ctx)
{
	__u64 n = io.len;
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b)
		return 0;
	if (n == 0 || n > VMEM_BUF_SIZE) {
		io.ret = n ? -E2BIG : 0;
		return 0;
	}
	c = begin();
	if (!c)
		return 0;
	io.ret = vmscope_read(c, io.addr, b->buf, n);
	vmscope_call_end(c);
	return 0;
}
#endif

#if HAS(WRITE)
SEC("syscall")
int mem_write(void *ctx)
{
	__u64 n = io.len;
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b)
		return 0;
	io.ret_old = 0;		/* this run's, not an earlier one's */
	io.ret_new = 0;
	if (n == 0 || n > VMEM_WBUF_SIZE) {
		io.ret = n ? -E2BIG : 0;
		return 0;
	}
	c = begin();
	if (!c)
		return 0;
	if (io.wflags & VMEM_W_SHOW)
		io.ret_old = vmscope_read(c, io.addr, b->wold, n);
	io.ret = vmscope_write(c, io.addr, b->wbuf, n, io.flags);
	if (io.wflags & VMEM_W_SHOW)
		io.ret_new = vmscope_read(c, io.addr, b->wnew, n);
	vmscope_call_end(c);
	return 0;
}
#endif

/*
 * Compare-and-write: buf holds io.len old bytes, then io.len new ones.
 * With VMEM_W_OLD the old bytes are read there first, in this run (a
 * journaled write: no read program, no second run); nothing is written
 * unless all of them could be read.  With VMEM_W_SHOW the bytes after go
 * to wnew.
 */
#if HAS(CMPXCHG)
SEC("syscall")
int mem_cmpxchg(void *ctx)
{
	__u64 n = io.len;
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b)
		return 0;
	io.ret_old = 0;		/* this run's, not an earlier one's */
	io.ret_new = 0;
	if (n == 0 || n > VMEM_WBUF_SIZE) {
		io.ret = n ? -E2BIG : 0;
		return 0;
	}
	c = begin();
	if (!c)
		return 0;
	if (io.wflags & VMEM_W_OLD) {
		io.ret_old = vmscope_read(c, io.addr, b->buf, n);
		if (io.ret_old >= 0 && io.ret_old < (__s64)n) {
			/*
			 * Short: the next byte faults, or would have waited (the
			 * read stops there without saying which).  A read of it
			 * alone says: its error (-EAGAIN: run again, the fault
			 * started), or, if it is there now, run again.
			 */
			long r = vmscope_read(c, io.addr + io.ret_old, b->wold, 1);

			io.ret = r < 0 ? r : -EAGAIN;
			goto out;
		}
		if (io.ret_old < 0) {
			io.ret = io.ret_old;
			goto out;
		}
	}
	io.ret = vmscope_cmpxchg(c, io.addr, b->buf, 2 * n, io.flags);
	if (io.ret >= 0 && (io.wflags & VMEM_W_SHOW))
		io.ret_new = vmscope_read(c, io.addr, b->wnew, n);
out:
	vmscope_call_end(c);
	return 0;
}
#endif

#if HAS(SHARERS)
SEC("syscall")
int page_sharers(void *ctx)
{
	struct vmem_bufs *b = get_bufs();
	struct vms_call *c;

	if (!b || !(c = begin()))
		return 0;
	io.ret = vmscope_page_sharers(c, b->buf, VMEM_BUF_SIZE);
	vmscope_call_end(c);
	return 0;
}
#endif
