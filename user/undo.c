// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope undo [N]: put back the bytes of the last N journaled writes,
 * newest first, each only where the bytes are still the ones written:
 * the module compares and writes in one step with the pages locked
 * (vmem_cmpxchg()), so a byte the process changed since is never
 * overwritten.  A write into a process that has exited, or whose pid now
 * names another process (its start time or the boot differs), is never
 * attempted.  Each entry undone gets an undo mark appended to the journal;
 * the others stay as they were, to be tried again.  The journal is locked
 * for the whole run (journal_file.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "common.h"
#include "journal_file.h"
#include "memcmd.h"

#define UNDO_MAX	1000000

struct undo_opts {
	const char *cmd;
	uint64_t n;		/* how many writes */
	pid_t pid;		/* --pid: only this process's (0: any) */
	const char *journal;
	bool force;
};

enum undo_res { U_RESTORED, U_CHANGED, U_EXITED, U_RESTARTED, U_OTHER_BOOT, U_FAILED };
static const char *const res_names[] = {
	"restored", "changed", "exited", "restarted", "other_boot", "failed",
};

struct undo_item {
	const struct jentry *e;
	enum undo_res res;
	int err;		/* errno for failed (or the mark that failed) */
	char msg[256];
	char time[JOURNAL_TIME_LEN + 1];	/* of the undo mark */
};

struct undo_result {
	const char *path;
	uint64_t requested;
	struct jlist l;
	struct undo_item *items;
	size_t n, restored;
};

static int undo_opts(int argc, char **argv, struct undo_opts *o)
{
	static const struct option longopts[] = {
		{ "journal", required_argument, NULL, 'J' },
		{ "pid", required_argument, NULL, 'P' },
		{ "force", no_argument, NULL, 'F' },
		COMMON_LONG,
		{}
	};
	int c, rc;

	o->cmd = argv[0];
	o->n = 1;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		switch (c) {
		case 'J':
			o->journal = optarg;
			continue;
		case 'P':
			if (parse_pid(optarg, &o->pid))
				return EXIT_USAGE;
			continue;
		case 'F':
			o->force = true;
			continue;
		}
		rc = cmd_common(o->cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind > 1) {
		p_usage(o->cmd, "expected at most one argument, N (how many writes to undo)");
		return EXIT_USAGE;
	}
	if (optind < argc) {
		if (parse_uint(argv[optind], "count", &o->n))
			return EXIT_USAGE;
		if (!o->n || o->n > UNDO_MAX) {
			p_usage(o->cmd, "invalid count '%s': 1 to %d writes", argv[optind], UNDO_MAX);
			return EXIT_USAGE;
		}
	}
	return -1;
}

/* The journal's untrusted lines, on stderr: reported, never used. */
static void note_bad_lines(const char *cmd, const char *path, const struct jlist *l)
{
	size_t i;

	for (i = 0; i < l->nbad; i++)
		p_info("vmscope: %s: %s:%zu: %s: line ignored\n", cmd, path, l->bad[i].line,
		       l->bad[i].why);
}

/* Whether an entry's process is the one written: else it is refused here. */
static bool undo_target_ok(struct undo_item *it)
{
	const struct jentry *e = it->e;

	switch (journal_target(e)) {
	case JT_OTHER_BOOT:
		it->res = U_OTHER_BOOT;
		snprintf(it->msg, sizeof(it->msg), "written before the system last booted: that "
			 "process is gone");
		return false;
	case JT_EXITED:
		it->res = U_EXITED;
		snprintf(it->msg, sizeof(it->msg), "process %d has exited", e->pid);
		return false;
	case JT_RESTARTED:
		it->res = U_RESTARTED;
		snprintf(it->msg, sizeof(it->msg), "pid %d now names another process (its start "
			 "time is not the one recorded): never written", e->pid);
		return false;
	case JT_RUNNING:
		break;
	}
	return true;
}

/* One entry whose process runs: put back and marked, or refused. */
static void undo_one(struct vmem *v, struct journal *j, const struct undo_opts *o,
		     struct undo_item *it)
{
	const struct jentry *e = it->e;
	bool force = e->force || o->force;
	ssize_t ret;
	int err;

	ret = vmem_cmpxchg(v, e->pid, e->addr, e->new_, e->old, e->len, force);
	if (ret == -ECANCELED) {
		it->res = U_CHANGED;
		snprintf(it->msg, sizeof(it->msg), "the bytes are no longer the ones written (the "
			 "process or someone else changed them since): left as they are");
		return;
	}
	if (ret == -ESRCH) {
		it->res = U_EXITED;
		snprintf(it->msg, sizeof(it->msg), "process %d has exited", e->pid);
		return;
	}
	if (ret < 0) {
		it->res = U_FAILED;
		it->err = -ret;
		if (ret == -EFAULT && !force)
			snprintf(it->msg, sizeof(it->msg), "not writable now (unmapped, or made "
				 "read-only since: 'undo --force' writes through a read-only "
				 "mapping)");
		else if (ret == -EPERM && e->force)
			snprintf(it->msg, sizeof(it->msg), "undoing it needs CAP_SYS_PTRACE: the write "
				 "went through a read-only mapping (--force)");
		else if (ret == -EPERM && force)
			snprintf(it->msg, sizeof(it->msg), "--force needs CAP_SYS_PTRACE");
		else if (ret == -EPERM)
			snprintf(it->msg, sizeof(it->msg), "permission denied: process %d is not "
				 "yours and vmscope needs CAP_SYS_PTRACE", e->pid);
		else if (ret == -EFAULT)
			snprintf(it->msg, sizeof(it->msg), "nothing writable there now (unmapped or "
				 "PROT_NONE)");
		else
			snprintf(it->msg, sizeof(it->msg), "%s", strerror(-ret));
		return;
	}
	it->res = U_RESTORED;
	err = journal_append_undo(j, e->id, it->time);
	if (err) {
		/* Put back but not marked: a later undo finds the old bytes and refuses. */
		it->err = -err;
		snprintf(it->msg, sizeof(it->msg), "restored, but the undo mark could not be "
			 "recorded: %s", strerror(-err));
	}
}

/* Returns -1 when the run went as far as it could, else the exit status. */
static int undo_run(const struct undo_opts *o, struct journal *j, struct undo_result *r)
{
	struct vmem *v;
	char why[256];
	const char *w;
	size_t i, live = 0;
	int err;

	r->requested = o->n;
	err = journal_path(j, o->journal, &w);
	if (err) {
		p_error(err, "%s: %s", o->cmd, w);
		return EXIT_RUNTIME;
	}
	r->path = j->path;
	err = journal_open(j, false, true, why, sizeof(why));
	if (err == -ENOENT) {
		p_error(err, "%s: nothing to undo: no journal at %s", o->cmd, j->path);
		return EXIT_RUNTIME;
	}
	if (!err)
		err = journal_read(j, &r->l);
	if (err) {
		p_error(err, "%s: the journal %s: %s", o->cmd, j->path,
			j->fd < 0 ? why : strerror(-err));
		return EXIT_RUNTIME;
	}
	note_bad_lines(o->cmd, j->path, &r->l);
	r->items = calloc(r->l.n ? r->l.n : 1, sizeof(*r->items));
	if (!r->items)
		return EXIT_RUNTIME;
	for (i = r->l.n; i-- > 0 && r->n < o->n;) {
		const struct jentry *e = &r->l.e[i];

		if (!e->undone && (!o->pid || e->pid == o->pid))
			r->items[r->n++].e = e;
	}
	if (!r->n) {
		if (o->pid)
			p_error(ENOENT, "%s: nothing to undo: no write into process %d in %s is "
				"left to undo", o->cmd, o->pid, j->path);
		else
			p_error(ENOENT, "%s: nothing to undo: every write in %s is undone", o->cmd,
				j->path);
		return EXIT_RUNTIME;
	}
	/* The processes first: the module is needed only where one still runs. */
	for (i = 0; i < r->n; i++)
		live += undo_target_ok(&r->items[i]);
	if (!live)
		return -1;
	v = memcmd_open(o->cmd, VMEM_P_CMPXCHG);
	if (!v)
		return EXIT_RUNTIME;
	for (i = 0; i < r->n; i++) {
		if (r->items[i].msg[0])
			continue;
		undo_one(v, j, o, &r->items[i]);
		r->restored += r->items[i].res == U_RESTORED;
	}
	vmem_close(v);
	return -1;
}

static void jw_item(const struct undo_item *it)
{
	const struct jentry *e = it->e;

	jw_start_obj();
	jw_str("id", e->id);
	jw_str("time", e->time);
	jw_u64("pid", e->pid);
	jw_str("comm", e->comm);
	jw_hex("addr", e->addr);
	jw_u64("length", e->len);
	jw_bool("force", e->force);
	jw_str("result", res_names[it->res]);
	if (it->res == U_RESTORED && !it->err)
		jw_str("undone_time", it->time);
	else
		jw_null("undone_time");
	if (it->msg[0]) {
		jw_str("error", it->msg);
		jw_i64("errno", it->err ? it->err : it->res == U_CHANGED ? ECANCELED : ESRCH);
	}
	jw_end_obj();
}

static void print_undo_json(const struct undo_result *r)
{
	size_t i;

	jw_start_obj();
	jw_str("source", "module");
	jw_str("journal", r->path);
	jw_u64("requested", r->requested);
	jw_u64("restored", r->restored);
	jw_key("entries");
	jw_start_arr();
	for (i = 0; i < r->n; i++)
		jw_item(&r->items[i]);
	jw_end_arr();
	jw_key("bad_lines");
	jw_start_arr();
	for (i = 0; i < r->l.nbad; i++) {
		jw_start_obj();
		jw_u64("line", r->l.bad[i].line);
		jw_str("reason", r->l.bad[i].why);
		jw_end_obj();
	}
	jw_end_arr();
	jw_end_obj();
	jw_done();
}

static void print_undo_plain(const struct undo_result *r)
{
	char a[40], b[40];
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct undo_item *it = &r->items[i];
		const struct jentry *e = it->e;

		if (it->res != U_RESTORED)
			continue;
		printf("restored 0x%llx in process %d (%s): %zu byte%s %s -> %s (written %s)\n",
		       (unsigned long long)e->addr, e->pid, e->comm, e->len, e->len > 1 ? "s" : "",
		       journal_hex(e->new_, e->len, 16, a), journal_hex(e->old, e->len, 16, b), e->time);
	}
	printf("%zu of %zu undone; journal %s\n", r->restored, r->n, r->path);
}

