// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: attacks_held.bpf.c with the token taken by the program's
 * body, where nothing is held, and handed to the callback through its
 * context on the stack: the memory kfuncs themselves must then refuse
 * (-EDEADLK under the hash maps' rcu_read_lock()), not only
 * vmscope_call_begin().  A verifier that refuses to hand a referenced
 * pointer to a callback this way is safe too.
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

__s64 ret_helper;
__s64 ret_begin;

struct tok {
	struct vms_call *c;
};

static long tok_cb(void *map, void *key, void *value, struct tok *t)
{
	struct vms_call *c = t->c;

	if (c)
		visit_with(c, 0);
	return 1;
}

#define EACH_TOK(map)							\
	SEC("syscall")							\
	int each_tok_##map(void *ctx)					\
	{								\
		struct tok t = {};					\
		int err = 0;						\
									\
		t.c = vmscope_call_begin(pid, &err);			\
		if (!t.c) {						\
			ret_begin = err ? err : -1;			\
			return 0;					\
		}							\
		ret_begin = 0;						\
		ret_helper = bpf_for_each_map_elem(&m_##map, tok_cb, &t, 0); \
		vmscope_call_end(t.c);					\
		return 0;						\
	}

EACH_TOK(hash)
EACH_TOK(percpu_hash)
EACH_TOK(lru_hash)
EACH_TOK(lru_percpu_hash)
EACH_TOK(array)
EACH_TOK(percpu_array)

static long fvma_tok_cb(struct task_struct *task, struct vm_area_struct *vma, struct tok *t)
{
	struct vms_call *c = t->c;

	if (c)
		visit_with(c, 0);
	return 0;
}

SEC("syscall")
int fvma_tok(void *ctx)
{
	struct tok t = {};
	int err = 0;

	t.c = vmscope_call_begin(pid, &err);
	if (!t.c) {
		ret_begin = err ? err : -1;
		return 0;
	}
	ret_begin = 0;
	ret_helper = bpf_find_vma(bpf_get_current_task_btf(), addr, fvma_tok_cb, &t, 0);
	vmscope_call_end(t.c);
	return 0;
}
