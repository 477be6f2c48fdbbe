// SPDX-License-Identifier: GPL-2.0
/* Resolving a pid to an address space, and taking its mmap_lock. */
#include <linux/err.h>
#include <linux/mmap_lock.h>
#include <linux/pid.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/siphash.h>
#include "vmscope.h"

static siphash_key_t mm_key __read_mostly;

void vms_task_init(void)
{
	get_random_bytes(&mm_key, sizeof(mm_key));
}

struct mm_struct *vms_get_mm(pid_t pid, struct vms_who *who)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *p;

	if (pid <= 0)
		return ERR_PTR(-ESRCH);
	/* find_get_pid() looks in the caller's active pid namespace. */
	p = find_get_pid(pid);
	if (!p)
		return ERR_PTR(-ESRCH);
	task = get_pid_task(p, PIDTYPE_PID);
	put_pid(p);
	if (!task)
		return ERR_PTR(-ESRCH);
	/* NULL for kernel threads and for tasks past exit_mm(). */
	mm = get_task_mm(task);
	if (mm && who) {
		struct task_struct *leader;

		get_task_comm(who->comm, task);
		/*
		 * exec gives a new mm and counts up self_exec_id (an mm's
		 * address may come back after two); pid reuse, a new start
		 * time.  The leader is the one whose fields exec keeps.
		 */
		rcu_read_lock();
		leader = READ_ONCE(task->group_leader);
		who->mm_id = siphash_3u64((u64)(unsigned long)mm, leader->start_time,
					  leader->self_exec_id, &mm_key);
		rcu_read_unlock();
	}
	put_task_struct(task);
	return mm ? mm : ERR_PTR(-EINVAL);
}

int vms_mmap_read_lock(struct mm_struct *mm, bool nowait)
{
	if (nowait)
		return mmap_read_trylock(mm) ? 0 : -EAGAIN;
	return mmap_read_lock_killable(mm) ? -EINTR : 0;
}
