// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope map PID [-o FILE.html]: the address space as one self-contained
 * HTML file (user/map.html, built into the program): every VMA to scale,
 * long gaps shortened, and under each VMA its pages as run-length data,
 * drawn on a canvas with level of detail, so 60,000 VMAs and 10 million
 * pages stay usable.  --diff A B draws what changed between two snapshots
 * (diff.c).  The data is one JSON element in the page ("format":
 * "vmscope-map", docs/json.md), and window.vmscope is the page's hook for
 * tests and automation.
 *
 * --explain N collects the page walk of up to N pages (and, as root, the
 * processes mapping each) for the page's click panel.  It calls the same
 * module functions as 'vmscope page' (vmem_walk, vmem_sharers) and keeps
 * its own small renderer, so the file stands alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmds.h"
#include "common.h"
#include "diff.h"
#include "mapview.h"
#include "pagemap.h"
#include "snapshot.h"
#include "summary.h"
#include "view.h"
#include "vmem_api.h"

/* The page template, with "@VMSCOPE_DATA@" where the data goes. */
extern const char map_html[];
__asm__(".section .rodata\n"
	".global map_html\n"
	".type map_html, @object\n"
	"map_html:\n"
	".incbin \"user/map.html\"\n"
	".byte 0\n"
	".previous\n");
#define DATA_MARK "@VMSCOPE_DATA@"

#define EXPLAIN_MAX	4096
#define SHARERS_MAX	16

struct map_opts {
	pid_t pid;
	const char *out;	/* -o, or NULL: vmscope-PID.html; "-": stdout */
	const char *diff_a, *diff_b;
	long explain;		/* --explain N */
	int source;		/* --source */
};

/* ---- palettes ---------------------------------------------------------------------- */

const struct map_class map_states[VV_NSTATES] = {
	[VV_S_NONE] = { "none", "not faulted in", "#e4e7ec" },
	[VV_S_4K] = { "4k", "present, 4K page", "#43a047" },
	[VV_S_LARGE] = { "large", "present, large folio (PTE-mapped)", "#00897b" },
	[VV_S_THP] = { "thp", "present, THP (PMD-mapped)", "#1e63d6" },
	[VV_S_HUGETLB] = { "hugetlb", "present, hugetlb page", "#7b1fa2" },
	[VV_S_ZERO] = { "zero", "zero page", "#f2c200" },
	[VV_S_SWAP] = { "swap", "swapped out", "#e53935" },
	[VV_S_OTHER] = { "other", "other entry (migration, marker)", "#8d6e63" },
	[VV_S_PFN] = { "pfn", "PFN without a page (I/O)", "#546e7a" },
	[VV_S_UNKNOWN] = { "unknown", "not known to this source", "#b0b6bf" },
};
const struct map_class map_kinds[VV_NKINDS] = {
	[VV_CODE] = { "code", "code", "#f4a3a3" },
	[VV_DATA] = { "data", "data (image data, relro, bss)", "#ffcc80" },
	[VV_HEAP] = { "heap", "heap", "#aed581" },
	[VV_STACK] = { "stack", "stack", "#81d4fa" },
	[VV_ANON] = { "anon", "anonymous", "#cfd8dc" },
	[VV_FILE] = { "file", "file (not executable)", "#fff176" },
	[VV_SHM] = { "shm", "shared memory", "#ce93d8" },
	[VV_SPECIAL] = { "special", "special ([vdso], [vvar], ...)", "#80cbc4" },
	[VV_HUGETLB] = { "hugetlb", "hugetlb", "#9fa8da" },
	[VV_GUARD] = { "guard", "guard (PROT_NONE)", "#eceff1" },
};
const struct map_class map_flags[2] = {
	{ "dirty", "dirty", "#ff7043" },
	{ "shared", "shared: mapped more than once", "#8e24aa" },
};

void map_json_classes(const char *key, const struct map_class *c, size_t n)
{
	size_t i;

	jw_key(key);
	jw_start_arr();
	for (i = 0; i < n; i++) {
		jw_start_obj();
		jw_str("name", c[i].name);
		jw_str("label", c[i].label);
		jw_str("color", c[i].color);
		jw_end_obj();
	}
	jw_end_arr();
}

/* ---- the HTML file ------------------------------------------------------------------ */

