// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope: look inside a Linux process's virtual memory.
 * The command table, global options and help.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "common.h"
#include "vmscope_uapi.h"

static const struct cmd cmds[] = {
	{ "maps", do_maps,
	  "maps [OPTIONS] PID...\n"
	  "maps --all [--pid PID]... [--comm NAME]... [OPTIONS]",
	  "the VMAs of processes: a table with sizes, /proc/PID/maps text, or memory use",
	  "  -a, --all          every process, in one iterator pass\n"
	  "      --pid PID      with --all: only this process (repeatable)\n"
	  "      --comm NAME    with --all: only processes named NAME (repeatable)\n"
	  "  -m, --maps         exactly /proc/PID/maps; with several processes or --all,\n"
	  "                     a line \"==> /proc/PID/maps <==\" before each\n"
	  "  -x, --extended     memory use per VMA, like pmap -x: RSS, PSS, dirty, swap\n"
	  "                     and anonymous kB, and a total; from the module's page\n"
	  "                     walk when it is loaded, else from /proc/PID/smaps\n"
	  "  -A, --range LOW,HIGH  only the VMAs that overlap LOW..HIGH (hex), as\n"
	  "                     pmap -A: LOW, to the top, ,HIGH from 0, LOW alone\n"
	  "                     the VMA holding LOW\n"
	  "      --source S     the list from S only: bpf (the iterators) or proc\n"
	  "                     (/proc/PID/maps text); by default BPF, and the text\n"
	  "                     when no BPF listing loads (said on stderr)\n"
	  "examples:\n"
	  "  vmscope maps 1234\n"
	  "  vmscope maps -x 1234\n"
	  "  vmscope maps -A 7f0000000000, 1234\n"
	  "  vmscope maps --maps 1234 | diff - /proc/1234/maps\n"
	  "  vmscope maps --all --comm sshd\n",
	  NULL, 0 },
	{ "find", do_find,
	  "find [OPTIONS] PID ADDR...",
	  "the VMA holding each address, or the next one after it",
	  "      --source S     ask only S: module, bpf, procmap_query or proc\n"
	  "  ADDR is hex, with or without 0x.  Sources, first that answers: the\n"
	  "  module, the BPF listing, PROCMAP_QUERY (Linux 6.11+), /proc/PID/maps.\n"
	  "examples:\n"
	  "  vmscope find 1234 0x7ffd1c2a1f00 55d0c0ffe000\n"
	  "  vmscope -j find 1234 0\n",
	  NULL, 0 },
	{ "page", do_page,
	  "page [OPTIONS] PID ADDR...\n"
	  "page [OPTIONS] PID ADDR --range LEN\n"
	  "page [OPTIONS] PID --range NAME",
	  "the page-table walk of addresses (every level, the page and its state)",
	  "  -r, --range LEN|NAME   a per-page table of LEN bytes from ADDR, or of the\n"
	  "                         first VMA named NAME ([heap], [stack], a file's\n"
	  "                         path or base name), grouped into runs, with a\n"
	  "                         summary; holes between VMAs are skipped.  LEN is\n"
	  "                         decimal or 0x hex, with K, M or G.  Ctrl-C stops\n"
	  "                         it and prints the summary so far\n"
	  "      --source S         module (the page tables, every level) or pagemap\n"
	  "                         (/proc/PID/pagemap and /proc/kpageflags: no\n"
	  "                         levels); by default the module when it is loaded\n"
	  "                         and allowed, else pagemap (said on stderr)\n"
	  "  PFNs, physical addresses and page state need CAP_SYS_ADMIN.\n"
	  "examples:\n"
	  "  vmscope page 1234 0x7ffd1c2a1f00\n"
	  "  vmscope page 1234 0x7f0000000000 --range 64M\n"
	  "  vmscope page 1234 --range '[heap]'\n"
	  "  vmscope page --source pagemap 1234 0x7ffd1c2a1f00\n",
	  NULL, 0 },
	{ "read", do_read,
	  "read [OPTIONS] PID ADDR LEN",
	  "read another process's memory through the fault path",
	  "  -f, --format F     hex (default: a hexdump), raw, str, u8, u16, u32 or u64;\n"
	  "                     for uN, LEN must be a multiple of N/8\n"
	  "  LEN is decimal or 0x hex, with K, M or G; at most 256M.\n"
	  "examples:\n"
	  "  vmscope read 1234 0x55d0c0ffe2a0 64\n"
	  "  vmscope read 1234 0x55d0c0ffe2a0 16 --format u64\n"
	  "  vmscope read 1234 0x7f0000000000 1M --format raw > dump.bin\n",
	  NULL, 1 },
	{ "write", do_write,
	  "write [OPTIONS] PID ADDR (--hex BYTES|--str TEXT|--u8..--u64 VALUE)",
	  "write another process's memory through copy-on-write (all or nothing)",
	  "      --hex BYTES    bytes as hex digits (\"deadbeef\"), at most 64K\n"
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
	  NULL, 1 },
	{ "pin", do_pin,
	  "pin [OPTIONS] PATH [--pid PID]",
	  "pin a cat-able /proc/PID/maps listing (all processes, or one) in bpffs",
	  "      --pid PID      only this process\n"
	  "  PATH must be on a BPF filesystem; 'cat PATH' then lists the VMAs.\n"
	  "examples:\n"
	  "  vmscope pin /sys/fs/bpf/maps1234 --pid 1234 && cat /sys/fs/bpf/maps1234\n",
	  NULL, 0 },
	{ "unpin", do_unpin,
	  "unpin [OPTIONS] PATH",
	  "remove a listing pinned by 'vmscope pin'",
	  "  Refuses anything that is not a pinned iterator link: a directory, the\n"
	  "  bpffs mount point itself.\n"
	  "examples:\n"
	  "  vmscope unpin /sys/fs/bpf/maps1234\n",
	  NULL, 0 },
	{ "status", do_status,
	  "status [OPTIONS]",
	  "the kernel, BTF, BPF permission and the module: loaded, its ABI, how to load it",
	  "examples:\n"
	  "  vmscope status\n"
	  "  vmscope -j status\n",
	  NULL, 0 },
	{ "dev", do_dev,
	  "dev [OPTIONS] info|map|fill TEXT",
	  "the /dev/vmscope mmap device in action",
	  "  info               the buffer's pages and the PFN behind each\n"
	  "  map                every page's signature, read through the mapping\n"
	  "  fill TEXT          a write() seen in the mapping, a store seen by read()\n"
	  "      --pages N      buffer size, 1..1024 pages (default 16)\n"
	  "      --backing B    kmalloc (default), vmalloc or pages\n"
	  "      --offset N     where fill writes (decimal or 0x hex, K, M, G)\n"
	  "      --hold         map: keep the mapping until stdin closes\n"
	  "      --device PATH  another device node (default /dev/vmscope)\n"
	  "examples:\n"
	  "  vmscope dev info --backing vmalloc --pages 4\n"
	  "  vmscope dev fill hello --offset 8200\n",
	  NULL, 1 },
	{ "explain", do_explain,
	  "explain [OPTIONS] PID ADDR...",
	  "everything about an address: its VMA, walk, page, whether a write copies, who "
	  "else maps it",
	  "      --source S       module (the default when it is loaded) or pagemap (no\n"
	  "                       levels, refcount, NUMA node or sharers)\n"
	  "      --scan-limit N   a KSM page's sharers are found by walking every\n"
	  "                       VM_MERGEABLE VMA: at most N pages (default 1M; K, M,\n"
	  "                       G) and 5 seconds\n"
	  "  PFNs, page state and the sharers need root (CAP_SYS_ADMIN, and\n"
	  "  CAP_SYS_PTRACE for the sharers).\n"
	  "examples:\n"
	  "  vmscope explain 1234 0x7ffd1c2a1f00\n"
	  "  vmscope -j explain 1234 0x55d0c0ffe2a0 | jq '.addresses[0].sharers'\n",
	  NULL, 0 },
	{ "share", do_share,
	  "share [OPTIONS] PID...",
	  "USS, PSS and the pages shared, with which processes, per VMA and in total",
	  "      --source S     module (the page walk), pagemap (/proc/PID/pagemap and\n"
	  "                     /proc/kpagecount) or smaps (USS and PSS only); by\n"
	  "                     default the first that serves (said on stderr)\n"
	  "  The pages shared and the processes they are shared with need root (PFNs\n"
	  "  and mapcounts).  Kinds: cow (anonymous, since fork), ksm, file (libraries,\n"
	  "  page cache), shmem, hugetlb.\n"
	  "examples:\n"
	  "  vmscope share 1234\n"
	  "  vmscope -j share 1234 | jq '.processes[0].total'\n",
	  NULL, 0 },
	{ "thp", do_thp,
	  "thp [OPTIONS] PID [NAME|ADDR]",
	  "each 2 MiB slot: a THP, large folios, small pages or empty, and why it is not huge",
	  "      --source S     module (the default when it is loaded) or pagemap (no PTE\n"
	  "                     bits: khugepaged's writable and young rules unchecked)\n"
	  "  NAME chooses the VMAs of that name ([heap], a path or base name), ADDR\n"
	  "  (hex) the VMA holding it; by default every VMA that can hold a 2M THP.\n"
	  "examples:\n"
	  "  vmscope thp 1234\n"
	  "  vmscope thp 1234 '[heap]'\n"
	  "  vmscope -j thp 1234 0x7f0000000000 | jq '.summary'\n",
	  NULL, 0 },
	{ "help", do_help,
	  "help [COMMAND]",
	  "this overview, or one command's usage, options and examples",
	  "", NULL, 0 },
	{ "audit", do_audit,
	  "audit [OPTIONS] PID...\n"
	  "audit --all [OPTIONS]",
	  "what a security responder looks at first: W+X and executable anonymous "
	  "memory, executables deleted or in memfds, and modified code",
	  "  -a, --all          every process (kernel threads have no memory to audit)\n"
	  "      --source S     find modified code pages with S: module (its page walk)\n"
	  "                     or pagemap (/proc/PID/pagemap, and /proc/kpageflags for\n"
	  "                     root); by default the module when it is loaded and can\n"
	  "                     show page state, else pagemap (said on stderr)\n"
	  "  Modified code: pages of a file's private executable mapping that are\n"
	  "  private copies (written: a breakpoint, a hook, a patch), each with the\n"
	  "  byte ranges that differ from the file.  Exit status: 0 nothing found,\n"
	  "  1 something found, 2 usage, 3 could not check (all or part).\n"
	  "examples:\n"
	  "  vmscope audit 1234\n"
	  "  vmscope -j audit --all > audit.json; echo $?\n",
	  NULL, 0 },
	{ "undo", do_undo,
	  "undo [OPTIONS] [N]",
	  "put back the bytes of the last N writes (default 1), where they are still "
	  "the ones written",
	  "      --journal FILE the journal to undo from (default: see 'journal')\n"
	  "      --pid PID      only writes into process PID\n"
	  "      --force        also write through a mapping made read-only since\n"
	  "                     (writes made with --force are undone with it anyway)\n"
	  "  Newest first; each write only if its process still runs (same start\n"
	  "  time) and its bytes are the ones written, compared and written in one\n"
	  "  step by the module.  An entry refused stays in the journal.\n"
	  "examples:\n"
	  "  vmscope undo\n"
	  "  vmscope undo 3 --pid 1234\n",
	  NULL, 1 },
	{ "journal", do_journal,
	  "journal [OPTIONS]",
	  "the writes 'write' recorded, newest first, and which 'undo' would take",
	  "      --journal FILE another journal than $XDG_STATE_HOME/vmscope/journal\n"
	  "                     (~/.local/state/vmscope/journal)\n"
	  "      --pid PID      only writes into process PID\n"
	  "examples:\n"
	  "  vmscope journal\n"
	  "  vmscope -j journal --pid 1234\n",
	  NULL, 0 },
	/* The memory labs' command names. */
	{ "listvma", do_maps, "listvma [OPTIONS] PID...", "lab alias of maps", "", "maps", 0 },
	{ "findvma", do_find, "findvma [OPTIONS] PID ADDR...", "lab alias of find", "", "find", 0 },
	{ "findpage", do_page, "findpage [OPTIONS] PID ADDR...", "lab alias of page", "", "page", 0 },
	{ "writeval", do_write, "writeval [OPTIONS] PID ADDR --u64 VALUE ...", "lab alias of write",
	  "", "write", 1 },
	/* The views (issue 16): summary, map, snapshot, diff, watch. */
	{ "summary", do_summary,
	  "summary [OPTIONS] PID...",
	  "memory by kind (code, data, heap, stack, ...) and by file, with RSS, PSS, dirty, "
	  "swap and huge pages",
	  "      --source S     memory use from S: module (its page walk; the default when\n"
	  "                     it is loaded and the caller has CAP_SYS_ADMIN) or smaps\n"
	  "  Kinds: code, data (an image's rodata, relro, data and bss), heap, stack,\n"
	  "  anon, file, shm, special ([vdso], ...), hugetlb, guard (PROT_NONE).\n"
	  "examples:\n"
	  "  vmscope summary 1234\n"
	  "  vmscope -j summary 1234 5678\n",
	  NULL, 0 },
	{ "map", do_map,
	  "map [OPTIONS] PID [-o FILE.html]\n"
	  "map [OPTIONS] --diff A B [-o FILE.html]",
	  "the address space as a picture, page by page: one self-contained HTML file",
	  "  -o, --output FILE  the HTML file (default vmscope-PID.html; - for stdout)\n"
	  "      --explain N    also collect the walk of up to N pages (a page of each\n"
	  "                     kind of run first), shown when one is clicked\n"
	  "      --diff A B     draw the change between two snapshots instead\n"
	  "      --source S     pages from S: module or pagemap (default: the module\n"
	  "                     when it serves, else /proc/PID/pagemap)\n"
	  "examples:\n"
	  "  vmscope map 1234 -o map.html\n"
	  "  vmscope map --diff before.json after.json -o change.html\n",
	  NULL, 0 },
	{ "snapshot", do_snapshot,
	  "snapshot [OPTIONS] PID [-o FILE]",
	  "the VMAs and every page run of a process, as a versioned JSON file",
	  "  -o, --output FILE  write it there (default: standard output)\n"
	  "      --source S     pages from S: module or pagemap\n"
	  "examples:\n"
	  "  vmscope snapshot 1234 -o before.json\n",
	  NULL, 0 },
	{ "diff", do_diff,
	  "diff [OPTIONS] A B",
	  "what changed between two snapshots: regions and pages, biggest first",
	  "  Regions added, removed, grown, shrunk; per region the pages that became\n"
	  "  resident, were released, became dirty, swapped, huge, or un-shared\n"
	  "  (copy-on-write broken); sorted by bytes, with totals.\n"
	  "examples:\n"
	  "  vmscope diff before.json after.json\n",
	  NULL, 0 },
	{ "watch", do_watch,
	  "watch [OPTIONS] PID [-n SECONDS]",
	  "a live view of a process's regions and how they change, like top",
	  "  -n, --interval S   seconds between refreshes (default 2; decimals allowed)\n"
	  "  -c, --count N      stop after N refreshes\n"
	  "      --source S     memory use from S: module or smaps\n"
	  "  Regions sorted by change since the last refresh.  On a terminal the\n"
	  "  screen is redrawn; otherwise plain text blocks, and with -j one JSON\n"
	  "  line per refresh.  Ends on Ctrl-C, or when the process exits.\n"
	  "examples:\n"
	  "  vmscope watch 1234\n"
	  "  vmscope -j watch 1234 -n 0.5 | jq .total\n",
	  NULL, 0 },
};

