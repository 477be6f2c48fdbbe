// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope read PID ADDR LEN [--format F]: another process's memory through
 * the module's fault-path kfunc, as a hexdump, raw bytes, a string or
 * integers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "common.h"
#include "memcmd.h"

/* Largest read the CLI accepts. */
#define READ_MAX	(256ull << 20)

enum fmt { F_HEX, F_RAW, F_STR, F_U8, F_U16, F_U32, F_U64 };
static const char *const fmt_names[] = { "hex", "raw", "str", "u8", "u16", "u32", "u64" };

struct read_opts {
	const char *cmd;
	pid_t pid;
	uint64_t addr, len;
	enum fmt f;
};

struct read_result {
	pid_t pid;
	uint64_t addr, len;
	enum fmt f;
	unsigned char *data;
	size_t got;		/* bytes read: fewer than len when the rest is not readable */
};

static int parse_fmt(const char *cmd, const char *s, enum fmt *f)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fmt_names); i++) {
		if (!strcmp(s, fmt_names[i])) {
			*f = i;
			return 0;
		}
	}
	p_usage(cmd, "invalid format '%s': expected hex, raw, str, u8, u16, u32 or u64", s);
	return -EINVAL;
}

static int word_size(enum fmt f)
{
	return f == F_U8 ? 1 : f == F_U16 ? 2 : f == F_U32 ? 4 : f == F_U64 ? 8 : 0;
}

static void print_words(uint64_t addr, const unsigned char *p, size_t n, int size)
{
	size_t i;
	int per = 16 / size, k = 0;

	for (i = 0; i + size <= n; i += size) {
		uint64_t v = 0;

		memcpy(&v, p + i, size);
		if (k == 0)
			printf("%016llx:", (unsigned long long)(addr + i));
		printf(" 0x%0*llx", size * 2, (unsigned long long)v);
		if (++k == per) {
			putchar('\n');
			k = 0;
		}
	}
	if (k)
		putchar('\n');
}

static void print_read_json(const struct read_result *r)
{
	int size = word_size(r->f);
	size_t i;

	jw_start_obj();
	jw_u64("pid", r->pid);
	jw_hex("addr", r->addr);
	jw_u64("length", r->len);
	jw_u64("read", r->got);
	jw_str("format", fmt_names[r->f]);
	switch (r->f) {
	case F_HEX:
		jw_bytes("bytes", r->data, r->got);
		break;
	case F_RAW:
		jw_strn("text", (const char *)r->data, r->got);
		break;
	case F_STR:
		jw_strn("text", (const char *)r->data, strnlen((const char *)r->data, r->got));
		break;
	default:
		/* Little-endian words; u64 as "0x..." strings (JSON numbers are doubles). */
		jw_key("values");
		jw_start_arr();
		for (i = 0; i + size <= r->got; i += size) {
			uint64_t v = 0;

			memcpy(&v, r->data + i, size);
			if (size == 8)
				jw_hex(NULL, v);
			else
				jw_u64(NULL, v);
		}
		jw_end_arr();
	}
	if (r->got < r->len) {
		jw_str("error", "short read: the rest is not mapped or not readable");
		jw_i64("errno", EFAULT);
	}
	jw_end_obj();
	jw_done();
}

static void print_read_plain(const struct read_result *r)
{
	switch (r->f) {
	case F_HEX:
		hexdump(r->addr, r->data, r->got);
		break;
	case F_RAW:
		fwrite(r->data, 1, r->got, stdout);
		break;
	case F_STR:
		fwrite(r->data, 1, strnlen((char *)r->data, r->got), stdout);
		putchar('\n');
		break;
	default:
		print_words(r->addr, r->data, r->got, word_size(r->f));
	}
}

