/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One visit of a page from BPF code, for the guest_attacks programs that
 * call the memory kfuncs where the kernel may hold something (attacks.h):
 * visit() takes a token for pid, reads HELD_READ bytes at addr, walks
 * addr, compare-and-writes its first 8 bytes with what it read (a write
 * that changes nothing), gives the token back and counts the outcome in
 * tally[];
 * visit_with(c, err) does the same with a token it is handed (or with a
 * begin that failed with err).  User space sets pid and addr, and spin:
 * how many empty bpf_loop() rounds come first, to widen the window in
 * which a callback holds what its helper took (a queued mmap writer then
 * meets it more often).
 */
#ifndef VMSCOPE_ATTACKS_VISIT_BPF_H
#define VMSCOPE_ATTACKS_VISIT_BPF_H

#include "kfunc_call.bpf.h"
#include "attacks.h"

#define EPERM		1
#define EAGAIN		11
#define EDEADLK		35

__s32 pid;
__u64 addr;
__u32 spin;
__u32 visits;
__u32 tally[HT_NR];
__s64 other[4];		/* the first HT_OTHER visit: begin, read, walk, cmpxchg */
__u8 rbuf[HELD_READ];
__u8 xbuf[16];		/* vmscope_cmpxchg(): old, then new */
struct vms_walk wbuf;

static __always_inline void tally_visit(long b, long r, long w, long x)
{
	if (b == 0 && r == HELD_READ && w == 1 && x == 8) {
		tally[HT_OK]++;
	} else if (r == -EDEADLK && w == -EDEADLK && x == -EDEADLK) {
		tally[HT_DEADLK]++;
	} else if (b == 0 && (r == HELD_READ || r == -EAGAIN) && (w == 1 || w == -EAGAIN) &&
		   (x == 8 || x == -EAGAIN)) {
		tally[HT_AGAIN]++;
	} else {
		if (!tally[HT_OTHER]) {
			other[0] = b;
			other[1] = r;
			other[2] = w;
			other[3] = x;
		}
		tally[HT_OTHER]++;
	}
	visits++;
}

static long spin_cb(__u32 i, void *ctx)
{
	return 0;
}

static __always_inline void visit_with(struct vms_call *c, long b)
{
	long r = b, w = b, x = b;

	if (spin)
		bpf_loop(spin, spin_cb, NULL, 0);
	if (c) {
		r = vmscope_read(c, addr, rbuf, sizeof(rbuf));
		wbuf.addr = addr;
		w = vmscope_walk(c, &wbuf, sizeof(wbuf));
		x = r;
		if (r == HELD_READ) {
			__builtin_memcpy(xbuf, rbuf, 8);
			__builtin_memcpy(xbuf + 8, rbuf, 8);
			x = vmscope_cmpxchg(c, addr, xbuf, sizeof(xbuf), 0);
		}
	}
	tally_visit(b, r, w, x);
}

static __always_inline void visit(void)
{
	int err = 0;
	struct vms_call *c = vmscope_call_begin(pid, &err);

	if (!c) {
		visit_with(NULL, err ? err : -1);
		return;
	}
	visit_with(c, 0);
	vmscope_call_end(c);
}

#endif
