// SPDX-License-Identifier: GPL-2.0
/*
 * The two sources of 'vmscope page' side by side, in the guest where the
 * module is loaded.  The same addresses of this process (pagemap_cases.h:
 * a written anonymous page, an untouched one, the zero page, a swapped-out
 * page on zram, a THP and the huge zero page, a file page, a hugetlb page)
 * are walked with --source module and --source pagemap, which must agree
 * on all that both can tell: present, none or swapped, PFN and physical
 * address, swap kind, type and offset, the leaf size where pagemap knows
 * it, exclusive, the stable page flags, mapcount and order; so must the
 * summaries of range walks.  pagemap's own answers are checked against
 * the kernel's as on the host.  Also: the default route is the module; a
 * caller the module refuses falls back to pagemap and says why; bad input
 * reads the same from both routes; pagemap cannot see into a PFN mapping.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include "pagemap_cases.h"
#include "guest_util.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT		47
#define PR_CAP_AMBIENT_RAISE	2
#endif
#define CAP_PERFMON_	38
#define CAP_BPF_	39
#define NOBODY		65534

struct addr_case {
	const char *name;
	const void *addr;
	const char *skip;
};

/* Page flags that do not move on their own between two walks. */
static const char *const stable_flags[] = { "anon", "file", "zero", "thp", "hugetlb", "compound" };

/* Whether the walks m (module) and p (pagemap) agree; else what differs, in why. */
static bool walks_agree(const char *m, const char *p, char *why, size_t sz)
{
	static const char *const same[] = { "stop_reason", "pfn", "phys", "exclusive", "swap" };
	const char *mp = js_get(m, "page"), *pp = js_get(p, "page");
	size_t i;

	why[0] = 0;
	for (i = 0; i < ARRAY_SIZE(same); i++)
		if (!js_eq(js_get(m, same[i]), js_get(p, same[i]))) {
			snprintf(why, sz, "%s", same[i]);
			return false;
		}
	if (!js_null(js_get(p, "leaf_size")) && !js_eq(js_get(m, "leaf_size"), js_get(p, "leaf_size"))) {
		snprintf(why, sz, "leaf_size");
		return false;
	}
	if (!mp != !pp) {
		snprintf(why, sz, "page (one source has none)");
		return false;
	}
	if (!mp)
		return true;
	for (i = 0; i < ARRAY_SIZE(stable_flags); i++)
		if (js_has(js_get(mp, "flags"), stable_flags[i]) !=
		    js_has(js_get(pp, "flags"), stable_flags[i])) {
			snprintf(why, sz, "page flag %s", stable_flags[i]);
			return false;
		}
	if (!js_eq(js_get(mp, "mapcount"), js_get(pp, "mapcount"))) {
		snprintf(why, sz, "mapcount");
		return false;
	}
	if (!js_null(js_get(pp, "order")) && !js_eq(js_get(mp, "order"), js_get(pp, "order"))) {
		snprintf(why, sz, "order");
		return false;
	}
	return true;
}

static void compare_walks(const struct fixture *f)
{
	const struct addr_case cases[] = {
		{ "written anon page", f->anon, NULL },
		{ "untouched anon page", f->anon + PG, NULL },
		{ "zero page", f->anon + 2 * PG, NULL },
		{ "swapped page", f->swapped, f->swap_skip },
		{ "THP, first page", f->thp, f->thp_skip },
		{ "THP, 6th page", f->thp + 5 * PG, f->thp_skip },
		{ "huge zero page", f->thp + HPAGE + 3 * PG, f->hzero_skip },
		{ "file page", f->file + PG, f->file_skip },
		{ "hugetlb page", f->huge + 7 * PG, f->huge_skip },
	};
	char args[1024] = "", why[64];
	struct cli m, p;
	size_t i, o = 0, k = 0;
	int idx[ARRAY_SIZE(cases)];

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		idx[i] = -1;
		if (cases[i].skip)
			continue;
		o += snprintf(args + o, sizeof(args) - o, " %p", cases[i].addr);
		idx[i] = k++;
	}
	cli_run(&m, "-j page --source module %d%s", f->self, args);
	cli_run(&p, "-j page --source pagemap %d%s", f->self, args);
	ok(m.status == 0 && p.status == 0 && js_is(js_get(m.out, "source"), "module") &&
	   js_is(js_get(p.out, "source"), "pagemap"),
	   "both sources walk the same %zu addresses (module exit %d, pagemap exit %d)", k,
	   m.status, p.status);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *mw, *pw;

		if (idx[i] < 0) {
			tap_skip(cases[i].skip, "%s: module and pagemap agree", cases[i].name);
			continue;
		}
		mw = js_at(js_get(m.out, "walks"), idx[i]);
		pw = js_at(js_get(p.out, "walks"), idx[i]);
		if (!ok(mw && pw && walks_agree(mw, pw, why, sizeof(why)),
			"%s: module and pagemap agree on present/swapped, PFN, swap entry, leaf "
			"size, exclusive, page flags, mapcount and order", cases[i].name)) {
			diag("differs: %s", why);
			diag("module:  %.600s", mw ? mw : "(none)");
			diag("pagemap: %.600s", pw ? pw : "(none)");
		}
	}
	cli_free(&m);
	cli_free(&p);
}

