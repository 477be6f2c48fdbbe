// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope page PID ADDR...: every page-table level of an address, in the
 * spirit of crash's vtop; --range LEN|NAME: a per-page table of a range,
 * grouped into runs, with a summary.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cmds.h"
#include "common.h"
#include "memcmd.h"
#include "vmalist.h"

static const char *const lvl_names[VMS_NR_LEVELS] = { "PGD", "P4D", "PUD", "PMD", "PTE" };

static const uint64_t ebit[] = {
	VMS_E_PRESENT, VMS_E_PROTNONE, VMS_E_WRITE, VMS_E_USER, VMS_E_ACCESSED, VMS_E_DIRTY,
	VMS_E_LEAF, VMS_E_NX, VMS_E_GLOBAL, VMS_E_PWT, VMS_E_PCD, VMS_E_PAT, VMS_E_SOFT_DIRTY,
	VMS_E_UFFD_WP, VMS_E_SPECIAL, VMS_E_DEVMAP,
};
static const char *const ename[] = {
	"present", "protnone", "write", "user", "accessed", "dirty", "leaf", "nx", "global",
	"pwt", "pcd", "pat", "soft-dirty", "uffd-wp", "special", "devmap",
};

static const uint64_t pgbit[] = {
	VMS_PG_ANON, VMS_PG_FILE, VMS_PG_KSM, VMS_PG_ZERO, VMS_PG_THP, VMS_PG_HUGETLB,
	VMS_PG_COMPOUND, VMS_PG_LRU, VMS_PG_ACTIVE, VMS_PG_REFERENCED, VMS_PG_DIRTY,
	VMS_PG_LOCKED, VMS_PG_SWAPCACHE, VMS_PG_WRITEBACK, VMS_PG_UPTODATE, VMS_PG_UNEVICTABLE,
	VMS_PG_MLOCKED, VMS_PG_RESERVED, VMS_PG_NOPAGE,
};
static const char *const pgname[] = {
	"anon", "file", "ksm", "zero", "thp", "hugetlb", "compound", "lru", "active",
	"referenced", "dirty", "locked", "swapcache", "writeback", "uptodate", "unevictable",
	"mlocked", "reserved", "nopage",
};

static const char *const stop_names[] = {
	"no VMA", "none", "not present", "present leaf", "bad entry",
};

static const char *const swp_names[] = {
	"", "swap", "migration-read", "migration-write", "hwpoison", "device", "marker", "other",
};

static const char *stop_str(__u32 s)
{
	return s < ARRAY_SIZE(stop_names) ? stop_names[s] : "?";
}

static const char *swp_str(__u32 k)
{
	return k < ARRAY_SIZE(swp_names) ? swp_names[k] : "?";
}

static char *join_bits(uint64_t v, const uint64_t *bits, const char *const *names, size_t n,
		       char *buf, size_t sz)
{
	size_t i, o = 0;

	buf[0] = 0;
	for (i = 0; i < n; i++)
		if (v & bits[i])
			o += snprintf(buf + o, o < sz ? sz - o : 0, "%s%s", o ? "," : "", names[i]);
	if (!o)
		snprintf(buf, sz, "-");
	return buf;
}

static const char *leaf_str(__u32 shift)
{
	return shift == 30 ? "1G" : shift == 21 ? "2M" : shift == 12 ? "4K" : "-";
}

/* Physical address an entry points to (table or leaf), from its raw bits. */
static uint64_t entry_target(const struct vms_walk *w, int l)
{
	uint64_t mask = 0x000ffffffffff000ull;

	if (l == VMS_LVL_PUD && (w->bits[l] & VMS_E_LEAF))
		mask &= ~((1ull << 30) - 1);
	else if (l == VMS_LVL_PMD && (w->bits[l] & VMS_E_LEAF))
		mask &= ~((1ull << 21) - 1);
	return w->entry[l] & mask;
}

/* ---- one address -------------------------------------------------------------- */

