/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The write journal: what 'vmscope write' changed, so that 'vmscope undo'
 * can put it back.  One record a line, appended with O_APPEND in one
 * write(2); records are never rewritten or removed: an undo appends a mark
 * naming the write it undid.  Format 1 (vmscope-journal(8) documents it):
 *
 *   vmscope-journal/1 write id=ID time=T pid=P start=S boot=B addr=0xA
 *       force=0|1 old=HEX new=HEX comm=C crc=X
 *   vmscope-journal/1 undo id=ID time=T crc=X
 *
 * (one line each).  start is field 22 of /proc/PID/stat and boot the
 * kernel's boot_id: together with pid they name one process, so a pid
 * reused by another process, or the same pid after a reboot, is never
 * written.  crc is the CRC-32 of the line before " crc=".  Lines that are
 * not records of this format, or fail their checks, are reported and
 * never used.
 *
 * Every change of the journal and of the memory it describes happens
 * under flock(LOCK_EX) on the journal file: a write holds it from reading
 * the old bytes to appending its record, an undo from reading the journal
 * to appending its marks.  Two undos of one journal therefore never undo
 * one write twice, and the journal's order is the order of the writes.
 */
#ifndef VMSCOPE_JOURNAL_FILE_H
#define VMSCOPE_JOURNAL_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define JOURNAL_FORMAT		1
#define JOURNAL_TAG		"vmscope-journal/1"
#define JOURNAL_ID_LEN		16	/* hex digits */
#define JOURNAL_BOOT_LEN	36	/* a UUID */
#define JOURNAL_TIME_LEN	20	/* 2026-11-24T12:00:00Z */

struct journal {
	char path[PATH_MAX];
	int fd;
	bool locked;
	bool default_path;	/* not --journal: its directories may be made */
};

/* One write, with what the journal says about it since. */
struct jentry {
	char id[JOURNAL_ID_LEN + 1];
	char time[JOURNAL_TIME_LEN + 1];
	pid_t pid;
	unsigned long long start;	/* the process's start time, clock ticks after boot */
	char boot[JOURNAL_BOOT_LEN + 1];
	uint64_t addr;
	bool force;
	size_t len;
	unsigned char *old, *new_;	/* len bytes each */
	char comm[64];
	size_t line;			/* 1-based line number */
	bool undone;
	char undo_time[JOURNAL_TIME_LEN + 1];
	size_t undo_line;
};

/* A line that is not a trustworthy record, and why. */
struct jbad {
	size_t line;
	char why[160];
};

struct jlist {
	struct jentry *e;	/* in file order: oldest first */
	size_t n, cap;
	struct jbad *bad;
	size_t nbad, badcap;
	size_t undos;		/* undo marks that named a write */
};

/*
 * The journal's path into j: opt (--journal) when given, else
 * $XDG_STATE_HOME/vmscope/journal, else $HOME/.local/state/vmscope/journal
 * ($HOME from the password database when unset; a relative path in
 * either is ignored, as the XDG Base Directory rules say).  Returns 0 or
 * -errno with *why set.
 */
int journal_path(struct journal *j, const char *opt, const char **why);
/*
 * Open the journal for appending and lock it (LOCK_EX, or LOCK_SH when
 * !write), saying on stderr when the lock is held by someone else.  With
 * create, a missing journal is made (mode 0600; with the default path its
 * directories too, mode 0700); without, a missing journal is -ENOENT.  It
 * must be a regular file; one that others may read is made 0600 when it
 * is ours and refused when not (-EPERM).  Prints nothing but the wait;
 * returns 0 or -errno with a reason in why (sz bytes).
 */
int journal_open(struct journal *j, bool create, bool write, char *why, size_t sz);
void journal_close(struct journal *j);

/* Read and check every line (the lock held). */
int journal_read(struct journal *j, struct jlist *out);
void jlist_free(struct jlist *l);

/*
 * Append a record in one write(2).  e->id and e->time are filled here for
 * a write; an undo mark names id.
 */
int journal_append_write(struct journal *j, struct jentry *e);
int journal_append_undo(struct journal *j, const char *id, char time_out[JOURNAL_TIME_LEN + 1]);

/*
 * Which process pid is: its start time and the boot's id.  0, or -ESRCH
 * when it does not exist, or another -errno.
 */
int journal_proc_identity(pid_t pid, unsigned long long *start, char boot[JOURNAL_BOOT_LEN + 1]);

/* At most max bytes of b as hex into buf (2 * max + 4 bytes), "..." after more. */
const char *journal_hex(const unsigned char *b, size_t n, size_t max, char *buf);

/* Whether the entry's process still runs: one of the values below. */
enum jtarget { JT_RUNNING, JT_EXITED, JT_RESTARTED, JT_OTHER_BOOT };
enum jtarget journal_target(const struct jentry *e);
const char *journal_target_name(enum jtarget t);

#endif /* VMSCOPE_JOURNAL_FILE_H */
