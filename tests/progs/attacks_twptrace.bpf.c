// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: a bpf_task_work callback (7.x) aimed at a victim whose
 * registers read as if it were inside bpf(BPF_PROG_TEST_RUN): stopped by
 * ptrace at that call's entry (the callback then runs at the next ptrace
 * notification, e.g. a seccomp RET_TRACE stop, before the call does
 * anything), or just past a bpf() that its seccomp filter made fail with
 * ENOSYS.  There orig_ax = __NR_bpf, di = BPF_PROG_TEST_RUN and
 * ax = -ENOSYS, as inside a real run; only the program that attr names,
 * the victim's own, tells the two apart.  The callback runs as the victim
 * (no capability needed for its own memory) and must get no token.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "kfunc_call.bpf.h"
#include "attacks.h"

char LICENSE[] SEC("license") = "GPL";

/* Not in vmlinux.h (6.12); the verifier finds it in the map value by name. */
struct bpf_task_work {
	__u64 __opaque;
} __attribute__((aligned(8)));

extern struct task_struct *bpf_task_from_pid(s32 pid) __weak __ksym;
extern void bpf_task_release(struct task_struct *p) __weak __ksym;
extern int bpf_task_work_schedule_signal(struct task_struct *task, struct bpf_task_work *tw,
					 void *map__map,
					 int (*callback)(struct bpf_map *map, void *key, void *value))
	__weak __ksym;
extern int bpf_task_work_schedule_resume(struct task_struct *task, struct bpf_task_work *tw,
					 void *map__map,
					 int (*callback)(struct bpf_map *map, void *key, void *value))
	__weak __ksym;

struct telem {
	struct bpf_task_work tw;
	__u64 wbuf;
	__u64 rbuf;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct telem);
} twmap SEC(".maps");

__s32 victim;
__u64 victim_addr;
__u64 val;
__u32 mode;		/* enum tw_mode */
__s64 ret_sched;
__u32 async_ran;
__u32 ran_tgid;		/* who the callback ran as */
__s64 ret_begin;	/* 0: the callback got a token */
__s64 ret_write;

static int tw_cb(struct bpf_map *map, void *key, void *value)
{
	struct telem *e = value;
	struct vms_call *c;
	int err = 0;

	ran_tgid = bpf_get_current_pid_tgid() >> 32;
	c = vmscope_call_begin(victim, &err);
	if (c) {
		ret_begin = 0;
		e->wbuf = val;
		ret_write = vmscope_write(c, victim_addr, &e->wbuf, sizeof(e->wbuf), 0);
		vmscope_call_end(c);
	} else {
		ret_begin = err ? err : -1;
		ret_write = ret_begin;
	}
	async_ran++;
	return 0;
}

SEC("syscall")
int go(void *ctx)
{
	struct task_struct *task;
	struct telem *e;
	int key = 0;

	e = bpf_map_lookup_elem(&twmap, &key);
	if (!e)
		return 1;
	task = bpf_task_from_pid(victim);
	if (!task)
		return 2;
	if (mode == TW_RESUME)
		ret_sched = bpf_task_work_schedule_resume(task, &e->tw, &twmap, tw_cb);
	else
		ret_sched = bpf_task_work_schedule_signal(task, &e->tw, &twmap, tw_cb);
	bpf_task_release(task);
	return 0;
}
