// SPDX-License-Identifier: GPL-2.0
/*
 * 'vmscope audit' in the guest: every case of tests/audit_cases.h with the
 * module's page walk and with the pagemap route, each checked against
 * /proc/PID/maps, the file's bytes and process_vm_readv; the two routes
 * must give the same findings for the same patched process; and a write
 * made by 'vmscope write --force' shows up as modified code until it is
 * undone, then as a copy identical to the file.
 */
#include "audit_cases.h"

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
	tap_start();
	if (audit_setup(argv[0])) {
		ok(0, "set-up: vmtarget beside this test, a scratch directory");
		return tap_finish();
	}
	if (access("/sys/kernel/btf/vmscope", F_OK)) {
		tap_skip("the vmscope module is not loaded (with BTF)", "module: the audit cases");
	} else {
		audit_cases(0);
		case_routes_agree();
		case_write_undo();
	}
	audit_cases(1);
	case_all();
	case_all_user();
	case_user_own();
	case_usage();
	audit_cleanup();
	return tap_finish();
}
