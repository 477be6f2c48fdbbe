// SPDX-License-Identifier: GPL-2.0
/*
 * 'vmscope write', 'vmscope undo' and 'vmscope journal' in the guest, each
 * answer checked against the target's memory as process_vm_readv reads it
 * and against the journal file as this test reads it:
 *  - a write undone restores the old bytes, and is marked undone;
 *  - bytes changed after the write (process_vm_writev) are left alone, the
 *    entry stays pending; so does one whose process exited, whose start
 *    time or boot id is not the recorded one (the journal edited, its CRC
 *    recomputed: a reused pid), or whose page was made read-only (then
 *    undo --force);
 *  - undo N goes newest first; --pid and --journal choose;
 *  - two undos of one journal at once never undo a write twice;
 *  - the journal is 0600 in a 0700 directory; corrupt lines are reported
 *    and ignored, the rest still works.
 * Every case gets a journal directory of its own (XDG_STATE_HOME).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <zlib.h>
#include "tap.h"
#include "cli_json.h"

#define PG	4096ul

static char base[64];		/* scratch directory */
static char state[128];		/* this case's XDG_STATE_HOME */
static char jpath[192];		/* and its default journal */
static int ncase;

/* ---- the target: a child with a read-write page and a read-only one ------------ */

struct tgt {
	pid_t pid;
	uint64_t rw, ro;	/* its pages */
};

static char *child_rw;

static void on_usr1(int sig)
{
	(void)sig;
	mprotect(child_rw, PG, PROT_READ);	/* "made read-only since" */
}

static int start_tgt(struct tgt *t)
{
	uint64_t a[2];
	int p[2];

	if (pipe(p))
		return -1;
	t->pid = fork();
	if (t->pid == 0) {
		char *ro = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		child_rw = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (child_rw == MAP_FAILED || ro == MAP_FAILED)
			_exit(1);
		memset(child_rw, 'a', PG);
		memset(ro, 'r', PG);
		mprotect(ro, PG, PROT_READ);
		signal(SIGUSR1, on_usr1);
		a[0] = (uintptr_t)child_rw;
		a[1] = (uintptr_t)ro;
		if (write(p[1], a, sizeof(a)) != sizeof(a))
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (t->pid < 0 || read(p[0], a, sizeof(a)) != sizeof(a)) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	t->rw = a[0];
	t->ro = a[1];
	return 0;
}

static void stop_tgt(struct tgt *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	t->pid = 0;
}

static bool mem_is(const struct tgt *t, uint64_t addr, const char *want)
{
	size_t n = strlen(want);
	char buf[256] = "";
	struct iovec l = { buf, n }, r = { (void *)addr, n };

	if (process_vm_readv(t->pid, &l, 1, &r, 1, 0) != (ssize_t)n)
		return false;
	if (memcmp(buf, want, n))
		diag("memory at 0x%llx is '%.*s', want '%s'", (unsigned long long)addr, (int)n, buf,
		     want);
	return !memcmp(buf, want, n);
}

static int mem_set(const struct tgt *t, uint64_t addr, const char *s)
{
	size_t n = strlen(s);
	struct iovec l = { (void *)s, n }, r = { (void *)addr, n };

	return process_vm_writev(t->pid, &l, 1, &r, 1, 0) == (ssize_t)n ? 0 : -1;
}

/* ---- the journal, as this test reads it ----------------------------------------- */

/* A fresh journal directory for the case. */
static void new_case(void)
{
	snprintf(state, sizeof(state), "%s/state%d", base, ++ncase);
	snprintf(jpath, sizeof(jpath), "%s/vmscope/journal", state);
	setenv("XDG_STATE_HOME", state, 1);
}

static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY);

	return fd < 0 ? NULL : slurp_fd(fd);
}

static int count_str(const char *s, const char *what)
{
	int n = 0;

	for (; s && (s = strstr(s, what)); s++)
		n++;
	return n;
}

/*
 * Line no (1-based) of the journal with field key's value replaced by val,
 * and its CRC recomputed: a record that checks, saying something else.
 */
