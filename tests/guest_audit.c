// SPDX-License-Identifier: GPL-2.0
/*
 * 'vmscope audit' in the guest: every case of tests/audit_cases.h with the
 * module's page walk and with the pagemap route, each checked against
 * /proc/PID/maps, the file's bytes and process_vm_readv; the two routes
 * must give the same findings for the same patched process, also for a
 * patched page swapped out (zram); and a write
 * made by 'vmscope write --force' shows up as modified code until it is
 * undone, then as a copy identical to the file.
 */
#include <sys/syscall.h>
#include "audit_cases.h"
#include "guest_util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

/* pid's pagemap entry for addr. */
static uint64_t pagemap_of(pid_t pid, uint64_t addr)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0 && pread(fd, &e, 8, addr / APG * 8) != 8)
		e = 0;
	if (fd >= 0)
		close(fd);
	return e;
}

/* Page addr of pid out to swap (process_madvise): whether pagemap says so. */
static bool page_out(pid_t pid, uint64_t addr)
{
	struct iovec iov = { (void *)(uintptr_t)(addr & ~(APG - 1)), APG };
	int pidfd = syscall(SYS_pidfd_open, pid, 0), i;

	for (i = 0; pidfd >= 0 && i < 20; i++) {
		if (pagemap_of(pid, addr) & (1ull << 62))
			break;
		syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_PAGEOUT, 0);
		usleep(50000);
	}
	if (pidfd >= 0)
		close(pidfd);
	return pagemap_of(pid, addr) & (1ull << 62);
}

/* A patched code page swapped out: still a copy, its bytes read back. */
static void case_swapped(int s, const char *why)
{
	struct mline m[64];
	const struct mline *text;
	unsigned char orig[8];
	const char *f = NULL, *pg;
	struct tgt t;
	struct cli c;
	int nm;

	if (why) {
		tap_skip(why, "%s: a patched code page swapped out", audit_src_opt[s]);
		return;
	}
	if (start_patched(&t, "swapped", 0x5678, 8, false, orig, m, &nm, &text)) {
		ok(0, "%s: a patched code page swapped out: the target runs", audit_src_opt[s]);
		tgt_stop(&t);
		return;
	}
	if (!page_out(t.pid, t.addr)) {
		tap_skip("MADV_PAGEOUT left the page in memory", "%s: a patched code page swapped out",
			 audit_src_opt[s]);
		tgt_stop(&t);
		return;
	}
	findings_of(run_audit(&c, s, t.pid), "modified_code", &f);
	pg = js_at(js_get(f, "pages"), 0);
	ok(c.status == 1 && js_len(js_get(f, "pages")) == 1 && js_is(js_get(pg, "state"), "swapped") &&
	   range_ok(pg, &t, text, t.addr, 8),
	   "%s: a patched code page swapped out (pagemap: swapped): still found, the range exact",
	   audit_src_opt[s]);
	if (c.status != 1)
		diag("exit %d: %s", c.status, js_show(f));
	cli_free(&c);
	tgt_stop(&t);
}

/* The findings of a patched process, the same from both routes. */
static void case_routes_agree(void)
{
	struct mline m[64];
	const struct mline *text;
	unsigned char orig[16];
	struct cli a, b;
	struct tgt t;
	const char *fa, *fb;
	int nm, i, same = 1;

	if (start_patched(&t, "agree", 0x4321, 16, false, orig, m, &nm, &text)) {
		ok(0, "module and pagemap agree: the target runs");
		tgt_stop(&t);
		return;
	}
	findings_of(run_audit(&a, 0, t.pid), "modified_code", &fa);
	findings_of(run_audit(&b, 1, t.pid), "modified_code", &fb);
	/* All but where the bytes were read from. */
	for (i = 0; fa && fb && js_at(js_get(fa, "pages"), i); i++)
		same &= js_eq(js_at(js_get(fa, "pages"), i), js_at(js_get(fb, "pages"), i));
	ok(fa && fb && same && js_eq(js_get(fa, "vma"), js_get(fb, "vma")) &&
	   js_len(js_get(fa, "pages")) == js_len(js_get(fb, "pages")),
	   "the module's walk and pagemap find the same copied page and the same bytes");
	if (!same)
		diag("module %s / pagemap %s", js_show(fa), js_show(fb));
	cli_free(&a);
	cli_free(&b);
	tgt_stop(&t);
}

/* vmscope write --force into the text: modified code; undone: identical. */
static void case_write_undo(void)
{
	struct mline m[64];
	const struct mline *text;
	const char *f = NULL, *pg;
	char exe[256], jpath[128];
	struct tgt t;
	struct cli c;
	int nm;

	snprintf(exe, sizeof(exe), "%s/written", audit_dir);
	snprintf(jpath, sizeof(jpath), "%s/journal", audit_dir);
	if (copy_file(audit_vt, exe) || start_vt(&t, exe, -1)) {
		ok(0, "write --force, then undo: the target runs");
		return;
	}
	nm = read_maps(t.pid, m, 64);
	text = maps_text(m, nm, exe);
	cli_run(&c, "write --journal %s --force %d 0x%llx --hex cccc", jpath, t.pid,
		(unsigned long long)(text ? text->start + 0x1500 : 0));
	cli_free(&c);
	findings_of(run_audit(&c, 0, t.pid), "modified_code", &f);
	pg = js_at(js_get(f, "pages"), 0);
	ok(text && c.status == 1 && range_ok(pg, &t, text, text->start + 0x1500, 2),
	   "vmscope write --force of int3 int3 into the text: audit reports those 2 bytes");
	cli_free(&c);
	cli_run(&c, "undo --journal %s", jpath);
	cli_free(&c);
	findings_of(run_audit(&c, 0, t.pid), "modified_code", &f);
	pg = js_at(js_get(f, "pages"), 0);
	ok(c.status == 1 && js_int(js_get(pg, "bytes_differ")) == 0,
	   "after vmscope undo: still a private copy, but no byte differs from the file");
	cli_free(&c);
	tgt_stop(&t);
}

int main(int argc, char **argv)
{
	const char *noswap;

	tap_start();
	if (audit_setup(argv[0])) {
		ok(0, "set-up: vmtarget beside this test, a scratch directory");
		return tap_finish();
	}
	noswap = setup_swap();
	if (access("/sys/kernel/btf/vmscope", F_OK)) {
		tap_skip("the vmscope module is not loaded (with BTF)", "module: the audit cases");
	} else {
		audit_cases(0);
		case_swapped(0, noswap);
		case_routes_agree();
		case_write_undo();
	}
	audit_cases(1);
	case_swapped(1, noswap);
	case_all();
	case_all_user();
	case_user_own();
	case_usage();
	audit_cleanup();
	return tap_finish();
}
