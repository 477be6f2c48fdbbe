// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/mtest: the classic memory lab's command file.
 *
 *   listvma                    the writer's VMAs
 *   findvma<addr>              the writer's VMA holding addr
 *   findpage<addr>             addr's translation in the writer (the walk)
 *   writeval<addr> <val>       store an unsigned long at addr in the writer
 *   r <pid> <addr>             read one byte of process pid
 *   w <pid> <addr> <byte>      write one byte of process pid
 *
 * Addresses are hex with or without 0x; <val> and <byte> are decimal or 0x
 * hex.  A command is parsed completely before anything runs; bad input is
 * -EINVAL and changes nothing.  Commands run one at a time under
 * mtest_lock.  The result of the last successful command is read back from
 * the file and copied to the kernel log (rate limited).
 *
 * Reading back: a read at offset 0 takes a snapshot, so a long result is
 * never torn by a concurrent writer.  A file that wrote a command reads its
 * own result; any other file reads the latest one (the lab's
 * "echo cmd > /proc/mtest; cat /proc/mtest").  Someone else's result is
 * only shown to a reader with CAP_SYS_PTRACE (and CAP_SYS_ADMIN when it
 * shows a PFN): it describes another process's memory.
 *
 * Walks and accesses go through vms_walk_addr() and vms_access(), the code
 * the kfuncs use: writes take the fault path, so a write never lands in a
 * page shared with another process or in a file's page cache.
 */
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "vmscope.h"

#define MTEST_CMD_MAX	128		/* longest accepted write, in bytes */
#define MTEST_RES_MAX	(64 * 1024)	/* longer results are truncated */

enum mtest_op {
	MT_LISTVMA = 1,
	MT_FINDVMA,
	MT_FINDPAGE,
	MT_WRITEVAL,
	MT_READ,
	MT_WRITE,
};

struct mtest_cmd {
	enum mtest_op op;
	pid_t pid;
	unsigned long addr;
	unsigned long val;
};

/* What a reader other than the writer needs to see a result. */
#define MTEST_NEED_ADMIN	(1u << 0)	/* it shows a PFN */

struct mtest_res {
	struct kref ref;
	struct pid *owner;	/* the writer's thread group */
	unsigned int need;
	size_t len;
	char text[];
};

struct mtest_file {
	struct mutex lock;
	struct mtest_res *own;	/* this file's last result */
	struct mtest_res *snap;	/* what reads past offset 0 continue */
};

/* A result being built. */
struct mtest_out {
	char *buf;
	size_t len;
	bool trunc;
};

static DEFINE_MUTEX(mtest_lock);
static struct mtest_res *mtest_last;	/* under mtest_lock */
static DEFINE_RATELIMIT_STATE(mtest_log_rs, 5 * HZ, 40);

static void mtest_res_release(struct kref *ref)
{
	struct mtest_res *res = container_of(ref, struct mtest_res, ref);

	put_pid(res->owner);
	kvfree(res);
}

static void mtest_res_put(struct mtest_res *res)
{
	if (res)
		kref_put(&res->ref, mtest_res_release);
}

static __printf(2, 3) void out_printf(struct mtest_out *o, const char *fmt, ...)
{
	size_t room = MTEST_RES_MAX - o->len;
	va_list ap;
	int n;

	if (o->trunc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, room, fmt, ap);
	va_end(ap);
	if (n >= room) {
		static const char mark[] = "...(truncated)\n";

		o->len = MTEST_RES_MAX - sizeof(mark);
		memcpy(o->buf + o->len, mark, sizeof(mark));
		o->len += sizeof(mark) - 1;
		o->trunc = true;
		return;
	}
	o->len += n;
}

/* ---- parsing ----------------------------------------------------------- */

/* The next token: the bytes up to a space or the end.  Returns its length. */
static size_t mtest_token(const char *s, char *tok, size_t toksz)
{
	size_t n = strcspn(s, " ");

	if (n >= toksz)
		return 0;
	memcpy(tok, s, n);
	tok[n] = '\0';
	return n;
}

