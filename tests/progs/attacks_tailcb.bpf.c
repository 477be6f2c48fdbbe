// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: a bpf_timer callback that tail-calls a program which
 * takes a token and writes.  A deferred callback has no context pointer
 * to hand bpf_tail_call() (its arguments are the map, key and value), and
 * 7.x refuses any tail call reachable from a callback: the verifier must
 * refuse this object.  (bpf_wq and bpf_task_work callbacks have the same
 * arguments.)  Were it loaded, b would be refused at run time like
 * attacks_tail.bpf.c's.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "kfunc_call.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define CLOCK_MONOTONIC	1

struct telem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct telem);
} tmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

__s32 pid;
__u64 addr;
__u64 val;
__s64 ret_b;
__u32 b_ran, async_ran;

/* A static subprogram, so the callback itself holds no tail call. */
static __attribute__((noinline)) int hop(void *any)
{
	bpf_tail_call(any, &jmp, 0);
	return 0;
}

static int t_cb(void *map, int *key, struct telem *value)
{
	async_ran++;
	return hop(value);
}

SEC("syscall")
int go(void *ctx)
{
	struct telem *e;
	int key = 0;

	e = bpf_map_lookup_elem(&tmap, &key);
	if (!e)
		return 1;
	if (bpf_timer_init(&e->t, &tmap, CLOCK_MONOTONIC))
		return 2;
	if (bpf_timer_set_callback(&e->t, t_cb))
		return 3;
	return bpf_timer_start(&e->t, 0, 0) ? 4 : 0;
}

SEC("syscall")
int b(void *ctx)
{
	__u64 v = val;

	b_ran++;
	VMS_CALL(pid, ret_b, vmscope_write(c, addr, &v, sizeof(v), 0));
	return 0;
}