/* Options and arguments into o; returns -1 to go on, or the exit status. */
static int read_opts(int argc, char **argv, struct read_opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0];
	int c, rc, size;

	o->cmd = cmd;
	o->f = F_HEX;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT "f:", longopts, NULL)) != -1) {
		if (c == 'f') {
			if (parse_fmt(cmd, optarg, &o->f))
				return EXIT_USAGE;
			continue;
		}
		rc = cmd_common(cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind != 3) {
		p_usage(cmd, "expected PID ADDR LEN");
		return EXIT_USAGE;
	}
	if (parse_pid(argv[optind], &o->pid) || parse_addr(argv[optind + 1], &o->addr) ||
	    parse_size(argv[optind + 2], "length", &o->len))
		return EXIT_USAGE;
	if (!o->len || o->len > READ_MAX) {
		p_usage(cmd, "invalid length '%s': 1 byte to 256M", argv[optind + 2]);
		return EXIT_USAGE;
	}
	size = word_size(o->f);
	if (size && o->len % size) {
		p_usage(cmd, "length %llu is not a multiple of %d bytes, the size of --format %s",
			(unsigned long long)o->len, size, fmt_names[o->f]);
		return EXIT_USAGE;
	}
	if (o->addr + o->len < o->addr || (o->addr + o->len) >> 56) {
		p_usage(cmd, "0x%llx + %llu runs past the end of the user address space",
			(unsigned long long)o->addr, (unsigned long long)o->len);
		return EXIT_USAGE;
	}
	return -1;
}

/*
 * The bytes into r->data (the caller frees it).  Returns 0 when there is
 * something to show, a short read included (it says so on stderr), or the
 * exit status after printing why not.
 */
static int read_run(const struct read_opts *o, struct read_result *r)
{
	struct vmem *v;
	ssize_t got;

	r->pid = o->pid;
	r->addr = o->addr;
	r->len = o->len;
	r->f = o->f;
	r->data = malloc(o->len);
	if (!r->data) {
		p_error(ENOMEM, "%s: out of memory for %llu bytes", o->cmd,
			(unsigned long long)o->len);
		return EXIT_RUNTIME;
	}
	v = memcmd_open(o->cmd, VMEM_P_READ);
	if (!v)
		return EXIT_RUNTIME;
	got = vmem_read(v, o->pid, o->addr, r->data, o->len);
	vmem_close(v);
	if (got < 0) {
		memcmd_err(o->cmd, o->pid, got, o->addr, true);
		return EXIT_RUNTIME;
	}
	r->got = got;
	/* A short read: the bytes that could be read, then the error. */
	if (r->got < o->len)
		fprintf(stderr, "%s: %s: only %zd of %llu bytes readable: 0x%llx is not mapped or "
			"not readable\n", prog_name, o->cmd, got, (unsigned long long)o->len,
			(unsigned long long)(o->addr + got));
	return 0;
}

static int do_read(int argc, char **argv)
{
	struct read_opts o = {};
	struct read_result r = {};
	int rc;

	rc = read_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = read_run(&o, &r);
	if (!rc) {
		if (json_output)
			print_read_json(&r);
		else
			print_read_plain(&r);
		rc = r.got < r.len ? EXIT_RUNTIME : 0;
	}
	free(r.data);
	return rc;
}

const struct cmd cmd_read = {
	.name = "read",
	.fn = do_read,
	.usage = "read [OPTIONS] PID ADDR LEN",
	.summary = "read another process's memory through the fault path",
	.help = "  -f, --format F     hex (default: a hexdump), raw, str, u8, u16, u32 or u64;\n"
	        "                     for uN, LEN must be a multiple of N/8\n"
	        "  LEN is decimal or 0x hex, with K, M or G; at most 256M.\n"
	        "examples:\n"
	        "  vmscope read 1234 0x55d0c0ffe2a0 64\n"
	        "  vmscope read 1234 0x55d0c0ffe2a0 16 --format u64\n"
	        "  vmscope read 1234 0x7f0000000000 1M --format raw > dump.bin\n",
	.needs_module = 1,
};
