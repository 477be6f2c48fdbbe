// SPDX-License-Identifier: GPL-2.0
/*
 * 'vmscope page' on the host, whose kernel has no vmscope module: the
 * pagemap source for real.  Pages in known states in this process are
 * walked through the CLI and checked against the kernel's own answers
 * (pagemap_cases.h: /proc/self/pagemap, kpageflags, kpagecount, smaps,
 * mincore); the default route says on stderr that pagemap stands in and
 * why; --source module and read still say how to load the module; bad
 * input gets the module route's errors.  Swap, THP, the huge zero page
 * and hugetlb SKIP, with the reason, where the host has none of them.
 */
#include "pagemap_cases.h"

/* stderr is one line holding s. */
static bool one_line_with(const struct cli *c, const char *s)
{
	return count_lines(c->err) == 1 && strstr(c->err, s);
}

static void check_route(const struct fixture *f)
{
	char note[128];
	struct cli c;

	snprintf(note, sizeof(note), "vmscope: page: pages from /proc/%d/pagemap, without "
		 "page-table levels: the vmscope module is not loaded", f->self);
	cli_run(&c, "-j page %d %p", f->self, f->anon);
	ok(c.status == 0 && js_is(js_get(c.out, "source"), "pagemap") && one_line_with(&c, note),
	   "without the module: pagemap stands in, and one line on stderr says so and why");
	if (c.status || count_lines(c.err) != 1)
		diag("stderr: %s", c.err);
	cli_free(&c);
	cli_run(&c, "page --source pagemap %d %p", f->self, f->anon);
	ok(c.status == 0 && !*c.err && strstr(c.out, "  source: pagemap\n") &&
	   strstr(c.out, "page tables: not shown"),
	   "--source pagemap: no notice; the text names the source and says the levels are "
	   "not shown");
	cli_free(&c);
	cli_run(&c, "page --source module %d %p", f->self, f->anon);
	ok(c.status == 1 && one_line_with(&c, "vmscope: page: needs the vmscope kernel module, which is "
					  "not loaded: "),
	   "--source module without the module: exit 1, one line saying how to load it");
	cli_free(&c);
	cli_run(&c, "read %d %p 8", f->self, f->anon);
	ok(c.status == 1 && one_line_with(&c, "vmscope: read: needs the vmscope kernel module"),
	   "read still needs the module, and says how to load it");
	cli_free(&c);
	cli_run(&c, "page --source bogus %d %p", f->self, f->anon);
	ok(c.status == 2 && one_line_with(&c, "unknown source 'bogus': expected module or pagemap"),
	   "--source bogus: a usage error, exit 2");
	cli_free(&c);
}

/* The messages of memcmd_err(), which the module route prints too. */
static void check_errors(const struct fixture *f)
{
	pid_t zombie;
	char *argv[] = { "true", NULL };
	struct cli c;
	int i;

	cli_run(&c, "-j page --source pagemap 4194303 0x1000");
	ok(c.status == 1 && one_line_with(&c, "vmscope: page: no such process: 4194303") &&
	   !strcmp(c.out, "{\"error\":\"no such process: 4194303\",\"errno\":3}\n"),
	   "a missing pid: exit 1, 'no such process', a JSON error with errno 3");
	cli_free(&c);
	cli_run(&c, "page --source pagemap 2 0x1000");
	ok(c.status == 1 && one_line_with(&c, "process 2 is a kernel thread: it has no user "
					  "address space"),
	   "a kernel thread: exit 1, said so");
	cli_free(&c);
	cli_run(&c, "-j page --source pagemap %d 0x1000", f->self);
	ok(c.status == 1 && strstr(c.out, "{\"addr\":\"0x1000\",\"error\":\"in no VMA\","
				   "\"errno\":2}"),
	   "an address in no VMA: exit 1, the walk's error 'in no VMA' (errno 2)");
	cli_free(&c);
	cli_run(&c, "page --source pagemap %d 0x1000", f->self);
	ok(c.status == 1 && strstr(c.out, "VIRTUAL 0x1000  (in no VMA)"),
	   "an address in no VMA, as text: '(in no VMA)'");
	cli_free(&c);
	cli_run(&c, "page --source pagemap %d 0xffff888000000000", f->self);
	ok(c.status == 2 && one_line_with(&c, "a kernel address, not a user one"),
	   "a kernel address: a usage error, exit 2");
	cli_free(&c);
	/* A child never waited for; posix_spawn keeps this process's pages unshared. */
	if (posix_spawnp(&zombie, "true", NULL, NULL, argv, environ)) {
		tap_skip("cannot start a child", "an exited process");
		return;
	}
	for (i = 0; i < 100; i++) {
		char path[64], st[512] = "";
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/stat", zombie);
		fd = open(path, O_RDONLY);
		if (fd >= 0 && read(fd, st, sizeof(st) - 1) < 0)
			st[0] = 0;
		if (fd >= 0)
			close(fd);
		if (strstr(st, ") Z "))
			break;
		usleep(20000);
	}
	cli_run(&c, "page --source pagemap %d 0x1000", zombie);
	ok(c.status == 1 && one_line_with(&c, "has exited: it has no address space left"),
	   "an exited process (zombie): exit 1, said so");
	if (c.status != 1)
		diag("%s", c.err);
	cli_free(&c);
	waitpid(zombie, NULL, 0);
}

int main(void)
{
	struct fixture f;

	tap_start();
	if (geteuid()) {
		tap_skip("needs root: BPF for the VMA listing, CAP_SYS_ADMIN for PFNs",
			 "page without the module");
		return tap_finish();
	}
	if (!access("/sys/module/vmscope", F_OK)) {
		tap_skip("the vmscope module is loaded here", "page without the module");
		return tap_finish();
	}
	fx_setup(&f);
	diag("pid %d: PFNs %s, swap %s, THP %s, hugetlb %s", f.self, f.pfns ? "shown" : "hidden",
	     f.swap_skip ? "no" : "yes", f.thp_skip ? "no" : "yes", f.huge_skip ? "no" : "yes");
	check_route(&f);
	pagemap_checks(&f);
	check_errors(&f);
	return tap_finish();
}
