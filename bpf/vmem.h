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

/* wflags of the mem_write program */
#define VMEM_W_SHOW	(1u << 0)	/* read the old and new bytes around it */

#endif /* VMSCOPE_VMEM_H */
