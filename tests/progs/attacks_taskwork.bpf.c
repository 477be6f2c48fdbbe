// SPDX-License-Identifier: GPL-2.0
/*
 * guest_attacks: a memory kfunc called from a bpf_task_work callback of a
 * SEC("syscall") program (7.x kernels).  The callback is sleepable and
 * runs in the context of a task the program picks (bpf_task_from_pid()):
 * current is then the victim, whose own memory needs no capability.  The
 * module must refuse it (-EPERM) and the victim's memory stay as it was.
 * On kernels without bpf_task_work_schedule_signal() the program does not
 * load.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
/* Tokens handed out inside the deferred callback (in_cb): must stay 0. */
__u32 in_cb;
__u32 cb_tokens;
#define VMS_CALL_GRANTED()	do { if (in_cb) cb_tokens++; } while (0)
#include "kfunc_call.bpf.h"

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
__s64 ret_direct;
__s64 ret_sched;
__s64 ret_write;
__s64 ret_read;
__u32 async_ran;

static int tw_cb(struct bpf_map *map, void *key, void *value)
{
	struct telem *e = value;

	in_cb = 1;
	e->wbuf = val;
	VMS_CALL(victim, ret_write, vmscope_write(c, victim_addr, &e->wbuf, sizeof(e->wbuf), 0));
	VMS_CALL(victim, ret_read, vmscope_read(c, victim_addr, &e->rbuf, sizeof(e->rbuf)));
	async_ran = 1;
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
	e->wbuf = val;
	VMS_CALL(victim, ret_direct, vmscope_write(c, victim_addr, &e->wbuf, sizeof(e->wbuf), 0));
	task = bpf_task_from_pid(victim);
	if (!task)
		return 2;
	ret_sched = bpf_task_work_schedule_signal(task, &e->tw, &twmap, tw_cb);
	bpf_task_release(task);
	return 0;
}