/* Range summaries: every count both sources make. */
static void compare_ranges(const struct fixture *f)
{
	static const char *const counts[] = {
		"pages", "present", "swapped", "zero", "thp", "hugetlb", "exclusive", "not_faulted",
		"no_vma",
	};
	const struct addr_case regions[] = {
		{ "4 anon pages", f->anon, NULL },
		{ "16 pages, some swapped out", f->swapped, f->swap_skip },
		{ "4 MiB of THP and huge zero", f->thp, f->thp_skip },
		{ "2 file pages", f->file, f->file_skip },
		{ "a hugetlb page", f->huge, f->huge_skip },
	};
	const char *const lens[] = { "16K", "64K", "4M", "8K", "2M" };
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(regions); i++) {
		const char *ms, *ps;
		struct cli m, p;
		bool same = true;

		if (regions[i].skip) {
			tap_skip(regions[i].skip, "range of %s: the summaries agree", regions[i].name);
			continue;
		}
		cli_run(&m, "-j page --source module %d %p --range %s", f->self, regions[i].addr,
			lens[i]);
		cli_run(&p, "-j page --source pagemap %d %p --range %s", f->self, regions[i].addr,
			lens[i]);
		ms = js_get(m.out, "summary");
		ps = js_get(p.out, "summary");
		for (j = 0; j < ARRAY_SIZE(counts); j++)
			if (!js_get(ms, counts[j]) || !js_eq(js_get(ms, counts[j]), js_get(ps, counts[j])))
				same = false;
		if (!ok(m.status == 0 && p.status == 0 && same,
			"range of %s: the summaries agree (pages, present, swapped, zero, THP, "
			"hugetlb, exclusive, not faulted)", regions[i].name)) {
			diag("module:  %.400s", ms ? ms : m.err);
			diag("pagemap: %.400s", ps ? ps : p.err);
		}
		cli_free(&m);
		cli_free(&p);
	}
}

static void check_default(const struct fixture *f)
{
	struct cli c;

	cli_run(&c, "-j page %d %p", f->self, f->anon);
	ok(c.status == 0 && js_is(js_get(c.out, "source"), "module") && !*c.err,
	   "with the module loaded the default source is the module, and nothing is said");
	cli_free(&c);
	cli_run(&c, "page %d %p", f->self, f->anon);
	ok(c.status == 0 && strstr(c.out, "-level paging  source: module\n") &&
	   strstr(c.out, "  PTE "), "the text names the module as the source, with the levels");
	cli_free(&c);
}

/* pagemap skips VM_PFNMAP VMAs: it says it cannot tell, never 'none'. */
static void check_pfnmap(const struct fixture *f)
{
	int fd = open("/dev/vmscope", O_RDWR);
	char *p = fd >= 0 ? mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	struct cli m, c;
	const char *mw, *pw;

	if (p == MAP_FAILED) {
		tap_skip("no /dev/vmscope to map", "PFN mapping: pagemap says it cannot tell");
		if (fd >= 0)
			close(fd);
		return;
	}
	(void)*(volatile char *)p;
	cli_run(&m, "-j page --source module %d %p", f->self, p);
	cli_run(&c, "-j page --source pagemap %d %p", f->self, p);
	mw = js_at(js_get(m.out, "walks"), 0);
	pw = js_at(js_get(c.out, "walks"), 0);
	ok(js_is(js_get(mw, "stop_reason"), "present leaf") &&
	   js_has(js_get(js_get(mw, "page"), "flags"), "nopage") &&
	   js_null(js_get(pw, "stop_reason")) && js_null(js_get(pw, "pfn")) &&
	   js_bool(js_get(js_get(pw, "vma"), "pfnmap")) == 1,
	   "PFN mapping (/dev/vmscope): the module gives the PFN, pagemap says it cannot tell "
	   "(stop_reason null), not 'none'");
	cli_free(&m);
	cli_free(&c);
	munmap(p, PG);
	close(fd);
}

