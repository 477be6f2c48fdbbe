// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope page PID ADDR...: every page-table level of an address, in the
 * spirit of crash's vtop; --range LEN|NAME: a per-page table of a range,
 * grouped into runs, with a summary.
 *
 * Two sources fill the same records.  The module walks the page tables
 * themselves: every level's entry, the leaf, the page.  Where it cannot
 * serve (not loaded, another ABI, or refusing another user's process),
 * /proc/PID/pagemap with /proc/kpageflags does (pagemap.h): present,
 * swapped, PFN, exclusive and the page's state, but no page-table levels,
 * no refcount and no PTE dirty bit; those show as unknown, never as zero.
 * The source is chosen once per run, is part of every result and is shown
 * by every renderer; a fallback is said on stderr.
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
#include "pagemap.h"
#include "pagesrc.h"
#include "vmalist.h"
#include "walkfmt.h"

/* Those a range run shows beside the page state (and groups by). */
#define PM_RUN_BITS	(PM_FILE | PM_SOFT_DIRTY | PM_UFFD_WP | PM_GUARD)

/* ---- options and the source -------------------------------------------------------- */

struct page_opts {
	const char *cmd;
	const char *range;	/* --range LEN or NAME */
	pid_t pid;
	uint64_t *addrs;
	int n;
	uint64_t start, end;	/* --range LEN */
	int source;		/* --source, or -1: the module when it serves */
};

/* ---- one address -------------------------------------------------------------- */

/* Walks of addresses, from one source. */
struct page_walks {
	enum page_source source;
	pid_t pid;
	struct vms_walk *w;
	uint64_t *pme;		/* pagemap: each address's entry */
	int n;
};

static int walks_run(struct page_src *s, const struct page_opts *o, struct page_walks *r)
{
	int i;

	r->source = s->source;
	r->pid = o->pid;
	r->n = o->n;
	r->w = calloc(o->n, sizeof(*r->w));
	r->pme = calloc(o->n, sizeof(*r->pme));
	if (!r->w || !r->pme)
		return -ENOMEM;
	for (i = 0; i < o->n; i++)
		r->w[i].addr = o->addrs[i];
	return page_src_walk(s, o->pid, r->w, r->pme, o->n);
}

static void walk_json(const struct page_walks *r, int i)
{
	const struct vms_walk *w = &r->w[i];

	jw_start_obj();
	jw_hex("addr", w->addr);
	if (w->err) {
		jw_str("error", w->err == -ENOENT ? "in no VMA" : strerror(-w->err));
		jw_i64("errno", -w->err);
	} else {
		walk_print_json(w, r->pme[i], r->source == SRC_PAGEMAP);
	}
	jw_end_obj();
}

static void print_walks_json(const struct page_walks *r)
{
	int i;

	jw_start_obj();
	jw_u64("pid", r->pid);
	jw_str("source", page_src_names[r->source]);
	jw_key("walks");
	jw_start_arr();
	for (i = 0; i < r->n; i++)
		walk_json(r, i);
	jw_end_arr();
	jw_end_obj();
	jw_done();
}

static void walk_text(const struct page_walks *r, int i)
{
	const struct vms_walk *w = &r->w[i];
	char perms[5];

	printf("PID %d  VIRTUAL 0x%llx", r->pid, (unsigned long long)w->addr);
	if (w->err) {
		printf("  %s\n", w->err == -ENOENT ? "(in no VMA)" : strerror(-w->err));
		return;
	}
	vm_flags_perms(w->vm_flags, perms);
	printf("  VMA %llx-%llx %s", (unsigned long long)w->vm_start,
	       (unsigned long long)w->vm_end, perms);
	if (r->source == SRC_MODULE)
		printf("  %d-level paging", w->levels);
	printf("%s  source: %s\n", w->wflags & VMS_W_PFNMAP ? "  PFNMAP/IO" : "",
	       page_src_names[r->source]);
	walk_print_plain(w, r->pme[i], r->source == SRC_PAGEMAP, true);
}

static void print_walks_plain(const struct page_walks *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		walk_text(r, i);
}

/* ---- --range ---------------------------------------------------------------------- */

struct rsum {
	uint64_t pages, present, swapped, zero, thp, hugetlb, dirty, exclusive, none, novma;
};

/* A run of pages in the same state, with consecutive PFNs. */
struct run {
	uint64_t start, pages;
	struct vms_prec first, last;
	uint64_t pme;		/* pagemap: the first page's entry */
	int exclusive;		/* 1, 0, -1: not known */
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

/* One page of a range walk, with its pagemap entry (NULL: the module). */
static int rec_exclusive(const struct vms_prec *r, const uint64_t *pme)
{
	if (r->stop != VMS_STOP_LEAF)
		return -1;
	if (pme)
		return !!(*pme & PM_EXCLUSIVE);
	return r->mapcount >= 0 ? r->mapcount == 1 : -1;
}

static bool same_run(const struct run *run, const struct vms_prec *b, const uint64_t *pme)
{
	const struct vms_prec *a = &run->last;

	if (a->stop != b->stop || a->level != b->level || a->leaf_shift != b->leaf_shift ||
	    a->swp_kind != b->swp_kind || (a->page_flags & RUN_PGMASK) != (b->page_flags & RUN_PGMASK) ||
	    run->exclusive != rec_exclusive(b, pme) ||
	    (pme && (run->pme & PM_RUN_BITS) != (*pme & PM_RUN_BITS)))
		return false;
	if (a->stop == VMS_STOP_LEAF && !run->hidden && b->pfn != a->pfn + 1)
		return false;
	return true;
}

static const char *level_str(const struct vms_prec *r)
{
	return r->level < VMS_NR_LEVELS ? walk_level_names[r->level] : "-";
}

static void rec_state(const struct run *run, enum page_source src, char *buf, size_t sz)
{
	const struct vms_prec *r = &run->first;
	char f[200], p[64] = "";

	if (src == SRC_PAGEMAP && (run->pme & PM_RUN_BITS))
		snprintf(p, sizeof(p), " [%s]", walk_join_bits(run->pme & PM_RUN_BITS, walk_pmbits,
							       walk_pmnames, walk_npmbits, f, sizeof(f)));
	if (r->stop == VMS_STOP_NONE_ENTRY && src == SRC_PAGEMAP)
		snprintf(buf, sz, "none%s", p);
	else if (r->stop == VMS_STOP_NONE_ENTRY)
		snprintf(buf, sz, "none@%s", level_str(r));
	else if (r->stop == VMS_STOP_NOT_PRESENT)
		snprintf(buf, sz, "%s%s", walk_swp_str(r->swp_kind), p);
	else if (r->stop == VMS_STOP_LEAF)
		snprintf(buf, sz, "%s %s%s%s", walk_leaf_str(r->leaf_shift),
			 walk_join_bits(r->page_flags & RUN_PGMASK, walk_pgbits, walk_pgnames,
					 walk_npgbits, f, sizeof(f)), run->exclusive > 0 ? " exclusive" : "", p);
	else if (r->stop == VMS_STOP_BAD)
		snprintf(buf, sz, "bad@%s", level_str(r));
	else
		snprintf(buf, sz, "not known (pagemap skips PFN mappings)");
}

static void run_json(const struct run *run, enum page_source src)
{
	const struct vms_prec *r = &run->first;

	jw_start_obj();
	jw_hex("start", run->start);
	jw_hex("end", run->start + run->pages * 4096);
	jw_u64("pages", run->pages);
	if (r->level < VMS_NR_LEVELS)
		jw_str("level", walk_level_names[r->level]);
	else
		jw_null("level");
	if (r->stop)
		jw_str("stop_reason", walk_stop_str(r->stop));
	else
		jw_null("stop_reason");
	if (r->stop == VMS_STOP_LEAF) {
		if (r->leaf_shift)
			jw_str("leaf_size", walk_leaf_str(r->leaf_shift));
		else
			jw_null("leaf_size");
	}
	if (r->stop == VMS_STOP_NOT_PRESENT)
		jw_str("swap_kind", walk_swp_str(r->swp_kind));
	if (r->stop == VMS_STOP_LEAF && !run->hidden)
		jw_hex("pfn", r->pfn);
	else
		jw_null("pfn");
	if (r->stop == VMS_STOP_LEAF && !run->hidden)
		jw_flags("page_flags", r->page_flags & RUN_PGMASK, walk_pgbits, walk_pgnames,
			 walk_npgbits);
	jw_tristate("exclusive", run->exclusive);
	if (src == SRC_PAGEMAP) {
		jw_null("entry");
		jw_key("pagemap");
		jw_start_obj();
		jw_hex("entry", run->pme);
		jw_flags("flags", run->pme, walk_pmbits, walk_pmnames, walk_npmbits);
		jw_end_obj();
	} else {
		jw_hex("entry", r->entry);
	}
	jw_end_obj();
}

static void run_text(const struct run *run, enum page_source src)
{
	const struct vms_prec *r = &run->first;
	bool pfn = r->stop == VMS_STOP_LEAF && !run->hidden;
	char st[320], pf[24];

	rec_state(run, src, st, sizeof(st));
	snprintf(pf, sizeof(pf), pfn ? "0x%llx" : "-", (unsigned long long)r->pfn);
	printf("%016llx %016llx %7llu %-14s %-5s %s\n", (unsigned long long)run->start,
	       (unsigned long long)(run->start + run->pages * 4096), (unsigned long long)run->pages,
	       pf, level_str(r), st);
}

static void sum_add(struct rsum *s, const struct vms_prec *r, const uint64_t *pme)
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
	if (rec_exclusive(r, pme) > 0)
		s->exclusive++;
}

/* How a range walk went: the summary, and where and why it stopped. */
struct range_res {
	enum page_source source;
	pid_t pid;
	uint64_t start, end;
	struct rsum s;
	bool hidden;		/* page state hidden */
	uint64_t addr;		/* where the walk stopped */
	int err;		/* why, if not at the end */
	bool interrupted;	/* Ctrl-C */
};

static void summary_json(const struct range_res *e)
{
	const struct rsum *s = &e->s;

	jw_key("summary");
	jw_start_obj();
	jw_u64("pages", s->pages);
	jw_u64("present", s->present);
	jw_u64("swapped", s->swapped);
	jw_u64("zero", s->zero);
	jw_u64("thp", s->thp);
	jw_u64("hugetlb", s->hugetlb);
	/* pagemap has PG_dirty but not the PTE's dirty bit */
	if (e->source == SRC_PAGEMAP)
		jw_null("dirty");
	else
		jw_u64("dirty", s->dirty);
	if (e->source == SRC_MODULE && e->hidden)
		jw_null("exclusive");
	else
		jw_u64("exclusive", s->exclusive);
	jw_u64("not_faulted", s->none);
	jw_u64("no_vma", s->novma);
	jw_bool("page_state_hidden", e->hidden);
	jw_end_obj();
}

static void summary_text(const struct range_res *e)
{
	const struct rsum *s = &e->s;
	char dirty[32], excl[32];

	snprintf(dirty, sizeof(dirty), e->source == SRC_PAGEMAP ? "dirty not known" : "%llu dirty",
		 (unsigned long long)s->dirty);
	snprintf(excl, sizeof(excl), e->source == SRC_MODULE && e->hidden ? "exclusive hidden" :
		 "%llu exclusive", (unsigned long long)s->exclusive);
	printf("summary: %llu pages: %llu present, %llu swapped, %llu zero, %llu THP, "
	       "%llu hugetlb, %s, %s, %llu not faulted, %llu outside any VMA%s\n",
	       (unsigned long long)s->pages, (unsigned long long)s->present,
	       (unsigned long long)s->swapped, (unsigned long long)s->zero,
	       (unsigned long long)s->thp, (unsigned long long)s->hugetlb, dirty, excl,
	       (unsigned long long)s->none, (unsigned long long)s->novma,
	       e->hidden ? " (page state hidden: needs CAP_SYS_ADMIN)" : "");
	if (e->source == SRC_MODULE)
		printf("source: module\n");
	else
		printf("source: pagemap (no page-table levels; no PTE dirty bit)\n");
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * A range's renderer, chosen once: the head, each run as the walk ends it
 * (a range can hold millions of pages: runs are never collected), the
 * summary.
 */
struct range_out {
	void (*head)(const struct range_res *e);
	void (*run)(const struct run *run, enum page_source src);
	void (*tail)(const struct range_res *e);
};

static void range_head_json(const struct range_res *e)
{
	jw_start_obj();
	jw_u64("pid", e->pid);
	jw_str("source", page_src_names[e->source]);
	jw_hex("start", e->start);
	jw_hex("end", e->end);
	jw_key("runs");
	jw_start_arr();
}

static void range_tail_json(const struct range_res *e)
{
	jw_end_arr();
	summary_json(e);
	jw_bool("interrupted", e->interrupted);
	if (e->err) {
		jw_str("error", strerror(-e->err));
		jw_i64("errno", -e->err);
	}
	jw_end_obj();
	jw_done();
}

static void range_head_plain(const struct range_res *e)
{
	(void)e;
	printf("%-16s %-16s %7s %-14s %-5s %s\n", "START", "END", "PAGES", "PFN", "LEVEL",
	       "STATE");
}

static const struct range_out range_json = { range_head_json, run_json, range_tail_json };
static const struct range_out range_plain = { range_head_plain, run_text, summary_text };

/*
 * Walk [e->start, e->end) into e's summary, handing each run to out->run
 * as it ends; stops at an error (e->err) or Ctrl-C (e->interrupted).  The
 * progress of a long walk goes to stderr when it is a terminal.
 */
static void range_run(struct page_src *src, const char *cmd, const struct range_out *out,
		      struct range_res *e)
{
	bool tty = isatty(STDERR_FILENO), progress = false;
	struct rsum *s = &e->s;
	struct run run = {};
	uint64_t addr = e->start, start = e->start, end = e->end;
	double last = now();
	pid_t pid = e->pid;

	while (addr < end && !interrupted) {
		const struct vms_range *h;
		const struct vms_prec *r;
		const uint64_t *pme;
		int n = page_src_range(src, pid, addr, end, &h, &r, &pme), i;

		if (n < 0) {
			e->err = n;
			break;
		}
		e->hidden = h->wflags & VMS_W_PAGE_HIDDEN;
		/* Holes cost nothing: the walk skips them, they are only counted here. */
		if (n && h->first > addr)
			s->novma += (h->first - addr) / 4096;
		for (i = 0; i < n; i++) {
			uint64_t a = h->first + (uint64_t)i * 4096;
			const uint64_t *p = pme ? &pme[i] : NULL;

			sum_add(s, &r[i], p);
			/* Runs continue across calls: a hole or a change ends one. */
			if (run.pages && run.start + run.pages * 4096 == a && same_run(&run, &r[i], p)) {
				run.pages++;
				run.last = r[i];
				continue;
			}
			if (run.pages)
				out->run(&run, src->source);
			run.start = a;
			run.pages = 1;
			run.first = run.last = r[i];
			run.pme = p ? *p : 0;
			run.exclusive = rec_exclusive(&r[i], p);
			run.hidden = e->hidden || (h->wflags & VMS_W_PFN_HIDDEN);
		}
		{
			uint64_t covered = n ? h->first + (uint64_t)n * 4096 : addr;
			uint64_t stop = h->next < end ? h->next : end;

			if (stop > covered)
				s->novma += (stop - covered) / 4096;
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
				100.0 * (addr - start) / (end - start), (unsigned long long)s->pages);
		}
	}
	if (run.pages)
		out->run(&run, src->source);
	if (progress)
		fprintf(stderr, "\r%*s\r", 70, "");
	s->pages += s->novma;
	e->addr = addr;
	e->interrupted = interrupted;
}

/*
 * --range NAME: the first VMA named NAME (or whose path ends in /NAME), in
 * vmas when the source has listed them already, else in a listing of its own.
 */
static int range_by_name(const char *cmd, pid_t pid, const char *name,
			 const struct vmalist *vmas, uint64_t *start, uint64_t *end)
{
	struct vmalist own = {};
	const struct vmalist *l = vmas;
	size_t i, nl = strlen(name);
	int err, rc = -1;

	if (!l) {
		struct vma_bpf *obj = vmalist_open(VMALIST_RECORDS, &err);

		if (!obj) {
			p_error(err, "%s: cannot load the VMA iterator: %s", cmd, bpf_err_hint(err));
			return -1;
		}
		err = vmalist_collect(obj, pid, &own);
		vmalist_close(obj);
		if (err) {
			p_error(err, "%s: listing the VMAs of %d: %s", cmd, pid, strerror(-err));
			return -1;
		}
		l = &own;
	}
	for (i = 0; i < l->n; i++) {
		const char *n = vma_name_of(l, &l->v[i]);
		size_t len = strlen(n);

		if (!strcmp(n, name) ||
		    (len > nl && n[len - nl - 1] == '/' && !strcmp(n + len - nl, name))) {
			*start = l->v[i].start;
			*end = l->v[i].end;
			rc = 0;
			break;
		}
	}
	vmalist_free(&own);
	if (rc)
		p_error(ENOENT, "%s: process %d has no VMA named '%s'", cmd, pid, name);
	return rc;
}

/* ---- the command ---------------------------------------------------------------- */

#define PAGE_USAGE "expected PID ADDR..., PID ADDR --range LEN or PID --range NAME"

/* Options and arguments into o; returns -1 to go on, or the exit status. */
static int page_opts(int argc, char **argv, struct page_opts *o)
{
	static const struct option longopts[] = {
		{ "range", required_argument, NULL, 'r' },
		{ "source", required_argument, NULL, 'S' },
		COMMON_LONG,
		{}
	};
	int c, i, rc;

	o->cmd = argv[0];
	o->source = -1;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT "r:", longopts, NULL)) != -1) {
		if (c == 'r') {
			o->range = optarg;
			continue;
		}
		if (c == 'S') {
			if (page_src_parse(o->cmd, optarg, &o->source))
				return EXIT_USAGE;
			continue;
		}
		rc = cmd_common(o->cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (optind >= argc) {
		p_usage(o->cmd, PAGE_USAGE);
		return EXIT_USAGE;
	}
	if (parse_pid(argv[optind], &o->pid))
		return EXIT_USAGE;
	o->addrs = calloc(argc, sizeof(*o->addrs));
	if (!o->addrs)
		return EXIT_RUNTIME;
	for (i = optind + 1; i < argc; i++)
		if (parse_addr(argv[i], &o->addrs[o->n++]))
			return EXIT_USAGE;
	if ((!o->n && !o->range) || (o->range && o->n > 1)) {
		p_usage(o->cmd, PAGE_USAGE);
		return EXIT_USAGE;
	}
	if (o->range && o->n == 1) {
		uint64_t len;

		if (parse_size(o->range, "range length", &len))
			return EXIT_USAGE;
		if (!len || o->addrs[0] + len < o->addrs[0] || (o->addrs[0] + len) >> 56) {
			p_usage(o->cmd, "invalid range length '%s': 1 byte up to the end of the "
				"user address space", o->range);
			return EXIT_USAGE;
		}
		o->start = o->addrs[0] & ~4095ull;
		o->end = o->addrs[0] + len;
		o->n = 0;	/* the address starts the range: no walk of its own */
	}
	return -1;
}

/* The exit status of walks: 1 if any address failed. */
static int walks_status(const struct page_walks *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->w[i].err)
			return EXIT_RUNTIME;
	return 0;
}

