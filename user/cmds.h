/* SPDX-License-Identifier: GPL-2.0 */
/* The CLI's commands: one file each, dispatched from main.c. */
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

int do_maps(int argc, char **argv);
int do_pin(int argc, char **argv);
int do_unpin(int argc, char **argv);
int do_status(int argc, char **argv);
int do_dev(int argc, char **argv);
int do_find(int argc, char **argv);
int do_page(int argc, char **argv);
int do_read(int argc, char **argv);
int do_write(int argc, char **argv);
int do_explain(int argc, char **argv);
int do_share(int argc, char **argv);
int do_thp(int argc, char **argv);
int do_help(int argc, char **argv);
int do_audit(int argc, char **argv);
int do_undo(int argc, char **argv);
int do_journal(int argc, char **argv);
int do_summary(int argc, char **argv);
int do_map(int argc, char **argv);
int do_snapshot(int argc, char **argv);
int do_diff(int argc, char **argv);
int do_watch(int argc, char **argv);

const struct cmd *cmd_find(const char *name);
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
