// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope read PID ADDR LEN [--format F] and
 * vmscope write PID ADDR (--hex B | --str S | --u8..--u64 V) [--force]:
 * another process's memory through the module's fault-path kfuncs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmds.h"
#include "common.h"
#include "memcli.h"

/* Largest read the CLI accepts. */
#define READ_MAX	(256ull << 20)

enum fmt { F_HEX, F_RAW, F_STR, F_U8, F_U16, F_U32, F_U64 };

static int parse_fmt(const char *s, enum fmt *f)
{
	static const char *const names[] = { "hex", "raw", "str", "u8", "u16", "u32", "u64" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*f = i;
			return 0;
		}
	}
	p_err("invalid format '%s': expected hex, raw, str, u8, u16, u32 or u64", s);
	return -EINVAL;
}

static void hexdump(uint64_t addr, const unsigned char *p, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i += 16) {
		printf("%016llx  ", (unsigned long long)(addr + i));
		for (j = 0; j < 16; j++) {
			if (i + j < n)
				printf("%02x ", p[i + j]);
			else
				printf("   ");
			if (j == 7)
				putchar(' ');
		}
		printf(" |");
		for (j = 0; j < 16 && i + j < n; j++)
			putchar(isprint(p[i + j]) ? p[i + j] : '.');
		printf("|\n");
	}
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

static void json_bytes(const char *key, const unsigned char *p, size_t n)
{
	char *hex = malloc(n * 2 + 1);
	size_t i;

	if (!hex)
		return;
	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", p[i]);
	hex[2 * n] = 0;
	jw_str(key, hex);
	free(hex);
}

int do_read(int argc, char **argv)
{
	enum fmt f = F_HEX;
	unsigned char *data = NULL;
	struct vmem *v = NULL;
	uint64_t addr, len;
	int i, npos = 0, rc = 1;
	char *pos[3];
	pid_t pid;
	ssize_t got;

	argc = common_opts(argc, argv, "read");
	if (argc < 0)
		return 0;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") || !strcmp(argv[i], "-f")) {
			if (++i >= argc) {
				p_err("read: --format needs a value");
				return 2;
			}
			if (parse_fmt(argv[i], &f))
				return 2;
		} else if (!strncmp(argv[i], "--format=", 9)) {
			if (parse_fmt(argv[i] + 9, &f))
				return 2;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			p_err("read: unknown option '%s'", argv[i]);
			return 2;
		} else if (npos < 3) {
			pos[npos++] = argv[i];
		} else {
			p_err("read: unexpected argument '%s'", argv[i]);
			return 2;
		}
	}
	if (npos != 3) {
		p_err("read: expected PID ADDR LEN");
		cmd_usage("read");
		return 2;
	}
	if (parse_pid(pos[0], &pid) || parse_addr(pos[1], &addr) || parse_u64(pos[2], "length", &len))
		return 2;
	if (!len || len > READ_MAX) {
		p_err("read: invalid length %s: expected 1..%llu bytes", pos[2], READ_MAX);
		return 2;
	}
	if (addr + len < addr || (addr + len) >> 56) {
		p_err("read: 0x%llx + %llu runs past the end of the user address space",
		      (unsigned long long)addr, (unsigned long long)len);
		return 2;
	}
	data = malloc(len);
	if (!data) {
		p_err("read: out of memory for %llu bytes", (unsigned long long)len);
		return 1;
	}
	v = memcli_open("read");
	if (!v)
		goto out;
	got = vmem_read(v, pid, addr, data, len);
	if (got < 0) {
		memcli_err("read", pid, got, addr, 1);
		goto out;
	}
	if ((uint64_t)got < len)
		p_info("vmscope: read: only %zd of %llu bytes readable: 0x%llx is not mapped or "
		       "not readable\n", got, (unsigned long long)len,
		       (unsigned long long)(addr + got));
	rc = (uint64_t)got < len ? 1 : 0;
	if (json_output) {
		jw_start_obj();
		jw_u64("pid", pid);
		jw_hex("addr", addr);
		jw_u64("length", got);
		json_bytes("hex", data, got);
		jw_end_obj();
		jw_done();
		goto out;
	}
	switch (f) {
	case F_HEX:
		hexdump(addr, data, got);
		break;
	case F_RAW:
		fwrite(data, 1, got, stdout);
		break;
	case F_STR: {
		size_t n = strnlen((char *)data, got);

		fwrite(data, 1, n, stdout);
		putchar('\n');
		break;
	}
	case F_U8:
		print_words(addr, data, got, 1);
		break;
	case F_U16:
		print_words(addr, data, got, 2);
		break;
	case F_U32:
		print_words(addr, data, got, 4);
		break;
	case F_U64:
		print_words(addr, data, got, 8);
		break;
	}
