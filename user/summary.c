// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope summary PID...: memory by kind, in the manner of VMMap's summary
 * and macOS vmmap -summary, then by file (each library's text, data,
 * relro and bss together), with a total.  The figures follow smaps' rules
 * (memuse.h), from the module's page walk or from /proc/PID/smaps (view.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "common.h"
#include "summary.h"
#include "view.h"

struct summary_opts {
	pid_t *pids;
	size_t npids;
	bool use_smaps;		/* --source smaps */
};

void sum_build(const struct vv_proc *p, struct sum_row kinds[VV_NKINDS], size_t **order)
{
	size_t i, j, *o;

	memset(kinds, 0, VV_NKINDS * sizeof(*kinds));
	for (i = 0; i < p->l->n; i++) {
		struct sum_row *k = &kinds[p->v[i].kind];

		k->vmas++;
		k->size += p->l->v[i].end - p->l->v[i].start;
		memuse_add(&k->use, &p->v[i].use);
	}
	/* Files by resident size, biggest first, then by name. */
	o = malloc((p->nfiles ? p->nfiles : 1) * sizeof(*o));
	if (!o) {
		*order = NULL;
		return;
	}
	for (i = 0; i < p->nfiles; i++) {
		for (j = i; j > 0; j--) {
			const struct vv_file *a = &p->files[o[j - 1]], *b = &p->files[i];

			if (a->use.rss > b->use.rss ||
			    (a->use.rss == b->use.rss && strcmp(a->name, b->name) <= 0))
				break;
			o[j] = o[j - 1];
		}
		o[j] = i;
	}
	*order = o;
}

/* ---- output ---------------------------------------------------------------------- */

static void json_proc(const struct vv_proc *p)
{
	struct sum_row kinds[VV_NKINDS];
	size_t *order, i;

	sum_build(p, kinds, &order);
	jw_start_obj();
	jw_u64("pid", p->pid);
	jw_str("command", p->command);
	vv_json_sources(p);
	jw_key("kinds");
	jw_start_arr();
	for (i = 0; i < VV_NKINDS; i++) {
		jw_start_obj();
		jw_str("kind", vv_kind_names[i]);
		jw_u64("vmas", kinds[i].vmas);
		vv_json_use(&kinds[i].use, kinds[i].size);
		jw_end_obj();
	}
	jw_end_arr();
	jw_key("files");
	jw_start_arr();
	for (i = 0; order && i < p->nfiles; i++) {
		const struct vv_file *f = &p->files[order[i]];

		jw_start_obj();
		jw_str("name", f->name);
		jw_u64("vmas", f->vmas);
		vv_json_use(&f->use, f->size);
		jw_end_obj();
	}
	jw_end_arr();
	jw_key("total");
	jw_start_obj();
	jw_u64("vmas", p->l->n);
	vv_json_use(&p->total, p->size);
	jw_end_obj();
	jw_end_obj();
	free(order);
}

static void print_json(const struct vv_proc *ps, const int *errs, char (*msgs)[512], size_t n)
{
	size_t k;

	jw_start_arr();
	for (k = 0; k < n; k++) {
		if (errs[k]) {
			jw_start_obj();
			jw_u64("pid", ps[k].pid);
			jw_str("error", msgs[k]);
			jw_i64("errno", errs[k] < 0 ? -errs[k] : errs[k]);
			jw_end_obj();
			continue;
		}
		json_proc(&ps[k]);
	}
	jw_end_arr();
	jw_done();
}

/* One table row: a label, then kB columns of widths w. */
static void row(const char *label, int lw, uint64_t vmas, uint64_t size, const struct memuse *m,
		int w)
{
	printf("%-*s %5llu %*llu %*llu %*llu %*llu %*llu %*llu %*llu %*llu\n", lw, label,
	       (unsigned long long)vmas, w, (unsigned long long)(size >> 10),
	       w, (unsigned long long)(m->rss >> 10), w, (unsigned long long)memuse_pss_kb(m),
	       w, (unsigned long long)(m->priv >> 10),
	       w, (unsigned long long)((m->rss - m->priv) >> 10),
	       w, (unsigned long long)(m->dirty >> 10), w, (unsigned long long)(m->swap >> 10),
	       w, (unsigned long long)(m->huge >> 10));
}

static void header(const char *first, int lw, int w)
{
	printf("%-*s %5s %*s %*s %*s %*s %*s %*s %*s %*s\n", lw, first, "VMAS", w, "SIZE kB", w,
	       "RSS", w, "PSS", w, "PRIVATE", w, "SHARED", w, "DIRTY", w, "SWAP", w, "HUGE");
}