static bool all_digits(const char *s, int (*pred)(int))
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!pred((unsigned char)*s))
			return false;
	return true;
}

static int is_xdigit(int c) { return isxdigit(c); }
static int is_digit(int c) { return isdigit(c); }

/* Hex with or without 0x; a user address (below TASK_SIZE_MAX). */
static int parse_addr(const char *tok, unsigned long *addr)
{
	if (tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X'))
		tok += 2;
	if (!all_digits(tok, is_xdigit) || kstrtoul(tok, 16, addr))
		return -EINVAL;
	if (*addr >= TASK_SIZE_MAX)
		return -EINVAL;
	return 0;
}

/* Decimal, or hex after 0x. */
static int parse_num(const char *tok, unsigned long *v)
{
	if (tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X')) {
		if (!all_digits(tok + 2, is_xdigit))
			return -EINVAL;
		return kstrtoul(tok + 2, 16, v) ? -EINVAL : 0;
	}
	if (!all_digits(tok, is_digit))
		return -EINVAL;
	return kstrtoul(tok, 10, v) ? -EINVAL : 0;
}

static const char *skip_spaces_only(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

/*
 * Parse a NUL-terminated command of length len (no other NUL inside).
 * Returns 0 or -EINVAL; cmd is only meaningful on success.
 */
static int mtest_parse(char *s, size_t len, struct mtest_cmd *cmd)
{
	static const struct { const char *kw; enum mtest_op op; } kws[] = {
		{ "listvma", MT_LISTVMA }, { "findvma", MT_FINDVMA },
		{ "findpage", MT_FINDPAGE }, { "writeval", MT_WRITEVAL },
		{ "r ", MT_READ }, { "w ", MT_WRITE },
	};
	char tok[24];
	const char *p = s;
	unsigned long v;
	size_t i, n;

	/* One trailing NUL (strlen + 1 writers), then one trailing newline. */
	if (len && s[len - 1] == '\0')
		len--;
	if (len && s[len - 1] == '\n')
		s[--len] = '\0';
	if (!len || memchr(s, '\0', len))
		return -EINVAL;

	memset(cmd, 0, sizeof(*cmd));
	for (i = 0; i < ARRAY_SIZE(kws); i++) {
		n = strlen(kws[i].kw);
		if (!strncmp(p, kws[i].kw, n)) {
			cmd->op = kws[i].op;
			p += n;
			break;
		}
	}
	if (!cmd->op)
		return -EINVAL;
	if (cmd->op == MT_LISTVMA)
		return *p ? -EINVAL : 0;

	p = skip_spaces_only(p);
	if (cmd->op == MT_READ || cmd->op == MT_WRITE) {
		n = mtest_token(p, tok, sizeof(tok));
		if (!n || !all_digits(tok, is_digit) || kstrtoint(tok, 10, &cmd->pid) ||
		    cmd->pid <= 0 || cmd->pid > PID_MAX_LIMIT)
			return -EINVAL;
		p = skip_spaces_only(p + n);
	}
	n = mtest_token(p, tok, sizeof(tok));
	if (!n || parse_addr(tok, &cmd->addr))
		return -EINVAL;
	p += n;
	if (cmd->op == MT_WRITEVAL || cmd->op == MT_WRITE) {
		if (*p != ' ')
			return -EINVAL;
		p = skip_spaces_only(p);
		n = mtest_token(p, tok, sizeof(tok));
		if (!n || parse_num(tok, &v))
			return -EINVAL;
		if (cmd->op == MT_WRITE && v > 0xff)
			return -EINVAL;
		cmd->val = v;
		p += n;
	}
	return *p ? -EINVAL : 0;
}

/* ---- commands ---------------------------------------------------------- */

static void vma_line(struct mtest_out *o, struct vm_area_struct *vma, char *page)
{
	const char *name = "";
	vm_flags_t f = vma->vm_flags;

	if (vma->vm_file) {
		char *p = d_path(&vma->vm_file->f_path, page, PAGE_SIZE);

		if (IS_ERR(p)) {
			name = "?";
		} else {
			/* One VMA per line, whatever the file is called. */
			strreplace(p, '\n', '?');
			name = p;
		}
	} else if (vma->vm_ops && vma->vm_ops->name && vma->vm_ops->name(vma)) {
		name = vma->vm_ops->name(vma);
	} else if (vma_is_initial_heap(vma)) {
		name = "[heap]";
	} else if (vma_is_initial_stack(vma)) {
		name = "[stack]";
	}
	out_printf(o, "%08lx-%08lx %c%c%c%c %s\n", vma->vm_start, vma->vm_end,
		   f & VM_READ ? 'r' : '-', f & VM_WRITE ? 'w' : '-',
		   f & VM_EXEC ? 'x' : '-', f & VM_MAYSHARE ? 's' : 'p', name);
}

static int mtest_vmas(struct mm_struct *mm, const struct mtest_cmd *cmd,
		      struct mtest_out *o)
{
	struct vm_area_struct *vma;
	char *page;
	int err = 0;

	page = (char *)__get_free_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	if (mmap_read_lock_killable(mm)) {
		free_page((unsigned long)page);
		return -EINTR;
	}
	if (cmd->op == MT_LISTVMA) {
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma)
			vma_line(o, vma, page);
	} else {
		vma = find_vma(mm, cmd->addr);
		if (vma && vma->vm_start <= cmd->addr)
			vma_line(o, vma, page);
		else
			err = -ENXIO;
	}
	mmap_read_unlock(mm);
	free_page((unsigned long)page);
	return err;
}

static bool mtest_has_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;
	bool ret;

	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	ret = vma && vma->vm_start <= addr;
	mmap_read_unlock(mm);
	return ret;
}

