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
 *  5. A memory kfunc does its work only where a system call could: in the
 *     task that runs the program, with nothing held that it could wait on.
 *     The verifier lets a sleepable SYSCALL program call a sleepable kfunc
 *     from callbacks that run with locks held (bpf_for_each_map_elem()
 *     under rcu_read_lock(), bpf_find_vma() and the open-coded task_vma
 *     iterator under the target's mmap_lock) and from callbacks that run
 *     later in another context (bpf_timer in softirq, bpf_wq in a kworker
 *     with the kernel's credentials, bpf_task_work in the task it is aimed
 *     at).  Four guards, each enough for its class:
 *     a. A call token, handed out only to the program that current asked
 *        to run.  The memory kfuncs take a struct vms_call that only
 *        vmscope_call_begin() hands out (KF_ACQUIRE) and the program must
 *        give back with vmscope_call_end() (KF_RELEASE) before it exits.
 *        vmscope_call_begin() checks that current is inside
 *        bpf(BPF_PROG_TEST_RUN) and that its caller's return address lies
 *        in the JIT image of the very program that call runs (its fd is in
 *        the syscall's attr).  A callback run later in some other task
 *        (bpf_task_work runs as the task it was aimed at, with that task's
 *        credentials and memory) or reached by a tail call is code of
 *        another program, or of none that this task is running: refused.
 *        The fd is read back from the caller's memory, so a caller that
 *        rewrites attr during its own run can name the program it
 *        tail-calls instead; that program still runs in the caller's own
 *        task, with its credentials and nothing held, so it gets no right
 *        the caller lacks (6.1/6.12 refuse prog arrays in sleepable
 *        syscall programs, but not in the others; see 5b for what a tail
 *        call from a callback means where no preempt count is kept).
 *        A deferred callback cannot be handed a token either: it starts
 *        with no references, a referenced kptr of a type with no
 *        destructor cannot be stored in a map, and a plain stored pointer
 *        reads back as a number.  The system call registers are read by
 *        arch_*.c (x86-64, arm64).
 *     b. No atomic or RCU context: in_task(), preempt_count() == 0 (RCU
 *        read sections of non-preemptible RCU and every spinlock show
 *        there), rcu_preempt_depth() == 0 (preemptible RCU; on PREEMPT_RT
 *        spin_lock() also enters an RCU read section), IRQs on.  Refused
 *        with -EDEADLK.
 *        A kernel built without CONFIG_PREEMPT_COUNT (Debian's arm64 6.1
 *        and 6.12: PREEMPT_VOLUNTARY) keeps no count of spinlocks and
 *        non-preemptible RCU read sections: nothing the module can read
 *        shows them.  The verifier still refuses a sleepable kfunc under
 *        bpf_spin_lock, bpf_rcu_read_lock() and bpf_preempt_disable(); what
 *        it lets through are the callbacks helpers run under their own
 *        locks.  So on such a kernel the kfuncs take calls only from the
 *        program's main function, and only from a program in which no
 *        instruction takes the main function's address (a callback is a
 *        function whose address is taken): the main function runs straight
 *        from BPF_PROG_TEST_RUN, which holds nothing of the kind, and only
 *        when the frame record of the BPF code says the test run entered
 *        it (a tail call from a callback into another program's main
 *        function keeps the callback's record: vms_from_main()).  x86-64
 *        kernels keep no frame records, so there every call is refused.
 *        Any other caller gets -EDEADLK there.
 *     c. Never block on mmap_lock: the kfuncs only trylock it and return
 *        -EAGAIN when it is taken or a writer waits, so a caller holding it
 *        (for read, in a find_vma callback or a task_vma loop) cannot make
 *        the call wait behind a writer that waits for the caller.
 *     d. Never wait for a fault: GUP runs with FOLL_NOWAIT, so a fault that
 *        would sleep (I/O, a page lock, userfaultfd, FUSE) returns -EAGAIN
 *        (it starts the I/O first), and the CLI calls again after the
 *        program has returned.  Together, c and d bound how long a kfunc
 *        holds anything, including the RCU tasks-trace read section every
 *        sleepable program runs in.
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
#include <linux/irqflags.h>
#include <linux/kallsyms.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include "vmscope.h"
#include "arch.h"

static bool vms_capable(const struct file *file, int cap)
{
	if (file && !file_ns_capable(file, &init_user_ns, cap))
		return false;
	return capable(cap);
}

struct mm_struct *vms_get_mm_checked(pid_t pid, const struct file *file,
				     struct vms_who *who)
{
	struct mm_struct *mm = vms_get_mm(pid, who);

	if (IS_ERR(mm))
		return mm;
	if (mm != current->mm && !vms_capable(file, CAP_SYS_PTRACE)) {
		/* Async: a kfunc's caller may hold this mm's mmap_lock. */
		mmput_async(mm);
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
 * Rule 5a: is current inside bpf(BPF_PROG_TEST_RUN, attr), and is caller
 * (a return address) code of the program attr->test.prog_fd names?  The
 * registers say whether a native bpf() call is in progress and has not
 * returned, and give its command and attr (vms_arch_syscall_args():
 * x86-64's ax == -ENOSYS, arm64's x0 == orig_x0).  Registers alone prove
 * little (a ptrace stop at the call's entry, or a seccomp ENOSYS, shows
 * the same ones, and task_work runs there), so the program is checked
 * too: a kfunc is called straight
 * from the JIT image of the program (or one of its subprograms) that
 * called it, and kfuncs need the JIT.  attr is read without faulting (the
 * caller may hold its own mmap_lock): -EAGAIN when its page is not there.
 */
static bool vms_caller_in(const struct bpf_prog *prog, unsigned long caller)
{
	u32 i, n = prog->aux->func_cnt;

	if (!n)
		return caller - (unsigned long)prog->bpf_func < prog->jited_len;
	for (i = 0; i < n; i++) {
		const struct bpf_prog *f = prog->aux->func[i];

		if (caller - (unsigned long)f->bpf_func < f->jited_len)
			return true;
	}
	return false;
}

/*
 * The main function's JIT image (rule 5b without a preempt count): its
 * start and length in *call, or -EDEADLK when some instruction of the
 * program takes its address (then it may run as a callback).  jit_subprogs()
 * leaves the offset to the target in a BPF_PSEUDO_FUNC load's first imm,
 * as the program was loaded.
 */
static int vms_main_image(const struct bpf_prog *prog, struct vms_call *call)
{
	const struct bpf_prog *main = prog->aux->func_cnt ? prog->aux->func[0] : prog;
	u32 i;

	for (i = 0; i + 1 < prog->len; i++) {
		const struct bpf_insn *insn = &prog->insnsi[i];

		if (insn->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (insn->src_reg == BPF_PSEUDO_FUNC && (s64)i + insn->imm + 1 == 0)
			return -EDEADLK;
		i++;	/* the second half of the 16-byte load */
	}
	call->main = (unsigned long)main->bpf_func;
	call->main_len = main->jited_len;
	return 0;
}

static int vms_called_by_test_run(unsigned long caller, struct vms_call *call)
{
	struct pt_regs *regs = task_pt_regs(current);
	unsigned long cmd, attr;
	struct bpf_prog *prog;
	int err = -EPERM;
	u32 fd;

	if (in_compat_syscall() || syscall_get_nr(current, regs) != __NR_bpf ||
	    !vms_arch_syscall_args(regs, &cmd, &attr) || cmd != BPF_PROG_TEST_RUN)
		return -EPERM;
	/*
	 * attr->test.prog_fd is attr's first word.  bpf() has just copied
	 * attr, but its page can be gone again (reclaim): then say -EAGAIN,
	 * and the next bpf() call faults it back in.
	 */
	if (copy_from_user_nofault(&fd, (const void __user *)attr, sizeof(fd)))
		return -EAGAIN;
	prog = bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_SYSCALL, false);
	if (IS_ERR(prog))
		return -EPERM;
	if (prog->jited && vms_caller_in(prog, caller))
		err = vms_main_image(prog, call);
	bpf_prog_put(prog);
	return err;
}

/*
 * A context where a system call could sleep on a lock (rule 5b), as far as
 * the counts show it: all of it with CONFIG_PREEMPT_COUNT; without it,
 * vms_from_main() does the rest.
 */
static bool vms_may_block(void)
{
	if (!in_task() || irqs_disabled() || rcu_preempt_depth())
		return false;
#ifdef CONFIG_PREEMPT_COUNT
	return preempt_count() == 0;
#else
	return true;
#endif
}

/*
 * Is addr code of the test run that enters a SYSCALL program
 * (bpf_prog_test_run_syscall(), or the inline helpers it runs the program
 * through, should the compiler have kept them out of line)?
 */
static bool vms_test_run_text(unsigned long addr)
{
	static const char *const fns[] = {
		"bpf_prog_test_run_syscall", "bpf_prog_run_pin_on_cpu", "__bpf_prog_run",
		"bpf_dispatcher_nop_func",
	};
	char sym[KSYM_SYMBOL_LEN];
	size_t i, n;

	sprint_symbol_no_offset(sym, addr);
	for (i = 0; i < ARRAY_SIZE(fns); i++) {
		n = strlen(fns[i]);
		/* The name, or a compiler's clone of it ("NAME.isra.0"). */
		if (!strncmp(sym, fns[i], n) && (sym[n] == 0 || sym[n] == '.'))
			return true;
	}
	return false;
}

/*
 * Without a preempt count: is caller code of the token's main function,
 * and was that function entered by the test run itself?  A tail call from
 * a callback that runs under a helper's lock (a SYSCALL program that is not
 * sleepable may use a prog array, and 6.1/6.12 let a sleepable program
 * into it) lands in another program's main function with the callback's
 * frame, whose return address is the helper's; a caller that rewrites
 * attr->test.prog_fd can make that program the one 5a checks.
 */
static bool vms_from_main(const struct vms_call *call, unsigned long caller,
			  unsigned long frame)
{
	unsigned long entry;

	if (IS_ENABLED(CONFIG_PREEMPT_COUNT))
		return true;
	if (caller - call->main >= call->main_len)
		return false;
	entry = vms_arch_bpf_entry(frame);
	return entry && vms_test_run_text(entry);
}

/*
 * /sys/module/vmscope/parameters/kfunc_callers: which BPF code the memory
 * kfuncs take calls from on this kernel, for `vmscope status`: "any" where
 * the preempt count shows a refused context wherever it is (rule 5b),
 * "main" where it cannot and only a program's main function may call,
 * "none" where neither the count nor a frame record can tell (an x86-64
 * kernel without a preempt count: every call is refused).
 * Read-only, and not settable at load either: it states how the module was
 * built, it does not choose.
 */
static int vms_kfunc_callers_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static int vms_kfunc_callers_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", IS_ENABLED(CONFIG_PREEMPT_COUNT) ? "any" :
			 vms_arch_frame_records ? "main" : "none");
}

static const struct kernel_param_ops vms_kfunc_callers_ops = {
	.set = vms_kfunc_callers_set,
	.get = vms_kfunc_callers_get,
};
module_param_cb(kfunc_callers, &vms_kfunc_callers_ops, NULL, 0444);
MODULE_PARM_DESC(kfunc_callers, "which BPF code may call the memory kfuncs: any (the preempt "
		 "count guards), main (no preempt count: a program's main function only), or none "
		 "(no preempt count and no frame records: every call refused)");

static int vms_task_ok(void)
{
	if ((current->flags & (PF_KTHREAD | PF_WQ_WORKER | PF_EXITING)) || !current->mm)
		return -EPERM;
	return 0;
}

int vms_kfunc_begin(unsigned long caller, unsigned long frame, struct vms_call *call)
{
	int err;

	if (!vms_may_block())
		return -EDEADLK;
	err = vms_task_ok() ?: vms_called_by_test_run(caller, call);
	if (!err && !vms_from_main(call, caller, frame))
		err = -EDEADLK;
	return err;
}

int vms_kfunc_context(const struct vms_call *call, unsigned long caller, unsigned long frame)
{
	if (!vms_may_block())
		return -EDEADLK;
	if (call->task != current || call->magic != VMS_CALL_MAGIC)
		return -EPERM;
	if (!vms_from_main(call, caller, frame))
		return -EDEADLK;
	return vms_task_ok();
}
