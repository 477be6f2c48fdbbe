// SPDX-License-Identifier: GPL-2.0
/* Resolving a pid to an address space, and taking its mmap_lock. */
#include <linux/err.h>
#include <linux/mmap_lock.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include "vmscope.h"

struct mm_struct *vms_get_mm(pid_t pid, char (*comm)[TASK_COMM_LEN])
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
	if (mm && comm)
		get_task_comm(*comm, task);
	put_task_struct(task);
	return mm ? mm : ERR_PTR(-EINVAL);
}

int vms_mmap_read_lock(struct mm_struct *mm, bool nowait)
{
	if (nowait)
		return mmap_read_trylock(mm) ? 0 : -EAGAIN;
	return mmap_read_lock_killable(mm) ? -EINTR : 0;
}