void sum_print_plain(const struct vv_proc *p)
{
	struct sum_row kinds[VV_NKINDS];
	char buf[32];
	size_t *order, i;
	int lw = 13, w;

	sum_build(p, kinds, &order);
	w = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(p->size >> 10));
	w = w < 8 ? 8 : w;
	printf("%d:   %s\n", p->pid, p->command);
	printf("source: %s%s\n\n", vv_src_names[p->use_src],
	       p->use_src == VV_SRC_MODULE ? " (the module's page walk, by smaps' rules)" :
	       " (/proc/PID/smaps)");
	header("KIND", lw, w);
	for (i = 0; i < VV_NKINDS; i++)
		row(vv_kind_names[i], lw, kinds[i].vmas, kinds[i].size, &kinds[i].use, w);
	row("total", lw, p->l->n, p->size, &p->total, w);
	if (!p->nfiles || !order) {
		free(order);
		return;
	}
	lw = 4;
	for (i = 0; i < p->nfiles; i++) {
		int x = strlen(p->files[i].name);

		lw = x > lw ? x : lw;
	}
	lw = lw > 60 ? 60 : lw;
	printf("\n");
	header("FILE", lw, w);
	for (i = 0; i < p->nfiles; i++) {
		const struct vv_file *f = &p->files[order[i]];
		char name[64];
		size_t len = strlen(f->name);

		/* The end of a long path is the part that tells. */
		if (len > (size_t)lw)
			snprintf(name, sizeof(name), "...%s", f->name + len - lw + 3);
		else
			snprintf(name, sizeof(name), "%s", f->name);
		row(name, lw, f->vmas, f->size, &f->use, w);
	}
	free(order);
}

/* ---- the command ------------------------------------------------------------------ */

static int summary_opts(int argc, char **argv, struct summary_opts *o)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 'S' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0];
	int c, rc, i;

	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		if (c == 'S') {
			if (!strcmp(optarg, "smaps")) {
				o->use_smaps = true;
			} else if (strcmp(optarg, "module")) {
				p_usage(cmd, "unknown source '%s': expected module or smaps", optarg);
				return EXIT_USAGE;
			}
			continue;
		}
		rc = cmd_common(cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (optind >= argc) {
		p_usage(cmd, "expected a PID");
		return EXIT_USAGE;
	}
	o->pids = calloc(argc, sizeof(*o->pids));
	if (!o->pids)
		return EXIT_RUNTIME;
	for (i = optind; i < argc; i++)
		if (parse_pid(argv[i], &o->pids[o->npids++]))
			return EXIT_USAGE;
	return -1;
}

static int do_summary(int argc, char **argv)
{
	struct summary_opts o = {};
	struct vv_opts vo = { .cmd = argv[0], .pages = VV_SRC_NONE };
	struct vv_proc *ps = NULL;
	char (*msgs)[512] = NULL;
	int *errs = NULL, rc, failed = 0;
	bool noted = false;
	size_t k;

	rc = summary_opts(argc, argv, &o);
	if (rc >= 0)
		goto out;
	rc = EXIT_RUNTIME;
	vo.use_smaps = o.use_smaps;
	ps = calloc(o.npids, sizeof(*ps));
	msgs = calloc(o.npids, sizeof(*msgs));
	errs = calloc(o.npids, sizeof(*errs));
	if (!ps || !msgs || !errs) {
		p_error(ENOMEM, "%s: out of memory", argv[0]);
		goto out;
	}
	jw_reserve(true);
	for (k = 0; k < o.npids; k++) {
		errs[k] = vv_collect(&ps[k], o.pids[k], &vo, msgs[k], sizeof(msgs[k]));
		if (errs[k]) {
			ps[k].pid = o.pids[k];
			p_error(errs[k], "%s: %s", argv[0], msgs[k]);
			failed++;
		} else if (!noted) {
			note_listing_source(argv[0], ps[k].listing);
			noted = true;
		}
	}
	if (failed == (int)o.npids) {
		if (json_output)
			jw_error(msgs[0], errs[0]);
		goto out;
	}
	rc = failed ? EXIT_RUNTIME : 0;
	if (json_output) {
		print_json(ps, errs, msgs, o.npids);
	} else {
		for (k = 0; k < o.npids; k++) {
			if (errs[k])
				continue;
			if (k)
				printf("\n");
			sum_print_plain(&ps[k]);
		}
	}
out:
	jw_reserve(false);
	for (k = 0; ps && k < o.npids; k++)
		vv_free(&ps[k]);
	free(ps);
	free(msgs);
	free(errs);
	free(o.pids);
	return rc;
}

const struct cmd cmd_summary = {
	.name = "summary",
	.fn = do_summary,
	.usage = "summary [OPTIONS] PID...",
	.summary = "memory by kind (code, data, heap, stack, ...) and by file, with RSS, PSS, dirty, "
	           "swap and huge pages",
	.help = "      --source S     memory use from S: module (its page walk; the default when\n"
	        "                     it is loaded and the caller has CAP_SYS_ADMIN) or smaps\n"
	        "  Kinds: code, data (an image's rodata, relro, data and bss), heap, stack,\n"
	        "  anon, file, shm, special ([vdso], ...), hugetlb, guard (PROT_NONE).\n"
	        "examples:\n"
	        "  vmscope summary 1234\n"
	        "  vmscope -j summary 1234 5678\n",
};