static int edit_record(int no, const char *key, const char *val)
{
	char *s = slurp(jpath), *line, *end, *k, *ve, out[4096], *crc;
	int i, n;
	FILE *f;

	if (!s)
		return -1;
	for (line = s, i = 1; i < no && line; i++) {
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	if (!line || !(end = strchr(line, '\n')) || (size_t)(end - line) >= sizeof(out) - 64)
		goto fail;
	*end = 0;
	k = strstr(line, key);
	if (!k)
		goto fail;
	ve = strchr(k, ' ');
	crc = strstr(line, " crc=");
	if (!ve || !crc)
		goto fail;
	*crc = 0;
	n = snprintf(out, sizeof(out), "%.*s%s%s", (int)(k - line + strlen(key)), line, val, ve);
	n += snprintf(out + n, sizeof(out) - n, " crc=%08lx\n",
		      crc32(0, (const unsigned char *)out, n));
	f = fopen(jpath, "w");
	if (!f)
		goto fail;
	fwrite(s, 1, line - s, f);
	fwrite(out, 1, n, f);
	fputs(end + 1, f);
	fclose(f);
	free(s);
	return 0;
fail:
	free(s);
	return -1;
}

/* The entry with journal id id in a 'journal -j' document. */
static const char *entry_of(const char *doc, const char *id)
{
	const char *es = js_get(doc, "entries"), *e;
	int i;

	for (i = 0; (e = js_at(es, i)); i++)
		if (js_is(js_get(e, "id"), id))
			return e;
	return NULL;
}

/* 'vmscope -j write PID ADDR --str S [extra]': its journal id into id (17 bytes). */
static int do_write(const struct tgt *t, uint64_t addr, const char *s, const char *extra,
		    char *id)
{
	struct cli c;
	const char *v;
	int rc;

	cli_run(&c, "-j write %d 0x%llx --str %s %s", t->pid, (unsigned long long)addr, s,
		extra ? extra : "");
	rc = c.status;
	v = js_get(c.out, "journal_id");
	if (id)
		snprintf(id, 17, "%.16s", v && *v == '"' ? v + 1 : "");
	if (rc)
		diag("write: exit %d: %s", rc, c.err);
	cli_free(&c);
	return rc;
}

/* ---- cases ------------------------------------------------------------------------ */

static void case_restore(void)
{
	struct tgt t;
	struct cli c, j;
	char id[17];
	const char *e;

	new_case();
	if (start_tgt(&t) || do_write(&t, t.rw, "HELLO", NULL, id)) {
		ok(0, "write then undo: the write");
		stop_tgt(&t);
		return;
	}
	ok(mem_is(&t, t.rw, "HELLO"), "write: the bytes are in the target (process_vm_readv)");
	cli_run(&j, "-j journal");
	e = entry_of(j.out, id);
	ok(e && js_is(js_get(e, "state"), "pending") && js_is(js_get(e, "old"), "6161616161") &&
	   js_is(js_get(e, "new"), "48454c4c4f") && js_int(js_get(e, "pid")) == t.pid &&
	   js_is(js_get(e, "target"), "running") && js_int(js_get(e, "undo_position")) == 1,
	   "journal: the write with its id, old and new bytes, pending, first in undo's queue");
	cli_free(&j);
	cli_run(&c, "undo");
	ok(c.status == 0 && mem_is(&t, t.rw, "aaaaa") && strstr(c.out, "1 of 1 undone"),
	   "undo: the old bytes are back (process_vm_readv), exit 0");
	cli_free(&c);
	cli_run(&j, "-j journal");
	e = entry_of(j.out, id);
	ok(e && js_is(js_get(e, "state"), "undone") && !js_null(js_get(e, "undone_time")) &&
	   js_null(js_get(e, "undo_position")),
	   "journal: the write is marked undone, with the time");
	cli_free(&j);
	stop_tgt(&t);
}

static void case_mode(void)
{
	struct stat st, sd;
	struct tgt t;
	char dir[192];

	new_case();
	snprintf(dir, sizeof(dir), "%s/vmscope", state);
	if (start_tgt(&t) || do_write(&t, t.rw, "x", NULL, NULL) || stat(jpath, &st) ||
	    stat(dir, &sd)) {
		ok(0, "the journal's mode: the write");
		stop_tgt(&t);
		return;
	}
	ok((st.st_mode & 07777) == 0600 && (sd.st_mode & 07777) == 0700,
	   "the journal is made 0600 in a directory made 0700 (%04o, %04o)", st.st_mode & 07777,
	   sd.st_mode & 07777);
	chmod(jpath, 0644);
	do_write(&t, t.rw, "y", NULL, NULL);
	stat(jpath, &st);
	ok((st.st_mode & 07777) == 0600, "a journal others could read is made 0600 again");
	stop_tgt(&t);
}

static void case_changed(void)
{
	struct tgt t;
	struct cli c, j;
	char id[17];

	new_case();
	if (start_tgt(&t) || do_write(&t, t.rw, "WRITE", NULL, id) || mem_set(&t, t.rw + 2, "Z")) {
		ok(0, "undo after the target changed the bytes: set-up");
		stop_tgt(&t);
		return;
	}
	cli_run(&c, "-j undo");
	ok(c.status == 1 && js_is(js_get(js_at(js_get(c.out, "entries"), 0), "result"), "changed") &&
	   js_int(js_get(js_at(js_get(c.out, "entries"), 0), "errno")) == ECANCELED &&
	   mem_is(&t, t.rw, "WRZTE"),
	   "the target changed a byte after the write: undo refuses (changed), memory left alone");
	cli_free(&c);
	cli_run(&j, "-j journal");
	ok(js_is(js_get(entry_of(j.out, id), "state"), "pending"),
	   "the refused entry stays pending in the journal");
	cli_free(&j);
	stop_tgt(&t);
}

static void case_identity(const char *key, const char *val, const char *result, const char *what)
{
	struct tgt t;
	struct cli c, j;
	char id[17];

	new_case();
	if (start_tgt(&t) || do_write(&t, t.rw, "PIDPID", NULL, id) || edit_record(1, key, val)) {
		ok(0, "%s: set-up", what);
		stop_tgt(&t);
		return;
	}
	cli_run(&j, "-j journal");
	cli_run(&c, "-j undo");
	ok(c.status == 1 &&
	   js_is(js_get(js_at(js_get(c.out, "entries"), 0), "result"), result) &&
	   js_len(js_get(j.out, "bad_lines")) == 0 &&
	   js_is(js_get(entry_of(j.out, id), "target"), result) && mem_is(&t, t.rw, "PIDPID"),
	   "%s: undo refuses (%s), memory left alone", what, result);
	if (c.status != 1)
		diag("exit %d: %s %s", c.status, c.out, c.err);
	cli_free(&c);
	cli_free(&j);
	stop_tgt(&t);
}

static void case_exited(void)
{
	struct tgt t;
	struct cli c;

	new_case();
	if (start_tgt(&t) || do_write(&t, t.rw, "gone", NULL, NULL)) {
		ok(0, "undo into an exited process: set-up");
		stop_tgt(&t);
		return;
	}
	stop_tgt(&t);
	cli_run(&c, "-j undo");
	ok(c.status == 1 && js_is(js_get(js_at(js_get(c.out, "entries"), 0), "result"), "exited") &&
	   js_int(js_get(c.out, "restored")) == 0,
	   "the process exited: undo refuses (exited), exit 1");
	cli_free(&c);
}

static void case_newest_first(void)
{
	struct tgt t;
	struct cli c, j;
	const char *es;

	new_case();
	if (start_tgt(&t) || do_write(&t, t.rw, "one", NULL, NULL) ||
	    do_write(&t, t.rw, "two", NULL, NULL) || do_write(&t, t.rw, "six", NULL, NULL)) {
		ok(0, "undo N: three writes");
		stop_tgt(&t);
		return;
	}
	cli_run(&c, "undo 2");
	ok(c.status == 0 && mem_is(&t, t.rw, "one"),
	   "three writes to the same bytes, undo 2: the newest two, newest first (back to the "
	   "first write's bytes)");
	cli_free(&c);
	cli_run(&j, "-j journal");
	es = js_get(j.out, "entries");
	ok(js_is(js_get(js_at(es, 0), "state"), "undone") &&
	   js_is(js_get(js_at(es, 1), "state"), "undone") &&
	   js_is(js_get(js_at(es, 2), "state"), "pending") &&
	   js_int(js_get(js_at(es, 2), "undo_position")) == 1,
	   "journal: the two newest undone, the oldest next in the queue");
	cli_free(&j);
	cli_run(&c, "undo 5");
	ok(c.status == 1 && mem_is(&t, t.rw, "aaa") && strstr(c.err, "only 1 write was left to undo"),
	   "undo 5 with one left: that one undone, said, exit 1");
	cli_free(&c);
	cli_run(&c, "undo");
	ok(c.status == 1 && strstr(c.err, "nothing to undo"), "undo with nothing left: exit 1, said");
	cli_free(&c);
	stop_tgt(&t);
}

static void case_journal_opt(void)
{
	char file[256], id[17], extra[300];
	struct tgt t;
	struct cli c;

	new_case();
	snprintf(file, sizeof(file), "%s/other.journal", base);
	snprintf(extra, sizeof(extra), "--journal %s", file);
	unlink(file);
	if (start_tgt(&t) || do_write(&t, t.rw, "OTHER", extra, id)) {
		ok(0, "--journal: the write");
		stop_tgt(&t);
		return;
	}
	ok(access(jpath, F_OK) && !access(file, F_OK),
	   "write --journal FILE: recorded in FILE, the default journal not made");
	cli_run(&c, "undo");
	ok(c.status == 1 && mem_is(&t, t.rw, "OTHER"), "undo of the default journal: nothing to undo");
	cli_free(&c);
	cli_run(&c, "-j journal --journal %s", file);
	ok(c.status == 0 && entry_of(c.out, id), "journal --journal FILE lists it");
	cli_free(&c);
	cli_run(&c, "undo --journal %s", file);
	ok(c.status == 0 && mem_is(&t, t.rw, "aaaaa"), "undo --journal FILE puts it back");
	cli_free(&c);
	cli_run(&c, "-j write --no-journal %d 0x%llx --str NJ", t.pid, (unsigned long long)t.rw);
	ok(c.status == 0 && js_null(js_get(c.out, "journal")) && mem_is(&t, t.rw, "NJ"),
	   "write --no-journal: written, not recorded (journal null)");
	cli_free(&c);
	stop_tgt(&t);
}

static void case_pid(void)
{
	struct tgt a, b;
	struct cli c;

	new_case();
	if (start_tgt(&a) || start_tgt(&b) || do_write(&a, a.rw, "AAA", NULL, NULL) ||
	    do_write(&b, b.rw, "BBB", NULL, NULL)) {
		ok(0, "undo --pid: set-up");
		stop_tgt(&a);
		stop_tgt(&b);
		return;
	}
	cli_run(&c, "undo --pid %d", a.pid);
	ok(c.status == 0 && mem_is(&a, a.rw, "aaa") && mem_is(&b, b.rw, "BBB"),
	   "undo --pid: the older write into that process undone, the newer one elsewhere kept");
	cli_free(&c);
	stop_tgt(&a);
	stop_tgt(&b);
}

static void case_force(void)
{
	struct tgt t;
	struct cli c;
	const char *e;

	new_case();
	if (start_tgt(&t) || do_write(&t, t.ro, "RO", "--force", NULL)) {
		ok(0, "undo of a --force write: set-up");
		stop_tgt(&t);
		return;
	}
	cli_run(&c, "-j journal");
	e = js_at(js_get(c.out, "entries"), 0);
	ok(js_bool(js_get(e, "force")) == 1 && mem_is(&t, t.ro, "RO"),
	   "write --force into a read-only page: recorded with force");
	cli_free(&c);
	cli_run(&c, "undo");
	ok(c.status == 0 && mem_is(&t, t.ro, "rr"), "undo puts it back with force, as it was written");
	cli_free(&c);
	/* Written without force, then the page made read-only. */
	if (do_write(&t, t.rw, "RW", NULL, NULL) || kill(t.pid, SIGUSR1)) {
		ok(0, "undo after mprotect: set-up");
		stop_tgt(&t);
		return;
	}
	usleep(100000);
	cli_run(&c, "-j undo");
	e = js_at(js_get(c.out, "entries"), 0);
	ok(c.status == 1 && js_is(js_get(e, "result"), "failed") &&
	   js_int(js_get(e, "errno")) == EFAULT && strstr(c.err, "undo --force") &&
	   mem_is(&t, t.rw, "RW"),
	   "the page was made read-only since: undo refuses (EFAULT) and suggests --force");
	cli_free(&c);
	cli_run(&c, "undo --force");
	ok(c.status == 0 && mem_is(&t, t.rw, "aa"), "undo --force puts it back");
	cli_free(&c);
	stop_tgt(&t);
}

static void case_corrupt(void)
{
	struct tgt t;
	struct cli c;
	const char *bad;
	FILE *f;

	new_case();
	if (start_tgt(&t) || do_write(&t, t.rw, "GOOD", NULL, NULL)) {
		ok(0, "corrupt lines: set-up");
		stop_tgt(&t);
		return;
	}
	f = fopen(jpath, "a");
	if (f) {
		fputs("this is not a record\n", f);
		fputs("vmscope-journal/1 undo id=0123456789abcdef time=2026-01-01T00:00:00Z "
		      "crc=00000000\n", f);
		fputs("vmscope-journal/7 write id=0\n", f);
		fclose(f);
	}
	cli_run(&c, "-j journal");
	bad = js_get(c.out, "bad_lines");
	ok(c.status == 1 && js_len(bad) == 3 && js_int(js_get(js_at(bad, 0), "line")) == 2 &&
	   js_int(js_get(js_at(bad, 1), "line")) == 3 && js_int(js_get(js_at(bad, 2), "line")) == 4 &&
	   strstr(c.err, ":3: checksum mismatch") && strstr(c.err, ":4: journal format 7") &&
	   js_len(js_get(c.out, "entries")) == 1,
	   "journal: a foreign line, a bad checksum and another format, each reported by line, "
	   "exit 1; the good record still listed");
	cli_free(&c);
	cli_run(&c, "undo");
	ok(c.status == 0 && mem_is(&t, t.rw, "aaaa") && count_str(c.err, "line ignored") == 3,
	   "undo: the corrupt lines reported and ignored, the good write undone");
	cli_free(&c);
	stop_tgt(&t);
}

/* Two undos of one journal at once: every write undone exactly once. */
static void case_race(void)
{
	enum { N = 16 };
	char *argv[] = { "vmscope", "-j", "undo", "16", NULL };
	char out[2][96];
	posix_spawn_file_actions_t fa[2];
	struct tgt t;
	struct cli j;
	pid_t p[2];
	int i, restored = 0, changed = 0, bad = 1;
	char *s, all_a[8 * N + 1] = "";

	new_case();
	if (start_tgt(&t)) {
		ok(0, "racing undos: the target");
		return;
	}
	for (i = 0; i < N; i++) {
		char v[8];

		snprintf(v, sizeof(v), "R%02d", i);
		if (do_write(&t, t.rw + 8 * i, v, NULL, NULL)) {
			ok(0, "racing undos: write %d", i);
			stop_tgt(&t);
			return;
		}
	}
	if (!access("build/vmscope", X_OK))
		argv[0] = "build/vmscope";
	for (i = 0; i < 2; i++) {
		snprintf(out[i], sizeof(out[i]), "%s/race%d.out", base, i);
		posix_spawn_file_actions_init(&fa[i]);
		posix_spawn_file_actions_addopen(&fa[i], 1, out[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		posix_spawn_file_actions_addopen(&fa[i], 2, "/dev/null", O_WRONLY, 0);
	}
	for (i = 0; i < 2; i++)
		if (posix_spawnp(&p[i], argv[0], &fa[i], NULL, argv, environ))
			p[i] = -1;
	for (i = 0; i < 2; i++) {
		if (p[i] > 0)
			waitpid(p[i], NULL, 0);
		posix_spawn_file_actions_destroy(&fa[i]);
		s = slurp(out[i]);
		restored += js_int(js_get(s, "restored")) > 0 ? js_int(js_get(s, "restored")) : 0;
		changed += count_str(s, "\"result\":\"changed\"");
		free(s);
	}
	cli_run(&j, "-j journal");
	bad = js_len(js_get(j.out, "bad_lines"));
	s = slurp(jpath);
	memset(all_a, 'a', sizeof(all_a) - 1);
	ok(restored == N && !changed && !bad && count_str(s, " undo id=") == N &&
	   count_str(j.out, "\"state\":\"undone\"") == N && mem_is(&t, t.rw, all_a),
	   "two 'undo 16' at once on one journal: 16 restored in all, none twice (16 undo marks, "
	   "no second mark, no 'changed')");
	if (restored != N || changed || bad)
		diag("restored %d, changed %d, bad lines %d", restored, changed, bad);
	free(s);
	cli_free(&j);
	stop_tgt(&t);
}

int main(void)
{
	char cmd[128];

	tap_start();
	if (access("/sys/kernel/btf/vmscope", F_OK)) {
		tap_skip("the vmscope module is not loaded (with BTF)", "write, undo, journal");
		return tap_finish();
	}
	snprintf(base, sizeof(base), "/tmp/vms-undo.XXXXXX");
	if (!mkdtemp(base)) {
		ok(0, "a scratch directory");
		return tap_finish();
	}
	case_restore();
	case_mode();
	case_changed();
	case_identity("start=", "1", "restarted",
		      "the journal says another start time (a reused pid)");
	case_identity("boot=", "00000000-0000-0000-0000-000000000000", "other_boot",
		      "the journal says another boot");
	case_exited();
	case_newest_first();
	case_journal_opt();
	case_pid();
	case_force();
	case_corrupt();
	case_race();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	if (system(cmd))
		diag("could not remove %s", base);
	return tap_finish();
}
