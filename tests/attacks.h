/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by tests/progs/attacks_*.bpf.c and guest_attacks.c (no libc: BPF includes it). */
#ifndef VMSCOPE_ATTACKS_H
#define VMSCOPE_ATTACKS_H

/* The maps attacks_held*.bpf.c's each_* programs walk, one each. */
enum held_map {
	HM_HASH = 0,
	HM_PERCPU_HASH,
	HM_LRU_HASH,
	HM_LRU_PERCPU_HASH,
	HM_ARRAY,
	HM_PERCPU_ARRAY,
	HM_NR,
};

/*
 * What one visit of the caller's page (a token, a 64-byte vmscope_read(),
 * a one-address vmscope_walk() and an 8-byte vmscope_cmpxchg() that
 * stores what was there) came to, counted in tally[]:
 *  HT_OK      all of them worked;
 *  HT_DEADLK  refused with -EDEADLK (a lock or an RCU read section held);
 *  HT_AGAIN   some -EAGAIN (mmap_lock busy), the rest worked;
 *  HT_OTHER   anything else (the first one is kept in other_*).
 */
enum held_tally {
	HT_OK = 0,
	HT_DEADLK,
	HT_AGAIN,
	HT_OTHER,
	HT_NR,
};

#define HELD_READ	64	/* bytes each vmscope_read() asks for */

/* How attacks_twptrace.bpf.c schedules its task_work. */
enum tw_mode {
	TW_SIGNAL = 0,		/* bpf_task_work_schedule_signal() */
	TW_RESUME,		/* bpf_task_work_schedule_resume() */
};

#endif
