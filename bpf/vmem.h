/* SPDX-License-Identifier: GPL-2.0 */
/* Buffers shared by bpf/vmem.bpf.c and the CLI.  No libc here. */
#ifndef VMSCOPE_VMEM_H
#define VMSCOPE_VMEM_H

/* The data buffer: bytes read per run, range-walk records, lookups. */
#define VMEM_BUF_SIZE	(2u << 20)
/* Largest single write (old and new bytes are read back around it). */
#define VMEM_WBUF_SIZE	(64u << 10)

/* The value of the bufs map (one entry), mmapped by the CLI. */
struct vmem_bufs {
	unsigned char buf[VMEM_BUF_SIZE];
	unsigned char wbuf[VMEM_WBUF_SIZE];
	unsigned char wold[VMEM_WBUF_SIZE];
	unsigned char wnew[VMEM_WBUF_SIZE];
};

/* The programs' arguments and results: their object's .bss. */
struct vmem_io {
	/* in */
	__s32 pid;
	__u32 len;		/* bytes (read, write) or records (walk) */
	__u64 addr;
	__u32 flags;		/* write: VMS_WRITE_* */
	__u32 wflags;		/* write: VMEM_W_* */
	/* out */
	__s64 ret;
	__s64 ret_old;
	__s64 ret_new;
};

/*
 * The programs of bpf/vmem.bpf.c, as bits.  Loading an object costs the
 * kernel one BTF name lookup per module kfunc it calls, and where the
 * kernel's BTF is not sorted by name (6.18 and older) each lookup scans
 * the whole of vmlinux's BTF and then every module's: loading all 8 programs (10 kfuncs) took about 210 ms in
 * the 6.12 guest, abi and walk alone (4 kfuncs) about 55 ms.  So the
 * Makefile also builds the sets below as objects of their own (vmem_SET,
 * VMEM_PROGS set to the set), and a command loads the smallest object
 * that has the programs it runs (user/vmem.c, vmem_open_for()).  Only the
 * whole object has the abi program; with the others user space reads the
 * module's abi parameter (vmem_abi()), one kfunc fewer.
 */
#define VMEM_P_FIND	(1u << 0)	/* find_vmas */
#define VMEM_P_WALK	(1u << 1)	/* walk */
#define VMEM_P_RANGE	(1u << 2)	/* walk_range */
#define VMEM_P_READ	(1u << 3)	/* mem_read */
#define VMEM_P_WRITE	(1u << 4)	/* mem_write */
#define VMEM_P_CMPXCHG	(1u << 5)	/* mem_cmpxchg */
#define VMEM_P_SHARERS	(1u << 6)	/* page_sharers */
#define VMEM_P_ALL	0x7fu

#define VMEM_SET_FIND	VMEM_P_FIND
#define VMEM_SET_WALK	VMEM_P_WALK			/* page PID ADDR */
#define VMEM_SET_PAGE	(VMEM_P_WALK | VMEM_P_RANGE)
#define VMEM_SET_READ	VMEM_P_READ
#define VMEM_SET_WRITE	VMEM_P_WRITE			/* write --no-journal */
#define VMEM_SET_CMPXCHG VMEM_P_CMPXCHG			/* write, undo */

/* wflags of the mem_write and mem_cmpxchg programs */
#define VMEM_W_SHOW	(1u << 0)	/* write: read the old and new bytes around it;
					 * cmpxchg: the new ones after it */
#define VMEM_W_OLD	(1u << 1)	/* cmpxchg: read the old bytes first */

#endif /* VMSCOPE_VMEM_H */