const struct cmd *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void print_usage_lines(FILE *f, const char *usage, const char *first, const char *rest)
{
	const char *p = usage, *nl;
	bool one = true;

	while (*p) {
		nl = strchr(p, '\n');
		fprintf(f, "%s%s %.*s\n", one ? first : rest, prog_name,
			(int)(nl ? nl - p : (long)strlen(p)), p);
		one = false;
		p = nl ? nl + 1 : p + strlen(p);
	}
}

/* text, word-wrapped at 79 columns, each line indented by indent spaces. */
static void print_wrapped(FILE *f, const char *text, int indent)
{
	const char *p = text;

	while (*p) {
		int room = 79 - indent, n = strlen(p);

		if (n > room) {
			n = room;
			while (n > 0 && p[n] != ' ')
				n--;
			if (!n)
				n = room;
		}
		fprintf(f, "%*s%.*s\n", indent, "", n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

void cmd_print_help(FILE *f, const struct cmd *c)
{
	if (c->alias_of) {
		fprintf(f, "'%s' is the lab's name for '%s %s':\n\n", c->name, prog_name, c->alias_of);
		c = cmd_find(c->alias_of);
	}
	print_usage_lines(f, c->usage, "usage: ", "       ");
	fprintf(f, "\n%s.\n", c->summary);
	if (c->needs_module)
		fprintf(f, "It needs the vmscope kernel module.\n");
	if (*c->help)
		fprintf(f, "\n%s", c->help);
	fprintf(f, "\ncommon options: -j/--json, -p/--pretty (indented JSON), -v/--verbose, "
		   "-h/--help\n");
}

static void cmd_help_json(const struct cmd *c)
{
	const char *p, *nl;

	jw_start_obj();
	jw_str("command", c->name);
	if (c->alias_of)
		jw_str("alias_of", c->alias_of);
	jw_key("usage");
	jw_start_arr();
	for (p = c->usage; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		jw_strn(NULL, p, nl ? (size_t)(nl - p) : strlen(p));
	}
	jw_end_arr();
	jw_str("summary", c->summary);
	jw_bool("needs_module", c->needs_module);
	jw_str("help", c->help);
	jw_end_obj();
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [-j|--json] [-p|--pretty] [-v|--verbose] COMMAND [ARGS]\n"
		   "       %s help COMMAND | COMMAND --help | -V|--version\n\n"
		   "Look inside a process's virtual memory: its mappings, the page tables\n"
		   "under an address, the page and its bytes.\n\n", prog_name, prog_name);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (cmds[i].alias_of || !strcmp(cmds[i].name, "help"))
			continue;
		char line[256];

		print_usage_lines(f, cmds[i].usage, "  ", "  ");
		snprintf(line, sizeof(line), "%s%s", cmds[i].summary,
			 cmds[i].needs_module ? " [module]" : "");
		print_wrapped(f, line, 6);
	}
	fprintf(f, "\nCommands marked [module] need the vmscope kernel module; the others work\n"
		   "with BPF alone.  Lab aliases: listvma (maps), findvma (find), findpage\n"
		   "(page), writeval (write).  Exit status: 0 ok, 1 runtime error, 2 usage,\n"
		   "130 interrupted (page --range on Ctrl-C).\n");
}

static void usage_json(void)
{
	size_t i;

	jw_start_obj();
	jw_str("program", prog_name);
	jw_str("version", VMSCOPE_VERSION);
	jw_key("commands");
	jw_start_arr();
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		cmd_help_json(&cmds[i]);
	jw_end_arr();
	jw_end_obj();
	jw_done();
}

int do_help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc > 2) {
		p_usage("help", "expected at most one command name");
		return EXIT_USAGE;
	}
	if (argc < 2) {
		if (json_output)
			usage_json();
		else
			usage(stdout);
		return 0;
	}
	c = cmd_find(argv[1]);
	if (!c) {
		p_usage(NULL, "unknown command '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if (json_output) {
		cmd_help_json(c);
		jw_done();
	} else {
		cmd_print_help(stdout, c);
	}
	return 0;
}

