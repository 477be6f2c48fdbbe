// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope write PID ADDR (--hex B | --str S | --u8..--u64 V) [--force]:
 * another process's memory through the module, which breaks copy-on-write
 * first and writes all the bytes or none.  Prints the bytes before and
 * after, and records both in the write journal (journal_file.h) for
 * 'vmscope undo'.
 *
 * A journaled write reads the old bytes, then swaps them for the new ones
 * with the module's compare-and-write: the bytes it records as old are the
 * very bytes it replaced, even while the process runs.  The journal is
 * locked from the read to the record (journal_file.h says why).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "common.h"
#include "journal_file.h"
#include "memcmd.h"

/* Compare-and-write attempts while the process keeps changing the bytes. */
#define WRITE_TRIES	5

struct write_opts {
	const char *cmd;
	pid_t pid;
	uint64_t addr;
	unsigned char data[VMEM_WBUF_SIZE];
	size_t n;
	bool force;
	const char *journal;	/* --journal FILE */
	bool no_journal;
};

struct write_result {
	pid_t pid;
	uint64_t addr;
	size_t n;
	bool force;
	unsigned char old[VMEM_WBUF_SIZE], new_[VMEM_WBUF_SIZE];
	ssize_t on, nn;		/* old and new bytes that could be read */
	const char *journal;	/* the journal's path, or NULL: not recorded */
	char id[JOURNAL_ID_LEN + 1];
	int jerr;		/* written, but the record failed: errno */
	char jmsg[PATH_MAX + 256];
};

static int parse_hex_bytes(const char *cmd, const char *s, unsigned char *out, size_t max,
			   size_t *n)
{
	size_t len, i;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	if (!len || len % 2) {
		p_usage(cmd, "invalid --hex '%s': expected an even number of hex digits", s);
		return -EINVAL;
	}
	if (len / 2 > max) {
		p_usage(cmd, "--hex gives %zu bytes: at most %zu can be written at once", len / 2,
			max);
		return -E2BIG;
	}
	for (i = 0; i < len; i += 2) {
		unsigned int b;

		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]) ||
		    sscanf(s + i, "%2x", &b) != 1) {
			p_usage(cmd, "invalid --hex: '%.2s' is not a hex byte", s + i);
			return -EINVAL;
		}
		out[i / 2] = b;
	}
	*n = len / 2;
	return 0;
}