/* PID ADDR...: walk each address, then show the walks. */
static int page_walks(struct page_src *src, const struct page_opts *o)
{
	struct page_walks r = {};
	int ret, rc = EXIT_RUNTIME;

	ret = walks_run(src, o, &r);
	if (ret < 0) {
		memcmd_err(o->cmd, o->pid, ret, 0, false);
		goto out;
	}
	if (json_output)
		print_walks_json(&r);
	else
		print_walks_plain(&r);
	rc = walks_status(&r);
out:
	free(r.w);
	free(r.pme);
	return rc;
}

/*
 * --range: the runs stream out as the walk goes; a failure or Ctrl-C ends
 * it with the summary of what was walked, then says so on stderr.
 */
static int page_range(struct page_src *src, struct page_opts *o)
{
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	const struct range_out *out = json_output ? &range_json : &range_plain;
	struct range_res e = { .source = src->source, .pid = o->pid };
	int rc = 0;

	if (!o->end && range_by_name(o->cmd, o->pid, o->range,
				     src->pm ? pagemap_vmas(src->pm) : NULL, &o->start, &o->end))
		return EXIT_RUNTIME;
	e.start = o->start;
	e.end = o->end;
	interrupted = 0;
	sigaction(SIGINT, &sa, &old);
	/* Failures go into the one document, as "error". */
	if (json_output)
		jw_reserve(true);
	out->head(&e);
	range_run(src, o->cmd, out, &e);
	out->tail(&e);
	if (e.err) {
		memcmd_err(o->cmd, o->pid, e.err, e.addr, true);
		rc = EXIT_RUNTIME;
	}
	if (e.interrupted) {
		p_info("vmscope: %s: interrupted at 0x%llx: the summary covers the pages walked so far\n",
		       o->cmd, (unsigned long long)e.addr);
		rc = 128 + SIGINT;
	}
	sigaction(SIGINT, &old, NULL);
	jw_reserve(false);
	return rc;
}