void cmd_begin(void)
{
	optind = 0;	/* a full reset of getopt's state */
	opterr = 0;
}

/* What the last call of cmd_getopt_long() that failed was looking at. */
static struct {
	const char *word;		/* a long option, as typed ("--pre=1"), or NULL */
	const char *bundle;		/* a short option's word ("-jz"), or NULL */
	const struct option *longopts;
} opt_err;

int cmd_getopt_long(int argc, char **argv, const char *shortopts, const struct option *longopts,
		    int *longindex)
{
	int before = optind, c;

	c = getopt_long(argc, argv, shortopts, longopts, longindex);
	if (c != '?' && c != ':')
		return c;
	/*
	 * getopt_long steps over a long option before it fails on it, but not
	 * over a word of short options it has not finished ("-zj" stops at z).
	 * Words before optind are options or arguments, never "--...", except
	 * the one that just failed.
	 */
	opt_err.longopts = longopts;
	opt_err.word = opt_err.bundle = NULL;
	if (optind > before && optind >= 2 && !strncmp(argv[optind - 1], "--", 2)) {
		opt_err.word = argv[optind - 1];
	} else if (optopt) {
		const char *w = NULL;

		if (optind > before && optind >= 2 && argv[optind - 1][0] == '-' &&
		    argv[optind - 1][strlen(argv[optind - 1]) - 1] == optopt)
			w = argv[optind - 1];
		else if (optind < argc && argv[optind][0] == '-' && strchr(argv[optind] + 1, optopt))
			w = argv[optind];
		if (w && strlen(w) > 2)
			opt_err.bundle = w;
	}
	return c;
}

