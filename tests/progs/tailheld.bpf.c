// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: a tail call from a callback a helper runs under its own
 * lock.  p walks a hash map with bpf_for_each_map_elem(), whose callback
 * runs under rcu_read_lock(), and the callback tail-calls q, which takes a
 * token and writes: q's kfunc calls come from q's main function, inside the
 * RCU read section.  With flip_fd set, p first rewrites
 * attr->test.prog_fd (the caller points bpf() at the mmapped attrmap) to
 * q's fd, so that rule 5a sees q as the program of the run.  The module
 * must refuse every call: -EDEADLK where it sees the RCU read section
 * (preemptible RCU, a preempt count) or where q's main function was not
 * entered by the test run (kmod/policy.c, vms_from_main()), -EPERM where
 * 5a sees another program.  SYSCALL programs are always sleepable, and 6.1
 * and 6.12 refuse a prog array in a sleepable program: there the verifier
 * refuses p.  (A libbpf skeleton: the test sets p's verifier log.)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "kfunc_call.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} h SEC(".maps");

struct attr_page {
	__u32 w[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct attr_page);
} attrmap SEC(".maps");

__s32 pid;
__u64 addr;
__u64 val;
__u32 flip_fd;
__s64 ret_q;
__u32 q_ran, cb_ran, tail_failed;

struct cb_ctx {
	void *ctx;
};

static long cb(struct bpf_map *map, __u32 *key, __u64 *value, struct cb_ctx *c)
{
	cb_ran++;
	bpf_tail_call(c->ctx, &jmp, 0);
	tail_failed = 1;
	return 1;
}

SEC("syscall")
int p(void *ctx)
{
	struct cb_ctx c = { .ctx = ctx };
	__u32 k = 0;

	if (flip_fd) {
		struct attr_page *a = bpf_map_lookup_elem(&attrmap, &k);

		if (a)
			a->w[0] = flip_fd;	/* attr->test.prog_fd */
	}
	bpf_for_each_map_elem(&h, cb, &c, 0);
	return 0;
}

SEC("syscall")
int q(void *ctx)
{
	__u64 v = val;

	q_ran++;
	VMS_CALL(pid, ret_q, vmscope_write(c, addr, &v, sizeof(v), 0));
	return 0;
}
