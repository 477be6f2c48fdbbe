// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope journal: the write journal, newest first: each write, whether it
 * was undone, whether its process still runs, and its place in the queue
 * of 'vmscope undo' (undo N takes the first N pending ones).  Lines that
 * are not trustworthy records are listed apart, with why.  Reads under a
 * shared lock, so a record being appended is never seen half written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "common.h"
#include "journal_file.h"

struct journal_opts {
	const char *cmd;
	const char *journal;
	pid_t pid;		/* --pid: only this process's writes */
};

struct journal_row {
	const struct jentry *e;
	enum jtarget target;
	size_t queue;		/* place in undo's queue; 0: undone */
};

struct journal_result {
	const char *path;
	bool exists;
	struct jlist l;
	struct journal_row *rows;	/* newest first */
	size_t n, pending;
};

static int journal_opts(int argc, char **argv, struct journal_opts *o)
{
	static const struct option longopts[] = {
		{ "journal", required_argument, NULL, 'J' },
		{ "pid", required_argument, NULL, 'P' },
		COMMON_LONG,
		{}
	};
	int c, rc;

	o->cmd = argv[0];
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		if (c == 'J') {
			o->journal = optarg;
			continue;
		}
		if (c == 'P') {
			if (parse_pid(optarg, &o->pid))
				return EXIT_USAGE;
			continue;
		}
		rc = cmd_common(o->cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc) {
		p_usage(o->cmd, "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	return -1;
}

static int journal_run(const struct journal_opts *o, struct journal *j, struct journal_result *r)
{
	char why[256];
	const char *w;
	size_t i;
	int err;

	err = journal_path(j, o->journal, &w);
	if (err) {
		p_error(err, "%s: %s", o->cmd, w);
		return EXIT_RUNTIME;
	}
	r->path = j->path;
	err = journal_open(j, false, false, why, sizeof(why));
	if (err == -ENOENT) {
		if (o->journal) {
			p_error(err, "%s: no journal at %s", o->cmd, j->path);
			return EXIT_RUNTIME;
		}
		return -1;	/* nothing written yet: an empty journal */
	}
	r->exists = true;
	if (!err)
		err = journal_read(j, &r->l);
	if (err) {
		p_error(err, "%s: the journal %s: %s", o->cmd, j->path,
			j->fd < 0 ? why : strerror(-err));
		return EXIT_RUNTIME;
	}
	r->rows = calloc(r->l.n ? r->l.n : 1, sizeof(*r->rows));
	if (!r->rows)
		return EXIT_RUNTIME;
	for (i = r->l.n; i-- > 0;) {
		const struct jentry *e = &r->l.e[i];
		struct journal_row *row;

		if (o->pid && e->pid != o->pid)
			continue;
		row = &r->rows[r->n++];
		row->e = e;
		row->target = journal_target(e);
		row->queue = e->undone ? 0 : ++r->pending;
	}
	return -1;
}

static void print_journal_json(const struct journal_result *r)
{
	size_t i;

	jw_start_obj();
	jw_str("source", "journal");
	jw_str("journal", r->path);
	jw_bool("exists", r->exists);
	jw_u64("format", JOURNAL_FORMAT);
	jw_key("entries");
	jw_start_arr();
	for (i = 0; i < r->n; i++) {
		const struct journal_row *row = &r->rows[i];
		const struct jentry *e = row->e;

		jw_start_obj();
		jw_str("id", e->id);
		jw_str("time", e->time);
		jw_u64("pid", e->pid);
		jw_u64("start_time", e->start);
		jw_str("boot_id", e->boot);
		jw_str("comm", e->comm);
		jw_hex("addr", e->addr);
		jw_u64("length", e->len);
		jw_bool("force", e->force);
		jw_bytes("old", e->old, e->len);
		jw_bytes("new", e->new_, e->len);
		jw_str("state", e->undone ? "undone" : "pending");
		if (e->undone)
			jw_str("undone_time", e->undo_time);
		else
			jw_null("undone_time");
		jw_str("target", journal_target_name(row->target));
		if (row->queue)
			jw_u64("undo_position", row->queue);
		else
			jw_null("undo_position");
		jw_u64("line", e->line);
		jw_end_obj();
	}
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

static const char *state_str(const struct journal_row *row, char *buf, size_t sz)
{
	static const char *const gone[] = {
		[JT_EXITED] = " (process exited)",
		[JT_RESTARTED] = " (pid now another process)",
		[JT_OTHER_BOOT] = " (before the last boot)",
	};

	if (row->e->undone)
		snprintf(buf, sz, "undone %s", row->e->undo_time);
	else
		snprintf(buf, sz, "pending%s", row->target == JT_RUNNING ? "" : gone[row->target]);
	return buf;
}

static void print_journal_plain(const struct journal_result *r)
{
	int wpid = 3, wcomm = 4, waddr = 7, wlen = 3, wold = 3, wnew = 3;
	char buf[64], st[64], a[24], b[24];
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct jentry *e = r->rows[i].e;
		int x;

		x = snprintf(buf, sizeof(buf), "%d", e->pid);
		wpid = x > wpid ? x : wpid;
		x = strlen(e->comm);
		wcomm = x > wcomm ? x : wcomm;
		x = snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)e->addr);
		waddr = x > waddr ? x : waddr;
		x = snprintf(buf, sizeof(buf), "%zu", e->len);
		wlen = x > wlen ? x : wlen;
		x = strlen(journal_hex(e->old, e->len, 8, buf));
		wold = x > wold ? x : wold;
		wnew = x > wnew ? x : wnew;
	}
	printf("journal %s: %zu write%s, %zu pending%s\n", r->path, r->n, r->n == 1 ? "" : "s",
	       r->pending, r->exists ? "" : " (nothing written yet)");
	if (!r->n)
		return;
	printf("%4s %-20s %*s %-*s %-*s %*s %-5s %-*s %-*s %s\n", "UNDO", "TIME", wpid, "PID",
	       wcomm, "COMM", waddr, "ADDRESS", wlen, "LEN", "FORCE", wold, "OLD", wnew, "NEW",
	       "STATE");
	for (i = 0; i < r->n; i++) {
		const struct journal_row *row = &r->rows[i];
		const struct jentry *e = row->e;

		snprintf(buf, sizeof(buf), row->queue ? "%zu" : "-", row->queue);
		printf("%4s %-20s %*d %-*s ", buf, e->time, wpid, e->pid, wcomm, e->comm);
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)e->addr);
		printf("%-*s %*zu %-5s %-*s %-*s %s\n", waddr, buf, wlen, e->len,
		       e->force ? "yes" : "-", wold, journal_hex(e->old, e->len, 8, a), wnew,
		       journal_hex(e->new_, e->len, 8, b), state_str(row, st, sizeof(st)));
	}
}