/* Options and arguments into o; returns -1 to go on, or the exit status. */
static int write_opts(int argc, char **argv, struct write_opts *o)
{
	static const struct option longopts[] = {
		{ "hex", required_argument, NULL, 'H' },
		{ "str", required_argument, NULL, 'S' },
		{ "u8", required_argument, NULL, '1' },
		{ "u16", required_argument, NULL, '2' },
		{ "u32", required_argument, NULL, '4' },
		{ "u64", required_argument, NULL, '8' },
		{ "force", no_argument, NULL, 'F' },
		{ "journal", required_argument, NULL, 'J' },
		{ "no-journal", no_argument, NULL, 'N' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0];
	int c, rc, have = 0;
	uint64_t val;

	o->cmd = cmd;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		int wsize = c >= '1' && c <= '8' ? c - '0' : 0;

		switch (c) {
		case 'F':
			o->force = true;
			continue;
		case 'J':
			o->journal = optarg;
			continue;
		case 'N':
			o->no_journal = true;
			continue;
		case 'H':
		case 'S':
		case '1':
		case '2':
		case '4':
		case '8':
			if (have++) {
				p_usage(cmd, "give one of --hex, --str, --u8, --u16, --u32, --u64");
				return EXIT_USAGE;
			}
			if (c == 'H') {
				if (parse_hex_bytes(cmd, optarg, o->data, sizeof(o->data), &o->n))
					return EXIT_USAGE;
			} else if (c == 'S') {
				o->n = strlen(optarg);
				if (!o->n || o->n > sizeof(o->data)) {
					p_usage(cmd, "--str takes 1 to %zu bytes", sizeof(o->data));
					return EXIT_USAGE;
				}
				memcpy(o->data, optarg, o->n);
			} else {
				if (parse_uint(optarg, "value", &val))
					return EXIT_USAGE;
				if (wsize < 8 && val >> (wsize * 8)) {
					p_usage(cmd, "value '%s' does not fit in %d byte%s", optarg, wsize,
						wsize > 1 ? "s" : "");
					return EXIT_USAGE;
				}
				memcpy(o->data, &val, wsize);	/* little-endian, like the target */
				o->n = wsize;
			}
			continue;
		}
		rc = cmd_common(cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind != 2 || !have) {
		p_usage(cmd, "expected PID ADDR and one of --hex, --str, --u8, --u16, --u32, --u64");
		return EXIT_USAGE;
	}
	if (o->journal && o->no_journal) {
		p_usage(cmd, "--journal and --no-journal: give one");
		return EXIT_USAGE;
	}
	if (parse_pid(argv[optind], &o->pid) || parse_addr(argv[optind + 1], &o->addr))
		return EXIT_USAGE;
	if (o->addr + o->n < o->addr || (o->addr + o->n) >> 56) {
		p_usage(cmd, "0x%llx + %zu runs past the end of the user address space",
			(unsigned long long)o->addr, o->n);
		return EXIT_USAGE;
	}
	return -1;
}

/* The error of a write that changed nothing. */
static void write_err(const struct write_opts *o, ssize_t ret, bool old_readable)
{
	if (ret == -EPERM && o->force)
		p_error(ret, "%s: nothing written: --force (writing through a read-only "
			"mapping) needs CAP_SYS_PTRACE, even in one's own process", o->cmd);
	else if (ret == -EFAULT && !o->force && old_readable)
		p_error(ret, "%s: nothing written: 0x%llx in process %d is not writable (a "
			"read-only mapping); --force writes a private copy-on-write copy, like "
			"a debugger", o->cmd, (unsigned long long)o->addr, o->pid);
	else
		memcmd_err(o->cmd, o->pid, ret, o->addr, true);
}

/*
 * The journaled write: identity, old bytes, compare-and-write, record.
 * Returns 0, or the exit status after printing why.
 */
static int write_journaled(struct vmem *v, const struct write_opts *o, struct journal *j,
			   struct write_result *r)
{
	struct jentry e = { .pid = o->pid, .addr = o->addr, .force = o->force, .len = o->n };
	char why[256], path[64];
	const char *w;
	ssize_t got, ret = -ECANCELED;
	int err, i;
	FILE *f;

	err = journal_path(j, o->journal, &w);
	if (!err)
		err = journal_open(j, true, true, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "%s", w);
	if (err) {
		p_error(err, "%s: nothing written: cannot use the journal %s: %s; give --journal "
			"FILE, or --no-journal to write with no way back", o->cmd, j->path, why);
		return EXIT_RUNTIME;
	}
	err = journal_proc_identity(o->pid, &e.start, e.boot);
	if (err) {
		memcmd_err(o->cmd, o->pid, err, 0, false);
		return EXIT_RUNTIME;
	}
	/* Read the old bytes and write where they are still those, in one
	 * run; again while the process changes them in between. */
	for (i = 0; i < WRITE_TRIES && ret == -ECANCELED; i++) {
		ret = vmem_swap(v, o->pid, o->addr, o->data, o->n, o->force, r->old, &got,
				r->new_, &r->nn);
		if (ret != -ECANCELED && (got < 0 || (size_t)got < o->n)) {
			/* The old bytes are what undo needs: no write without them. */
			memcmd_err(o->cmd, o->pid, got < 0 ? got : ret < 0 ? ret : -EFAULT,
				   o->addr + (got > 0 ? got : 0), true);
			return EXIT_RUNTIME;
		}
	}
	if (ret == -ECANCELED) {
		p_error(ret, "%s: nothing written: process %d kept changing the bytes at 0x%llx "
			"(%d tries)", o->cmd, o->pid, (unsigned long long)o->addr, WRITE_TRIES);
		return EXIT_RUNTIME;
	}
	if (ret < 0) {
		write_err(o, ret, true);
		return EXIT_RUNTIME;
	}
	r->on = o->n;
	e.old = r->old;
	e.new_ = (unsigned char *)o->data;
	snprintf(path, sizeof(path), "/proc/%d/comm", o->pid);
	f = fopen(path, "re");
	if (!f || !fgets(e.comm, sizeof(e.comm), f))
		e.comm[0] = 0;
	if (f)
		fclose(f);
	e.comm[strcspn(e.comm, "\n")] = 0;
	err = journal_append_write(j, &e);
	if (err) {
		/* The bytes did change: the document says so, with the error. */
		snprintf(r->jmsg, sizeof(r->jmsg), "%s: written, but not recorded in the journal "
			 "%s: %s; 'vmscope undo' cannot put the old bytes back", o->cmd, j->path,
			 strerror(-err));
		r->jerr = -err;
		jw_reserve(true);
		p_error(err, "%s", r->jmsg);
		jw_reserve(false);
		return 0;
	}
	r->journal = j->path;
	memcpy(r->id, e.id, sizeof(r->id));
	return 0;
}

static int write_run(const struct write_opts *o, struct journal *j, struct write_result *r)
{
	struct vmem *v;
	ssize_t ret;
	int rc = 0;

	r->pid = o->pid;
	r->addr = o->addr;
	r->n = o->n;
	r->force = o->force;
	/* Journaled: read the old bytes and compare-and-write them (vmem_swap()). */
	v = memcmd_open(o->cmd, o->no_journal ? VMEM_P_WRITE : VMEM_P_CMPXCHG);
	if (!v)
		return EXIT_RUNTIME;
	if (o->no_journal) {
		ret = vmem_write(v, o->pid, o->addr, o->data, o->n, o->force, r->old, &r->on,
				 r->new_, &r->nn);
		if (ret < 0) {
			write_err(o, ret, r->on == (ssize_t)o->n);
			rc = EXIT_RUNTIME;
		}
		goto out;
	}
	/* r->new_: what is there after the write, unless the process changed it. */
	rc = write_journaled(v, o, j, r);
out:
	vmem_close(v);
	return rc;
}

static void print_write_json(const struct write_result *r)
{
	jw_start_obj();
	jw_str("source", "module");
	jw_u64("pid", r->pid);
	jw_hex("addr", r->addr);
	jw_u64("length", r->n);
	jw_u64("written", r->n);
	jw_bool("force", r->force);
	if (r->on > 0)
		jw_bytes("old", r->old, r->on);
	else
		jw_null("old");
	if (r->nn > 0)
		jw_bytes("new", r->new_, r->nn);
	else
		jw_null("new");
	if (r->journal) {
		jw_str("journal", r->journal);
		jw_str("journal_id", r->id);
	} else {
		jw_null("journal");
		jw_null("journal_id");
	}
	if (r->jerr) {
		jw_str("error", r->jmsg);
		jw_i64("errno", r->jerr);
	}
	jw_end_obj();
	jw_done();
}

static void print_write_plain(const struct write_result *r)
{
	printf("old:\n");
	hexdump(r->addr, r->old, r->on > 0 ? r->on : 0);
	printf("new:\n");
	hexdump(r->addr, r->new_, r->nn > 0 ? r->nn : 0);
	if (verbose && r->journal)
		p_info("vmscope: write: recorded in %s as %s ('vmscope undo' puts the old bytes "
		       "back)\n", r->journal, r->id);
}

static int do_write(int argc, char **argv)
{
	static struct write_opts o;
	static struct write_result r;
	struct journal j = { .fd = -1 };
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	rc = write_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = write_run(&o, &j, &r);
	journal_close(&j);
	if (rc)
		return rc;
	if (json_output)
		print_write_json(&r);
	else
		print_write_plain(&r);
	return r.jerr ? EXIT_RUNTIME : 0;
}

const struct cmd cmd_write = {
	.name = "write",
	.fn = do_write,
	.usage = "write [OPTIONS] PID ADDR (--hex BYTES|--str TEXT|--u8..--u64 VALUE)",
	.summary = "write another process's memory through copy-on-write (all or nothing)",
	.help = "      --hex BYTES    bytes as hex digits (\"deadbeef\"), at most 64K\n"
	        "      --str TEXT     the bytes of TEXT (no NUL added)\n"
	        "      --u8, --u16, --u32, --u64 VALUE\n"
	        "                     an integer (decimal or 0x hex), little-endian\n"
	        "      --force        also into a read-only private mapping, as a COW copy\n"
	        "                     (like a debugger's breakpoint)\n"
	        "      --journal FILE record the write in FILE (default: see 'journal')\n"
	        "      --no-journal   do not record it: 'undo' cannot put it back\n"
	        "  Prints the bytes before and after.  Nothing is written unless all of\n"
	        "  them can be.  Every write is recorded in the journal for 'undo'.\n"
	        "examples:\n"
	        "  vmscope write 1234 0x55d0c0ffe2a0 --str hello\n"
	        "  vmscope write 1234 0x55d0c0ffe2a8 --u64 0x1122334455667788\n",
	.needs_module = 1,
};

const struct cmd cmd_writeval = {
	.name = "writeval",
	.fn = do_write,
	.usage = "writeval [OPTIONS] PID ADDR --u64 VALUE ...",
	.summary = "lab alias of write",
	.alias_of = "write",
	.needs_module = 1,
};