/* The long options that start with the name in word ("--p=1": "p"), into buf. */
static int long_matches(const struct option *lo, const char *word, char *buf, size_t sz)
{
	size_t len = strcspn(word + 2, "=");
	int n = 0;

	buf[0] = 0;
	for (; lo && lo->name; lo++) {
		if (strncmp(lo->name, word + 2, len))
			continue;
		snprintf(buf + strlen(buf), sz - strlen(buf), "%s--%s", n ? ", " : "", lo->name);
		n++;
	}
	return n;
}

int cmd_common(const char *cmd, int c, char **argv)
{
	char names[256];

	switch (c) {
	case 'j':
		json_output = true;
		return -1;
	case 'p':
		json_output = json_pretty = true;
		return -1;
	case 'v':
		verbose = true;
		return -1;
	case 'h':
		if (json_output) {
			char *av[] = { "help", (char *)cmd, NULL };

			return do_help(2, av);
		}
		cmd_print_help(stdout, cmd_find(cmd));
		return 0;
	case ':':
		if (opt_err.word)
			p_usage(cmd, "option '%s' needs a value", opt_err.word);
		else
			p_usage(cmd, "option '-%c' needs a value", optopt);
		return EXIT_USAGE;
	default:
		/* The option as the user typed it, never getopt's idea of it. */
		if (opt_err.word && optopt)
			p_usage(cmd, "option '%s' takes no value", opt_err.word);
		else if (opt_err.word && long_matches(opt_err.longopts, opt_err.word, names,
						       sizeof(names)) > 1)
			p_usage(cmd, "ambiguous option '%s': %s", opt_err.word, names);
		else if (opt_err.word)
			p_usage(cmd, "unknown option '%s'", opt_err.word);
		else if (opt_err.bundle)
			p_usage(cmd, "unknown option '-%c' in %s", optopt, opt_err.bundle);
		else
			p_usage(cmd, "unknown option '-%c'", optopt);
		return EXIT_USAGE;
	}
}

