// SPDX-License-Identifier: GPL-2.0
/*
 * Who may do what.  Every permission decision of the module is made here.
 *
 * The subject is always the task that makes the request, current:
 *  - kfuncs: the task running the SEC("syscall") program.  The memory
 *    kfuncs are registered for BPF_PROG_TYPE_SYSCALL only, and those
 *    programs run only through BPF_PROG_TEST_RUN, in the calling task's
 *    context.  (Were they callable from iterators or tracing programs,
 *    current would be whoever happened to trigger the program, not whoever
 *    loaded it; that is why they are not.)
 *  - /proc/mtest and /dev/vmscope: the task calling write() or ioctl().
 *    The file's opener (file->f_cred) must pass the same test, so a file
 *    opened by a privileged process and passed to, or inherited by, a less
 *    privileged one grants nothing more than either of them has.
 *
 * The rules:
 *  1. A process may look into, read and write its own memory.
 *  2. Another process's memory needs CAP_SYS_PTRACE in the initial user
 *     namespace.  ptrace_may_access() is not exported (6.1 to 7.x), so the
 *     finer ptrace rules (same uid, dumpable, Yama, LSM hooks) cannot be
 *     applied: the capability is required instead, which is stricter for
 *     everyone but root.
 *  3. Physical addresses, PFNs, swap types and offsets, and page state
 *     (flags, refcount, mapcount, KSM) need CAP_SYS_ADMIN in the initial
 *     user namespace, like /proc/PID/pagemap's PFNs and /proc/kpageflags.
 *  4. /dev/vmscope and /proc/mtest are mode 0600 (root): the rules above
 *     apply on top.  /proc/vmscope/vmsize only describes its reader.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/user_namespace.h>
#include "vmscope.h"

static bool vms_capable(const struct file *file, int cap)
{
	if (file && !file_ns_capable(file, &init_user_ns, cap))
		return false;
	return capable(cap);
}

struct mm_struct *vms_get_mm_checked(pid_t pid, const struct file *file)
{
	struct mm_struct *mm = vms_get_mm(pid);

	if (IS_ERR(mm))
		return mm;
	if (mm != current->mm && !vms_capable(file, CAP_SYS_PTRACE)) {
		mmput(mm);
		return ERR_PTR(-EPERM);
	}
	return mm;
}

bool vms_may_see_phys(const struct file *file)
{
	return vms_capable(file, CAP_SYS_ADMIN);
}
