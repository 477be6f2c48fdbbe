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
 * Addresses are hex with or without 0x; writeval's <val> is hex as
 * sscanf("%lx") reads it ("writeval0x601040 123456" stores 0x123456, "-1"
 * stores all ones); <byte> is decimal or 0x hex.  Blanks (spaces, tabs, a
 * '\r') may surround tokens; a write may hold several commands, one per
 * line, and trailing NULs.  The whole write is parsed before anything runs;
 * bad input is -EINVAL and changes nothing.  A command that fails changes
 * nothing either (a writeval whose 8 bytes cross into a page it cannot
 * write writes none of them) and ends the write with its error.
 *
 * Answers: r gives the byte in decimal alone ("90\n", what the labs read
 * back with fscanf("%d")); w gives "w <pid> 0x<addr> 0x<byte>".
 *
 * Commands run concurrently: no global lock is held while one faults or
 * waits (a FUSE or userfaultfd page may block for as long as its server
 * likes).  mtest_lock only guards the last result.
 *
 * Reading back: a read at offset 0 takes a snapshot, so a long result is
 * never torn by a concurrent writer.  A file that wrote a command reads its
 * own result; any other file reads the latest one (the lab's
 * "echo cmd > /proc/mtest; cat /proc/mtest").  Someone else's result, or a
 * result about another process's memory (r, w), is only shown to a reader
 * (and opener) with CAP_SYS_PTRACE, and one with a PFN only with
 * CAP_SYS_ADMIN.  This is checked on every read, so a file passed on, or
 * kept after dropping privileges, shows no more than its reader may see.
 * policy.c has the rules for r and w on other processes.
 *
 * The kernel log gets one line per command (which command, by whom, and
 * whether it worked), and, as the labs expect, the answer of a command
 * about the writer's own memory ("mtest: " lines; mtest_echo=0 stops it).
 * Never the contents or addresses of another process's memory.
 *
 * Walks and accesses go through vms_walk_addr() and vms_access(), the code
 * the kfuncs use: writes take the fault path, so a write never lands in a
 * page shared with another process (fork, KSM, the zero page) or in the
 * page cache of a privately mapped file.  A write into a writable
 * MAP_SHARED file mapping does reach the file, as a store by the process
 * itself would.
 */
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
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

#define MTEST_CMD_MAX	4096		/* longest accepted write, in bytes */
#define MTEST_CMDS_MAX	64		/* commands in one write */
#define MTEST_ECHO_MAX	200		/* result lines echoed to the log per command */
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
#define MTEST_NEED_PTRACE	(1u << 1)	/* it shows another process's memory */

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
	/* A span the kernel log must not get (a PFN, a value): [from, to). */
	size_t secret_from, secret_to;
	const char *secret_as;		/* what the log shows instead */
};

/* Mark what out_printf() wrote since from as not for the kernel log. */
static void out_secret(struct mtest_out *o, size_t from, const char *as)
{
	o->secret_from = from;
	o->secret_to = o->len;
	o->secret_as = as;
}

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