int map_begin(struct map_out *m, const char *path)
{
	memset(m, 0, sizeof(*m));
	m->path = path;
	if (!strcmp(path, "-")) {
		m->f = stdout;
	} else {
		snprintf(m->tmp, sizeof(m->tmp), "%s.tmp.%d", path, getpid());
		m->f = fopen(m->tmp, "we");
		if (!m->f)
			return -errno;
	}
	m->mark = strstr(map_html, DATA_MARK);
	fwrite(map_html, 1, m->mark - map_html, m->f);
	m->pretty = json_pretty;
	json_pretty = false;
	jw_html_safe = true;
	jw_stream(m->f);
	return 0;
}

int map_end(struct map_out *m, bool ok)
{
	struct stat st;
	int err = 0;

	jw_stream(stdout);
	jw_html_safe = false;
	json_pretty = m->pretty;
	fputs(m->mark + strlen(DATA_MARK), m->f);
	if (m->f == stdout) {
		fflush(stdout);
		return ferror(stdout) ? -EIO : 0;
	}
	if (ferror(m->f))
		err = -EIO;
	if (fclose(m->f) && !err)
		err = -errno;
	if (!err && ok && rename(m->tmp, m->path))
		err = -errno;
	if (err || !ok)
		unlink(m->tmp);
	if (!err && !stat(m->path, &st))
		m->size = st.st_size;
	return err;
}

/* ---- explain: the walk of chosen pages --------------------------------------------- */

static const uint64_t e_bits[] = {
	VMS_E_PRESENT, VMS_E_PROTNONE, VMS_E_WRITE, VMS_E_USER, VMS_E_ACCESSED, VMS_E_DIRTY,
	VMS_E_LEAF, VMS_E_NX, VMS_E_SOFT_DIRTY, VMS_E_UFFD_WP, VMS_E_SPECIAL,
};
static const char *const e_names[] = {
	"present", "protnone", "write", "user", "accessed", "dirty", "leaf", "nx", "soft-dirty",
	"uffd-wp", "special",
};
static const uint64_t a64_e_bits[] = {
	VMS_E_VALID, VMS_E_PROTNONE, VMS_E_WRITE, VMS_E_USER, VMS_E_AF, VMS_E_DIRTY,
	VMS_E_LEAF, VMS_E_UXN, VMS_E_SOFT_DIRTY, VMS_E_UFFD_WP, VMS_E_SPECIAL,
};
static const char *const a64_e_names[] = {
	"valid", "protnone", "write", "user", "af", "dirty", "leaf", "uxn", "soft-dirty",
	"uffd-wp", "special",
};
static const uint64_t pg_bits[] = {
	VMS_PG_ANON, VMS_PG_FILE, VMS_PG_KSM, VMS_PG_ZERO, VMS_PG_THP, VMS_PG_HUGETLB,
	VMS_PG_COMPOUND, VMS_PG_LRU, VMS_PG_ACTIVE, VMS_PG_DIRTY, VMS_PG_SWAPCACHE,
	VMS_PG_UNEVICTABLE, VMS_PG_MLOCKED, VMS_PG_ANON_EXCL, VMS_PG_NOPAGE,
};
static const char *const pg_names[] = {
	"anon", "file", "ksm", "zero", "thp", "hugetlb", "compound", "lru", "active", "dirty",
	"swapcache", "unevictable", "mlocked", "anon-exclusive", "nopage",
};
static const char *const lvl_names[VMS_NR_LEVELS] = { "PGD", "P4D", "PUD", "PMD", "PTE" };
static const char *const stop_names[] = { "no VMA", "none", "not present", "present leaf", "bad entry" };
static const char *const swp_names[] = {
	"", "swap", "migration-read", "migration-write", "hwpoison", "device", "marker", "other",
};

