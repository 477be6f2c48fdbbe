// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmscope/vmsize: the reading process's mapped bytes, VMA count and
 * comm ("11546624 9 mmap-test"), the labs' third exercise.  It only ever
 * describes the reader itself, so it is world-readable.
 */
#include <linux/mm.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include "vmscope.h"

static struct proc_dir_entry *vms_proc_dir;

static int vmsize_show(struct seq_file *m, void *v)
{
	char comm[TASK_COMM_LEN];
	unsigned long bytes = 0, count = 0;
	struct vm_area_struct *vma;
	struct mm_struct *mm;

	mm = get_task_mm(current);
	if (!mm)
		return -EINVAL;		/* a kernel thread has no address space */
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			bytes += vma->vm_end - vma->vm_start;
			count++;
		}
	}
	mmap_read_unlock(mm);
	mmput(mm);
	get_task_comm(comm, current);
	seq_printf(m, "%lu %lu %s\n", bytes, count, comm);
	return 0;
}

int vms_procfs_init(void)
{
	vms_proc_dir = proc_mkdir("vmscope", NULL);
	if (!vms_proc_dir)
		return -ENOMEM;
	if (!proc_create_single("vmsize", 0444, vms_proc_dir, vmsize_show)) {
		proc_remove(vms_proc_dir);
		return -ENOMEM;
	}
	return 0;
}

void vms_procfs_exit(void)
{
	proc_remove(vms_proc_dir);
}
