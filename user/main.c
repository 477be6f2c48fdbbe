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

static int do_help(int argc, char **argv);

static const struct cmd cmd_help = {
	.name = "help",
	.fn = do_help,
	.usage = "help [COMMAND]",
	.summary = "this overview, or one command's usage, options and examples",
};

static const struct cmd *const cmds[] = {
	&cmd_maps,
	&cmd_find,
	&cmd_page,
	&cmd_read,
	&cmd_write,
	&cmd_pin,
	&cmd_unpin,
	&cmd_status,
	&cmd_dev,
	&cmd_explain,
	&cmd_share,
	&cmd_thp,
	&cmd_help,
	&cmd_audit,
	&cmd_undo,
	&cmd_journal,
	&cmd_listvma,
	&cmd_findvma,
	&cmd_findpage,
	&cmd_writeval,
	&cmd_summary,
	&cmd_map,
	&cmd_snapshot,
	&cmd_diff,
	&cmd_watch,
};

const struct cmd *cmd_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
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
		c = cmd_lookup(c->alias_of);
	}
	print_usage_lines(f, c->usage, "usage: ", "       ");
	fprintf(f, "\n%s.\n", c->summary);
	if (c->needs_module)
		fprintf(f, "It needs the vmscope kernel module.\n");
	if (c->help && *c->help)
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
	jw_str("help", c->help ? c->help : "");
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
		if (cmds[i]->alias_of || !strcmp(cmds[i]->name, "help"))
			continue;
		char line[256];

		print_usage_lines(f, cmds[i]->usage, "  ", "  ");
		snprintf(line, sizeof(line), "%s%s", cmds[i]->summary,
			 cmds[i]->needs_module ? " [module]" : "");
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
		cmd_help_json(cmds[i]);
	jw_end_arr();
	jw_end_obj();
	jw_done();
}

static int do_help(int argc, char **argv)
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
	c = cmd_lookup(argv[1]);
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
		cmd_print_help(stdout, cmd_lookup(cmd));
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
	c = cmd_lookup(argv[1]);
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