/* Which pages to explain: the first page of runs, one of each (state, flags) first. */
static size_t pick_pages(const struct vv_proc *p, long max, uint64_t *out)
{
	static const uint8_t prio[VV_NSTATES] = {
		[VV_S_THP] = 0, [VV_S_HUGETLB] = 1, [VV_S_SWAP] = 2, [VV_S_ZERO] = 3,
		[VV_S_LARGE] = 4, [VV_S_4K] = 5, [VV_S_OTHER] = 6, [VV_S_PFN] = 7,
		[VV_S_NONE] = 8, [VV_S_UNKNOWN] = 9,
	};
	bool seen[VV_NSTATES][4] = {}, *taken = calloc(p->nruns ? p->nruns : 1, 1);
	size_t n = 0, j;
	int pr, pass;

	if (!taken)
		return 0;
	for (pass = 0; pass < 2; pass++)
		for (pr = 0; pr < 9; pr++)
			for (j = 0; j < p->nruns && n < (size_t)max; j++) {
				const struct vv_run *r = &p->runs[j];

				if (prio[r->state] != pr || r->start >= VMS_VSYSCALL_START || taken[j] ||
				    (pass == 0 && seen[r->state][r->flags & 3]))
					continue;
				seen[r->state][r->flags & 3] = true;
				taken[j] = true;
				out[n++] = r->start;
			}
	free(taken);
	return n;
}

static void json_walk(const struct vms_walk *w, const uint64_t *pme, const char *source)
{
	int l;

	jw_start_obj();
	jw_hex("addr", w->addr);
	jw_str("source", source);
	if (w->err) {
		jw_str("error", strerror(-w->err));
		return;
	}
	jw_str("stop_reason", w->stop_reason < ARRAY_SIZE(stop_names) ?
	       stop_names[w->stop_reason] : "?");
	if (w->stop_reason == VMS_STOP_LEAF && w->leaf_shift)
		jw_str("leaf_size", w->leaf_shift == 30 ? "1G" : w->leaf_shift == 21 ? "2M" : "4K");
	if (!pme) {
		jw_key("entries");
		jw_start_arr();
		for (l = 0; l <= (int)w->stop_level && l < VMS_NR_LEVELS; l++) {
			if (l == VMS_LVL_P4D && w->levels == 4)
				continue;
			jw_start_obj();
			jw_str("level", lvl_names[l]);
			jw_hex("entry", w->entry[l]);
			if (w->arch == VMS_ARCH_ARM64)
				jw_flags("flags", w->bits[l], a64_e_bits, a64_e_names,
					 ARRAY_SIZE(a64_e_bits));
			else
				jw_flags("flags", w->bits[l], e_bits, e_names, ARRAY_SIZE(e_bits));
			jw_end_obj();
		}
		jw_end_arr();
	} else {
		jw_hex("pagemap", *pme);
	}
	if (w->wflags & VMS_W_PFN_VALID)
		jw_hex("pfn", w->pfn);
	if (w->stop_reason == VMS_STOP_NOT_PRESENT) {
		jw_key("swap");
		jw_start_obj();
		jw_str("kind", w->swp_kind < ARRAY_SIZE(swp_names) ? swp_names[w->swp_kind] : "?");
		if (!(w->wflags & VMS_W_PFN_HIDDEN)) {
			jw_u64("type", w->swp_type);
			jw_hex("offset", w->swp_offset);
		}
		jw_end_obj();
	}
	if (w->stop_reason == VMS_STOP_LEAF && (w->wflags & VMS_W_HAVE_PAGE)) {
		jw_key("page");
		jw_start_obj();
		jw_flags("flags", w->page_flags, pg_bits, pg_names, ARRAY_SIZE(pg_bits));
		jw_i64("mapcount", w->mapcount);
		if (!pme)
			jw_i64("refcount", w->refcount);
		if (w->order != PAGEMAP_ORDER_UNKNOWN)
			jw_u64("order", w->order);
		jw_end_obj();
	}
}

static void json_sharers(struct vmem *v, pid_t pid, uint64_t addr)
{
	const struct vms_share *h;
	const struct vms_sharer *s;
	int n = vmem_sharers(v, pid, addr, &h, &s), i;
	char perms[5];

	if (n < 0) {
		jw_str("sharers_note", n == -EPERM ? "who maps it: needs CAP_SYS_ADMIN and "
		       "CAP_SYS_PTRACE" : strerror(-n));
		return;
	}
	jw_key("sharers");
	jw_start_arr();
	for (i = 0; i < n && i < SHARERS_MAX; i++) {
		jw_start_obj();
		jw_u64("pid", s[i].pid);
		jw_strn("comm", s[i].comm, strnlen(s[i].comm, sizeof(s[i].comm)));
		jw_hex("addr", s[i].addr);
		vm_flags_perms(s[i].vm_flags, perms);
		jw_str("perms", perms);
		jw_end_obj();
	}
	jw_end_arr();
	if (n > SHARERS_MAX || (h->flags & VMS_SH_TRUNC))
		jw_bool("sharers_truncated", true);
}