static void version(void)
{
	if (json_output) {
		jw_start_obj();
		jw_str("version", VMSCOPE_VERSION);
		jw_i64("cli_abi", VMSCOPE_ABI_VERSION);
		jw_end_obj();
		jw_done();
		return;
	}
	printf("vmscope %s (module ABI %d)\n", VMSCOPE_VERSION, VMSCOPE_ABI_VERSION);
}

/*
 * A global long option in full ("--pre" is "--pretty"), as getopt_long
 * takes a unique prefix; NULL after saying why not.
 */
static const char *global_long(const char *a)
{
	static const char *const names[] = {
		"--json", "--pretty", "--verbose", "--help", "--version",
	};
	const char *full = NULL;
	size_t i, len = strcspn(a, "=");
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(names) && len > 2; i++) {
		if (strncmp(names[i], a, len))
			continue;
		if (len == strlen(names[i])) {	/* exact */
			full = names[i];
			n = 1;
			break;
		}
		full = names[i];
		n++;
	}
	if (n > 1) {
		char list[128] = "";

		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strncmp(names[i], a, len))
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 *list ? ", " : "", names[i]);
		p_usage(NULL, "ambiguous option '%s': %s", a, list);
		return NULL;
	}
	if (!n) {
		p_usage(NULL, "unknown option '%s'", a);
		return NULL;
	}
	if (a[len]) {
		p_usage(NULL, "option '%s' takes no value", a);
		return NULL;
	}
	return full;
}