static const char *const level_name[VMS_NR_LEVELS] = { "PGD", "P4D", "PUD", "PMD", "PTE" };

/*
 * The answer for the reader, and (log != NULL) the same line without the
 * PFN for the kernel log.
 */
static int mtest_findpage(struct mm_struct *mm, const struct mtest_cmd *cmd,
			  bool show_pfn, struct mtest_out *o, struct mtest_out *log,
			  unsigned int *need)
{
	const char *lvl, *size = "4K";
	struct vms_walk w = { .addr = cmd->addr };
	int err;

	/* The same answer as the other commands, whatever the walk says. */
	if (!mtest_has_vma(mm, cmd->addr))
		return -ENXIO;
	err = vms_walk_addr(mm, cmd->addr, show_pfn, &w);
	if (err)
		return err;
	if (w.wflags & VMS_W_NO_VMA)
		return -ENXIO;
	lvl = w.stop_level < VMS_NR_LEVELS ? level_name[w.stop_level] : "?";

	switch (w.stop_reason) {
	case VMS_STOP_LEAF:
		if (w.leaf_shift == 21)
			size = "2M";
		else if (w.leaf_shift == 30)
			size = "1G";
		out_printf(log, "0x%lx: present, %s page at %s level%s\n", cmd->addr,
			   size, lvl, (w.page_flags & VMS_PG_NOPAGE) ? ", PFNMAP" : "");
		out_printf(o, "0x%lx: present, %s page at %s level%s", cmd->addr,
			   size, lvl, (w.page_flags & VMS_PG_NOPAGE) ? ", PFNMAP" : "");
		if (w.wflags & VMS_W_PFN_VALID) {
			/* Physical, never the kernel's direct-map address (KASLR). */
			out_printf(o, ", pfn 0x%llx, phys 0x%llx\n",
				   (unsigned long long)w.pfn, (unsigned long long)w.phys);
			*need |= MTEST_NEED_ADMIN;
		} else {
			out_printf(o, ", pfn hidden (needs CAP_SYS_ADMIN)\n");
		}
		return 0;
	case VMS_STOP_NONE_ENTRY:
		out_printf(o, "0x%lx: not present (no %s entry)\n", cmd->addr, lvl);
		break;
	case VMS_STOP_NOT_PRESENT:
		out_printf(o, "0x%lx: not present (%s entry swapped out or migrating)\n",
			   cmd->addr, lvl);
		break;
	default:
		out_printf(o, "0x%lx: bad %s entry\n", cmd->addr, lvl);
		break;
	}
	memcpy(log->buf, o->buf, o->len + 1);
	log->len = o->len;
	return 0;
}

