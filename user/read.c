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

static void print_json(pid_t pid, uint64_t addr, const unsigned char *data, size_t got,
		       uint64_t len, enum fmt f)
{
	int size = word_size(f);
	size_t i;

	jw_start_obj();
	jw_u64("pid", pid);
	jw_hex("addr", addr);
	jw_u64("length", len);
	jw_u64("read", got);
	jw_str("format", fmt_names[f]);
	switch (f) {
	case F_HEX:
		jw_bytes("bytes", data, got);
		break;
	case F_RAW:
		jw_strn("text", (const char *)data, got);
		break;
	case F_STR:
		jw_strn("text", (const char *)data, strnlen((const char *)data, got));
		break;
	default:
		/* Little-endian words; u64 as "0x..." strings (JSON numbers are doubles). */
		jw_key("values");
		jw_start_arr();
		for (i = 0; i + size <= got; i += size) {
			uint64_t v = 0;

			memcpy(&v, data + i, size);
			if (size == 8)
				jw_hex(NULL, v);
			else
				jw_u64(NULL, v);
		}
		jw_end_arr();
	}
	if (got < len) {
		jw_str("error", "short read: the rest is not mapped or not readable");
		jw_i64("errno", EFAULT);
	}
	jw_end_obj();
	jw_done();
}

static int do_read(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0];
	unsigned char *data = NULL;
	struct vmem *v = NULL;
	uint64_t addr, len;
	enum fmt f = F_HEX;
	int c, rc, size;
	ssize_t got;
	pid_t pid;

	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT "f:", longopts, NULL)) != -1) {
		if (c == 'f') {
			if (parse_fmt(cmd, optarg, &f))
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
	if (parse_pid(argv[optind], &pid) || parse_addr(argv[optind + 1], &addr) ||
	    parse_size(argv[optind + 2], "length", &len))
		return EXIT_USAGE;
	if (!len || len > READ_MAX) {
		p_usage(cmd, "invalid length '%s': 1 byte to 256M", argv[optind + 2]);
		return EXIT_USAGE;
	}
	size = word_size(f);
	if (size && len % size) {
		p_usage(cmd, "length %llu is not a multiple of %d bytes, the size of --format %s",
			(unsigned long long)len, size, fmt_names[f]);
		return EXIT_USAGE;
	}
	if (addr + len < addr || (addr + len) >> 56) {
		p_usage(cmd, "0x%llx + %llu runs past the end of the user address space",
			(unsigned long long)addr, (unsigned long long)len);
		return EXIT_USAGE;
	}
	rc = EXIT_RUNTIME;
	data = malloc(len);
	if (!data) {
		p_error(ENOMEM, "%s: out of memory for %llu bytes", cmd, (unsigned long long)len);
		return rc;
	}
	v = memcmd_open(cmd);
	if (!v)
		goto out;
	got = vmem_read(v, pid, addr, data, len);
	if (got < 0) {
		memcmd_err(cmd, pid, got, addr, true);
		goto out;
	}
	/* A short read: the bytes that could be read, then the error. */
	if ((uint64_t)got < len)
		fprintf(stderr, "%s: %s: only %zd of %llu bytes readable: 0x%llx is not mapped or "
			"not readable\n", prog_name, cmd, got, (unsigned long long)len,
			(unsigned long long)(addr + got));
	rc = (uint64_t)got < len ? EXIT_RUNTIME : 0;
	if (json_output) {
		print_json(pid, addr, data, got, len, f);
		goto out;
	}
	switch (f) {
	case F_HEX:
		hexdump(addr, data, got);
		break;
	case F_RAW:
		fwrite(data, 1, got, stdout);
		break;
	case F_STR:
		fwrite(data, 1, strnlen((char *)data, got), stdout);
		putchar('\n');
		break;
	default:
		print_words(addr, data, got, size);
	}
out:
	vmem_close(v);
	free(data);
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
