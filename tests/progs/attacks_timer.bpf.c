// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: the memory kfuncs called from a bpf_timer callback of a
 * SEC("syscall") program.  Some kernels (6.12) take the timer callback of
 * a sleepable program as sleepable and accept the KF_SLEEPABLE kfuncs in
 * it; the callback runs in softirq, where taking mmap_lock or faulting a
 * page in may sleep (scheduling while atomic, or a hung CPU).  The module
 * must return -EPERM there at once, every time.  A kernel whose verifier
 * refuses the program is safe too.
 *
 * The callback re-arms itself every 100 us until it ran `limit` times,
 * calling the five memory kfuncs in turn on the caller's own memory.
 * Running the program again with a higher limit starts it again.
 * attacks_timer_ctl.bpf.c builds it with ATTACKS_CONTROL: the same timer
 * with only vmscope_abi_version(), which tells "the verifier refused the
 * memory kfuncs" apart from "bpf_timer cannot be used here at all".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
/* Tokens handed out inside the deferred callback (in_cb): must stay 0. */
__u32 in_cb;
__u32 cb_tokens;
#define VMS_CALL_GRANTED()	do { if (in_cb) cb_tokens++; } while (0)
#include "kfunc_call.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define CLOCK_MONOTONIC	1
#define EPERM		1
#define EDEADLK		35
#define EBUSY		16

struct telem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct telem);
} tmap SEC(".maps");

__s32 pid;
__u64 addr;		/* a page of the caller's scratch area */
__u32 limit;		/* callbacks to run */
__u32 async_ran;
__u32 calls[5];		/* per kfunc: find, walk, range, read, write */
__u32 eperm[5];		/* of those, -EPERM */
__s64 other;		/* the first result that was not -EPERM */
__u32 other_kfunc;

#ifndef ATTACKS_CONTROL
struct vms_walk walk;
struct {
	struct vms_find h;
	struct vms_vmainfo vi;
	char names[256];
} find;
struct {
	struct vms_range h;
	struct vms_prec rec;
	struct vms_pdir dir[2];	/* a range walk wants room for two */
} range;
__u8 data[64];
#endif

static int t_cb(void *map, int *key, void *value)
{
	struct telem *e = value;
	__u64 k = async_ran % 5;
	long r = -EPERM;

	in_cb = 1;
	/* The verifier loses the bound of a modulo: check it where it sees it. */
	asm volatile("" : "+r"(k));
	if (k >= 5)
		return 0;

#ifndef ATTACKS_CONTROL
	switch (k) {
	case 0:
		find.h.n = 1;
		find.h.flags = VMS_FIND_NAME;
		find.vi.addr = addr;
		VMS_CALL(pid, r, vmscope_find_vmas(c, &find, sizeof(find)));
		break;
	case 1:
		walk.addr = addr;
		VMS_CALL(pid, r, vmscope_walk(c, &walk, sizeof(walk)));
		break;
	case 2:
		range.h.start = addr & ~4095ull;
		range.h.end = range.h.start + 4096;
		range.h.max_pages = 1;
		VMS_CALL(pid, r, vmscope_walk_range(c, &range, sizeof(range)));
		break;
	case 3:
		VMS_CALL(pid, r, vmscope_read(c, addr, data, sizeof(data)));
		break;
	default:
		VMS_CALL(pid, r, vmscope_write(c, addr, data, sizeof(data), 0));
	}
#else
	vmscope_abi_version();
#endif
	calls[k]++;
	/* Refused: not the task of a test run (-EPERM), or softirq (-EDEADLK). */
	if (r == -EPERM || r == -EDEADLK)
		eperm[k]++;
	else if (!other) {
		other = r ? r : 1;	/* 0 (a lookup found nothing) counts too */
		other_kfunc = k;
	}
	if (++async_ran < limit)
		bpf_timer_start(&e->t, 100000, 0);	/* again in 100 us */
	return 0;
}

SEC("syscall")
int go(void *ctx)
{
	struct telem *e;
	int key = 0;
	long ret;

	e = bpf_map_lookup_elem(&tmap, &key);
	if (!e)
		return 1;
	/* A second run re-arms the same timer (-EBUSY: already set up). */
	ret = bpf_timer_init(&e->t, &tmap, CLOCK_MONOTONIC);
	if (ret && ret != -EBUSY)
		return 2;
	if (bpf_timer_set_callback(&e->t, t_cb))
		return 3;
	if (bpf_timer_start(&e->t, 0, 0))
		return 4;
	return 0;
}