/* Another process's memory: CAP_SYS_PTRACE for the opener and the writer. */
static bool mtest_may_ptrace(struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_PTRACE) &&
	       capable(CAP_SYS_PTRACE);
}

static int mtest_access(struct mm_struct *mm, const struct mtest_cmd *cmd,
			struct mtest_out *o)
{
	unsigned long val = cmd->val;
	u8 byte = cmd->val;
	long n;

	if (!mtest_has_vma(mm, cmd->addr))
		return -ENXIO;
	switch (cmd->op) {
	case MT_WRITEVAL:
		n = vms_access(mm, cmd->addr, &val, sizeof(val), VMS_ACC_WRITE);
		if (n >= 0 && n != sizeof(val))
			n = -EFAULT;
		if (n < 0)
			return n;
		out_printf(o, "writeval 0x%lx 0x%lx: done\n", cmd->addr, val);
		return 0;
	case MT_READ:
		n = vms_access(mm, cmd->addr, &byte, 1, 0);
		break;
	default:
		n = vms_access(mm, cmd->addr, &byte, 1, VMS_ACC_WRITE);
		break;
	}
	if (n == 0)
		n = -EFAULT;
	if (n < 0)
		return n;
	out_printf(o, "%c %d 0x%lx 0x%02x\n", cmd->op == MT_READ ? 'r' : 'w',
		   cmd->pid, cmd->addr, byte);
	return 0;
}

static int mtest_run(struct file *file, const struct mtest_cmd *cmd,
		     struct mtest_out *o, struct mtest_out *log, unsigned int *need)
{
	struct mm_struct *mm;
	bool admin;
	int err;

	if (cmd->op == MT_READ || cmd->op == MT_WRITE) {
		mm = vms_get_mm(cmd->pid);
		if (IS_ERR(mm))
			return PTR_ERR(mm);
		if (mm != current->mm && !mtest_may_ptrace(file)) {
			mmput(mm);
			return -EPERM;
		}
	} else {
		mm = get_task_mm(current);
		if (!mm)
			return -EINVAL;
	}

	switch (cmd->op) {
	case MT_LISTVMA:
	case MT_FINDVMA:
		err = mtest_vmas(mm, cmd, o);
		break;
	case MT_FINDPAGE:
		admin = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) &&
			capable(CAP_SYS_ADMIN);
		err = mtest_findpage(mm, cmd, admin, o, log, need);
		break;
	default:
		err = mtest_access(mm, cmd, o);
		break;
	}
	mmput(mm);
	return err;
}

static void mtest_log(const struct mtest_out *o)
{
	const char *p = o->buf, *end = o->buf + o->len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (__ratelimit(&mtest_log_rs))
			pr_info("vmscope: mtest: %.*s\n", (int)(nl - p), p);
		p = nl + 1;
	}
}

/* ---- the file ---------------------------------------------------------- */

