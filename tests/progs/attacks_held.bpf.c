// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: the memory kfuncs called from callbacks that the kernel
 * runs while it holds something, and from ones where it holds nothing
 * (kmod/policy.c, rule 5; docs/kernel-safety.md has the table):
 *  - each_*: bpf_for_each_map_elem() over one map each (a call site that
 *    sees several maps is refused by 6.1: "tail_call abusing map_ptr").
 *    Over the hash maps the callback runs under rcu_read_lock(): every
 *    call must be refused with -EDEADLK.  Over the arrays nothing is held:
 *    the calls must work (or say -EAGAIN while mmap_lock is busy).
 *  - fvma: bpf_find_vma() on the caller itself; the callback runs with the
 *    caller's mmap_lock held for read.  A call may work or say -EAGAIN (a
 *    writer waits), never wait behind that writer.
 *  - loop, urb: bpf_loop() and bpf_user_ringbuf_drain() callbacks, where
 *    nothing is held: the calls must work.
 *  - wr: one vmscope_write() (the userfaultfd test).
 * Each callback takes a token of its own (attacks_visit.bpf.h).  Every
 * program here loads on 6.1 and later, by a caller with only CAP_BPF +
 * CAP_PERFMON.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "attacks_visit.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define ONE_ELEM_MAP(name, kind)					\
	struct {							\
		__uint(type, kind);					\
		__uint(max_entries, 1);					\
		__type(key, __u32);					\
		__type(value, __u64);					\
	} name SEC(".maps")

ONE_ELEM_MAP(m_hash, BPF_MAP_TYPE_HASH);
ONE_ELEM_MAP(m_percpu_hash, BPF_MAP_TYPE_PERCPU_HASH);
ONE_ELEM_MAP(m_lru_hash, BPF_MAP_TYPE_LRU_HASH);
ONE_ELEM_MAP(m_lru_percpu_hash, BPF_MAP_TYPE_LRU_PERCPU_HASH);
ONE_ELEM_MAP(m_array, BPF_MAP_TYPE_ARRAY);
ONE_ELEM_MAP(m_percpu_array, BPF_MAP_TYPE_PERCPU_ARRAY);

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} m_urb SEC(".maps");

__s64 ret_helper;	/* what the helper returned */
/* wr */
__u64 wval;
__s64 ret_write;

/* The first element is enough: stop there (1). */
static long each_cb(void *map, void *key, void *value, void *ctx)
{
	visit();
	return 1;
}

#define EACH(map)							\
	SEC("syscall")							\
	int each_##map(void *ctx)					\
	{								\
		ret_helper = bpf_for_each_map_elem(&m_##map, each_cb, NULL, 0); \
		return 0;						\
	}

EACH(hash)
EACH(percpu_hash)
EACH(lru_hash)
EACH(lru_percpu_hash)
EACH(array)
EACH(percpu_array)

static long fvma_cb(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	visit();
	return 0;
}

SEC("syscall")
int fvma(void *ctx)
{
	ret_helper = bpf_find_vma(bpf_get_current_task_btf(), addr, fvma_cb, NULL, 0);
	return 0;
}

static long loop_cb(__u32 i, void *ctx)
{
	visit();
	return 1;
}

SEC("syscall")
int loop(void *ctx)
{
	ret_helper = bpf_loop(1, loop_cb, NULL, 0);
	return 0;
}

static long urb_cb(struct bpf_dynptr *sample, void *ctx)
{
	visit();
	return 1;
}

SEC("syscall")
int urb(void *ctx)
{
	ret_helper = bpf_user_ringbuf_drain(&m_urb, urb_cb, NULL, 0);
	return 0;
}

SEC("syscall")
int wr(void *ctx)
{
	VMS_CALL(pid, ret_write, vmscope_write(c, addr, &wval, sizeof(wval), 0));
	return 0;
}
