// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope thp, run as a user runs it (-j), against the kernel's own
 * answers: smaps' AnonHugePages and THPeligible for the VMA,
 * /proc/PID/status THP_enabled, pagemap's none entries and kpageflags'
 * compound pages.  Each case is a fresh process with one region built for
 * it: PMD THPs (MADV_HUGEPAGE), MADV_NOHUGEPAGE, PR_SET_THP_DISABLE, a
 * sparse slot under max_ptes_none 0, a full slot khugepaged has not
 * collapsed, an empty slot, no MADV_HUGEPAGE under enabled=madvise, a VMA
 * smaller than a slot, enabled=never, 64K mTHP folios (6.8+), the pagemap
 * source.  The sysfs knobs changed are put back.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include "cli_util.h"
#include "guest_util.h"
#include "tap.h"

#define SLOT	(2ul << 20)
#define THP	"/sys/kernel/mm/transparent_hugepage"

enum scen { S_HUGE, S_NOHUGE, S_PRCTL, S_SPARSE, S_FULL, S_EMPTY, S_NOADVISE, S_SMALL_VMA,
	    S_MTHP };

/* A VMA of exactly size bytes at a 2 MiB-aligned address. */
static char *aligned_map(size_t size)
{
	char *p = mmap(NULL, size + SLOT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + SLOT - 1) & ~(SLOT - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + size, (uintptr_t)p + size + SLOT - (a + size));
	return (char *)a;
}

static void thp_target(long arg)
{
	size_t i, size = arg == S_HUGE ? 2 * SLOT : SLOT;
	char *p;

	if (arg == S_PRCTL)
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	p = aligned_map(size);
	if (!p) {
		report(0);
		return;
	}
	switch (arg) {
	case S_HUGE:
	case S_PRCTL:
		madvise(p, size, MADV_HUGEPAGE);
		memset(p, 1, size);
		break;
	case S_NOHUGE:
		madvise(p, size, MADV_NOHUGEPAGE);
		memset(p, 1, size);
		break;
	case S_SPARSE:
		/* enabled=madvise: these faults get 4K pages, then the advice comes */
		for (i = 0; i < 100; i++)
			p[i * PG] = 1;
		madvise(p, size, MADV_HUGEPAGE);
		break;
	case S_FULL:
		memset(p, 1, size);
		madvise(p, size, MADV_HUGEPAGE);
		break;
	case S_EMPTY:
		madvise(p, size, MADV_HUGEPAGE);
		break;
	case S_NOADVISE:
	case S_MTHP:
		memset(p, 1, size);
		break;
	case S_SMALL_VMA:
		/* the middle MiB of the slot only */
		munmap(p, SLOT / 4);
		munmap(p + 3 * SLOT / 4, SLOT / 4);
		p += SLOT / 4;
		madvise(p, SLOT / 2, MADV_HUGEPAGE);
		memset(p, 1, SLOT / 2);
		break;
	}
	report((uintptr_t)p);
}

static const struct target_fn targets[] = { { "thp", thp_target } };

/* ---- helpers -------------------------------------------------------------------------------- */

static char saved[8][128];
static const char *const knobs[] = {
	THP "/enabled", THP "/khugepaged/max_ptes_none", THP "/hugepages-64kB/enabled",
};

static void knob_choice(const char *path, char *out, size_t sz)
{
	char buf[256] = "", *a, *b;
	FILE *f = fopen(path, "r");

	out[0] = 0;
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f)) {
		a = strchr(buf, '[');
		b = a ? strchr(a, ']') : NULL;
		if (a && b)
			snprintf(out, sz, "%.*s", (int)(b - a - 1), a + 1);
		else
			snprintf(out, sz, "%.*s", (int)strcspn(buf, "\n"), buf);
	}
	fclose(f);
}

static void knobs_save(void)
{
	size_t i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		knob_choice(knobs[i], saved[i], sizeof(saved[i]));
}

