// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope explain and vmscope share, run as a user runs them (the CLI's -j
 * output), checked against the kernel's own answers: the processes whose
 * /proc/PID/pagemap maps the same PFN (every process is scanned), the
 * page's /proc/kpageflags and /proc/kpagecount, smaps' VmFlags, and
 * smaps_rollup's Private_* and Pss.  Targets are built for each case:
 * fork COW (parent, child, grandchild), KSM-merged pages in two processes,
 * a shared library mapped by several processes, a memfd shared after
 * fork, a hugetlb file, the zero page, a swapped page; then the pagemap
 * source, a caller without CAP_SYS_ADMIN, bad input, and share's memory
 * on a 1 GiB target.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <linux/capability.h>
#include "cli_util.h"
#include "guest_util.h"
#include "tap.h"

#define NPG	64	/* pages of the fork region */

/* ---- targets ------------------------------------------------------------------------------ */

/* A region written by P, then P forks C, C forks G: all three share it. */
/* Values reported by the fork chain carry a tag in their top byte. */
#define TAG(t, v)	((uint64_t)(t) << 56 | (v))
enum { T_ADDR = 1, T_CHILD, T_GRANDCHILD };

static void fork_chain(long arg)
{
	char *p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t c;

	(void)arg;
	madvise(p, NPG * PG, MADV_NOHUGEPAGE);
	memset(p, 0x5a, NPG * PG);
	c = fork();
	if (c == 0) {
		pid_t g = fork();

		if (g == 0)
			for (;;)
				pause();
		report(TAG(T_GRANDCHILD, g));
		for (;;)
			pause();
	}
	report(TAG(T_ADDR, (uintptr_t)p));
	report(TAG(T_CHILD, c));
}

struct chain {
	pid_t p, c, g;
	uint64_t addr;
};

static bool chain_start(struct chain *ch)
{
	uint64_t v[3];
	int i;

	ch->p = start_target("chain", 0, v, 3);
	if (ch->p < 0)
		return false;
	for (i = 0; i < 3; i++) {
		uint64_t x = v[i] & ((1ull << 56) - 1);

		switch (v[i] >> 56) {
		case T_ADDR: ch->addr = x; break;
		case T_CHILD: ch->c = x; break;
		case T_GRANDCHILD: ch->g = x; break;
		}
	}
	usleep(100000);
	return true;
}

static void chain_stop(struct chain *ch)
{
	kill_target(ch->p);
}