static void json_explain(struct vv_proc *p, long max)
{
	uint64_t *addrs = max > 0 ? calloc(max, sizeof(*addrs)) : NULL, *pme = NULL;
	struct vms_walk *w = NULL;
	size_t n, i;
	int err;

	if (!addrs)
		return;
	n = pick_pages(p, max, addrs);
	w = calloc(n ? n : 1, sizeof(*w));
	pme = calloc(n ? n : 1, sizeof(*pme));
	if (!w || !pme)
		goto out;
	for (i = 0; i < n; i++)
		w[i].addr = addrs[i];
	err = p->vm ? vmem_walk(p->vm, p->pid, w, n) : pagemap_walk(p->pm, w, pme, n);
	if (err < 0) {
		p_info("vmscope: map: --explain: the walk failed: %s\n", strerror(-err));
		goto out;
	}
	jw_key("explain");
	jw_start_arr();
	for (i = 0; i < n; i++) {
		json_walk(&w[i], p->vm ? NULL : &pme[i], vv_src_names[p->pages_src]);
		if (!w[i].err && p->vm && w[i].stop_reason == VMS_STOP_LEAF)
			json_sharers(p->vm, p->pid, w[i].addr);
		jw_end_obj();
	}
	jw_end_arr();
out:
	free(addrs);
	free(w);
	free(pme);
}

/* ---- the data of a map of one process ------------------------------------------------ */

static void json_summary(const struct vv_proc *p)
{
	static const char *const cols[] = {
		"VMAs", "size", "RSS", "PSS", "private", "shared", "dirty", "swap", "huge",
	};
	struct sum_row kinds[VV_NKINDS];
	size_t *order, i;

	sum_build(p, kinds, &order);
	jw_key("summary");
	jw_start_obj();
	jw_str("title", "Summary by kind and by file");
	jw_bool("kb", true);
	jw_key("columns");
	jw_start_arr();
	for (i = 0; i < ARRAY_SIZE(cols); i++)
		jw_str(NULL, cols[i]);
	jw_end_arr();
	jw_key("tables");
	jw_start_arr();
	for (int t = 0; t < 2; t++) {
		size_t nrows = t ? (p->nfiles < 40 ? p->nfiles : 40) : VV_NKINDS;

		jw_start_obj();
		jw_str("first", t ? "file" : "kind");
		jw_key("rows");
		jw_start_arr();
		for (i = 0; i < nrows && (!t || order); i++) {
			const struct memuse *m = t ? &p->files[order[i]].use : &kinds[i].use;

			jw_start_arr();
			jw_str(NULL, t ? p->files[order[i]].name : vv_kind_names[i]);
			jw_u64(NULL, t ? p->files[order[i]].vmas : kinds[i].vmas);
			jw_u64(NULL, (t ? p->files[order[i]].size : kinds[i].size) >> 10);
			jw_u64(NULL, m->rss >> 10);
			jw_u64(NULL, memuse_pss_kb(m));
			jw_u64(NULL, m->priv >> 10);
			jw_u64(NULL, (m->rss - m->priv) >> 10);
			jw_u64(NULL, m->dirty >> 10);
			jw_u64(NULL, m->swap >> 10);
			jw_u64(NULL, m->huge >> 10);
			jw_end_arr();
		}
		jw_end_arr();
		if (!t) {
			jw_key("total");
			jw_start_arr();
			jw_str(NULL, "total");
			jw_u64(NULL, p->l->n);
			jw_u64(NULL, p->size >> 10);
			jw_u64(NULL, p->total.rss >> 10);
			jw_u64(NULL, memuse_pss_kb(&p->total));
			jw_u64(NULL, p->total.priv >> 10);
			jw_u64(NULL, (p->total.rss - p->total.priv) >> 10);
			jw_u64(NULL, p->total.dirty >> 10);
			jw_u64(NULL, p->total.swap >> 10);
			jw_u64(NULL, p->total.huge >> 10);
			jw_end_arr();
		}
		jw_end_obj();
	}
	jw_end_arr();
	jw_str("note", p->use_src == VV_SRC_MODULE ? "kB, from the module's page walk by smaps' rules" :
	       "kB, from /proc/PID/smaps");
	jw_end_obj();
	free(order);
}