static void knobs_restore(void)
{
	size_t i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (saved[i][0])
			write_file(knobs[i], saved[i]);
}

/* An integer field of smaps for the VMA at start ("THPeligible"), -1 if none. */
static long smaps_int(pid_t pid, uint64_t start, const char *key)
{
	char path[64], line[512];
	size_t kl = strlen(key);
	bool in = false;
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s;

		if (smaps_header(line, &s)) {
			if (in)
				break;
			in = s == start;
			continue;
		}
		if (in && !strncmp(line, key, kl) && line[kl] == ':' &&
		    sscanf(line + kl + 1, " %ld", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

static int status_thp_enabled(pid_t pid)
{
	char path[64], line[128];
	int v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "THP_enabled: %d", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

struct run_ctx {
	pid_t pid;
	uint64_t addr;
	struct jv *doc;
	const struct jv *vma, *run0;
	int rc;
};

/* Start scenario s and run 'vmscope -j thp [opts] PID ADDR'; false if it cannot start. */
static bool scenario(enum scen s, const char *opts, struct run_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->pid = start_target("thp", s, &c->addr, 1);
	if (c->pid < 0 || !c->addr)
		return false;
	c->doc = cli_json(&c->rc, "vmscope -j thp %s %d 0x%llx", opts, c->pid,
			  (unsigned long long)c->addr);
	c->vma = jidx(jget(c->doc, "vmas"), 0);
	c->run0 = jidx(jget(c->vma, "runs"), 0);
	return true;
}

static void scenario_end(struct run_ctx *c)
{
	jfree(c->doc);
	if (c->pid > 0)
		kill_target(c->pid);
}

static const char *why(const struct run_ctx *c)
{
	return jstr(jget(c->run0, "why"));
}

static double count(const struct run_ctx *c, const char *k)
{
	return jnum(jget(jget(c->run0, "counts"), k));
}

/* ---- the cases --------------------------------------------------------------------------- */

static void test_huge(void)
{
	struct run_ctx c;
	long ahp;

	if (!scenario(S_HUGE, "", &c)) {
		ok(0, "MADV_HUGEPAGE, written: the target starts");
		return;
	}
	ahp = smaps_kb(c.pid, c.addr, "AnonHugePages");
	ok(c.rc == 0 && !strcmp(jstr(jget(c.run0, "state")), "huge") &&
	   jnum(jget(c.run0, "slots")) == 2 && jnum(jget(c.vma, "huge_kb")) == ahp && ahp == 4096 &&
	   jnum(jget(jget(c.vma, "smaps"), "thp_eligible")) == 1 && count(&c, "pmd_mapped") == 1024 &&
	   (kpageflags(pfn_of(c.pid, c.addr)) & (1ull << 22)),
	   "MADV_HUGEPAGE, written: two PMD-mapped THPs, as smaps' AnonHugePages (%ld kB) and "
	   "kpageflags say", ahp);
	jfree(c.doc);
	c.doc = cli_json(&c.rc, "vmscope -j thp --source pagemap %d 0x%llx", c.pid,
			 (unsigned long long)c.addr);
	c.run0 = jidx(jget(jidx(jget(c.doc, "vmas"), 0), "runs"), 0);
	ok(c.rc == 0 && !strcmp(jstr(jget(c.doc, "source")), "pagemap") &&
	   !strcmp(jstr(jget(c.run0, "state")), "huge") &&
	   jnull(jget(jget(c.run0, "counts"), "writable")),
	   "--source pagemap: the same THPs, without the PTE bits");
	scenario_end(&c);
}

static void test_nohugepage(void)
{
	struct run_ctx c;

	scenario(S_NOHUGE, "", &c);
	ok(c.rc == 0 && !strcmp(why(&c), "madv_nohugepage") &&
	   !strcmp(jstr(jget(c.run0, "state")), "small pages") &&
	   smaps_int(c.pid, c.addr, "THPeligible") == 0 &&
	   smaps_kb(c.pid, c.addr, "AnonHugePages") == 0,
	   "MADV_NOHUGEPAGE: small pages, because of it (smaps: THPeligible 0) [%s]", why(&c));
	scenario_end(&c);
}

static void test_prctl(void)
{
	struct run_ctx c;

	scenario(S_PRCTL, "", &c);
	ok(c.rc == 0 && !strcmp(why(&c), "prctl_thp_disable") &&
	   jnum(jget(c.doc, "thp_enabled")) == 0 && status_thp_enabled(c.pid) == 0 &&
	   smaps_kb(c.pid, c.addr, "AnonHugePages") == 0,
	   "PR_SET_THP_DISABLE: no THP though MADV_HUGEPAGE, as /proc/PID/status THP_enabled 0 "
	   "says [%s]", why(&c));
	scenario_end(&c);
}

static void test_sparse(void)
{
	struct run_ctx c;
	int none = 0, i;

	write_file(THP "/khugepaged/max_ptes_none", "0");
	scenario(S_SPARSE, "", &c);
	for (i = 0; i < 512; i++)
		none += !(pagemap_entry(c.pid, c.addr + i * PG) & (PM_PRESENT_ | PM_SWAP_));
	ok(c.rc == 0 && !strcmp(why(&c), "max_ptes_none") && count(&c, "none") == none &&
	   none == 412 && strstr(jstr(jget(c.run0, "reason")), "412 of 512"),
	   "100 of 512 pages touched, max_ptes_none 0: khugepaged's rule, with the 412 none "
	   "entries pagemap shows [%s]", jstr(jget(c.run0, "reason")));
	scenario_end(&c);
	knobs_restore();
}

static void test_full(void)
{
	struct run_ctx c;
	long ahp;

	scenario(S_FULL, "", &c);
	ahp = smaps_kb(c.pid, c.addr, "AnonHugePages");
	/* khugepaged may have collapsed it meanwhile: then smaps must say so too */
	ok(c.rc == 0 && ((!strcmp(why(&c), "not_collapsed_yet") &&
			  jnum(jget(c.vma, "huge_kb")) == 0) ||
			 (!strcmp(jstr(jget(c.run0, "state")), "huge") && ahp == 2048)),
	   "a full slot given MADV_HUGEPAGE afterwards: eligible, not collapsed yet (or "
	   "collapsed, as smaps says) [%s %s]", jstr(jget(c.run0, "state")), why(&c));
	scenario_end(&c);
}

static void test_empty(void)
{
	struct run_ctx c;

	scenario(S_EMPTY, "", &c);
	ok(c.rc == 0 && !strcmp(why(&c), "empty") && count(&c, "present") == 0 &&
	   jnum(jget(jget(c.vma, "smaps"), "thp_eligible")) == 1,
	   "MADV_HUGEPAGE, never touched: empty, the first fault would map a THP [%s]", why(&c));
	scenario_end(&c);
}

static void test_noadvise(void)
{
	struct run_ctx c;
	char en[32];

	knob_choice(THP "/enabled", en, sizeof(en));
	if (strcmp(en, "madvise")) {
		tap_skip("THP enabled is not madvise here", "enabled=madvise, no MADV_HUGEPAGE");
		return;
	}
	scenario(S_NOADVISE, "", &c);
	ok(c.rc == 0 && !strcmp(why(&c), "thp_madvise") &&
	   smaps_int(c.pid, c.addr, "THPeligible") == 0,
	   "enabled=madvise and no MADV_HUGEPAGE: the policy, as THPeligible 0 agrees [%s]",
	   why(&c));
	scenario_end(&c);
}

static void test_small_vma(void)
{
	struct run_ctx c;

	scenario(S_SMALL_VMA, "", &c);
	ok(c.rc == 0 && !strcmp(why(&c), "partial_slot") && count(&c, "pages") == 256 &&
	   smaps_int(c.pid, c.addr, "THPeligible") == 0,
	   "a 1 MiB VMA: the slot is not inside it (smaps: THPeligible 0) [%s]", why(&c));
	scenario_end(&c);
}

static void test_never(void)
{
	struct run_ctx c;

	write_file(THP "/enabled", "never");
	scenario(S_EMPTY, "", &c);
	ok(c.rc == 0 && !strcmp(why(&c), "thp_never") &&
	   !strcmp(jstr(jget(jget(c.doc, "thp"), "enabled")), "never"),
	   "enabled=never: THP is off, said so [%s]", why(&c));
	scenario_end(&c);
	knobs_restore();
}

static void test_mthp(void)
{
	struct run_ctx c;
	int heads = 0, i;

	if (access(THP "/hugepages-64kB/enabled", W_OK)) {
		tap_skip("no per-size THP (mTHP) knobs before 6.8", "64K mTHP folios");
		return;
	}
	write_file(THP "/hugepages-64kB/enabled", "always");
	scenario(S_MTHP, "", &c);
	for (i = 0; i < 512; i += 16)
		heads += !!(kpageflags(pfn_of(c.pid, c.addr + i * PG)) & KPF_HEAD_);
	ok(c.rc == 0 && !strcmp(jstr(jget(c.run0, "state")), "large folios") &&
	   count(&c, "max_order") == 4 && count(&c, "large_folio") == 512 && heads == 32,
	   "64K mTHP on, 2M not advised: large folios of order 4 (kpageflags: %d compound heads "
	   "every 64K)", heads);
	scenario_end(&c);
	knobs_restore();
}

static void test_system(void)
{
	struct jv *d;
	char en[32];
	int rc;

	d = cli_json(&rc, "vmscope -j thp %d", getpid());
	if (access(THP, F_OK)) {
		char *out = run_out(&rc, "vmscope thp %d", getpid());

		ok(!jbool(jget(jget(d, "thp"), "supported")) && out &&
		   strstr(out, "no transparent huge pages"),
		   "a kernel without THP says so");
		free(out);
	} else {
		knob_choice(THP "/enabled", en, sizeof(en));
		ok(rc == 0 && jbool(jget(jget(d, "thp"), "supported")) &&
		   !strcmp(jstr(jget(jget(d, "thp"), "enabled")), en) &&
		   jnum(jget(d, "thp_enabled")) == status_thp_enabled(getpid()),
		   "the THP settings and this process's THP_enabled, as sysfs and status say");
	}
	jfree(d);
	free(run_out(&rc, "vmscope thp %d no-such-vma", getpid()));
	ok(rc == 1, "thp of a VMA name no VMA has: exit 1");
	free(run_out(&rc, "vmscope thp %d 0x10", getpid()));
	ok(rc == 1, "thp of an address in no VMA: exit 1");
	free(run_out(&rc, "vmscope thp"));
	ok(rc == 2, "thp without a PID: exit 2");
	free(run_out(&rc, "vmscope thp 1 2 3"));
	ok(rc == 2, "thp with too many arguments: exit 2");
}

int main(int argc, char **argv)
{
	target_main(argc, argv, targets, 1);
	tap_start();
	knobs_save();
	test_system();
	if (access(THP, F_OK)) {
		tap_skip("this kernel has no THP (CONFIG_TRANSPARENT_HUGEPAGE off)", "THP cases");
		return tap_finish();
	}
	if (access("/sys/kernel/btf/vmscope", F_OK)) {
		tap_skip("the vmscope module is not loaded", "THP cases");
		return tap_finish();
	}
	test_huge();
	test_nohugepage();
	test_prctl();
	test_sparse();
	test_full();
	test_empty();
	test_noadvise();
	test_small_vma();
	test_never();
	test_mthp();
	knobs_restore();
	return tap_finish();
}