static ssize_t mtest_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct mtest_file *mf = file->private_data;
	struct mtest_out o = {}, log = {};
	char kbuf[MTEST_CMD_MAX + 1];
	struct mtest_res *res = NULL, *old;
	unsigned int need = 0;
	struct mtest_cmd cmd;
	int err;

	if (len == 0 || len > MTEST_CMD_MAX)
		return -EINVAL;
	if (copy_from_user(kbuf, ubuf, len))
		return -EFAULT;
	kbuf[len] = '\0';
	err = mtest_parse(kbuf, len, &cmd);
	if (err)
		return err;

	o.buf = kvmalloc(MTEST_RES_MAX, GFP_KERNEL);
	log.buf = kvmalloc(MTEST_RES_MAX, GFP_KERNEL);
	err = -ENOMEM;
	if (!o.buf || !log.buf)
		goto out_free;
	o.buf[0] = log.buf[0] = '\0';

	err = mutex_lock_killable(&mtest_lock);
	if (err)
		goto out_free;
	err = mtest_run(file, &cmd, &o, &log, &need);
	if (!err) {
		res = kvmalloc(struct_size(res, text, o.len + 1), GFP_KERNEL);
		if (!res)
			err = -ENOMEM;
	}
	if (!err) {
		kref_init(&res->ref);
		res->owner = get_pid(task_tgid(current));
		res->need = need;
		res->len = o.len;
		memcpy(res->text, o.buf, o.len + 1);
		old = mtest_last;
		kref_get(&res->ref);
		mtest_last = res;
		mtest_res_put(old);
		/* Lab commands other than findpage log their answer as is. */
		mtest_log(cmd.op == MT_FINDPAGE ? &log : &o);
	}
	mutex_unlock(&mtest_lock);
	if (!err) {
		mutex_lock(&mf->lock);
		old = mf->own;
		mf->own = res;
		mutex_unlock(&mf->lock);
		mtest_res_put(old);
	}
out_free:
	kvfree(log.buf);
	kvfree(o.buf);
	return err ? err : len;
}

/* Someone else's result: it shows another process's memory layout. */
static bool mtest_may_read(struct mtest_res *res)
{
	if (res->owner != task_tgid(current) && !capable(CAP_SYS_PTRACE))
		return false;
	if ((res->need & MTEST_NEED_ADMIN) && !capable(CAP_SYS_ADMIN))
		return false;
	return true;
}

static ssize_t mtest_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct mtest_file *mf = file->private_data;
	struct mtest_res *res;
	ssize_t ret;

	mutex_lock(&mf->lock);
	if (*ppos == 0 || !mf->snap) {
		res = mf->own;
		if (res) {
			kref_get(&res->ref);
		} else {
			mutex_lock(&mtest_lock);
			res = mtest_last;
			if (res)
				kref_get(&res->ref);
			mutex_unlock(&mtest_lock);
			if (res && !mtest_may_read(res)) {
				mtest_res_put(res);
				mutex_unlock(&mf->lock);
				return -EPERM;
			}
		}
		mtest_res_put(mf->snap);
		mf->snap = res;
	}
	res = mf->snap;
	ret = res ? simple_read_from_buffer(ubuf, count, ppos, res->text, res->len) : 0;
	mutex_unlock(&mf->lock);
	return ret;
}

static int mtest_open(struct inode *inode, struct file *file)
{
	struct mtest_file *mf;

	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	mutex_init(&mf->lock);
	file->private_data = mf;
	return 0;
}

static int mtest_release(struct inode *inode, struct file *file)
{
	struct mtest_file *mf = file->private_data;

	mtest_res_put(mf->own);
	mtest_res_put(mf->snap);
	mutex_destroy(&mf->lock);
	kfree(mf);
	return 0;
}

static const struct proc_ops mtest_ops = {
	.proc_open = mtest_open,
	.proc_release = mtest_release,
	.proc_read = mtest_read,
	.proc_write = mtest_write,
	.proc_lseek = default_llseek,
};

int vms_mtest_init(void)
{
	if (!proc_create("mtest", 0600, NULL, &mtest_ops))
		return -ENOMEM;
	return 0;
}

void vms_mtest_exit(void)
{
	remove_proc_entry("mtest", NULL);
	mtest_res_put(mtest_last);
	mtest_last = NULL;
}