out:
	vmem_close(v);
	free(data);
	return rc;
}

static int parse_hex_bytes(const char *s, unsigned char *out, size_t max, size_t *n)
{
	size_t len, i;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	if (!len || len % 2) {
		p_err("invalid --hex '%s': expected an even number of hex digits", s);
		return -EINVAL;
	}
	if (len / 2 > max) {
		p_err("invalid --hex: %zu bytes, at most %zu can be written at once", len / 2, max);
		return -E2BIG;
	}
	for (i = 0; i < len; i += 2) {
		unsigned int b;

		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]) ||
		    sscanf(s + i, "%2x", &b) != 1) {
			p_err("invalid --hex: '%.2s' is not a hex byte", s + i);
			return -EINVAL;
		}
		out[i / 2] = b;
	}
	*n = len / 2;
	return 0;
}

int do_write(int argc, char **argv)
{
	static unsigned char data[VMEM_WBUF_SIZE], old[VMEM_WBUF_SIZE], new_[VMEM_WBUF_SIZE];
	struct vmem *v = NULL;
	bool force = false, have = false;
	int i, npos = 0, rc = 1;
	ssize_t ret, on = 0, nn = 0;
	size_t n = 0;
	uint64_t addr;
	char *pos[2];
	pid_t pid;

	argc = common_opts(argc, argv, "write");
	if (argc < 0)
		return 0;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i];
		int wsize = !strcmp(o, "--u8") ? 1 : !strcmp(o, "--u16") ? 2 :
			    !strcmp(o, "--u32") ? 4 : !strcmp(o, "--u64") ? 8 : 0;

		if (!strcmp(o, "--force")) {
			force = true;
			continue;
		}
		if (wsize || !strcmp(o, "--hex") || !strcmp(o, "--str")) {
			if (++i >= argc) {
				p_err("write: %s needs a value", o);
				return 2;
			}
			if (have) {
				p_err("write: give one of --hex, --str, --u8, --u16, --u32, --u64");
				return 2;
			}
			have = true;
			if (wsize) {
				uint64_t val;

				if (parse_u64(argv[i], o + 2, &val))
					return 2;
				if (wsize < 8 && val >> (wsize * 8)) {
					p_err("invalid %s '%s': does not fit in %d bytes", o + 2, argv[i],
					      wsize);
					return 2;
				}
				memcpy(data, &val, wsize);	/* little-endian, like the target */
				n = wsize;
			} else if (!strcmp(o, "--hex")) {
				if (parse_hex_bytes(argv[i], data, sizeof(data), &n))
					return 2;
			} else {
				n = strlen(argv[i]);
				if (!n || n > sizeof(data)) {
					p_err("invalid --str: 1..%zu bytes can be written at once",
					      sizeof(data));
					return 2;
				}
				memcpy(data, argv[i], n);
			}
			continue;
		}
		if (o[0] == '-' && o[1]) {
			p_err("write: unknown option '%s'", o);
			return 2;
		}
		if (npos == 2) {
			p_err("write: unexpected argument '%s'", o);
			return 2;
		}
		pos[npos++] = argv[i];
	}
	if (npos != 2 || !have) {
		p_err("write: expected PID ADDR and one of --hex, --str, --u8, --u16, --u32, --u64");
		cmd_usage("write");
		return 2;
	}
	if (parse_pid(pos[0], &pid) || parse_addr(pos[1], &addr))
		return 2;
	v = memcli_open("write");
	if (!v)
		return 1;
	ret = vmem_write(v, pid, addr, data, n, force, old, &on, new_, &nn);
	if (ret < 0) {
		if (ret == -EFAULT && !force && on > 0)
			p_err("write: 0x%llx in process %d is not writable (a read-only mapping); "
			      "--force writes a private copy-on-write copy, like a debugger",
			      (unsigned long long)addr, pid);
		else
			memcli_err("write", pid, ret, addr, 1);
		goto out;
	}
	if ((size_t)ret < n)
		p_err("write: only %zd of %zu bytes written: 0x%llx is not writable", ret, n,
		      (unsigned long long)(addr + ret));
	else
		rc = 0;
	if (json_output) {
		jw_start_obj();
		jw_u64("pid", pid);
		jw_hex("addr", addr);
		jw_u64("written", ret);
		jw_bool("force", force);
		if (on > 0)
			json_bytes("old", old, on);
		if (nn > 0)
			json_bytes("new", new_, nn);
		jw_end_obj();
		jw_done();
		goto out;
	}
	printf("old:\n");
	hexdump(addr, old, on > 0 ? on : 0);
	printf("new:\n");
	hexdump(addr, new_, nn > 0 ? nn : 0);
out:
	vmem_close(v);
	return rc;
}
