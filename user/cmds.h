/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's commands: each user/CMD.c defines its entry (name, usage,
 * summary, help, handler) beside its static handler; main.c only lists them.
 */
#ifndef VMSCOPE_CMDS_H
#define VMSCOPE_CMDS_H

#include <getopt.h>
#include <stdio.h>

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;	/* argument synopsis; several forms on several lines */
	const char *summary;	/* one line: what it does */
	const char *help;	/* options and examples (indented lines) */
	const char *alias_of;	/* lab aliases: the command they run */
	int needs_module;
};

/* Each command's entry, defined beside its handler in user/CMD.c. */
extern const struct cmd cmd_maps;
extern const struct cmd cmd_find;
extern const struct cmd cmd_page;
extern const struct cmd cmd_read;
extern const struct cmd cmd_write;
extern const struct cmd cmd_pin;
extern const struct cmd cmd_unpin;
extern const struct cmd cmd_status;
extern const struct cmd cmd_dev;
extern const struct cmd cmd_explain;
extern const struct cmd cmd_share;
extern const struct cmd cmd_thp;
extern const struct cmd cmd_audit;
extern const struct cmd cmd_undo;
extern const struct cmd cmd_journal;
extern const struct cmd cmd_listvma;
extern const struct cmd cmd_findvma;
extern const struct cmd cmd_findpage;
extern const struct cmd cmd_writeval;
extern const struct cmd cmd_summary;
extern const struct cmd cmd_map;
extern const struct cmd cmd_snapshot;
extern const struct cmd cmd_diff;
extern const struct cmd cmd_watch;

const struct cmd *cmd_lookup(const char *name);
void cmd_print_help(FILE *f, const struct cmd *c);

/*
 * Every command's options include these: -h/--help, -j/--json,
 * -p/--pretty, -v/--verbose.  The leading ':' makes getopt report a
 * missing argument as ':' (opterr is 0: errors are ours).
 */
#define COMMON_SHORT	":hjpv"
#define COMMON_LONG							\
	{ "help", no_argument, NULL, 'h' },				\
	{ "json", no_argument, NULL, 'j' },				\
	{ "pretty", no_argument, NULL, 'p' },				\
	{ "verbose", no_argument, NULL, 'v' }

/*
 * For getopt_long()'s result c that the command does not handle itself:
 * the common options, --help (prints the help) and errors (prints one).
 * Returns -1 to go on parsing, or the exit status to return now.
 */
int cmd_common(const char *cmd, int c, char **argv);

/* Start of a command's option parsing (getopt state reset). */
void cmd_begin(void);

/*
 * getopt_long, remembering the word of a failed option as the user typed
 * it ("--pre=1", "-jz"), for cmd_common's message.
 */
int cmd_getopt_long(int argc, char **argv, const char *shortopts, const struct option *longopts,
		    int *longindex);

#endif /* VMSCOPE_CMDS_H */
