// SPDX-License-Identifier: GPL-2.0
/*
 * 'vmscope audit' on the host, whose kernel has no vmscope module: the
 * pagemap route (/proc/PID/pagemap, /proc/kpageflags for root, the bytes
 * from /proc/PID/mem) against patched, deleted, memfd, W+X and executable
 * anonymous targets, checked against /proc/PID/maps, the file's bytes and
 * process_vm_readv (tests/audit_cases.h).  What it cannot do here: the
 * module's walk (its cases are in tests/guest_audit.c), said by a SKIP.
 */
#include "audit_cases.h"

int main(int argc, char **argv)
{
	struct cli c;

	tap_start();
	if (audit_setup(argv[0])) {
		ok(0, "set-up: vmtarget beside this test, a scratch directory");
		return tap_finish();
	}
	if (geteuid() != 0)
		diag("not root: pagemap without /proc/kpageflags, and no map_files");
	if (!access("/sys/module/vmscope", F_OK)) {
		tap_skip("the vmscope module is loaded here", "audit without the module");
	} else {
		cli_run(&c, "audit --source module 1");
		ok(c.status == 3 && strstr(c.err, "vmscope: audit: needs the vmscope kernel module") &&
		   count_lines(c.err) == 1,
		   "audit --source module without the module: exit 3 (could not check), one line "
		   "saying what to load");
		cli_free(&c);
		cli_run(&c, "audit %d", getpid());
		ok(c.status == 0 && strstr(c.err, "code pages from /proc/PID/pagemap: the vmscope "
					  "module is not loaded"),
		   "audit without the module: pagemap stands in, said on stderr");
		cli_free(&c);
	}
	tap_skip("no vmscope module on the host: tests/guest_audit runs them",
		 "module: every audit case with the module's page walk");
	audit_cases(1);
	case_all();
	case_all_user();
	case_user_own();
	case_usage();
	audit_cleanup();
	return tap_finish();
}