/* Blanks between and around tokens: what sscanf() and the labs' writers use. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static const char *skip_blanks(const char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* The next token: the bytes up to a blank or the end.  Returns its length. */
static size_t mtest_token(const char *s, char *tok, size_t toksz)
{
	size_t n = strcspn(s, " \t\r\v\f");

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

/* Hex with or without 0x. */
static int parse_hex(const char *tok, unsigned long *v)
{
	if (tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X'))
		tok += 2;
	if (!all_digits(tok, is_xdigit) || kstrtoul(tok, 16, v))
		return -EINVAL;
	return 0;
}

/*
 * writeval's value: hex as sscanf("%lx") reads it, so an optional sign
 * first ("-1" is all ones, as a C program's (unsigned long)-1 prints).
 */
static int parse_hex_signed(const char *tok, unsigned long *v)
{
	bool neg = *tok == '-';

	if (*tok == '-' || *tok == '+')
		tok++;
	if (parse_hex(tok, v))
		return -EINVAL;
	if (neg)
		*v = -*v;
	return 0;
}

/* Hex with or without 0x; a user address (below TASK_SIZE_MAX). */
static int parse_addr(const char *tok, unsigned long *addr)
{
	if (parse_hex(tok, addr) || *addr >= TASK_SIZE_MAX)
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

/*
 * Parse one line (NUL-terminated, no newline, no other NUL).  Blanks around
 * and between tokens are ignored.  Returns 0 with *cmd filled, 1 for a
 * blank line, or -EINVAL.
 */
static int mtest_parse_line(const char *s, struct mtest_cmd *cmd)
{
	static const struct { const char *kw; enum mtest_op op; bool sep; } kws[] = {
		{ "listvma", MT_LISTVMA }, { "findvma", MT_FINDVMA },
		{ "findpage", MT_FINDPAGE }, { "writeval", MT_WRITEVAL },
		{ "r", MT_READ, true }, { "w", MT_WRITE, true },
	};
	const char *p = skip_blanks(s);
	char tok[24];
	unsigned long v;
	size_t i, n;

	if (!*p)
		return 1;
	memset(cmd, 0, sizeof(*cmd));
	for (i = 0; i < ARRAY_SIZE(kws); i++) {
		n = strlen(kws[i].kw);
		/* "findvma0x400000" is the labs' form; "r" and "w" need a blank. */
		if (!strncmp(p, kws[i].kw, n) && (!kws[i].sep || is_blank(p[n]))) {
			cmd->op = kws[i].op;
			p += n;
			break;
		}
	}
	if (!cmd->op)
		return -EINVAL;
	p = skip_blanks(p);
	if (cmd->op == MT_LISTVMA)
		return *p ? -EINVAL : 0;

	if (cmd->op == MT_READ || cmd->op == MT_WRITE) {
		n = mtest_token(p, tok, sizeof(tok));
		if (!n || !all_digits(tok, is_digit) || kstrtoint(tok, 10, &cmd->pid) ||
		    cmd->pid <= 0 || cmd->pid > PID_MAX_LIMIT)
			return -EINVAL;
		p = skip_blanks(p + n);
	}
	n = mtest_token(p, tok, sizeof(tok));
	if (!n || parse_addr(tok, &cmd->addr))
		return -EINVAL;
	p += n;
	if (cmd->op == MT_WRITEVAL || cmd->op == MT_WRITE) {
		if (!is_blank(*p))
			return -EINVAL;
		p = skip_blanks(p);
		n = mtest_token(p, tok, sizeof(tok));
		/* The labs' writeval takes hex; w's byte is decimal or 0x hex. */
		if (!n || (cmd->op == MT_WRITEVAL ? parse_hex_signed(tok, &v) : parse_num(tok, &v)))
			return -EINVAL;
		if (cmd->op == MT_WRITE && v > 0xff)
			return -EINVAL;
		cmd->val = v;
		p += n;
	}
	return *skip_blanks(p) ? -EINVAL : 0;
}

/*
 * Parse a whole write: buf holds len bytes and a NUL after them.  Trailing
 * NULs are dropped (writers that send strlen() + 1, or a padded buffer);
 * any other NUL is an error.  Lines are commands; blank lines are skipped.
 * Returns the number of commands (at least one) or -EINVAL.
 */
static int mtest_parse(char *buf, size_t len, struct mtest_cmd *cmds, int max)
{
	char *line = buf, *nl;
	int n = 0, r;

	while (len && buf[len - 1] == '\0')
		len--;
	if (memchr(buf, '\0', len))
		return -EINVAL;
	buf[len] = '\0';
	for (; line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (n < max)
			r = mtest_parse_line(line, &cmds[n]);
		else	/* one command too many, unless the line is blank */
			r = *skip_blanks(line) ? -EINVAL : 1;
		if (r < 0)
			return r;
		if (r == 0)
			n++;
	}
	return n ? n : -EINVAL;
}

/* ---- commands ---------------------------------------------------------- */

/*
 * Append s, escaping '\n' as "\012" the way /proc/PID/maps prints file
 * names (seq_path(..., "\n")), so a name cannot fake another line.
 */
static void out_name(struct mtest_out *o, const char *s, bool escape)
{
	const char *nl;

	while (escape && (nl = strchr(s, '\n'))) {
		out_printf(o, "%.*s\\012", (int)(nl - s), s);
		s = nl + 1;
	}
	out_printf(o, "%s", s);
}

static void vma_line(struct mtest_out *o, struct vm_area_struct *vma, char *page)
{
	vm_flags_t f = vma->vm_flags;
	u32 kind, rflags;
	const char *name = vms_vma_name(vma, page, PAGE_SIZE, &kind, &rflags);

	out_printf(o, "%08lx-%08lx %c%c%c%c ", vma->vm_start, vma->vm_end,
		   f & VM_READ ? 'r' : '-', f & VM_WRITE ? 'w' : '-',
		   f & VM_EXEC ? 'x' : '-', f & VM_MAYSHARE ? 's' : 'p');
	out_name(o, (rflags & VMS_R_NAME_ERR) ? "?" : name, kind == VMS_NAME_FILE);
	out_printf(o, "\n");
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
		vma = vma_lookup(mm, cmd->addr);
		if (vma)
			vma_line(o, vma, page);
		else
			err = -ENXIO;
	}
	mmap_read_unlock(mm);
	free_page((unsigned long)page);
	return err;
}

/* Is addr inside a VMA?  1, 0, or -EINTR. */
static int mtest_has_vma(struct mm_struct *mm, unsigned long addr)
{
	int ret;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	ret = vma_lookup(mm, addr) != NULL;
	mmap_read_unlock(mm);
	return ret;
}

static const char *const level_name[VMS_NR_LEVELS] = { "PGD", "P4D", "PUD", "PMD", "PTE" };

static int mtest_findpage(struct mm_struct *mm, const struct mtest_cmd *cmd,
			  bool priv, struct mtest_out *o, unsigned int *need)
{
	const char *lvl, *size = "4K";
	struct vms_walk w;
	int err;

	err = vms_walk_addr(mm, cmd->addr, priv, VMS_WAIT, &w);
	if (err == -ENOENT)
		return -ENXIO;	/* the same answer as the other commands */
	if (err)
		return err;
	lvl = w.stop_level < VMS_NR_LEVELS ? level_name[w.stop_level] : "?";

	switch (w.stop_reason) {
	case VMS_STOP_LEAF:
		if (w.leaf_shift == 21)
			size = "2M";
		else if (w.leaf_shift == 30)
			size = "1G";
		out_printf(o, "0x%lx: present, %s page at %s level%s", cmd->addr,
			   size, lvl, (w.wflags & VMS_W_PFNMAP) ? ", PFNMAP" : "");
		if (w.wflags & VMS_W_PFN_VALID) {
			size_t from = o->len;

			/* Physical, never the kernel's direct-map address (KASLR). */
			out_printf(o, ", pfn 0x%llx, phys 0x%llx",
				   (unsigned long long)w.pfn, (unsigned long long)w.phys);
			out_secret(o, from, ", pfn not logged");
			out_printf(o, "\n");
			*need |= MTEST_NEED_ADMIN;
		} else {
			out_printf(o, ", pfn hidden (needs CAP_SYS_ADMIN)\n");
		}
		break;
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
	return 0;
}

static int mtest_access(struct mm_struct *mm, const struct mtest_cmd *cmd,
			struct mtest_out *o)
{
	unsigned long val = cmd->val;
	u8 byte = cmd->val;
	long n;

	n = mtest_has_vma(mm, cmd->addr);
	if (n <= 0)
		return n ? n : -ENXIO;
	switch (cmd->op) {
	case MT_WRITEVAL:
		/* All or nothing: both pages of a straddling value, or neither. */
		n = vms_access(mm, cmd->addr, &val, sizeof(val), VMS_ACC_WRITE);
		if (n < 0)
			return n;
		{
			size_t from;

			out_printf(o, "writeval 0x%lx", cmd->addr);
			from = o->len;
			out_printf(o, " 0x%lx", val);
			out_secret(o, from, " (value not logged)");
			out_printf(o, ": done\n");
		}
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
	/* The labs read r's answer back with fscanf("%d"): the value alone. */
	if (cmd->op == MT_READ)
		out_printf(o, "%u\n", byte);
	else
		out_printf(o, "w %d 0x%lx 0x%02x\n", cmd->pid, cmd->addr, byte);
	return 0;
}

static int mtest_run(struct file *file, const struct mtest_cmd *cmd,
		     struct mtest_out *o, unsigned int *need)
{
	struct mm_struct *mm;
	int err;

	if (cmd->op == MT_READ || cmd->op == MT_WRITE) {
		mm = vms_get_mm_checked(cmd->pid, file, NULL);
		if (IS_ERR(mm))
			return PTR_ERR(mm);
		if (mm != current->mm)
			*need |= MTEST_NEED_PTRACE;
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
		err = mtest_findpage(mm, cmd, vms_may_see_phys(file), o, need);
		break;
	default:
		err = mtest_access(mm, cmd, o);
		break;
	}
	mmput(mm);
	return err;
}

static const char *const op_name[] = {
	[MT_LISTVMA] = "listvma", [MT_FINDVMA] = "findvma", [MT_FINDPAGE] = "findpage",
	[MT_WRITEVAL] = "writeval", [MT_READ] = "r", [MT_WRITE] = "w",
};

/*
 * One line per command: which command, by whom, whether it worked; no
 * memory contents, no addresses, no PFNs.
 */
static void mtest_log(const struct mtest_cmd *cmd, int err)
{
	char comm[TASK_COMM_LEN];

	if (!__ratelimit(&mtest_log_rs))
		return;
	get_task_comm(comm, current);
	if (cmd->op == MT_READ || cmd->op == MT_WRITE)
		pr_info("vmscope: mtest: %s by %s[%d] on pid %d: %s\n", op_name[cmd->op], comm,
			task_tgid_vnr(current), cmd->pid, err ? "failed" : "done");
	else
		pr_info("vmscope: mtest: %s by %s[%d]: %s\n", op_name[cmd->op], comm,
			task_tgid_vnr(current), err ? "failed" : "done");
}

/*
 * The labs print their answers with printk and are checked with dmesg, so
 * the answer of a command about the writer's own memory (listvma, findvma,
 * findpage, writeval) is also logged, line by line, "mtest: " first.  The
 * log has other readers (group adm reads it without CAP_SYS_ADMIN), so no
 * PFN, physical address or memory contents ever reach it: those spans of
 * an answer (out_secret()) are logged as "pfn not logged" or "value not
 * logged", and r and w, whose answers are memory, are never echoed.
 * mtest_echo=0 turns the echo off.
 */
static bool mtest_echo = true;
module_param(mtest_echo, bool, 0644);
MODULE_PARM_DESC(mtest_echo, "also print /proc/mtest answers about the writer's own memory to the kernel log (default: on)");

static void mtest_echo_lines(const struct mtest_cmd *cmd, const struct mtest_out *o,
			     size_t from)
{
	const char *text = o->buf + from, *end = o->buf + o->len, *nl;
	const char *sf = o->buf + o->secret_from, *st = o->buf + o->secret_to;
	int lines = 0;

	if (!READ_ONCE(mtest_echo) || cmd->op == MT_READ || cmd->op == MT_WRITE)
		return;
	for (; text < end; text = nl + 1) {
		nl = memchr(text, '\n', end - text);
		if (!nl)
			nl = end;
		if (++lines > MTEST_ECHO_MAX) {
			pr_info("mtest: ... (%s: more lines in /proc/mtest)\n", op_name[cmd->op]);
			return;
		}
		if (o->secret_as && sf >= text && st <= nl)
			pr_info("mtest: %.*s%s%.*s\n", (int)(sf - text), text, o->secret_as,
				(int)(nl - st), st);
		else if (o->secret_as && st > text && sf < nl)
			continue;	/* part of a secret: never logged */
		else
			pr_info("mtest: %.*s\n", (int)(nl - text), text);
	}
}

/* ---- the file ---------------------------------------------------------- */

/*
 * A write holds one command or several, one per line; all are parsed
 * before the first runs, so bad input changes nothing.  They run in order;
 * the first that fails ends the write with its error (those before it have
 * run) and the result is then unchanged.  Everything a command could fail
 * to allocate is allocated before the first one runs.
 */
static ssize_t mtest_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct mtest_file *mf = file->private_data;
	struct mtest_res *res, *old;
	struct mtest_cmd *cmds;
	struct mtest_out o = {};
	unsigned int need = 0;
	char *kbuf;
	int n, i, err = 0;

	if (len == 0 || len > MTEST_CMD_MAX)
		return -EINVAL;
	kbuf = memdup_user_nul(ubuf, len);
	if (IS_ERR(kbuf))
		return PTR_ERR(kbuf);
	cmds = kmalloc_array(MTEST_CMDS_MAX, sizeof(*cmds), GFP_KERNEL);
	if (!cmds) {
		kfree(kbuf);
		return -ENOMEM;
	}
	n = mtest_parse(kbuf, len, cmds, MTEST_CMDS_MAX);
	kfree(kbuf);
	if (n < 0) {
		kfree(cmds);
		return n;
	}

	res = kvmalloc(struct_size(res, text, MTEST_RES_MAX), GFP_KERNEL);
	if (!res) {
		kfree(cmds);
		return -ENOMEM;
	}
	o.buf = res->text;
	o.buf[0] = '\0';

	/* No lock here: a command may fault and wait for a long time. */
	for (i = 0; i < n && !err; i++) {
		size_t from = o.len;

		o.secret_as = NULL;
		err = mtest_run(file, &cmds[i], &o, &need);
		mtest_log(&cmds[i], err);
		if (!err)
			mtest_echo_lines(&cmds[i], &o, from);
	}
	kfree(cmds);
	if (err) {
		kvfree(res);
		return err;
	}

	kref_init(&res->ref);
	res->owner = get_pid(task_tgid(current));
	res->need = need;
	res->len = o.len;

	kref_get(&res->ref);
	mutex_lock(&mtest_lock);
	old = mtest_last;
	mtest_last = res;
	mutex_unlock(&mtest_lock);
	mtest_res_put(old);

	mutex_lock(&mf->lock);
	old = mf->own;
	mf->own = res;
	mutex_unlock(&mf->lock);
	mtest_res_put(old);
	return len;
}

/*
 * May the reader (current, and the file's opener) see res?  Asked on every
 * read, of the file's own result too: the writer may have dropped its
 * privileges since, or passed the file on.  Someone else's result, or one
 * about another process's memory, needs CAP_SYS_PTRACE; one with a PFN,
 * CAP_SYS_ADMIN.
 */
static bool mtest_may_read(struct file *file, struct mtest_res *res)
{
	bool ptrace = file_ns_capable(file, &init_user_ns, CAP_SYS_PTRACE) &&
		      capable(CAP_SYS_PTRACE);

	if ((res->owner != task_tgid(current) || (res->need & MTEST_NEED_PTRACE)) && !ptrace)
		return false;
	if ((res->need & MTEST_NEED_ADMIN) && !vms_may_see_phys(file))
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
		}
		mtest_res_put(mf->snap);
		mf->snap = res;
	}
	res = mf->snap;
	if (res && !mtest_may_read(file, res)) {
		mutex_unlock(&mf->lock);
		return -EPERM;
	}
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
