/* SPDX-License-Identifier: GPL-2.0 */
/* The CLI's commands: one file each, dispatched from main.c. */
#ifndef VMSCOPE_CMDS_H
#define VMSCOPE_CMDS_H

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;	/* one line: arguments */
	const char *help;	/* one line: what it does */
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

/* Shared option handling: strips --json/-j, -v and --help from argv.
 * Returns the new argc, or -1 after printing help (caller exits 0). */
int common_opts(int argc, char **argv, const char *usage_line);
void cmd_usage(const char *name);

#endif /* VMSCOPE_CMDS_H */