static int do_page(int argc, char **argv)
{
	struct page_opts o = {};
	struct page_src src = {};
	int rc;

	rc = page_opts(argc, argv, &o);
	if (rc >= 0)
		goto out;
	rc = EXIT_RUNTIME;
	if (page_src_open(&src, o.cmd, o.pid, o.n ? o.addrs[0] : o.start, o.source,
			  o.range ? VMEM_P_RANGE : 0))
		goto out;
	page_src_note(&src, o.cmd, o.pid);
	rc = o.range ? page_range(&src, &o) : page_walks(&src, &o);
out:
	page_src_close(&src);
	free(o.addrs);
	return rc;
}

const struct cmd cmd_page = {
	.name = "page",
	.fn = do_page,
	.usage = "page [OPTIONS] PID ADDR...\n"
	         "page [OPTIONS] PID ADDR --range LEN\n"
	         "page [OPTIONS] PID --range NAME",
	.summary = "the page-table walk of addresses (every level, the page and its state)",
	.help = "  -r, --range LEN|NAME   a per-page table of LEN bytes from ADDR, or of the\n"
	        "                         first VMA named NAME ([heap], [stack], a file's\n"
	        "                         path or base name), grouped into runs, with a\n"
	        "                         summary; holes between VMAs are skipped.  LEN is\n"
	        "                         decimal or 0x hex, with K, M or G.  Ctrl-C stops\n"
	        "                         it and prints the summary so far\n"
	        "      --source S         module (the page tables, every level) or pagemap\n"
	        "                         (/proc/PID/pagemap and /proc/kpageflags: no\n"
	        "                         levels); by default the module when it is loaded\n"
	        "                         and allowed, else pagemap (said on stderr)\n"
	        "  PFNs, physical addresses and page state need CAP_SYS_ADMIN.\n"
	        "examples:\n"
	        "  vmscope page 1234 0x7ffd1c2a1f00\n"
	        "  vmscope page 1234 0x7f0000000000 --range 64M\n"
	        "  vmscope page 1234 --range '[heap]'\n"
	        "  vmscope page --source pagemap 1234 0x7ffd1c2a1f00\n",
};

const struct cmd cmd_findpage = {
	.name = "findpage",
	.fn = do_page,
	.usage = "findpage [OPTIONS] PID ADDR...",
	.summary = "lab alias of page",
	.alias_of = "page",
};