static int do_journal(int argc, char **argv)
{
	struct journal_opts o = {};
	struct journal_result r = {};
	struct journal j = { .fd = -1 };
	size_t i;
	int rc;

	rc = journal_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = journal_run(&o, &j, &r);
	journal_close(&j);
	if (rc < 0) {
		/* Untrusted lines: reported, never used; they make the exit status 1. */
		for (i = 0; i < r.l.nbad; i++)
			p_info("vmscope: %s: %s:%zu: %s: line ignored\n", o.cmd, r.path,
			       r.l.bad[i].line, r.l.bad[i].why);
		if (!r.exists && verbose)
			p_info("vmscope: %s: no journal at %s yet\n", o.cmd, r.path);
		if (json_output)
			print_journal_json(&r);
		else
			print_journal_plain(&r);
		rc = r.l.nbad ? EXIT_RUNTIME : 0;
	}
	free(r.rows);
	jlist_free(&r.l);
	return rc;
}

const struct cmd cmd_journal = {
	.name = "journal",
	.fn = do_journal,
	.usage = "journal [OPTIONS]",
	.summary = "the writes 'write' recorded, newest first, and which 'undo' would take",
	.help = "      --journal FILE another journal than $XDG_STATE_HOME/vmscope/journal\n"
	        "                     (~/.local/state/vmscope/journal)\n"
	        "      --pid PID      only writes into process PID\n"
	        "examples:\n"
	        "  vmscope journal\n"
	        "  vmscope -j journal --pid 1234\n",
};