static int perm_index(uint64_t vm_flags)
{
	char perms[5];

	vm_flags_perms(vm_flags, perms);
	/* r w x s: 16 combinations, in this order in "perms" */
	return (perms[0] == 'r') << 3 | (perms[1] == 'w') << 2 | (perms[2] == 'x') << 1 |
	       (perms[3] == 's');
}

void map_json_perms(void)
{
	int i;

	jw_key("perms");
	jw_start_arr();
	for (i = 0; i < 16; i++) {
		char s[5] = { i & 8 ? 'r' : '-', i & 4 ? 'w' : '-', i & 2 ? 'x' : '-',
			      i & 1 ? 's' : 'p', 0 };

		jw_str(NULL, s);
	}
	jw_end_arr();
}

static void json_map(struct vv_proc *p, long explain)
{
	const struct vmalist *l = p->l;
	uint64_t prev = 0;
	size_t i, j;

	jw_start_obj();
	snap_json_header(p, "vmscope-map");
	jw_str("mode", "map");
	map_json_classes("states", map_states, VV_NSTATES);
	map_json_classes("kinds", map_kinds, VV_NKINDS);
	map_json_classes("flags", map_flags, 2);
	map_json_perms();
	jw_key("vmas");
	jw_start_obj();
	jw_key("gap");
	jw_start_arr();
	for (i = 0; i < l->n; prev = l->v[i].end, i++)
		jw_u64(NULL, (l->v[i].start - prev) >> 12);
	jw_end_arr();
	jw_key("pages");
	jw_start_arr();
	for (i = 0; i < l->n; i++)
		jw_u64(NULL, (l->v[i].end - l->v[i].start) >> 12);
	jw_end_arr();
	jw_key("perms");
	jw_start_arr();
	for (i = 0; i < l->n; i++)
		jw_u64(NULL, perm_index(l->v[i].vm_flags));
	jw_end_arr();
	jw_key("kind");
	jw_start_arr();
	for (i = 0; i < l->n; i++)
		jw_u64(NULL, p->v[i].kind);
	jw_end_arr();
	jw_key("name");
	jw_start_arr();
	for (i = 0; i < l->n; i++)
		jw_u64(NULL, i);
	jw_end_arr();
	jw_key("use");
	jw_start_arr();
	for (i = 0; i < l->n; i++) {
		const struct memuse *m = &p->v[i].use;

		jw_u64(NULL, m->rss >> 10);
		jw_u64(NULL, memuse_pss_kb(m));
		jw_u64(NULL, m->priv >> 10);
		jw_u64(NULL, m->dirty >> 10);
		jw_u64(NULL, m->swap >> 10);
		jw_u64(NULL, m->huge >> 10);
	}
	jw_end_arr();
	jw_key("runs_n");
	jw_start_arr();
	for (i = 0; i < l->n; i++)
		jw_u64(NULL, p->v[i].nruns);
	jw_end_arr();
	jw_end_obj();
	jw_key("names");
	jw_start_arr();
	for (i = 0; i < l->n; i++)
		jw_str(NULL, vma_name_of(l, &l->v[i]));
	jw_end_arr();
	jw_key("runs");
	jw_start_arr();
	for (i = 0; i < l->n; i++)
		for (j = p->v[i].run0; j < p->v[i].run0 + p->v[i].nruns; j++) {
			jw_u64(NULL, p->runs[j].pages);
			jw_u64(NULL, p->runs[j].state | (p->runs[j].flags & 3) << 4);
		}
	jw_end_arr();
	json_summary(p);
	if (explain > 0)
		json_explain(p, explain);
	jw_end_obj();
	jw_done();
}

/* ---- the command -------------------------------------------------------------------- */