/* Bad input: the same exit status, stdout and stderr from both routes. */
static void check_errors(const struct fixture *f)
{
	char *argv[] = { "true", NULL }, what[4][48];
	const char *args[4];
	pid_t zombie = 0;
	int i, k;

	snprintf(what[0], sizeof(what[0]), "4194303 0x1000");
	snprintf(what[1], sizeof(what[1]), "2 0x1000");
	snprintf(what[2], sizeof(what[2]), "%d 0x1000", f->self);
	args[0] = what[0];
	args[1] = what[1];
	args[2] = what[2];
	args[3] = NULL;
	if (!posix_spawnp(&zombie, "true", NULL, NULL, argv, environ)) {
		for (k = 0; k < 100; k++) {
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
		snprintf(what[3], sizeof(what[3]), "%d 0x1000", zombie);
		args[3] = what[3];
	}
	for (i = 0; i < 4; i++) {
		static const char *const names[] = {
			"a missing pid", "a kernel thread", "an address in no VMA", "an exited process",
		};
		struct cli m, p;

		if (!args[i]) {
			tap_skip("cannot start a child", "%s: the same error from both routes", names[i]);
			continue;
		}
		cli_run(&m, "page --source module %s", args[i]);
		cli_run(&p, "page --source pagemap %s", args[i]);
		if (!ok(m.status == 1 && p.status == 1 && !strcmp(m.err, p.err) &&
			!strcmp(m.out, p.out),
			"%s: the same error from both routes, exit 1", names[i])) {
			diag("module  %d: %s%s", m.status, m.out, m.err);
			diag("pagemap %d: %s%s", p.status, p.out, p.err);
		}
		cli_free(&m);
		cli_free(&p);
	}
	if (zombie > 0)
		waitpid(zombie, NULL, 0);
}

static int set_caps_inheritable(uint64_t caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)caps, (uint32_t)caps, (uint32_t)caps },
		{ (uint32_t)(caps >> 32), (uint32_t)(caps >> 32), (uint32_t)(caps >> 32) },
	};

	return syscall(SYS_capset, &h, d);
}

/*
 * A caller the module refuses: uid 65534 with CAP_BPF and CAP_PERFMON
 * (ambient, so that the CLI keeps them), but not CAP_SYS_PTRACE, looking
 * at another process of its own.  The module allows only its own process
 * without CAP_SYS_PTRACE; pagemap follows the ptrace rules and answers.
 * Forked last: the child shares this process's pages until it exits.
 */
static void check_refused(void)
{
	pid_t child = fork();
	int st = 0;

	if (child == 0) {
		char *argv[] = { "sleep", "30", NULL };
		struct cli c;
		pid_t s;
		bool good;

		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) ||
		    setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY) ||
		    set_caps_inheritable((1ull << CAP_BPF_) | (1ull << CAP_PERFMON_)))
			_exit(10);
		if (posix_spawnp(&s, "sleep", NULL, NULL, argv, environ))
			_exit(11);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_BPF_, 0, 0) ||
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_PERFMON_, 0, 0))
			_exit(12);
		usleep(200000);
		cli_run(&c, "-j page %d --range [stack]", s);
		good = c.status == 0 && js_is(js_get(c.out, "source"), "pagemap") &&
		       count_lines(c.err) == 1 && strstr(c.err, "the module refused") &&
		       js_bool(js_get(js_get(c.out, "summary"), "page_state_hidden")) == 1;
		if (!good)
			printf("# status %d, stderr: %s# stdout: %.300s\n", c.status, c.err, c.out);
		kill(s, SIGKILL);
		_exit(good ? 0 : 1);
	}
	if (child > 0)
		waitpid(child, &st, 0);
	ok(child > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "refused by the module (its own user's other process, CAP_BPF but no CAP_SYS_PTRACE): "
	   "pagemap answers, one line on stderr says the module refused (child status %d)",
	   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(void)
{
	const char *why;
	struct fixture f;

	tap_start();
	if (access("/sys/kernel/btf/vmscope", F_OK)) {
		tap_skip("the module is not loaded with BTF", "module and pagemap side by side");
		return tap_finish();
	}
	why = setup_swap();
	if (why)
		diag("no swap: %s", why);
	fx_setup(&f);
	diag("pid %d: PFNs %s, swap %s (%d of 16 out), THP %s, hugetlb %s", f.self,
	     f.pfns ? "shown" : "hidden", f.swap_skip ? "no" : "yes", f.nswapped,
	     f.thp_skip ? "no" : "yes", f.huge_skip ? "no" : "yes");
	check_default(&f);
	compare_walks(&f);
	compare_ranges(&f);
	pagemap_checks(&f);
	check_pfnmap(&f);
	check_errors(&f);
	check_refused();
	return tap_finish();
}
