// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope: look inside a Linux process's virtual memory.
 * Command dispatch and shared option handling.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include "cmds.h"
#include "common.h"
#include "vmscope_uapi.h"

static const struct cmd cmds[] = {
	{ "maps", do_maps, "maps PID [--maps] | maps --all",
	  "list a process's VMAs (table; --maps: exact /proc/PID/maps text; --all: every process)" },
	{ "pin", do_pin, "pin PATH [--pid PID]",
	  "pin a cat-able /proc/PID/maps-style listing in bpffs (all processes, or one)" },
	{ "unpin", do_unpin, "unpin PATH", "remove a listing pinned by 'vmscope pin'" },
	{ "status", do_status, "status",
	  "kernel, BTF, BPF permission, module and ABI version" },
	{ "find", do_find, "find PID ADDR...", "the VMA of each address (or the next one)" },
	{ "page", do_page, "page PID ADDR... | page PID ADDR --range LEN | page PID --range NAME",
	  "page-table walk of an address down to the page (--range: per-page table)" },
	{ "read", do_read, "read PID ADDR LEN [--format hex|raw|str|u8|u16|u32|u64]",
	  "read another process's memory (hexdump by default)" },
	{ "write", do_write, "write PID ADDR (--hex B|--str S|--u8..--u64 V) [--force]",
	  "write another process's memory through copy-on-write; prints old and new bytes" },
	{ "listvma", do_maps, "listvma PID", "alias of maps" },
	{ "findvma", do_find, "findvma PID ADDR...", "alias of find" },
	{ "findpage", do_page, "findpage PID ADDR...", "alias of page" },
	{ "writeval", do_write, "writeval PID ADDR ...", "alias of write" },
	{ "dev", do_dev, "dev info|map [--hold]|fill TEXT [--offset N] [--pages N] [--backing kmalloc|vmalloc|pages]",
	  "the /dev/vmscope mmap device in action: PFNs, the signature through mmap, write() seen in the mapping" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [-j|--json] [-v] COMMAND [ARGS]\n\ncommands:\n", prog_name);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-36s %s\n", cmds[i].usage, cmds[i].help);
	fprintf(f, "\noptions: -j/--json JSON output, -v/--verbose libbpf messages, "
		   "-h/--help, -V/--version\n"
		   "'%s COMMAND --help' shows one command's usage.\n", prog_name);
}

void cmd_usage(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!strcmp(cmds[i].name, name)) {
			fprintf(stderr, "usage: %s %s\n  %s\n", prog_name, cmds[i].usage, cmds[i].help);
			return;
		}
	}
}

int common_opts(int argc, char **argv, const char *name)
{
	int i, o = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[o++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json_output = true;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			verbose = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			size_t c;

			for (c = 0; c < ARRAY_SIZE(cmds); c++)
				if (!strcmp(cmds[c].name, name))
					printf("usage: %s %s\n  %s\n", prog_name, cmds[c].usage,
					       cmds[c].help);
			return -1;
		} else {
			argv[o++] = argv[i];
		}
	}
	argv[o] = NULL;
	return o;
}

int main(int argc, char **argv)
{
	size_t i;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-j") || !strcmp(argv[1], "--json")) {
			json_output = true;
		} else if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose")) {
			verbose = true;
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
			printf("vmscope %s (module ABI %d)\n", VMSCOPE_VERSION, VMSCOPE_ABI_VERSION);
			return 0;
		} else {
			p_err("unknown option '%s'; try '%s --help'", argv[1], prog_name);
			return 2;
		}
		argc--;
		argv++;
	}
	if (argc < 2) {
		p_err("no command given; try '%s --help'", prog_name);
		return 2;
	}
	bpf_setup();
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!strcmp(argv[1], cmds[i].name)) {
			int rc = cmds[i].fn(argc - 1, argv + 1);

			fflush(stdout);
			return rc;
		}
	}
	if (!strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	p_err("unknown command '%s'; try '%s --help'", argv[1], prog_name);
	return 2;
}
