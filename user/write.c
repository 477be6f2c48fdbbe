// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope write PID ADDR (--hex B | --str S | --u8..--u64 V) [--force]:
 * another process's memory through the module's write kfunc, which breaks
 * copy-on-write first and writes all the bytes or none.  Prints the bytes
 * before and after.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "common.h"
#include "memcmd.h"

static int parse_hex_bytes(const char *cmd, const char *s, unsigned char *out, size_t max,
			   size_t *n)
{
	size_t len, i;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	if (!len || len % 2) {
		p_usage(cmd, "invalid --hex '%s': expected an even number of hex digits", s);
		return -EINVAL;
	}
	if (len / 2 > max) {
		p_usage(cmd, "--hex gives %zu bytes: at most %zu can be written at once", len / 2,
			max);
		return -E2BIG;
	}
	for (i = 0; i < len; i += 2) {
		unsigned int b;

		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]) ||
		    sscanf(s + i, "%2x", &b) != 1) {
			p_usage(cmd, "invalid --hex: '%.2s' is not a hex byte", s + i);
			return -EINVAL;
		}
		out[i / 2] = b;
	}
	*n = len / 2;
	return 0;
}

int do_write(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "hex", required_argument, NULL, 'H' },
		{ "str", required_argument, NULL, 'S' },
		{ "u8", required_argument, NULL, '1' },
		{ "u16", required_argument, NULL, '2' },
		{ "u32", required_argument, NULL, '4' },
		{ "u64", required_argument, NULL, '8' },
		{ "force", no_argument, NULL, 'F' },
		COMMON_LONG,
		{}
	};
	static unsigned char data[VMEM_WBUF_SIZE], old[VMEM_WBUF_SIZE], new_[VMEM_WBUF_SIZE];
	const char *cmd = argv[0];
	struct vmem *v = NULL;
	bool force = false;
	int c, rc, have = 0;
	ssize_t ret, on = 0, nn = 0;
	uint64_t addr, val;
	size_t n = 0;
	pid_t pid;

	while ((c = getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		int wsize = c >= '1' && c <= '8' ? c - '0' : 0;

		switch (c) {
		case 'F':
			force = true;
			continue;
		case 'H':
		case 'S':
		case '1':
		case '2':
		case '4':
		case '8':
			if (have++) {
				p_usage(cmd, "give one of --hex, --str, --u8, --u16, --u32, --u64");
				return EXIT_USAGE;
			}
			if (c == 'H') {
				if (parse_hex_bytes(cmd, optarg, data, sizeof(data), &n))
					return EXIT_USAGE;
			} else if (c == 'S') {
				n = strlen(optarg);
				if (!n || n > sizeof(data)) {
					p_usage(cmd, "--str takes 1 to %zu bytes", sizeof(data));
					return EXIT_USAGE;
				}
				memcpy(data, optarg, n);
			} else {
				if (parse_uint(optarg, "value", &val))
					return EXIT_USAGE;
				if (wsize < 8 && val >> (wsize * 8)) {
					p_usage(cmd, "value '%s' does not fit in %d byte%s", optarg, wsize,
						wsize > 1 ? "s" : "");
					return EXIT_USAGE;
				}
				memcpy(data, &val, wsize);	/* little-endian, like the target */
				n = wsize;
			}
			continue;
		}
		rc = cmd_common(cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind != 2 || !have) {
		p_usage(cmd, "expected PID ADDR and one of --hex, --str, --u8, --u16, --u32, --u64");
		return EXIT_USAGE;
	}
	if (parse_pid(argv[optind], &pid) || parse_addr(argv[optind + 1], &addr))
		return EXIT_USAGE;
	v = memcmd_open(cmd);
	if (!v)
		return EXIT_RUNTIME;
	rc = EXIT_RUNTIME;
	ret = vmem_write(v, pid, addr, data, n, force, old, &on, new_, &nn);
	if (ret < 0) {
		if (ret == -EPERM && force)
			p_error(ret, "%s: nothing written: --force (writing through a read-only "
				"mapping) needs CAP_SYS_PTRACE, even in one's own process", cmd);
		else if (ret == -EFAULT && !force && on == (ssize_t)n)
			p_error(ret, "%s: nothing written: 0x%llx in process %d is not writable (a "
				"read-only mapping); --force writes a private copy-on-write copy, like "
				"a debugger", cmd, (unsigned long long)addr, pid);
		else
			memcmd_err(cmd, pid, ret, addr, true);
		goto out;
	}
	rc = 0;
	if (json_output) {
		jw_start_obj();
		jw_u64("pid", pid);
		jw_hex("addr", addr);
		jw_u64("length", n);
		jw_u64("written", ret);
		jw_bool("force", force);
		if (on > 0)
			jw_bytes("old", old, on);
		else
			jw_null("old");
		if (nn > 0)
			jw_bytes("new", new_, nn);
		else
			jw_null("new");
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