static void walk_json(const struct vms_walk *w)
{
	char perms[5];
	int l;

	jw_start_obj();
	jw_hex("addr", w->addr);
	if (w->err) {
		jw_str("error", w->err == -ENOENT ? "in no VMA" : strerror(-w->err));
		jw_i64("errno", -w->err);
		jw_end_obj();
		return;
	}
	vm_flags_perms(w->vm_flags, perms);
	jw_key("vma");
	jw_start_obj();
	jw_hex("start", w->vm_start);
	jw_hex("end", w->vm_end);
	jw_str("perms", perms);
	jw_hex("vm_flags", w->vm_flags);
	jw_bool("pfnmap", w->wflags & VMS_W_PFNMAP);
	jw_bool("hugetlb", w->wflags & VMS_W_HUGETLB_VMA);
	jw_end_obj();
	jw_u64("levels", w->levels);
	jw_key("entries");
	jw_start_arr();
	for (l = 0; l <= (int)w->stop_level && l < VMS_NR_LEVELS; l++) {
		if (l == VMS_LVL_P4D && w->levels == 4)
			continue;
		jw_start_obj();
		jw_str("level", lvl_names[l]);
		jw_hex("entry", w->entry[l]);
		jw_flags("flags", w->bits[l], ebit, ename, ARRAY_SIZE(ebit));
		if ((w->wflags & VMS_W_PFN_HIDDEN) || !(w->bits[l] & (VMS_E_PRESENT | VMS_E_PROTNONE)))
			jw_null("points_to");
		else
			jw_hex("points_to", entry_target(w, l));
		jw_end_obj();
	}
	jw_end_arr();
	jw_str("stop_level", lvl_names[w->stop_level < VMS_NR_LEVELS ? w->stop_level : 0]);
	jw_str("stop_reason", stop_str(w->stop_reason));
	if (w->stop_reason == VMS_STOP_LEAF)
		jw_str("leaf_size", leaf_str(w->leaf_shift));
	else
		jw_null("leaf_size");
	jw_bool("pfn_hidden", w->wflags & VMS_W_PFN_HIDDEN);
	jw_bool("page_hidden", w->wflags & VMS_W_PAGE_HIDDEN);
	if (w->wflags & VMS_W_PFN_VALID) {
		jw_hex("pfn", w->pfn);
		jw_hex("phys", w->phys);
	} else {
		jw_null("pfn");
		jw_null("phys");
	}
	if (w->stop_reason == VMS_STOP_NOT_PRESENT) {
		jw_key("swap");
		jw_start_obj();
		jw_str("kind", swp_str(w->swp_kind));
		if (w->wflags & VMS_W_PFN_HIDDEN) {
			jw_null("type");
			jw_null("offset");
		} else {
			jw_u64("type", w->swp_type);
			jw_hex("offset", w->swp_offset);
		}
		jw_end_obj();
	}
	if (w->stop_reason == VMS_STOP_LEAF && !(w->wflags & VMS_W_PAGE_HIDDEN)) {
		jw_key("page");
		jw_start_obj();
		jw_flags("flags", w->page_flags, pgbit, pgname, ARRAY_SIZE(pgbit));
		if (w->wflags & VMS_W_HAVE_PAGE) {
			jw_i64("refcount", w->refcount);
			jw_i64("mapcount", w->mapcount);
			jw_u64("order", w->order);
		}
		jw_end_obj();
	}
	jw_end_obj();
}