static int map_opts(int argc, char **argv, struct map_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "explain", required_argument, NULL, 'E' },
		{ "diff", no_argument, NULL, 'D' },
		{ "source", required_argument, NULL, 'S' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0];
	bool diff = false;
	uint64_t v;
	int c, rc;

	o->source = -1;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'E':
			if (parse_uint(optarg, "--explain count", &v))
				return EXIT_USAGE;
			if (v > EXPLAIN_MAX) {
				p_usage(cmd, "--explain %s: at most %d pages", optarg, EXPLAIN_MAX);
				return EXIT_USAGE;
			}
			o->explain = v;
			break;
		case 'D':
			diff = true;
			break;
		case 'S':
			if (parse_pages_source(cmd, optarg, &o->source))
				return EXIT_USAGE;
			break;
		default:
			rc = cmd_common(cmd, c, argv);
			if (rc >= 0)
				return rc;
		}
	}
	if (diff) {
		if (argc - optind != 2) {
			p_usage(cmd, "--diff takes two snapshot files: --diff A B");
			return EXIT_USAGE;
		}
		if (o->explain || o->source >= 0) {
			p_usage(cmd, "--explain and --source are for a live process, not --diff");
			return EXIT_USAGE;
		}
		o->diff_a = argv[optind];
		o->diff_b = argv[optind + 1];
		return -1;
	}
	if (argc - optind != 1) {
		p_usage(cmd, optind >= argc ? "expected a PID" : "expected one PID");
		return EXIT_USAGE;
	}
	if (parse_pid(argv[optind], &o->pid))
		return EXIT_USAGE;
	return -1;
}

static void report(const char *cmd, const struct map_out *m, const struct vv_proc *p,
		   const char *what)
{
	if (m->f == stdout)
		return;
	if (json_output) {
		jw_start_obj();
		jw_str("file", m->path);
		jw_u64("bytes", m->size);
		if (p) {
			jw_u64("pid", p->pid);
			vv_json_sources(p);
			jw_u64("vmas", p->l->n);
			jw_u64("pages", p->pages);
			jw_u64("runs", p->nruns);
		} else {
			jw_str("source", "snapshots");
		}
		jw_end_obj();
		jw_done();
		return;
	}
	if (p)
		printf("%s: %s of process %d: %zu VMAs, %llu pages in %zu runs, pages from %s; "
		       "%llu bytes\n", m->path, what, p->pid, p->l->n, (unsigned long long)p->pages,
		       p->nruns, vv_src_names[p->pages_src], (unsigned long long)m->size);
	else
		printf("%s: %s; %llu bytes\n", m->path, what, (unsigned long long)m->size);
	(void)cmd;
}

static int do_map(int argc, char **argv)
{
	struct map_opts o = {};
	struct vv_opts vo = { .cmd = argv[0], .keep_runs = true };
	struct vv_proc p = {};
	struct map_out m;
	char msg[512], def[64];
	int rc, err;

	rc = map_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = EXIT_RUNTIME;
	if (o.diff_a) {
		snprintf(def, sizeof(def), "vmscope-diff.html");
		return map_diff(argv[0], o.diff_a, o.diff_b, o.out ? o.out : def);
	}
	vo.pages = o.source;
	err = vv_collect(&p, o.pid, &vo, msg, sizeof(msg));
	if (err) {
		p_error(err, "%s: %s", argv[0], msg);
		goto out;
	}
	note_listing_source(argv[0], p.listing);
	snprintf(def, sizeof(def), "vmscope-%d.html", o.pid);
	err = map_begin(&m, o.out ? o.out : def);
	if (err) {
		p_error(err, "%s: %s: %s", argv[0], o.out ? o.out : def, strerror(-err));
		goto out;
	}
	json_map(&p, o.explain);
	err = map_end(&m, true);
	if (err) {
		p_error(err, "%s: %s: %s", argv[0], m.path, strerror(-err));
		goto out;
	}
	report(argv[0], &m, &p, "the map");
	rc = 0;
out:
	vv_free(&p);
	return rc;
}

const struct cmd cmd_map = {
	.name = "map",
	.fn = do_map,
	.usage = "map [OPTIONS] PID [-o FILE.html]\n"
	         "map [OPTIONS] --diff A B [-o FILE.html]",
	.summary = "the address space as a picture, page by page: one self-contained HTML file",
	.help = "  -o, --output FILE  the HTML file (default vmscope-PID.html; - for stdout)\n"
	        "      --explain N    also collect the walk of up to N pages (a page of each\n"
	        "                     kind of run first), shown when one is clicked\n"
	        "      --diff A B     draw the change between two snapshots instead\n"
	        "      --source S     pages from S: module or pagemap (default: the module\n"
	        "                     when it serves, else /proc/PID/pagemap)\n"
	        "examples:\n"
	        "  vmscope map 1234 -o map.html\n"
	        "  vmscope map --diff before.json after.json -o change.html\n",
};
