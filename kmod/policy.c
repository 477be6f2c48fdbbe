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
 *  5. A memory kfunc runs only in the task that is inside
 *     bpf(BPF_PROG_TEST_RUN) right now (vms_kfunc_direct()).  A syscall
 *     program can hand a callback to bpf_wq (a kworker, with the kernel's
 *     credentials), bpf_timer (softirq: sleeping there hangs the CPU) or,
 *     on 7.x, bpf_task_work (runs as whatever task it was aimed at, with
 *     that task's credentials and memory).  The verifier lets such a
 *     callback call a sleepable kfunc whenever the callback itself may
 *     sleep, so the module must refuse: current would not be the caller.
 *  6. Writing through a read-only mapping (FOLL_FORCE, what a debugger's
 *     breakpoint needs) takes CAP_SYS_PTRACE even for one's own memory:
 *     /proc/PID/mem's force policy (proc_mem.force_override on 6.12) is not
 *     readable by a module, so the strict answer is taken.  Shadow stacks
 *     are never written.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/user_namespace.h>
#include <linux/bpf.h>
#include <linux/compat.h>
#include <linux/sched/task_stack.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
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

bool vms_may_force(void)
{
	return capable(CAP_SYS_PTRACE);
}

/*
 * Is current the task that called bpf(BPF_PROG_TEST_RUN), still inside that
 * call?  Deferred callbacks fail it: a timer runs in softirq (!in_task()),
 * a bpf_wq in a kworker (PF_WQ_WORKER, no mm), and a task_work, though in
 * a user task, only after its syscall has finished or from an interrupt.
 * x86-64 enters every system call with pt_regs->ax = -ENOSYS and stores the
 * return value there only when the call returns, so a task inside
 * bpf(BPF_PROG_TEST_RUN, ...) has orig_ax = __NR_bpf, di =
 * BPF_PROG_TEST_RUN and ax = -ENOSYS; after it (where task_work and signal
 * work run) ax holds what bpf() returned, and that is never -ENOSYS.
 * 32-bit callers are refused outright (their bpf() number differs).
 */
#ifndef CONFIG_X86_64
#error "vms_kfunc_direct() reads x86-64 system call registers: port it first"
#endif
bool vms_kfunc_direct(void)
{
	struct pt_regs *regs;

	if (!in_task() || (current->flags & (PF_KTHREAD | PF_WQ_WORKER | PF_EXITING)) ||
	    !current->mm)
		return false;
	if (in_compat_syscall())
		return false;
	regs = task_pt_regs(current);
	return syscall_get_nr(current, regs) == __NR_bpf &&
	       regs->di == BPF_PROG_TEST_RUN &&
	       regs->ax == (unsigned long)-ENOSYS;
}