static void walk_text(pid_t pid, const struct vms_walk *w)
{
	char buf[256], perms[5];
	int l;

	printf("PID %d  VIRTUAL 0x%llx", pid, (unsigned long long)w->addr);
	if (w->err) {
		printf("  %s\n", w->err == -ENOENT ? "(in no VMA)" : strerror(-w->err));
		return;
	}
	vm_flags_perms(w->vm_flags, perms);
	printf("  VMA %llx-%llx %s  %d-level paging%s\n", (unsigned long long)w->vm_start,
	       (unsigned long long)w->vm_end, perms, w->levels,
	       w->wflags & VMS_W_PFNMAP ? "  PFNMAP/IO" : "");
	printf("  %-5s %-18s %-18s %s\n", "LEVEL", "ENTRY", "POINTS TO", "FLAGS");
	for (l = 0; l <= (int)w->stop_level && l < VMS_NR_LEVELS; l++) {
		char to[32];

		if (l == VMS_LVL_P4D && w->levels == 4)
			continue;
		if (w->wflags & VMS_W_PFN_HIDDEN)
			snprintf(to, sizeof(to), "(hidden)");
		else if (!w->entry[l] || !(w->bits[l] & (VMS_E_PRESENT | VMS_E_PROTNONE)))
			snprintf(to, sizeof(to), "-");
		else
			snprintf(to, sizeof(to), "0x%llx", (unsigned long long)entry_target(w, l));
		printf("  %-5s %016llx   %-18s %s\n", lvl_names[l], (unsigned long long)w->entry[l],
		       to, join_bits(w->bits[l], ebit, ename, ARRAY_SIZE(ebit), buf, sizeof(buf)));
	}
	printf("  stopped at %s: %s", lvl_names[w->stop_level < VMS_NR_LEVELS ? w->stop_level : 0],
	       w->stop_reason == VMS_STOP_NONE_ENTRY ? "none (nothing mapped yet)" :
	       stop_str(w->stop_reason));
	if (w->stop_reason == VMS_STOP_LEAF)
		printf(", %s page", leaf_str(w->leaf_shift));
	printf("\n");
	if (w->stop_reason == VMS_STOP_NOT_PRESENT) {
		if (w->wflags & VMS_W_PFN_HIDDEN)
			printf("  %s entry (type and offset need CAP_SYS_ADMIN)\n", swp_str(w->swp_kind));
		else
			printf("  %s entry: type %u offset 0x%llx\n", swp_str(w->swp_kind), w->swp_type,
			       (unsigned long long)w->swp_offset);
	}
	if (w->stop_reason != VMS_STOP_LEAF)
		return;
	if (w->wflags & VMS_W_PFN_VALID)
		printf("  PHYSICAL 0x%llx  PFN 0x%llx\n", (unsigned long long)w->phys,
		       (unsigned long long)w->pfn);
	else
		printf("  PHYSICAL (hidden: needs CAP_SYS_ADMIN)\n");
	if (w->wflags & VMS_W_HAVE_PAGE)
		printf("  PAGE refcount %d  mapcount %d  order %u  %s\n", w->refcount, w->mapcount,
		       w->order, join_bits(w->page_flags, pgbit, pgname, ARRAY_SIZE(pgbit), buf,
					   sizeof(buf)));
	else if (w->wflags & VMS_W_PAGE_HIDDEN)
		printf("  PAGE (state hidden: needs CAP_SYS_ADMIN, like /proc/kpageflags)\n");
	else
		printf("  PAGE none: a PFN with no struct page (%s)\n",
		       join_bits(w->page_flags, pgbit, pgname, ARRAY_SIZE(pgbit), buf, sizeof(buf)));
}

/* ---- --range ---------------------------------------------------------------------- */

struct rsum {
	uint64_t pages, present, swapped, zero, thp, hugetlb, dirty, none, novma;
};

