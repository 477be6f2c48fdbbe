// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: the memory kfuncs reached from a bpf_wq callback of a
 * SEC("syscall") program.  The verifier takes a bpf_wq callback as
 * sleepable, so it accepts KF_SLEEPABLE kfuncs there; the callback then
 * runs in a kworker (the kernel's credentials, no mm of its own), where
 * "current is the caller" no longer holds.  The module must refuse every
 * memory kfunc there (-EPERM), whoever the program's caller is.
 *
 * The program first makes two direct calls (a write into another process,
 * which a caller without CAP_SYS_PTRACE must not get; a walk of its own
 * page, which it may), then queues the callback, which tries all five
 * memory kfuncs: a walk of the caller's own page (the PFN needs
 * CAP_SYS_ADMIN) and a lookup, range walk, read and write of the victim.
 *
 * Built twice: as it is for kernels with bpf_wq_set_callback_impl() (6.10
 * to 6.x), and by attacks_wq_set_callback.bpf.c for those where
 * bpf_wq_set_callback() replaced it (7.x).  Loaded as a light skeleton, so
 * a caller with only CAP_BPF + CAP_PERFMON can load it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
/* Tokens handed out inside the deferred callback (in_cb): must stay 0. */
__u32 in_cb;
__u32 cb_tokens;
#define VMS_CALL_GRANTED()	do { if (in_cb) cb_tokens++; } while (0)
#include "kfunc_call.bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern int bpf_wq_init(struct bpf_wq *wq, void *p__map, unsigned int flags) __weak __ksym;
extern int bpf_wq_start(struct bpf_wq *wq, unsigned int flags) __weak __ksym;
#ifdef ATTACKS_WQ_SET_CALLBACK
extern int bpf_wq_set_callback(struct bpf_wq *wq,
			       int (callback_fn)(void *map, int *key, void *value),
			       unsigned int flags) __weak __ksym;
#else
extern int bpf_wq_set_callback_impl(struct bpf_wq *wq,
				    int (callback_fn)(void *map, int *key, void *value),
				    unsigned int flags__k, void *aux__ign) __weak __ksym;
#endif

struct welem {
	struct bpf_wq wq;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct welem);
} wqmap SEC(".maps");

/* Set by user space before the run. */
__s32 victim;		/* another process (root) */
__u64 victim_addr;	/* 8 bytes of it */
__u64 val;		/* what the writes try to store there */
__s32 self;		/* the caller's own pid */
__u64 self_addr;	/* a resident page of the caller */

/* Direct calls, from the program itself. */
__s64 ret_direct_write;
__s64 ret_direct_walk;
struct vms_walk direct_walk;
__u64 direct_wbuf;

/* The callback's calls. */
__u32 async_ran;
__s64 ret_find;
__s64 ret_walk;
__s64 ret_range;
__s64 ret_read;
__s64 ret_write;
struct vms_walk cb_walk;
struct {
	struct vms_find h;
	struct vms_vmainfo vi;
	char names[256];
} cb_find;
struct {
	struct vms_range h;
	struct vms_prec rec;
	struct vms_pdir dir[2];	/* a range walk wants room for two */
} cb_range;
__u64 cb_read;
__u64 cb_wbuf;

static int wq_cb(void *map, int *key, void *value)
{
	in_cb = 1;
	cb_walk.addr = self_addr;
	VMS_CALL(self, ret_walk, vmscope_walk(c, &cb_walk, sizeof(cb_walk)));

	cb_find.h.n = 1;
	cb_find.h.flags = VMS_FIND_NAME;
	cb_find.vi.addr = victim_addr;
	VMS_CALL(victim, ret_find, vmscope_find_vmas(c, &cb_find, sizeof(cb_find)));

	cb_range.h.start = victim_addr & ~4095ull;
	cb_range.h.end = cb_range.h.start + 4096;
	cb_range.h.max_pages = 1;
	VMS_CALL(victim, ret_range, vmscope_walk_range(c, &cb_range, sizeof(cb_range)));

	VMS_CALL(victim, ret_read, vmscope_read(c, victim_addr, &cb_read, sizeof(cb_read)));

	cb_wbuf = val;
	VMS_CALL(victim, ret_write, vmscope_write(c, victim_addr, &cb_wbuf, sizeof(cb_wbuf), 0));
	async_ran = 1;
	return 0;
}

SEC("syscall")
int go(void *ctx)
{
	struct welem *e;
	int key = 0;

	e = bpf_map_lookup_elem(&wqmap, &key);
	if (!e)
		return 1;
	direct_wbuf = val;
	VMS_CALL(victim, ret_direct_write,
		 vmscope_write(c, victim_addr, &direct_wbuf, sizeof(direct_wbuf), 0));
	direct_walk.addr = self_addr;
	VMS_CALL(self, ret_direct_walk, vmscope_walk(c, &direct_walk, sizeof(direct_walk)));
	if (bpf_wq_init(&e->wq, &wqmap, 0))
		return 2;
#ifdef ATTACKS_WQ_SET_CALLBACK
	if (bpf_wq_set_callback(&e->wq, wq_cb, 0))
		return 3;
#else
	if (bpf_wq_set_callback_impl(&e->wq, wq_cb, 0, NULL))
		return 3;
#endif
	if (bpf_wq_start(&e->wq, 0))
		return 4;
	return 0;
}