int main(int argc, char **argv)
{
	bool want_help = false, want_version = false;
	const struct cmd *c;
	int rc;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	/*
	 * Global options come before the command, short ones bundled or not
	 * ("-jp"); -h and -V act once all are read, so "-V -j" prints JSON too.
	 */
	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *a = argv[1];

		if (a[1] == '-' && !(a = global_long(a)))
			return EXIT_USAGE;
		if (!strcmp(a, "--json")) {
			json_output = true;
		} else if (!strcmp(a, "--pretty")) {
			json_output = json_pretty = true;
		} else if (!strcmp(a, "--verbose")) {
			verbose = true;
		} else if (!strcmp(a, "--help")) {
			want_help = true;
		} else if (!strcmp(a, "--version")) {
			want_version = true;
		} else if (a[1] == '-') {
			return EXIT_USAGE;	/* not reached: global_long() said why */
		} else {
			for (a++; *a; a++) {
				switch (*a) {
				case 'j': json_output = true; break;
				case 'p': json_output = json_pretty = true; break;
				case 'v': verbose = true; break;
				case 'h': want_help = true; break;
				case 'V': want_version = true; break;
				default:
					p_usage(NULL, "unknown option '-%c'%s%s", *a,
						strlen(argv[1]) > 2 ? " in " : "",
						strlen(argv[1]) > 2 ? argv[1] : "");
					return EXIT_USAGE;
				}
			}
		}
		argc--;
		argv++;
	}
	if (want_help) {
		if (json_output)
			usage_json();
		else
			usage(stdout);
		return 0;
	}
	if (want_version) {
		version();
		return 0;
	}
	if (argc < 2) {
		p_usage(NULL, "no command given");
		return EXIT_USAGE;
	}
	c = cmd_find(argv[1]);
	if (!c) {
		p_usage(NULL, "unknown command '%s'", argv[1]);
		return EXIT_USAGE;
	}
	cmd_name = argv[1];
	bpf_setup();
	cmd_begin();
	rc = c->fn(argc - 1, argv + 1);
	fflush(stdout);
	return rc;
}