/* A run of pages in the same state, with consecutive PFNs. */
struct run {
	uint64_t start, pages;
	struct vms_prec first, last;
	bool hidden;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Page state bits shown in a run (the volatile LRU bits are left out). */
#define RUN_PGMASK (~(VMS_PG_LRU | VMS_PG_ACTIVE | VMS_PG_REFERENCED | VMS_PG_UPTODATE))

static bool same_run(const struct run *run, const struct vms_prec *b)
{
	const struct vms_prec *a = &run->last;

	if (a->stop != b->stop || a->level != b->level || a->leaf_shift != b->leaf_shift ||
	    a->swp_kind != b->swp_kind || (a->page_flags & RUN_PGMASK) != (b->page_flags & RUN_PGMASK))
		return false;
	if (a->stop == VMS_STOP_LEAF && !run->hidden && b->pfn != a->pfn + 1)
		return false;
	return true;
}

static void rec_state(const struct vms_prec *r, char *buf, size_t sz)
{
	char f[200];

	if (r->stop == VMS_STOP_NONE_ENTRY)
		snprintf(buf, sz, "none@%s", lvl_names[r->level % VMS_NR_LEVELS]);
	else if (r->stop == VMS_STOP_NOT_PRESENT)
		snprintf(buf, sz, "%s", swp_str(r->swp_kind));
	else if (r->stop == VMS_STOP_LEAF)
		snprintf(buf, sz, "%s %s", leaf_str(r->leaf_shift),
			 join_bits(r->page_flags & RUN_PGMASK, pgbit, pgname, ARRAY_SIZE(pgbit), f,
				   sizeof(f)));
	else
		snprintf(buf, sz, "bad@%s", lvl_names[r->level % VMS_NR_LEVELS]);
}

static void run_out(const struct run *run)
{
	const struct vms_prec *r = &run->first;
	bool pfn = r->stop == VMS_STOP_LEAF && !run->hidden;
	char st[256], pf[24];

	rec_state(r, st, sizeof(st));
	if (json_output) {
		jw_start_obj();
		jw_hex("start", run->start);
		jw_hex("end", run->start + run->pages * 4096);
		jw_u64("pages", run->pages);
		jw_str("level", lvl_names[r->level % VMS_NR_LEVELS]);
		jw_str("stop_reason", stop_str(r->stop));
		if (r->stop == VMS_STOP_LEAF)
			jw_str("leaf_size", leaf_str(r->leaf_shift));
		if (r->stop == VMS_STOP_NOT_PRESENT)
			jw_str("swap_kind", swp_str(r->swp_kind));
		if (pfn)
			jw_hex("pfn", r->pfn);
		else
			jw_null("pfn");
		if (r->stop == VMS_STOP_LEAF && !run->hidden)
			jw_flags("page_flags", r->page_flags & RUN_PGMASK, pgbit, pgname,
				 ARRAY_SIZE(pgbit));
		jw_hex("entry", r->entry);
		jw_end_obj();
		return;
	}
	snprintf(pf, sizeof(pf), pfn ? "0x%llx" : "-", (unsigned long long)r->pfn);
	printf("%016llx %016llx %7llu %-14s %-5s %s\n", (unsigned long long)run->start,
	       (unsigned long long)(run->start + run->pages * 4096), (unsigned long long)run->pages,
	       pf, lvl_names[r->level % VMS_NR_LEVELS], st);
}

static void sum_add(struct rsum *s, const struct vms_prec *r)
{
	s->pages++;
	if (r->stop == VMS_STOP_NONE_ENTRY)
		s->none++;
	else if (r->stop == VMS_STOP_NOT_PRESENT && r->swp_kind == VMS_SWP_SWAP)
		s->swapped++;
	if (r->stop != VMS_STOP_LEAF)
		return;
	s->present++;
	if (r->page_flags & VMS_PG_ZERO)
		s->zero++;
	if ((r->page_flags & VMS_PG_THP) || (r->leaf_shift == 21 && !(r->page_flags & VMS_PG_HUGETLB)))
		s->thp++;
	if (r->page_flags & VMS_PG_HUGETLB)
		s->hugetlb++;
	if ((r->page_flags & VMS_PG_DIRTY) || (r->bits & VMS_E_DIRTY))
		s->dirty++;
}

static void summary_out(const struct rsum *s, bool hidden)
{
	if (json_output) {
		jw_key("summary");
		jw_start_obj();
		jw_u64("pages", s->pages);
		jw_u64("present", s->present);
		jw_u64("swapped", s->swapped);
		jw_u64("zero", s->zero);
		jw_u64("thp", s->thp);
		jw_u64("hugetlb", s->hugetlb);
		jw_u64("dirty", s->dirty);
		jw_u64("not_faulted", s->none);
		jw_u64("no_vma", s->novma);
		jw_bool("page_state_hidden", hidden);
		jw_end_obj();
		return;
	}
	printf("summary: %llu pages: %llu present, %llu swapped, %llu zero, %llu THP, "
	       "%llu hugetlb, %llu dirty, %llu not faulted, %llu outside any VMA%s\n",
	       (unsigned long long)s->pages, (unsigned long long)s->present,
	       (unsigned long long)s->swapped, (unsigned long long)s->zero,
	       (unsigned long long)s->thp, (unsigned long long)s->hugetlb,
	       (unsigned long long)s->dirty, (unsigned long long)s->none,
	       (unsigned long long)s->novma,
	       hidden ? " (page state hidden: needs CAP_SYS_ADMIN)" : "");
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int do_range(struct vmem *v, const char *cmd, pid_t pid, uint64_t start, uint64_t end)
{
	bool tty = isatty(STDERR_FILENO), hidden = false, progress = false;
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	struct rsum s = {};
	struct run run = {};
	uint64_t addr = start;
	double t0 = now(), last = t0;
	int rc = 0, err = 0;

	interrupted = 0;
	sigaction(SIGINT, &sa, &old);
	if (json_output) {
		jw_reserve(true);
		jw_start_obj();
		jw_u64("pid", pid);
		jw_hex("start", start);
		jw_hex("end", end);
		jw_key("runs");
		jw_start_arr();
	} else {
		printf("%-16s %-16s %7s %-14s %-5s %s\n", "START", "END", "PAGES", "PFN", "LEVEL",
		       "STATE");
	}
	while (addr < end && !interrupted) {
		const struct vms_range *h;
		const struct vms_prec *r;
		const struct vms_pdir *d;
		int n = vmem_walk_range(v, pid, addr, end, &h, &r, &d), i;

		if (n < 0) {
			err = n;
			break;
		}
		hidden = h->wflags & VMS_W_PAGE_HIDDEN;
		/* Holes cost nothing: the kernel skips them, they are only counted here. */
		if (n && h->first > addr)
			s.novma += (h->first - addr) / 4096;
		for (i = 0; i < n; i++) {
			uint64_t a = h->first + (uint64_t)i * 4096;

			sum_add(&s, &r[i]);
			/* Runs continue across calls: a hole or a change ends one. */
			if (run.pages && run.start + run.pages * 4096 == a && same_run(&run, &r[i])) {
				run.pages++;
				run.last = r[i];
				continue;
			}
			if (run.pages)
				run_out(&run);
			run.start = a;
			run.pages = 1;
			run.first = run.last = r[i];
			run.hidden = hidden || (h->wflags & VMS_W_PFN_HIDDEN);
		}
		{
			uint64_t covered = n ? h->first + (uint64_t)n * 4096 : addr;
			uint64_t stop = h->next < end ? h->next : end;

			if (stop > covered)
				s.novma += (stop - covered) / 4096;
		}
		if (h->next <= addr)
			break;
		addr = h->next;
		/* A long walk on a terminal: where it is, on stderr. */
		if (tty && now() - last > 0.5) {
			last = now();
			progress = true;
			fprintf(stderr, "\r%s: at 0x%llx, %.0f%% of the range, %llu pages so far",
				cmd, (unsigned long long)addr,
				100.0 * (addr - start) / (end - start), (unsigned long long)s.pages);
		}
	}
	if (run.pages)
		run_out(&run);
	if (progress)
		fprintf(stderr, "\r%*s\r", 70, "");
	s.pages += s.novma;
	if (json_output) {
		jw_end_arr();
		summary_out(&s, hidden);
		jw_bool("interrupted", interrupted);
		if (err) {
			jw_str("error", strerror(-err));
			jw_i64("errno", -err);
		}
		jw_end_obj();
		jw_done();
	} else {
		summary_out(&s, hidden);
	}
	if (err) {
		memcmd_err(cmd, pid, err, addr, true);
		rc = EXIT_RUNTIME;
	}
	if (interrupted) {
		p_info("%s: interrupted at 0x%llx: the summary covers the pages walked so far\n",
		       cmd, (unsigned long long)addr);
		rc = 128 + SIGINT;
	}
	sigaction(SIGINT, &old, NULL);
	jw_reserve(false);
	return rc;
}

/* --range NAME: the first VMA named NAME (or whose path ends in /NAME). */
static int range_by_name(const char *cmd, pid_t pid, const char *name, uint64_t *start,
			 uint64_t *end)
{
	struct vmalist l = {};
	struct vma_bpf *obj;
	size_t i, nl = strlen(name);
	int err;

	obj = vmalist_open(VMALIST_RECORDS, &err);
	if (!obj) {
		p_error(err, "%s: cannot load the VMA iterator: %s", cmd, bpf_err_hint(err));
		return -1;
	}
	err = vmalist_collect(obj, pid, &l);
	vmalist_close(obj);
	if (err) {
		p_error(err, "%s: listing the VMAs of %d: %s", cmd, pid, strerror(-err));
		return -1;
	}
	for (i = 0; i < l.n; i++) {
		const char *n = vma_name_of(&l, &l.v[i]);
		size_t len = strlen(n);

		if (!strcmp(n, name) ||
		    (len > nl && n[len - nl - 1] == '/' && !strcmp(n + len - nl, name))) {
			*start = l.v[i].start;
			*end = l.v[i].end;
			vmalist_free(&l);
			return 0;
		}
	}
	vmalist_free(&l);
	p_error(ENOENT, "%s: process %d has no VMA named '%s'", cmd, pid, name);
	return -1;
}

int do_page(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "range", required_argument, NULL, 'r' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0], *range = NULL;
	uint64_t *addrs = NULL, rlen = 0, start = 0, end = 0;
	struct vms_walk *w = NULL;
	struct vmem *v = NULL;
	int c, i, n = 0, rc = EXIT_USAGE, ret;
	pid_t pid = 0;

	while ((c = getopt_long(argc, argv, COMMON_SHORT "r:", longopts, NULL)) != -1) {
		if (c == 'r') {
			range = optarg;
			continue;
		}
		rc = cmd_common(cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	rc = EXIT_USAGE;
	if (optind >= argc) {
		p_usage(cmd, "expected PID ADDR..., PID ADDR --range LEN or PID --range NAME");
		return rc;
	}
	if (parse_pid(argv[optind], &pid))
		return rc;
	addrs = calloc(argc, sizeof(*addrs));
	if (!addrs)
		return EXIT_RUNTIME;
	for (i = optind + 1; i < argc; i++)
		if (parse_addr(argv[i], &addrs[n++]))
			goto out;
	if ((!n && !range) || (range && n > 1)) {
		p_usage(cmd, "expected PID ADDR..., PID ADDR --range LEN or PID --range NAME");
		goto out;
	}
	if (range && n == 1) {
		if (parse_size(range, "range length", &rlen))
			goto out;
		if (!rlen || addrs[0] + rlen < addrs[0] || (addrs[0] + rlen) >> 56) {
			p_usage(cmd, "invalid range length '%s': 1 byte up to the end of the user "
				"address space", range);
			goto out;
		}
		start = addrs[0] & ~4095ull;
		end = addrs[0] + rlen;
	}
	rc = EXIT_RUNTIME;
	v = memcmd_open(cmd);
	if (!v)
		goto out;
	if (range) {
		if (!n && range_by_name(cmd, pid, range, &start, &end))
			goto out;
		rc = do_range(v, cmd, pid, start, end);
		goto out;
	}
	w = calloc(n, sizeof(*w));
	if (!w)
		goto out;
	for (i = 0; i < n; i++)
		w[i].addr = addrs[i];
	ret = vmem_walk(v, pid, w, n);
	if (ret < 0) {
		memcmd_err(cmd, pid, ret, 0, false);
		goto out;
	}
	rc = 0;
	if (json_output) {
		jw_start_obj();
		jw_u64("pid", pid);
		jw_key("walks");
		jw_start_arr();
	}
	for (i = 0; i < n; i++) {
		if (json_output)
			walk_json(&w[i]);
		else
			walk_text(pid, &w[i]);
		if (w[i].err)
			rc = EXIT_RUNTIME;
	}
	if (json_output) {
		jw_end_arr();
		jw_end_obj();
		jw_done();
	}
out:
	vmem_close(v);
	free(w);
	free(addrs);
	return rc;
}