static int do_undo(int argc, char **argv)
{
	struct undo_opts o = {};
	struct undo_result r = {};
	struct journal j = { .fd = -1 };
	size_t i;
	int rc;

	rc = undo_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = undo_run(&o, &j, &r);
	journal_close(&j);
	if (rc < 0) {
		/* Each entry left in the journal, on stderr with its reason. */
		for (i = 0; i < r.n; i++) {
			const struct undo_item *it = &r.items[i];

			if (it->msg[0])
				p_info("vmscope: %s: 0x%llx in process %d (%zu bytes, written %s): %s%s\n",
				       o.cmd, (unsigned long long)it->e->addr, it->e->pid, it->e->len,
				       it->e->time, it->msg, it->res == U_RESTORED ? "" :
				       "; kept in the journal");
		}
		if (r.n < r.requested)
			p_info("vmscope: %s: only %zu write%s left to undo in %s\n", o.cmd, r.n,
			       r.n == 1 ? " was" : "s were", r.path);
		if (json_output)
			print_undo_json(&r);
		else
			print_undo_plain(&r);
		rc = r.restored == r.requested ? 0 : EXIT_RUNTIME;
		for (i = 0; i < r.n; i++)
			if (r.items[i].err)
				rc = EXIT_RUNTIME;
	}
	free(r.items);
	jlist_free(&r.l);
	return rc;
}

const struct cmd cmd_undo = {
	.name = "undo",
	.fn = do_undo,
	.usage = "undo [OPTIONS] [N]",
	.summary = "put back the bytes of the last N writes (default 1), where they are still "
	           "the ones written",
	.help = "      --journal FILE the journal to undo from (default: see 'journal')\n"
	        "      --pid PID      only writes into process PID\n"
	        "      --force        also write through a mapping made read-only since\n"
	        "                     (writes made with --force are undone with it anyway)\n"
	        "  Newest first; each write only if its process still runs (same start\n"
	        "  time) and its bytes are the ones written, compared and written in one\n"
	        "  step by the module.  An entry refused stays in the journal.\n"
	        "examples:\n"
	        "  vmscope undo\n"
	        "  vmscope undo 3 --pid 1234\n",
	.needs_module = 1,
};
