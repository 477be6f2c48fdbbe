// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: a tail call into a program that takes a token.  a is the
 * program the caller test-runs; it writes one word itself (allowed: it is
 * the program of the run), then tail-calls b, which tries to write
 * another.  b is code of another program than the one in the syscall's
 * attr, so vmscope_call_begin() must refuse it (kmod/policy.c, rule 5a).
 *
 * With flip_fd set, a first rewrites attr->test.prog_fd to flip_fd (b's
 * fd) in the caller's memory before the tail call: the caller passes, as
 * bpf()'s attr, a pointer into the mmapped attrmap.  The kernel copied
 * attr when the call began, so the run is still a's; a module that reads
 * the prog fd back from user memory when b asks sees b instead.
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

/* A union bpf_attr's test part, where the caller can point bpf() at it. */
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
__u64 addr;		/* two words: a's, then b's */
__u64 val_a, val_b;
__u32 flip_fd;
__s64 ret_a, ret_b;
__u32 b_ran, tail_failed;

SEC("syscall")
int a(void *ctx)
{
	__u64 v = val_a;
	__u32 k = 0;

	VMS_CALL(pid, ret_a, vmscope_write(c, addr, &v, sizeof(v), 0));
	if (flip_fd) {
		struct attr_page *p = bpf_map_lookup_elem(&attrmap, &k);

		if (p)
			p->w[0] = flip_fd;	/* attr->test.prog_fd */
	}
	bpf_tail_call(ctx, &jmp, 0);
	tail_failed = 1;
	return 0;
}

SEC("syscall")
int b(void *ctx)
{
	__u64 v = val_b;

	b_ran++;
	VMS_CALL(pid, ret_b, vmscope_write(c, addr + 8, &v, sizeof(v), 0));
	return 0;
}