/* n pages of one value, MADV_MERGEABLE: KSM merges them all into one page. */
static void ksm_target(long arg)
{
	int n = 16;
	char *p = mmap(NULL, n * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	madvise(p, n * PG, MADV_NOHUGEPAGE);
	memset(p, 0x77, n * PG);
	madvise(p, n * PG, MADV_MERGEABLE);
	report((uintptr_t)p);
}

/* The C library's first 64 KiB, mapped like a dynamic loader maps text. */
static const char *libc_path(void)
{
	static const char *const paths[] = {
		"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		"/lib/aarch64-linux-gnu/libc.so.6", "/usr/lib/aarch64-linux-gnu/libc.so.6",
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!access(paths[i], R_OK))
			return paths[i];
	return NULL;
}

static void lib_target(long arg)
{
	int fd = open(libc_path(), O_RDONLY);
	char *p = mmap(NULL, 16 * PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	int i;

	(void)arg;
	for (i = 0; i < 16; i++)
		(void)*(volatile char *)(p + i * PG);
	report((uintptr_t)p);
}

/* Fork a child that reads every page of [p, p + len) and waits; wait for its reads. */
static void touch_in_child(char *p, size_t len)
{
	int fd[2];
	char c = 0;

	if (pipe(fd))
		_exit(1);
	if (fork() == 0) {
		size_t i;

		for (i = 0; i < len; i += PG)
			(void)*(volatile char *)(p + i);
		if (write(fd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(fd[0], &c, 1) != 1)
		_exit(1);
	close(fd[0]);
	close(fd[1]);
}

/* A memfd mapped shared, written, and inherited by a child. */
static void memfd_target(long arg)
{
	int fd = memfd_create("vms-explain", 0);
	char *p;

	(void)arg;
	if (fd < 0 || ftruncate(fd, 16 * PG))
		_exit(1);
	p = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memset(p, 0x33, 16 * PG);
	/* fork() does not copy a shared file mapping's entries: the child reads them in */
	touch_in_child(p, 16 * PG);
	report((uintptr_t)p);
}

/* A 2 MiB hugetlbfs file mapped shared, written, and inherited by a child. */
static void hugetlb_target(long arg)
{
	int fd = open("/dev/hugepages/vms-explain", O_CREAT | O_RDWR, 0600);
	char *p;

	(void)arg;
	p = fd < 0 ? MAP_FAILED : mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		report(0);
		return;
	}
	memset(p, 0x44, 2 << 20);
	touch_in_child(p, 2 << 20);
	report((uintptr_t)p);
}

/* Pages for the zero page, VM flags and swap: the test decides what is done. */
enum misc { M_ZERO, M_FLAGS, M_SWAP };

static void misc_target(long arg)
{
	enum misc m = (enum misc)arg;
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == M_ZERO) {
		(void)*(volatile char *)p;
	} else if (m == M_FLAGS) {
		madvise(p, 4 * PG, MADV_DONTFORK);
		madvise(p, 4 * PG, MADV_HUGEPAGE);
		mlock(p, 4 * PG);
	} else {
		madvise(p, 4 * PG, MADV_NOHUGEPAGE);
		memset(p, 0x11, 4 * PG);
		madvise(p, 4 * PG, MADV_PAGEOUT);
	}
	report((uintptr_t)p);
}

/* ---- explain ----------------------------------------------------------------------------- */

static struct jv *explain(int *rc, const char *opts, pid_t pid, uint64_t addr)
{
	return cli_json(rc, "vmscope -j explain %s %d 0x%llx", opts, pid, (unsigned long long)addr);
}

static const struct jv *first(const struct jv *d)
{
	return jidx(jget(d, "addresses"), 0);
}

static void test_fork_cow(void)
{
	struct chain ch;
	struct holders *hs = calloc(1, sizeof(*hs));
	const struct jv *a;
	struct jv *d;
	uint64_t pfn;
	int rc;

	if (!chain_start(&ch)) {
		ok(0, "fork COW: the targets start");
		return;
	}
	pfn = pfn_of(ch.p, ch.addr);
	pfn_holders(pfn, hs);
	diag("fork chain: parent %d child %d grandchild %d at 0x%llx, pfn 0x%llx, %d holders",
	     ch.p, ch.c, ch.g, (unsigned long long)ch.addr, (unsigned long long)pfn, hs->n);
	d = explain(&rc, "", ch.p, ch.addr);
	a = first(d);
	ok(rc == 0 && !strcmp(jstr(jget(d, "source")), "module") &&
	   !strcmp(jstr(jget(jget(a, "sharers"), "status")), "listed") && hs->n == 3 &&
	   same_holders(jget(jget(a, "sharers"), "list"), hs),
	   "fork COW: the sharers are the parent, child and grandchild, as pagemap's PFNs say");
	ok(!strcmp(jstr(jget(jget(a, "page"), "kind")), "anon") &&
	   jnum(jget(jget(a, "page"), "mapcount")) == (double)kpagecount(pfn) &&
	   (kpageflags(pfn) & KPF_ANON_) && jhex(jget(jget(a, "walk"), "pfn")) == pfn &&
	   !jbool(jget(jget(a, "page"), "anon_exclusive")),
	   "fork COW: an anonymous page, mapcount %d as kpagecount says, not anon-exclusive",
	   (int)jnum(jget(jget(a, "page"), "mapcount")));
	ok(!strcmp(jstr(jget(jget(a, "cow"), "verdict")), "copy") &&
	   strstr(jstr(jget(jget(a, "cow"), "reason")), "mapped 3 times"),
	   "fork COW: a write would copy (reason: %s)", jstr(jget(jget(a, "cow"), "reason")));
	jfree(d);

	/* The parent writes (through the fault path, as its own store would). */
	free(run_out(&rc, "vmscope write %d 0x%llx --u8 7", ch.p, (unsigned long long)ch.addr));
	d = explain(&rc, "", ch.p, ch.addr);
	a = first(d);
	pfn_holders(pfn_of(ch.p, ch.addr), hs);
	ok(rc == 0 && hs->n == 1 && same_holders(jget(jget(a, "sharers"), "list"), hs) &&
	   strcmp(jstr(jget(jget(a, "cow"), "verdict")), "copy") &&
	   jbool(jget(jget(a, "page"), "anon_exclusive")),
	   "after the parent's write: its page is its own, exclusive, and a write no longer copies "
	   "(%s)", jstr(jget(jget(a, "cow"), "verdict")));
	jfree(d);
	d = explain(&rc, "", ch.g, ch.addr);
	a = first(d);
	pfn_holders(pfn_of(ch.g, ch.addr), hs);
	ok(rc == 0 && hs->n == 2 && same_holders(jget(jget(a, "sharers"), "list"), hs),
	   "the grandchild still shares the old page with the child only");
	jfree(d);

	/* Without the module: what pagemap tells, and what needs the module. */
	d = explain(&rc, "--source pagemap", ch.g, ch.addr);
	a = first(d);
	ok(rc == 0 && !strcmp(jstr(jget(d, "source")), "pagemap") &&
	   jnull(jget(jget(a, "walk"), "levels")) &&
	   !strcmp(jstr(jget(jget(a, "sharers"), "status")), "needs module") &&
	   !strcmp(jstr(jget(jget(a, "page"), "kind")), "anon") &&
	   jnum(jget(jget(a, "page"), "mapcount")) == 2 &&
	   jhex(jget(jget(a, "walk"), "pfn")) == pfn_of(ch.g, ch.addr) &&
	   jnull(jget(jget(a, "page"), "refcount")) && jnull(jget(jget(a, "page"), "nid")),
	   "--source pagemap: PFN, kind and mapcount; no levels, refcount, node or sharers");
	jfree(d);

	/* The same with only CAP_BPF, CAP_PERFMON and CAP_SYS_PTRACE: no PFNs, no sharers. */
	d = cli_json(&rc, "capsh_drop_sys_admin vmscope -j explain %d 0x%llx", ch.g,
		     (unsigned long long)ch.addr);
	a = first(d);
	ok(rc == 0 && !strcmp(jstr(jget(jget(a, "sharers"), "status")), "needs root") &&
	   !strcmp(jstr(jget(jget(a, "page"), "kind")), "hidden") &&
	   jnull(jget(jget(a, "walk"), "pfn")),
	   "without CAP_SYS_ADMIN: the sharers need root, the PFN and page state are hidden");
	jfree(d);
	chain_stop(&ch);
	free(hs);
}

static bool ksm_on(void)
{
	return !write_file("/sys/kernel/mm/ksm/pages_to_scan", "10000") &&
	       !write_file("/sys/kernel/mm/ksm/sleep_millisecs", "10") &&
	       !write_file("/sys/kernel/mm/ksm/run", "1");
}

static pid_t ksm_pids[2];
static uint64_t ksm_addr[2];

/* Two processes whose pages ksmd merged; false (and a SKIP) when it did not in 20 s. */
static const char *ksm_start(void)
{
	int i;

	if (access("/sys/kernel/mm/ksm/run", W_OK))
		return "this kernel has no KSM";
	for (i = 0; i < 2; i++)
		ksm_pids[i] = start_target("ksm", 0, &ksm_addr[i], 1);
	if (ksm_pids[0] < 0 || ksm_pids[1] < 0 || !ksm_on())
		return "KSM could not be started";
	for (i = 0; i < 400; i++) {
		uint64_t a = pfn_of(ksm_pids[0], ksm_addr[0]);
		int k, same = 0;

		for (k = 0; k < 16 && a; k++)
			same += pfn_of(ksm_pids[0], ksm_addr[0] + k * PG) == a &&
				pfn_of(ksm_pids[1], ksm_addr[1] + k * PG) == a;
		if (same == 16)
			return NULL;
		usleep(50000);
	}
	return "ksmd did not merge the pages within 20 s";
}

static void ksm_stop(void)
{
	write_file("/sys/kernel/mm/ksm/run", "0");
	kill_pids(ksm_pids, 2);
}

static void test_ksm(const char *skip)
{
	struct holders *hs = calloc(1, sizeof(*hs));
	const struct jv *a, *sh;
	struct jv *d;
	int rc;

	if (skip) {
		tap_skip(skip, "KSM: the sharers of a merged page in two processes");
		tap_skip(skip, "KSM: the scan's page bound is said when it is hit");
		free(hs);
		return;
	}
	pfn_holders(pfn_of(ksm_pids[0], ksm_addr[0]), hs);
	d = explain(&rc, "", ksm_pids[0], ksm_addr[0]);
	a = first(d);
	sh = jget(a, "sharers");
	ok(rc == 0 && !strcmp(jstr(jget(jget(a, "page"), "kind")), "ksm") &&
	   !strcmp(jstr(jget(sh, "status")), "ksm scan") && hs->n == 32 &&
	   same_holders(jget(sh, "list"), hs) && !jbool(jget(jget(sh, "scan"), "page_limit_hit")) &&
	   !strcmp(jstr(jget(jget(a, "cow"), "verdict")), "copy"),
	   "KSM: every page of both processes that maps the merged page (%d, as pagemap says), "
	   "found by the bounded scan", hs->n);
	jfree(d);
	d = explain(&rc, "--scan-limit 8", ksm_pids[0], ksm_addr[0]);
	sh = jget(first(d), "sharers");
	ok(rc == 0 && jbool(jget(jget(sh, "scan"), "page_limit_hit")) &&
	   jnum(jget(jget(sh, "scan"), "pages")) <= 8,
	   "KSM: --scan-limit 8 stops the scan and says the bound was hit");
	jfree(d);
	free(hs);
}

static void test_library(void)
{
	const char *lib = libc_path();
	struct holders *hs = calloc(1, sizeof(*hs));
	pid_t pids[4];
	uint64_t addr[4];
	const struct jv *a;
	struct stat st;
	struct jv *d;
	int rc, i;

	if (!lib || stat(lib, &st)) {
		tap_skip("no libc.so.6 in this guest", "a shared library in many processes");
		free(hs);
		return;
	}
	for (i = 0; i < 4; i++)
		pids[i] = start_target("lib", 0, &addr[i], 1);
	pfn_holders(pfn_of(pids[0], addr[0] + PG), hs);
	d = explain(&rc, "", pids[0], addr[0] + PG);
	a = first(d);
	diag("library: rc %d kind %s backing %s %s inode %g (stat %llu) offset 0x%llx cow %s, "
	     "%zu sharers", rc, jstr(jget(jget(a, "page"), "kind")),
	     jstr(jget(jget(a, "backing"), "type")), jstr(jget(jget(a, "backing"), "path")),
	     jnum(jget(jget(a, "backing"), "inode")), (unsigned long long)st.st_ino,
	     (unsigned long long)jhex(jget(jget(a, "backing"), "offset")),
	     jstr(jget(jget(a, "cow"), "verdict")), jlen(jget(jget(a, "sharers"), "list")));
	/* the guest's root is a tmpfs: there the library is a shmem file */
	ok(rc == 0 && hs->n >= 4 && same_holders(jget(jget(a, "sharers"), "list"), hs) &&
	   (!strcmp(jstr(jget(jget(a, "page"), "kind")), "file") ||
	    !strcmp(jstr(jget(jget(a, "page"), "kind")), "shmem")) &&
	   !strcmp(jstr(jget(jget(a, "backing"), "type")), jstr(jget(jget(a, "page"), "kind"))) &&
	   !strcmp(jstr(jget(jget(a, "backing"), "path")), lib) &&
	   jnum(jget(jget(a, "backing"), "inode")) == (double)st.st_ino &&
	   jhex(jget(jget(a, "backing"), "offset")) == 0 &&
	   !strcmp(jstr(jget(jget(a, "cow"), "verdict")), "refused"),
	   "a library's text in 4 processes: every mapping pagemap shows (%d), the file, its "
	   "inode, read-only", hs->n);
	jfree(d);
	kill_pids(pids, 4);
	free(hs);
}

static void test_memfd(void)
{
	struct holders *hs = calloc(1, sizeof(*hs));
	const struct jv *a;
	uint64_t addr;
	struct jv *d;
	pid_t p;
	int rc;

	p = start_target("memfd", 0, &addr, 1);
	usleep(100000);
	pfn_holders(pfn_of(p, addr), hs);
	d = explain(&rc, "", p, addr);
	a = first(d);
	diag("memfd: rc %d backing %s (%s) kind %s cow %s sharers %s %zu, holders %d", rc,
	     jstr(jget(jget(a, "backing"), "type")), jstr(jget(jget(a, "backing"), "what")),
	     jstr(jget(jget(a, "page"), "kind")), jstr(jget(jget(a, "cow"), "verdict")),
	     jstr(jget(jget(a, "sharers"), "status")), jlen(jget(jget(a, "sharers"), "list")),
	     hs->n);
	ok(rc == 0 && hs->n == 2 && same_holders(jget(jget(a, "sharers"), "list"), hs) &&
	   !strcmp(jstr(jget(jget(a, "backing"), "type")), "shmem") &&
	   !strcmp(jstr(jget(jget(a, "backing"), "what")), "a memfd") &&
	   !strcmp(jstr(jget(jget(a, "page"), "kind")), "shmem") &&
	   !strcmp(jstr(jget(jget(a, "cow"), "verdict")), "no copy"),
	   "shmem (a memfd shared after fork): both processes, a shmem page, a write reaches it");
	jfree(d);
	kill_target(p);
	free(hs);
}

static void test_hugetlb(void)
{
	struct holders *hs = calloc(1, sizeof(*hs));
	const struct jv *a;
	uint64_t addr;
	struct jv *d;
	pid_t p;
	int rc;

	p = start_target("hugetlb", 0, &addr, 1);
	if (!addr) {
		tap_skip("no 2M hugetlb page could be mapped", "a hugetlb file shared after fork");
		kill_target(p);
		free(hs);
		return;
	}
	usleep(100000);
	pfn_holders(pfn_of(p, addr + 5 * PG), hs);
	d = explain(&rc, "", p, addr + 5 * PG);
	a = first(d);
	diag("hugetlb: rc %d backing %s (%s) kind %s folio %s sharers %s %zu, holders %d", rc,
	     jstr(jget(jget(a, "backing"), "type")), jstr(jget(jget(a, "backing"), "what")),
	     jstr(jget(jget(a, "page"), "kind")), jstr(jget(jget(a, "page"), "folio")),
	     jstr(jget(jget(a, "sharers"), "status")), jlen(jget(jget(a, "sharers"), "list")),
	     hs->n);
	ok(rc == 0 && hs->n == 2 && same_holders(jget(jget(a, "sharers"), "list"), hs) &&
	   !strcmp(jstr(jget(jget(a, "backing"), "type")), "hugetlb") &&
	   !strcmp(jstr(jget(jget(a, "page"), "folio")), "hugetlb 2M") &&
	   jhex(jget(jget(a, "walk"), "pfn")) == pfn_of(p, addr + 5 * PG),
	   "a hugetlb file shared after fork: both processes, a 2M hugetlb folio");
	jfree(d);
	kill_target(p);
	unlink("/dev/hugepages/vms-explain");
	free(hs);
}

static void test_zero(void)
{
	const struct jv *a;
	uint64_t addr;
	struct jv *d;
	pid_t p;
	int rc;

	p = start_target("misc", M_ZERO, &addr, 1);
	d = explain(&rc, "", p, addr);
	a = first(d);
	ok(rc == 0 && !strcmp(jstr(jget(jget(a, "page"), "kind")), "zero") &&
	   (kpageflags(pfn_of(p, addr)) & KPF_ZERO_) &&
	   !strcmp(jstr(jget(jget(a, "sharers"), "status")), "zero page") &&
	   !strcmp(jstr(jget(jget(a, "cow"), "verdict")), "copy"),
	   "an untouched read: the zero page (as kpageflags says), no sharer list, a write copies");
	jfree(d);
	kill_target(p);
}

static void test_vmflags(void)
{
	static const struct { const char *mn, *name; } m[] = {
		{ "rd", "read" }, { "wr", "write" }, { "mr", "mayread" }, { "mw", "maywrite" },
		{ "me", "mayexec" }, { "lo", "locked" }, { "dc", "dontcopy" }, { "ac", "account" },
		{ "hg", "hugepage" }, { "sd", "softdirty" },
	};
	const struct jv *a, *fl;
	char vmf[512];
	uint64_t addr;
	struct jv *d;
	size_t i, bad = 0;
	bool thp;
	pid_t p;
	int rc;

	p = start_target("misc", M_FLAGS, &addr, 1);
	d = explain(&rc, "", p, addr);
	a = first(d);
	fl = jget(jget(a, "vma"), "flags");
	smaps_vmflags(p, jhex(jget(jget(a, "vma"), "start")), vmf, sizeof(vmf));
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		char tok[8];

		snprintf(tok, sizeof(tok), " %s ", m[i].mn);
		if (!!strstr(vmf, tok) != jhas_str(fl, m[i].name)) {
			diag("%s: smaps %s, explain %s", m[i].name, strstr(vmf, tok) ? "yes" : "no",
			     jhas_str(fl, m[i].name) ? "yes" : "no");
			bad++;
		}
	}
	/* Without THP (Debian's PREEMPT_RT kernel) MADV_HUGEPAGE is refused:
	 * no "hg" in smaps, and the comparison above is what must hold. */
	thp = access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0;
	if (!thp)
		diag("no THP in this kernel: MADV_HUGEPAGE was refused, no hugepage bit expected");
	ok(rc == 0 && !bad && jhas_str(fl, "dontcopy") && jhas_str(fl, "hugepage") == thp &&
	   jhas_str(fl, "locked") && !jlen(jget(jget(a, "vma"), "unknown_bits")) &&
	   !strcmp(jstr(jget(jget(a, "vma"), "flag_names_from")), "smaps"),
	   "vm_flags by name: MADV_DONTFORK, MADV_HUGEPAGE and mlock's bits, as smaps' VmFlags "
	   "(%.60s)", vmf);
	jfree(d);
	kill_target(p);
}

static void test_swap(void)
{
	const char *why = setup_swap();
	const struct jv *a, *sw;
	uint64_t addr, e;
	struct jv *d;
	pid_t p;
	int rc, i;

	if (why) {
		tap_skip(why, "a swapped-out page: its swap device and offset");
		return;
	}
	p = start_target("misc", M_SWAP, &addr, 1);
	for (i = 0; i < 50 && !((e = pagemap_entry(p, addr)) & PM_SWAP_); i++)
		usleep(100000);
	if (!(e & PM_SWAP_)) {
		tap_skip("MADV_PAGEOUT did not swap the page out", "a swapped-out page");
	} else {
		d = explain(&rc, "", p, addr);
		a = first(d);
		sw = jget(a, "swap");
		ok(rc == 0 && !strcmp(jstr(jget(jget(a, "page"), "kind")), "swapped") &&
		   !strcmp(jstr(jget(sw, "device")), "/dev/zram0") &&
		   jbool(jget(sw, "device_certain")) &&
		   jnum(jget(sw, "type")) == (double)(PM_PFN(e) & 31) &&
		   jhex(jget(sw, "offset")) == PM_PFN(e) >> 5,
		   "a swapped-out page: on /dev/zram0 (the one swap area), type and offset as "
		   "pagemap says");
		jfree(d);
	}
	kill_target(p);
}

static void test_explain_errors(void)
{
	struct chain ch;
	struct jv *d;
	int rc;

	chain_start(&ch);
	d = explain(&rc, "", ch.p, 0x10);
	ok(rc == 1 && !strcmp(jstr(jget(first(d), "error")), "in no VMA"),
	   "an address in no VMA: exit 1, that address's error in the document");
	jfree(d);
	d = explain(&rc, "", 4194303, 0x1000);
	ok(rc == 1 && jnum(jget(d, "errno")) == ESRCH, "no such process: exit 1, errno 3");
	jfree(d);
	free(run_out(&rc, "vmscope explain %d", ch.p));
	ok(rc == 2, "no address: a usage error, exit 2");
	free(run_out(&rc, "vmscope explain %d 0xffff888000000000", ch.p));
	ok(rc == 2, "a kernel address: a usage error, exit 2");
	chain_stop(&ch);
}

/* ---- share --------------------------------------------------------------------------------- */

/* The target's shared pages, by pagemap and kpagecount, and per other pid how many map them. */
struct scan_count {
	pid_t target;
	uint64_t *mult;		/* per target PFN: how many of the target's pages map it */
	pid_t pids[512];
	uint64_t pages[512];
	uint8_t *seen;		/* per (pfn index, pid slot): counted already */
	int n;
};

static void count_add(pid_t pid, uint64_t addr, size_t idx, void *arg)
{
	struct scan_count *sc = arg;
	int i;

	(void)addr;
	if (pid == sc->target)
		return;
	for (i = 0; i < sc->n && sc->pids[i] != pid; i++)
		;
	if (i == sc->n) {
		if (sc->n == 512)
			return;
		sc->pids[sc->n++] = pid;
	}
	if (sc->seen[idx * 512 + i])
		return;
	sc->seen[idx * 512 + i] = 1;
	sc->pages[i] += sc->mult[idx];
}

/*
 * Every present page of pid with a mapcount of 2 or more (not the zero page
 * or a PFN map), then every other process's pages with the same PFN.
 */
static void scan_shared(pid_t pid, struct scan_count *sc)
{
	uint64_t *pfns = NULL, *all = NULL;
	size_t n = 0, cap = 0, k, u = 0;
	char path[64], line[512];
	FILE *maps;
	int fd;

	memset(sc, 0, sizeof(*sc));
	sc->target = pid;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	while (maps && fd >= 0 && fgets(line, sizeof(line), maps)) {
		unsigned long long s, e, a;

		if (sscanf(line, "%llx-%llx", &s, &e) != 2 || s >= 0xffff800000000000ull)
			continue;
		for (a = s; a < e; a += PG) {
			uint64_t en = 0, pfn, kf;

			if (pread(fd, &en, 8, a / PG * 8) != 8 || !(en & PM_PRESENT_))
				continue;
			pfn = PM_PFN(en);
			kf = kpageflags(pfn);
			if ((kf & (KPF_ZERO_ | KPF_NOPAGE_)) || kpagecount(pfn) < 2)
				continue;
			if (n == cap)
				all = realloc(all, (cap = cap ? cap * 2 : 4096) * sizeof(*all));
			all[n++] = pfn;
		}
	}
	if (maps)
		fclose(maps);
	if (fd >= 0)
		close(fd);
	qsort(all, n, sizeof(*all), pfn_cmp);
	pfns = calloc(n ? n : 1, sizeof(*pfns));
	sc->mult = calloc(n ? n : 1, sizeof(*sc->mult));
	for (k = 0; k < n; k++) {
		if (!u || pfns[u - 1] != all[k])
			pfns[u++] = all[k];
		sc->mult[u - 1]++;
	}
	sc->seen = calloc(u ? u * 512 : 1, 1);
	pfn_scan(pfns, u, count_add, sc);
	free(pfns);
	free(all);
	free(sc->seen);
	free(sc->mult);
}

/* share's total shared_with against the scan: the same pids, the same kB. */
static bool same_with(const struct jv *with, const struct scan_count *sc)
{
	size_t i;
	int k, bad = 0;

	for (k = 0; k < sc->n; k++) {
		for (i = 0; i < jlen(with); i++)
			if ((pid_t)jnum(jget(jidx(with, i), "pid")) == sc->pids[k])
				break;
		if (i == jlen(with) || jnum(jget(jidx(with, i), "kb")) != (double)(sc->pages[k] * 4)) {
			diag("pid %d: pagemap %llu kB, share %g kB", sc->pids[k],
			     (unsigned long long)sc->pages[k] * 4,
			     i == jlen(with) ? 0.0 : jnum(jget(jidx(with, i), "kb")));
			bad++;
		}
	}
	/* Processes that ran during share only (the shell, vmscope itself) are gone now. */
	for (i = 0; i < jlen(with); i++) {
		pid_t pid = jnum(jget(jidx(with, i), "pid"));
		char path[32];

		snprintf(path, sizeof(path), "/proc/%d", pid);
		for (k = 0; k < sc->n && sc->pids[k] != pid; k++)
			;
		if (k == sc->n && !access(path, F_OK)) {
			diag("share names pid %d, pagemap does not", pid);
			bad++;
		}
	}
	return !bad;
}

/*
 * USS against smaps_rollup's Private_*, and PSS against smaps VMA by VMA:
 * [vdso]'s page is mapped by every process, so its PSS moves with the
 * process count (the shell and vmscope were there during share, not now).
 */
static bool matches_smaps(const struct jv *proc, pid_t pid)
{
	const struct jv *vmas = jget(proc, "vmas"), *total = jget(proc, "total");
	long priv = smaps_kb(pid, 0, "Private_Clean") + smaps_kb(pid, 0, "Private_Dirty");
	size_t i;
	int bad = 0;

	if (jnum(jget(total, "uss_kb")) != priv) {
		diag("uss %g, smaps_rollup Private %ld", jnum(jget(total, "uss_kb")), priv);
		bad++;
	}
	for (i = 0; i < jlen(vmas); i++) {
		const struct jv *v = jidx(vmas, i);
		uint64_t start = jhex(jget(v, "start"));
		long pss;

		if (!strcmp(jstr(jget(v, "name")), "[vdso]") || start >= 0xffff800000000000ull)
			continue;
		pss = smaps_kb(pid, start, "Pss");
		if (jnum(jget(v, "pss_kb")) != pss) {
			diag("VMA 0x%llx %s: pss %g, smaps Pss %ld", (unsigned long long)start,
			     jstr(jget(v, "name")), jnum(jget(v, "pss_kb")), pss);
			bad++;
		}
	}
	return !bad;
}

static void check_share(pid_t pid, const char *what, const char *opts, const char *source)
{
	struct scan_count *sc = calloc(1, sizeof(*sc));
	const struct jv *pr, *total;
	struct jv *d;
	int rc;

	d = cli_json(&rc, "vmscope -j share %s %d", opts, pid);
	pr = jidx(jget(d, "processes"), 0);
	total = jget(pr, "total");
	scan_shared(pid, sc);
	ok(rc == 0 && !strcmp(jstr(jget(pr, "source")), source) && jbool(jget(pr, "sets")) &&
	   matches_smaps(pr, pid) && same_with(jget(total, "shared_with"), sc),
	   "share %s%s%s: USS and PSS as smaps says, and every process it shares with, page for "
	   "page, as pagemap's PFNs say (%d processes)", what, *opts ? " " : "", opts, sc->n);
	jfree(d);
	free(sc);
}

/* The VMA of share's first process that starts at start. */
static const struct jv *vma_at(const struct jv *d, uint64_t start)
{
	const struct jv *v = jget(jidx(jget(d, "processes"), 0), "vmas");
	size_t i;

	for (i = 0; i < jlen(v); i++)
		if (jhex(jget(jidx(v, i), "start")) == start)
			return jidx(v, i);
	return NULL;
}

static void test_share(const char *ksm_skip)
{
	const char *lib = libc_path();
	struct chain ch;
	pid_t pids[3];
	uint64_t addr[3];
	const struct jv *pr, *t;
	struct jv *d;
	int rc, i;

	chain_start(&ch);
	check_share(ch.p, "of a forked parent", "", "module");
	check_share(ch.g, "of a grandchild", "", "module");
	check_share(ch.c, "of a child", "--source pagemap", "pagemap");
	d = cli_json(&rc, "vmscope -j share %d", ch.p);
	t = jget(jidx(jget(d, "processes"), 0), "total");
	ok(rc == 0 && jnum(jget(jget(t, "shared_kb"), "cow")) >= NPG * 4,
	   "share of a forked parent: its written region counts as fork COW (%g kB)",
	   jnum(jget(jget(t, "shared_kb"), "cow")));
	jfree(d);
	d = cli_json(&rc, "capsh_drop_sys_admin vmscope -j share %d", ch.p);
	pr = jidx(jget(d, "processes"), 0);
	ok(rc == 0 && !strcmp(jstr(jget(pr, "source")), "smaps") && !jbool(jget(pr, "sets")) &&
	   matches_smaps(pr, ch.p) && jnull(jget(jget(pr, "total"), "shared_with")),
	   "share without CAP_SYS_ADMIN: USS and PSS from smaps, the sets said to need root");
	jfree(d);
	chain_stop(&ch);

	if (lib) {
		for (i = 0; i < 3; i++)
			pids[i] = start_target("lib", 0, &addr[i], 1);
		check_share(pids[0], "of a process mapping a library", "", "module");
		kill_pids(pids, 3);
	} else {
		tap_skip("no libc.so.6 in this guest", "share of a process mapping a library");
	}
	pids[0] = start_target("memfd", 0, &addr[0], 1);
	usleep(100000);
	check_share(pids[0], "of a memfd's writer", "", "module");
	d = cli_json(&rc, "vmscope -j share %d", pids[0]);
	t = vma_at(d, addr[0]);
	ok(rc == 0 && jnum(jget(jget(t, "shared_kb"), "shmem")) == 64 &&
	   jlen(jget(t, "shared_with")) == 1,
	   "share: the memfd's 16 pages count as shmem, shared with the one child (%g kB)",
	   jnum(jget(jget(t, "shared_kb"), "shmem")));
	jfree(d);
	kill_target(pids[0]);

	if (ksm_skip) {
		tap_skip(ksm_skip, "share of a process with KSM pages");
		tap_skip(ksm_skip, "share: KSM pages count as ksm");
	} else {
		check_share(ksm_pids[0], "of a process with KSM pages", "", "module");
		d = cli_json(&rc, "vmscope -j share %d", ksm_pids[0]);
		t = jget(jidx(jget(d, "processes"), 0), "total");
		ok(rc == 0 && jnum(jget(jget(t, "shared_kb"), "ksm")) == 64,
		   "share: the 16 merged pages count as ksm (%g kB)",
		   jnum(jget(jget(t, "shared_kb"), "ksm")));
		jfree(d);
	}
	free(run_out(&rc, "vmscope share"));
	ok(rc == 2, "share without a PID: exit 2");
	free(run_out(&rc, "vmscope share --source bogus 1"));
	ok(rc == 2, "share --source bogus: exit 2");
	d = cli_json(&rc, "vmscope -j share 4194303");
	ok(rc == 1 && jnum(jget(d, "errno")) == ESRCH, "share of no such process: exit 1, errno 3");
	jfree(d);
}

/* A 1 GiB process shared with a child after fork: share's peak RSS and time. */
static void big_target(long arg)
{
	size_t sz = 1ul << 30;
	char *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	(void)arg;
	if (p == MAP_FAILED) {
		report(0);
		return;
	}
	madvise(p, sz, MADV_NOHUGEPAGE);
	for (i = 0; i < sz; i += PG)
		p[i] = 1;
	if (fork() == 0)
		for (;;)
			pause();
	report((uintptr_t)p);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Run argv, return its peak RSS (kB) and wall time. */
static long run_rss(char *const argv[], double *secs)
{
	struct rusage ru;
	double t0 = now_s();
	int st, fd;
	pid_t p = fork();

	if (p == 0) {
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(p, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	*secs = now_s() - t0;
	return ru.ru_maxrss;
}

static void test_big(void)
{
	char pid[16], a[32];
	double t_share, t_pmap, t_explain;
	long rss, rss_pmap;
	uint64_t addr;
	pid_t p;

	p = start_target("big", 0, &addr, 1);
	if (!addr) {
		tap_skip("1 GiB could not be mapped", "share of a 1 GiB process: peak RSS");
		kill_target(p);
		return;
	}
	snprintf(pid, sizeof(pid), "%d", p);
	snprintf(a, sizeof(a), "0x%llx", (unsigned long long)addr + (512ull << 20));
	{
		char *sh[] = { "vmscope", "share", pid, NULL };
		char *pm[] = { "pmap", "-x", pid, NULL };
		char *ex[] = { "vmscope", "explain", pid, a, NULL };

		rss = run_rss(sh, &t_share);
		rss_pmap = run_rss(pm, &t_pmap);
		run_rss(ex, &t_explain);
	}
	diag("1 GiB target: share %.3f s (peak RSS %ld kB), pmap -x %.3f s (peak RSS %ld kB), "
	     "explain of one address %.3f s", t_share, rss, t_pmap, rss_pmap, t_explain);
	ok(rss > 0 && rss < 64 * 1024, "share of a 1 GiB process shared after fork: peak RSS "
	   "%ld kB, under 64 MiB", rss);
	kill_target(p);
}

static const struct target_fn targets[] = {
	{ "chain", fork_chain }, { "ksm", ksm_target }, { "lib", lib_target },
	{ "memfd", memfd_target }, { "hugetlb", hugetlb_target }, { "misc", misc_target },
	{ "big", big_target },
};

/*
 * /tmp/capsh_drop_sys_admin CMD...: CMD as root without CAP_SYS_ADMIN in
 * its bounding set, so that exec gives it every capability but that one.
 */
static void make_drop_helper(void)
{
	FILE *f = fopen("/tmp/capsh_drop_sys_admin", "w");
	char self[256];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (!f || n <= 0) {
		if (f)
			fclose(f);
		return;
	}
	self[n] = 0;
	fprintf(f, "#!/bin/sh\nexec %s --drop-sys-admin \"$@\"\n", self);
	fclose(f);
	chmod("/tmp/capsh_drop_sys_admin", 0755);
	setenv("PATH", "/tmp:/bin:/sbin:/usr/bin:/usr/sbin:/tests", 1);
}

int main(int argc, char **argv)
{
	const char *ksm_skip;

	target_main(argc, argv, targets, sizeof(targets) / sizeof(targets[0]));
	if (argc > 2 && !strcmp(argv[1], "--drop-sys-admin")) {
		prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0);
		execvp(argv[2], argv + 2);
		return 127;
	}
	tap_start();
	if (access("/sys/kernel/btf/vmscope", F_OK)) {
		tap_skip("the vmscope module is not loaded", "explain and share");
		return tap_finish();
	}
	make_drop_helper();
	test_fork_cow();
	ksm_skip = ksm_start();
	test_ksm(ksm_skip);
	test_library();
	test_memfd();
	test_hugetlb();
	test_zero();
	test_vmflags();
	test_swap();
	test_explain_errors();
	test_share(ksm_skip);
	if (!ksm_skip)
		ksm_stop();
	test_big();
	return tap_finish();
}
