// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope diff A B: what changed between two snapshots (snapshot.c).
 *
 * Both files are read as streams, one VMA at a time, and merged in
 * address order: memory stays bounded by one VMA's runs from each.  A VMA
 * of B matches one of A when they overlap and share their start, their end
 * or their name and permissions (a heap that grew, a stack that grew down);
 * otherwise the one of A is removed and the one of B added.  A region that
 * split or merged shows as one matched region and the rest added or
 * removed.  Per matched region, pages are compared over the union of both
 * ranges, a page outside a range being absent:
 *   resident  not resident in A (absent, not faulted, swapped, zero) and
 *             resident in B (4K, large folio, THP, hugetlb);
 *   released  resident in A, neither resident nor swapped in B;
 *   dirtied   resident and dirty in B, not so in A (both must know dirty);
 *   swapped   swapped out in B, not in A;
 *   huge      THP or hugetlb in B, not in A;
 *   unshared  resident and shared in A, resident and not shared in B: a
 *             copy-on-write was broken (both must know sharing).
 * Regions are sorted by bytes: the size change plus 4 KiB per counted
 * page change.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "common.h"
#include "diff.h"
#include "mapview.h"
#include "snapshot.h"

const char *const d_change_names[D_NCHANGES] = { "same", "grown", "shrunk", "added", "removed" };
const char *const d_count_names[DC_N] = {
	"resident", "released", "dirtied", "swapped", "huge", "unshared",
};

/* ---- a small JSON reader: one value at a time from a stream ---------------------------- */

enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };
struct jv {
	int t;
	bool b;
	double num;
	char *s;
	struct jv *a;		/* array items or object values */
	char **k;		/* object keys */
	size_t n, cap;
};

struct jr {
	FILE *f;
	long line;
	char err[160];
};

static int jr_peek(struct jr *r)
{
	int c;

	while ((c = getc(r->f)) != EOF && isspace(c))
		if (c == '\n')
			r->line++;
	if (c != EOF)
		ungetc(c, r->f);
	return c;
}

static int jr_fail(struct jr *r, const char *what)
{
	if (!r->err[0])
		snprintf(r->err, sizeof(r->err), "line %ld: %s", r->line, what);
	return -EINVAL;
}

static int jr_expect(struct jr *r, int want)
{
	char m[32];

	if (jr_peek(r) != want) {
		snprintf(m, sizeof(m), "expected '%c'", want);
		return jr_fail(r, m);
	}
	getc(r->f);
	return 0;
}

static void jv_free(struct jv *v)
{
	size_t i;

	for (i = 0; i < v->n && (v->t == JV_ARR || v->t == JV_OBJ); i++) {
		jv_free(&v->a[i]);
		if (v->k)
			free(v->k[i]);
	}
	free(v->a);
	free(v->k);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

static int jr_string(struct jr *r, char **out)
{
	size_t n = 0, cap = 32;
	char *s = malloc(cap);
	int c;

	if (!s)
		return -ENOMEM;
	getc(r->f);	/* the opening quote */
	while ((c = getc(r->f)) != '"') {
		if (c == EOF || c == '\n') {
			free(s);
			return jr_fail(r, "unterminated string");
		}
		if (c == '\\') {
			unsigned int u;

			switch (c = getc(r->f)) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				if (fscanf(r->f, "%4x", &u) != 1) {
					free(s);
					return jr_fail(r, "bad \\u escape");
				}
				/* vmscope writes bytes as \u00XX: back to the byte */
				c = u < 256 ? (int)u : '?';
				break;
			}
		}
		if (n + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (!t) {
				free(s);
				return -ENOMEM;
			}
			s = t;
		}
		s[n++] = c;
	}
	s[n] = 0;
	*out = s;
	return 0;
}

static int jv_push(struct jv *v, char *key)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		struct jv *a = realloc(v->a, cap * sizeof(*a));
		char **k;

		if (!a)
			return -ENOMEM;
		v->a = a;
		if (v->t == JV_OBJ) {
			k = realloc(v->k, cap * sizeof(*k));
			if (!k)
				return -ENOMEM;
			v->k = k;
		}
		v->cap = cap;
	}
	memset(&v->a[v->n], 0, sizeof(v->a[0]));
	if (v->t == JV_OBJ)
		v->k[v->n] = key;
	v->n++;
	return 0;
}

static int jv_parse(struct jr *r, struct jv *v, int depth)
{
	int c = jr_peek(r), err;
	char word[8];

	memset(v, 0, sizeof(*v));
	if (depth > 32)
		return jr_fail(r, "nested too deep");
	if (c == '"') {
		v->t = JV_STR;
		return jr_string(r, &v->s);
	}
	if (c == '{' || c == '[') {
		getc(r->f);
		v->t = c == '{' ? JV_OBJ : JV_ARR;
		if (jr_peek(r) == (c == '{' ? '}' : ']')) {
			getc(r->f);
			return 0;
		}
		for (;;) {
			char *key = NULL;

			if (v->t == JV_OBJ) {
				if (jr_peek(r) != '"')
					return jr_fail(r, "expected a key");
				err = jr_string(r, &key);
				if (!err)
					err = jr_expect(r, ':');
				if (err) {
					free(key);
					return err;
				}
			}
			err = jv_push(v, key);
			if (err) {
				free(key);
				return err;
			}
			err = jv_parse(r, &v->a[v->n - 1], depth + 1);
			if (err)
				return err;
			c = jr_peek(r);
			getc(r->f);
			if (c == ',')
				continue;
			if (c == (v->t == JV_OBJ ? '}' : ']'))
				return 0;
			return jr_fail(r, "expected ',' or the end of a list");
		}
	}
	if (c == '-' || isdigit(c)) {
		v->t = JV_NUM;
		return fscanf(r->f, "%lf", &v->num) == 1 ? 0 : jr_fail(r, "bad number");
	}
	if (fscanf(r->f, "%5[a-z]", word) == 1) {
		if (!strcmp(word, "true") || !strcmp(word, "false")) {
			v->t = JV_BOOL;
			v->b = word[0] == 't';
			return 0;
		}
		if (!strcmp(word, "null"))
			return 0;
	}
	return jr_fail(r, c == EOF ? "unexpected end of file" : "not JSON");
}

static const struct jv *jv_get(const struct jv *o, const char *key)
{
	size_t i;

	for (i = 0; o && o->t == JV_OBJ && i < o->n; i++)
		if (!strcmp(o->k[i], key))
			return &o->a[i];
	return NULL;
}

static const char *jv_str(const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);

	return v && v->t == JV_STR ? v->s : "";
}

static double jv_num(const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);

	return v && v->t == JV_NUM ? v->num : 0;
}

/* ---- snapshots, read back ----------------------------------------------------------- */

struct snapin {
	struct jr r;
	struct snap_info *info;
	bool in_vmas;
};

struct svma {
	uint64_t start, end, rss_kb;
	char perms[5];
	char *name, *kind;
	struct vv_run *runs;
	size_t nruns, cap;
	bool valid;
};

static int snapin_fail(struct snapin *s, char *msg, size_t msz, int err)
{
	snprintf(msg, msz, "%s: %s", s->info->path, err == -ENOMEM ? "out of memory" :
		 s->r.err[0] ? s->r.err : strerror(-err));
	return err;
}

/* Read the header members up to the list of VMAs. */
static int snapin_open(struct snapin *s, const char *path, struct snap_info *info, char *msg,
		       size_t msz)
{
	struct jv v;
	char *key;
	int err;

	memset(s, 0, sizeof(*s));
	memset(info, 0, sizeof(*info));
	s->info = info;
	info->path = path;
	s->r.line = 1;
	s->r.f = fopen(path, "re");
	if (!s->r.f) {
		err = -errno;
		snprintf(msg, msz, "%s: %s", path, strerror(errno));
		return err;
	}
	err = jr_expect(&s->r, '{');
	while (!err) {
		if (jr_peek(&s->r) != '"') {
			err = jr_fail(&s->r, "not a vmscope snapshot (no \"vmas\")");
			break;
		}
		err = jr_string(&s->r, &key);
		if (!err)
			err = jr_expect(&s->r, ':');
		if (!err && !strcmp(key, "vmas")) {
			free(key);
			err = jr_expect(&s->r, '[');
			s->in_vmas = !err;
			break;
		}
		if (!err)
			err = jv_parse(&s->r, &v, 0);
		if (!err) {
			if (!strcmp(key, "format") && (v.t != JV_STR || strcmp(v.s, "vmscope-snapshot")))
				err = jr_fail(&s->r, "not a vmscope snapshot (\"format\" is not "
					      "\"vmscope-snapshot\")");
			else if (!strcmp(key, "format_version"))
				info->format_version = v.num;
			else if (!strcmp(key, "pid"))
				info->pid = v.num;
			else if (v.t == JV_STR && !strcmp(key, "time"))
				snprintf(info->time, sizeof(info->time), "%s", v.s);
			else if (v.t == JV_STR && !strcmp(key, "kernel"))
				snprintf(info->kernel, sizeof(info->kernel), "%s", v.s);
			else if (v.t == JV_STR && !strcmp(key, "source"))
				snprintf(info->source, sizeof(info->source), "%s", v.s);
			else if (v.t == JV_STR && !strcmp(key, "use_source"))
				snprintf(info->use_source, sizeof(info->use_source), "%s", v.s);
			else if (v.t == JV_STR && !strcmp(key, "listing"))
				snprintf(info->listing, sizeof(info->listing), "%s", v.s);
			else if (!strcmp(key, "dirty_known"))
				info->dirty_known = v.b;
			else if (!strcmp(key, "shared_known"))
				info->shared_known = v.b;
		}
		jv_free(&v);
		free(key);
		if (!err && jr_peek(&s->r) == ',')
			getc(s->r.f);
	}
	if (!err && info->format_version != SNAPSHOT_FORMAT_VERSION)
		err = jr_fail(&s->r, info->format_version > SNAPSHOT_FORMAT_VERSION ?
			      "a newer snapshot format than this vmscope reads" :
			      "not a vmscope snapshot (no format_version)");
	if (err)
		return snapin_fail(s, msg, msz, err);
	return 0;
}

static int state_of(const char *name)
{
	int i;

	for (i = 0; i < VV_NSTATES; i++)
		if (!strcmp(vv_state_names[i], name))
			return i;
	return VV_S_UNKNOWN;
}

/* The next VMA into v: 1, 0 at the end, or -errno. */
static int snapin_next(struct snapin *s, struct svma *v, char *msg, size_t msz)
{
	struct jv o;
	const struct jv *runs;
	uint64_t a;
	size_t i, f;
	int err, c;

	free(v->name);
	free(v->kind);
	v->name = v->kind = NULL;
	v->nruns = 0;
	v->valid = false;
	if (!s->in_vmas)
		return 0;
	c = jr_peek(&s->r);
	if (c == ']') {
		s->in_vmas = false;
		return 0;
	}
	if (c == ',')
		getc(s->r.f);
	err = jv_parse(&s->r, &o, 0);
	if (!err && o.t != JV_OBJ)
		err = jr_fail(&s->r, "a VMA is not an object");
	if (err) {
		jv_free(&o);
		return snapin_fail(s, msg, msz, err);
	}
	v->start = strtoull(jv_str(&o, "start"), NULL, 16);
	v->end = strtoull(jv_str(&o, "end"), NULL, 16);
	v->rss_kb = jv_num(&o, "rss_kb");
	snprintf(v->perms, sizeof(v->perms), "%s", jv_str(&o, "perms"));
	v->name = strdup(jv_str(&o, "name"));
	v->kind = strdup(jv_str(&o, "summary_kind"));
	runs = jv_get(&o, "runs");
	a = v->start;
	for (i = 0; runs && runs->t == JV_ARR && i < runs->n; i++) {
		const struct jv *r = &runs->a[i];
		struct vv_run run = { .start = a };

		if (r->t != JV_ARR || r->n < 2 || r->a[0].t != JV_NUM || r->a[1].t != JV_STR)
			continue;
		run.pages = r->a[0].num;
		run.state = state_of(r->a[1].s);
		for (f = 0; r->n > 2 && r->a[2].t == JV_ARR && f < r->a[2].n; f++)
			for (c = 0; c < VV_NFLAGS; c++)
				if (r->a[2].a[f].t == JV_STR && !strcmp(r->a[2].a[f].s, vv_flag_names[c]))
					run.flags |= 1u << c;
		if (v->nruns == v->cap) {
			size_t cap = v->cap ? v->cap * 2 : 64;
			struct vv_run *n = realloc(v->runs, cap * sizeof(*n));

			if (!n) {
				jv_free(&o);
				return snapin_fail(s, msg, msz, -ENOMEM);
			}
			v->runs = n;
			v->cap = cap;
		}
		v->runs[v->nruns++] = run;
		a += (uint64_t)run.pages * 4096;
	}
	jv_free(&o);
	if (!v->name || !v->kind || v->end <= v->start || (v->start | v->end) & 4095)
		return snapin_fail(s, msg, msz, v->name && v->kind ?
				   jr_fail(&s->r, "a VMA with a bad range") : -ENOMEM);
	v->valid = true;
	return 1;
}

static void svma_free(struct svma *v)
{
	free(v->name);
	free(v->kind);
	free(v->runs);
}

/* ---- comparing ---------------------------------------------------------------------- */

static bool resident(int s)
{
	return s == VV_S_4K || s == VV_S_LARGE || s == VV_S_THP || s == VV_S_HUGETLB;
}

static bool huge(int s)
{
	return s == VV_S_THP || s == VV_S_HUGETLB;
}

/* A cursor over one VMA's runs; pages past them (or no VMA) are absent. */
struct cur {
	const struct svma *v;
	size_t i;
};

static void cur_at(struct cur *c, uint64_t addr, uint8_t *st, uint8_t *fl, uint64_t *until)
{
	const struct svma *v = c->v;

	*st = VV_S_NONE;
	*fl = 0;
	*until = UINT64_MAX;
	if (!v)
		return;
	if (addr < v->start) {
		*until = v->start;
		return;
	}
	while (c->i < v->nruns && v->runs[c->i].start + (uint64_t)v->runs[c->i].pages * 4096 <= addr)
		c->i++;
	if (c->i < v->nruns && v->runs[c->i].start <= addr) {
		*st = v->runs[c->i].state;
		*fl = v->runs[c->i].flags;
		*until = v->runs[c->i].start + (uint64_t)v->runs[c->i].pages * 4096;
	} else if (c->i < v->nruns) {
		*until = v->runs[c->i].start;
	}
}

static enum d_class page_class(uint8_t sa, uint8_t fa, uint8_t sb, uint8_t fb, bool dk, bool sk)
{
	if (sb == VV_S_SWAP && sa != VV_S_SWAP)
		return DK_SWAPPED;
	if (huge(sb) && !huge(sa))
		return DK_HUGE;
	if (sk && resident(sa) && resident(sb) && (fa & VV_F_SHARED) && !(fb & VV_F_SHARED))
		return DK_UNSHARED;
	if (!resident(sa) && resident(sb))
		return DK_RESIDENT;
	if (dk && resident(sb) && (fb & VV_F_DIRTY) && !(resident(sa) && (fa & VV_F_DIRTY)))
		return DK_DIRTIED;
	if (resident(sa) && !resident(sb) && sb != VV_S_SWAP)
		return DK_RELEASED;
	return resident(sb) ? DK_SAME : DK_EMPTY;
}

struct dctx {
	const struct snap_info *ia, *ib;
	const struct d_sink *sink;
};

/* Compare a (or none) and b (or none) over the union of their ranges. */
static int compare(struct dctx *d, const struct svma *a, const struct svma *b, enum d_change ch)
{
	struct d_region r = { .change = ch };
	const struct svma *m = b ? b : a;
	struct cur ca = { a, 0 }, cb = { b, 0 };
	bool dk = d->ia->dirty_known && d->ib->dirty_known;
	bool sk = d->ia->shared_known && d->ib->shared_known;
	uint64_t lo, hi, addr, run_at = 0, run_n = 0;
	enum d_class run_k = DK_N;
	int err;

	lo = a && b ? (a->start < b->start ? a->start : b->start) : m->start;
	hi = a && b ? (a->end > b->end ? a->end : b->end) : m->end;
	r.start = m->start;
	r.end = m->end;
	if (a) {
		r.a_start = a->start;
		r.a_end = a->end;
		r.rss_a_kb = a->rss_kb;
	}
	if (b)
		r.rss_b_kb = b->rss_kb;
	r.name = m->name;
	r.kind = m->kind;
	memcpy(r.perms, m->perms, sizeof(r.perms));
	for (addr = lo; addr < hi;) {
		uint8_t sa, fa, sb, fb;
		uint64_t ua, ub, n;
		enum d_class k;

		cur_at(&ca, addr, &sa, &fa, &ua);
		cur_at(&cb, addr, &sb, &fb, &ub);
		ua = ua < ub ? ua : ub;
		n = ((ua < hi ? ua : hi) - addr) / 4096;
		if (!n)
			n = 1;
		if (!resident(sa) && resident(sb))
			r.pages[DC_RESIDENT] += n;
		if (resident(sa) && !resident(sb) && sb != VV_S_SWAP)
			r.pages[DC_RELEASED] += n;
		if (dk && resident(sb) && (fb & VV_F_DIRTY) && !(resident(sa) && (fa & VV_F_DIRTY)))
			r.pages[DC_DIRTIED] += n;
		if (sb == VV_S_SWAP && sa != VV_S_SWAP)
			r.pages[DC_SWAPPED] += n;
		if (huge(sb) && !huge(sa))
			r.pages[DC_HUGE] += n;
		if (sk && resident(sa) && resident(sb) && (fa & VV_F_SHARED) && !(fb & VV_F_SHARED))
			r.pages[DC_UNSHARED] += n;
		k = ch == D_REMOVED ? DK_GONE : page_class(sa, fa, sb, fb, dk, sk);
		if (d->sink->pages) {
			if (k != run_k || run_at + run_n * 4096 != addr) {
				if (run_n && (err = d->sink->pages(run_at, run_n, run_k, d->sink->arg)))
					return err;
				run_at = addr;
				run_n = 0;
				run_k = k;
			}
			run_n += n;
		}
		addr += n * 4096;
	}
	if (run_n && d->sink->pages && (err = d->sink->pages(run_at, run_n, run_k, d->sink->arg)))
		return err;
	{
		uint64_t sa_ = a ? a->end - a->start : 0, sb_ = b ? b->end - b->start : 0, i;

		r.bytes = sa_ > sb_ ? sa_ - sb_ : sb_ - sa_;
		for (i = 0; i < DC_N; i++)
			r.bytes += r.pages[i] * 4096;
	}
	return d->sink->region(&r, d->sink->arg);
}

int diff_files(const char *pa, const char *pb, struct snap_info *ia, struct snap_info *ib,
	       const struct d_sink *sink, char *msg, size_t msz)
{
	struct snapin sa, sb;
	struct svma a = {}, b = {};
	struct dctx d = { ia, ib, sink };
	int err, na, nb;

	err = snapin_open(&sa, pa, ia, msg, msz);
	if (err)
		return err;
	err = snapin_open(&sb, pb, ib, msg, msz);
	if (err) {
		fclose(sa.r.f);
		return err;
	}
	na = snapin_next(&sa, &a, msg, msz);
	nb = na < 0 ? 0 : snapin_next(&sb, &b, msg, msz);
	while (na > 0 || nb > 0) {
		if (na > 0 && (nb <= 0 || a.end <= b.start)) {
			err = compare(&d, &a, NULL, D_REMOVED);
			na = snapin_next(&sa, &a, msg, msz);
		} else if (nb > 0 && (na <= 0 || b.end <= a.start)) {
			err = compare(&d, NULL, &b, D_ADDED);
			nb = snapin_next(&sb, &b, msg, msz);
		} else if (a.start == b.start || a.end == b.end ||
			   (!strcmp(a.name, b.name) && !strcmp(a.perms, b.perms))) {
			uint64_t la = a.end - a.start, lb = b.end - b.start;

			err = compare(&d, &a, &b, lb > la ? D_GROWN : lb < la ? D_SHRUNK : D_SAME);
			na = snapin_next(&sa, &a, msg, msz);
			nb = na < 0 ? nb : snapin_next(&sb, &b, msg, msz);
		} else if (a.start <= b.start) {
			err = compare(&d, &a, NULL, D_REMOVED);
			na = snapin_next(&sa, &a, msg, msz);
		} else {
			err = compare(&d, NULL, &b, D_ADDED);
			nb = snapin_next(&sb, &b, msg, msz);
		}
		if (err || na < 0 || nb < 0)
			break;
	}
	if (!err)
		err = na < 0 ? na : nb < 0 ? nb : 0;
	if (err && !msg[0])
		snprintf(msg, msz, "%s", strerror(-err));
	svma_free(&a);
	svma_free(&b);
	fclose(sa.r.f);
	fclose(sb.r.f);
	return err;
}

/* ---- the command ------------------------------------------------------------------------ */

struct dlist {
	struct d_region *r;
	size_t n, cap;
	struct d_region tot;
	size_t nchange[D_NCHANGES];
	uint64_t size_a, size_b;
};

static int collect(const struct d_region *r, void *arg)
{
	struct dlist *l = arg;
	size_t i;

	l->nchange[r->change]++;
	l->size_a += r->a_end - r->a_start;
	l->size_b += r->change == D_REMOVED ? 0 : r->end - r->start;
	l->tot.rss_a_kb += r->rss_a_kb;
	l->tot.rss_b_kb += r->rss_b_kb;
	for (i = 0; i < DC_N; i++)
		l->tot.pages[i] += r->pages[i];
	l->tot.bytes += r->bytes;
	if (r->change == D_SAME && !r->bytes)
		return 0;	/* unchanged: only counted */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct d_region *n = realloc(l->r, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->r = n;
		l->cap = cap;
	}
	l->r[l->n] = *r;
	l->r[l->n].name = strdup(r->name);
	l->r[l->n].kind = strdup(r->kind);
	if (!l->r[l->n].name || !l->r[l->n].kind)
		return -ENOMEM;
	l->n++;
	return 0;
}

static int by_bytes(const void *x, const void *y)
{
	const struct d_region *a = x, *b = y;

	if (a->bytes != b->bytes)
		return a->bytes < b->bytes ? 1 : -1;
	return a->start < b->start ? -1 : a->start > b->start;
}

static void json_info(const char *key, const struct snap_info *i)
{
	jw_key(key);
	jw_start_obj();
	jw_str("file", i->path);
	jw_u64("pid", i->pid);
	jw_str("time", i->time);
	jw_str("kernel", i->kernel);
	jw_str("source", i->source);
	jw_str("use_source", i->use_source);
	jw_str("listing", i->listing);
	jw_bool("dirty_known", i->dirty_known);
	jw_bool("shared_known", i->shared_known);
	jw_end_obj();
}

static void json_pages(const uint64_t *p, bool dk, bool sk)
{
	int i;

	jw_key("pages");
	jw_start_obj();
	for (i = 0; i < DC_N; i++) {
		if ((i == DC_DIRTIED && !dk) || (i == DC_UNSHARED && !sk))
			jw_null(d_count_names[i]);
		else
			jw_u64(d_count_names[i], p[i]);
	}
	jw_end_obj();
}

static void print_json(const struct dlist *l, const struct snap_info *ia,
		       const struct snap_info *ib)
{
	bool dk = ia->dirty_known && ib->dirty_known, sk = ia->shared_known && ib->shared_known;
	size_t i;
	int c;

	jw_start_obj();
	jw_str("source", "snapshots");
	json_info("a", ia);
	json_info("b", ib);
	jw_key("regions");
	jw_start_arr();
	for (i = 0; i < l->n; i++) {
		const struct d_region *r = &l->r[i];

		jw_start_obj();
		jw_str("change", d_change_names[r->change]);
		jw_hex("start", r->start);
		jw_hex("end", r->end);
		if (r->change != D_ADDED && r->change != D_REMOVED &&
		    (r->a_start != r->start || r->a_end != r->end)) {
			jw_hex("a_start", r->a_start);
			jw_hex("a_end", r->a_end);
		}
		jw_str("perms", r->perms);
		jw_str("kind", r->kind);
		jw_str("name", r->name);
		jw_u64("size_a", r->a_end - r->a_start);
		jw_u64("size_b", r->change == D_REMOVED ? 0 : r->end - r->start);
		jw_u64("rss_a_kb", r->rss_a_kb);
		jw_u64("rss_b_kb", r->rss_b_kb);
		json_pages(r->pages, dk, sk);
		jw_u64("bytes", r->bytes);
		jw_end_obj();
	}
	jw_end_arr();
	jw_key("totals");
	jw_start_obj();
	for (c = 0; c < D_NCHANGES; c++)
		jw_u64(d_change_names[c], l->nchange[c]);
	jw_u64("changed", l->n);
	jw_u64("size_a", l->size_a);
	jw_u64("size_b", l->size_b);
	jw_u64("rss_a_kb", l->tot.rss_a_kb);
	jw_u64("rss_b_kb", l->tot.rss_b_kb);
	json_pages(l->tot.pages, dk, sk);
	jw_u64("bytes", l->tot.bytes);
	jw_end_obj();
	jw_end_obj();
	jw_done();
}

static const char *pages_str(uint64_t n, bool known, char *buf, size_t sz)
{
	if (!known || !n)
		snprintf(buf, sz, "%s", known ? "-" : "?");
	else
		fmt_size(n * 4096, buf, sz);
	return buf;
}

static void print_plain(const struct dlist *l, const struct snap_info *ia,
			const struct snap_info *ib)
{
	bool dk = ia->dirty_known && ib->dirty_known, sk = ia->shared_known && ib->shared_known;
	char b[DC_N + 2][24], sz[64];
	size_t i;
	int c;

	printf("A: %s  process %llu at %s, pages from %s\n", ia->path, (unsigned long long)ia->pid,
	       ia->time, ia->source);
	printf("B: %s  process %llu at %s, pages from %s\n", ib->path, (unsigned long long)ib->pid,
	       ib->time, ib->source);
	if (ia->pid != ib->pid)
		printf("(two different processes)\n");
	printf("\n%-33s %-7s %-15s %8s %8s %8s %8s %8s %8s  %s\n", "REGION", "CHANGE", "SIZE A > B",
	       "RESIDENT", "RELEASED", "DIRTIED", "SWAPPED", "HUGE", "UNSHARED", "NAME");
	for (i = 0; i < l->n; i++) {
		const struct d_region *r = &l->r[i];
		char range[40], sa[16], sb[16];

		snprintf(range, sizeof(range), "%llx-%llx", (unsigned long long)r->start,
			 (unsigned long long)r->end);
		fmt_size(r->a_end - r->a_start, sa, sizeof(sa));
		fmt_size(r->change == D_REMOVED ? 0 : r->end - r->start, sb, sizeof(sb));
		snprintf(sz, sizeof(sz), "%s > %s", r->change == D_ADDED ? "-" : sa,
			 r->change == D_REMOVED ? "-" : sb);
		for (c = 0; c < DC_N; c++)
			pages_str(r->pages[c], (c != DC_DIRTIED || dk) && (c != DC_UNSHARED || sk),
				  b[c], sizeof(b[c]));
		printf("%-33s %-7s %-15s %8s %8s %8s %8s %8s %8s  ", range, d_change_names[r->change],
		       sz, b[0], b[1], b[2], b[3], b[4], b[5]);
		fput_name(stdout, *r->name ? r->name : "[ anon ]");
		putchar('\n');
	}
	if (!l->n)
		printf("(no region changed)\n");
	for (c = 0; c < DC_N; c++)
		pages_str(l->tot.pages[c], (c != DC_DIRTIED || dk) && (c != DC_UNSHARED || sk), b[c],
			  sizeof(b[c]));
	printf("\ntotal: %zu regions changed: %zu added, %zu removed, %zu grown, %zu shrunk; "
	       "%zu unchanged\n", l->n, l->nchange[D_ADDED], l->nchange[D_REMOVED],
	       l->nchange[D_GROWN], l->nchange[D_SHRUNK], l->nchange[D_SAME] -
	       (l->n - l->nchange[D_ADDED] - l->nchange[D_REMOVED] - l->nchange[D_GROWN] -
		l->nchange[D_SHRUNK]));
	printf("size %s > %s, ", fmt_size(l->size_a, b[DC_N], sizeof(b[DC_N])),
	       fmt_size(l->size_b, b[DC_N + 1], sizeof(b[DC_N + 1])));
	printf("RSS %s > ", fmt_size(l->tot.rss_a_kb << 10, sz, sizeof(sz)));
	printf("%s\n", fmt_size(l->tot.rss_b_kb << 10, sz, sizeof(sz)));
	printf("pages: resident %s, released %s, dirtied %s, swapped %s, huge %s, unshared %s\n",
	       b[0], b[1], b[2], b[3], b[4], b[5]);
	if (!dk || !sk)
		printf("(?: %s)\n", !dk ? "pages from pagemap have no PTE dirty bit" :
		       "sharing was not visible (page state hidden)");
}

static int do_diff(int argc, char **argv)
{
	static const struct option longopts[] = { COMMON_LONG, {} };
	struct snap_info ia, ib;
	struct dlist l = {};
	struct d_sink sink = { collect, NULL, &l };
	char msg[512] = "";
	int c, rc, err;
	size_t i;

	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT, longopts, NULL)) != -1) {
		rc = cmd_common(argv[0], c, argv);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind != 2) {
		p_usage(argv[0], "expected two snapshot files: A B");
		return EXIT_USAGE;
	}
	err = diff_files(argv[optind], argv[optind + 1], &ia, &ib, &sink, msg, sizeof(msg));
	if (err) {
		p_error(err, "%s: %s", argv[0], msg);
		rc = EXIT_RUNTIME;
		goto out;
	}
	qsort(l.r, l.n, sizeof(*l.r), by_bytes);
	if (json_output)
		print_json(&l, &ia, &ib);
	else
		print_plain(&l, &ia, &ib);
	rc = 0;
out:
	for (i = 0; i < l.n; i++) {
		free((char *)l.r[i].name);
		free((char *)l.r[i].kind);
	}
	free(l.r);
	return rc;
}

/* ---- map --diff ------------------------------------------------------------------------ */

static const struct map_class dk_classes[DK_N] = {
	[DK_EMPTY] = { "empty", "not resident, before or after", "#eceff1" },
	[DK_SAME] = { "same", "resident, unchanged", "#b7c3cf" },
	[DK_RESIDENT] = { "resident", "became resident", "#43a047" },
	[DK_RELEASED] = { "released", "released (no longer resident)", "#37474f" },
	[DK_DIRTIED] = { "dirtied", "became dirty", "#ff7043" },
	[DK_SWAPPED] = { "swapped", "swapped out", "#e53935" },
	[DK_HUGE] = { "huge", "became huge (THP, hugetlb)", "#1e63d6" },
	[DK_UNSHARED] = { "unshared", "un-shared: copy-on-write broken", "#8e24aa" },
	[DK_GONE] = { "gone", "in a removed region", "#f8bbd0" },
};
static const struct map_class ch_classes[D_NCHANGES] = {
	[D_SAME] = { "same", "same range", "#cfd8dc" },
	[D_GROWN] = { "grown", "grown", "#90caf9" },
	[D_SHRUNK] = { "shrunk", "shrunk", "#ffcc80" },
	[D_ADDED] = { "added", "added", "#a5d6a7" },
	[D_REMOVED] = { "removed", "removed", "#ef9a9a" },
};

struct mreg {
	uint64_t start, end;
	uint8_t change;
	int perm;
	char *name;
	size_t run0, nruns;
};

struct mdiff {
	struct mreg *r;
	size_t n, cap;
	struct { uint64_t pages; uint8_t k; uint64_t at; } *runs;
	size_t nruns, runs_cap;
	struct dlist l;
};

static int mdiff_region(const struct d_region *r, void *arg)
{
	struct mdiff *m = arg;
	struct mreg *g;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct mreg *n = realloc(m->r, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		m->r = n;
		m->cap = cap;
	}
	g = &m->r[m->n];
	/* Its pages were reported over the union of both ranges, just before. */
	g->run0 = m->n ? m->r[m->n - 1].run0 + m->r[m->n - 1].nruns : 0;
	g->nruns = m->nruns - g->run0;
	g->start = g->nruns ? m->runs[g->run0].at : r->start;
	g->end = r->change == D_REMOVED || !r->a_end ? r->end :
		 (r->end > r->a_end ? r->end : r->a_end);
	if (r->a_end && r->a_start < g->start)
		g->start = r->a_start;
	g->change = r->change;
	g->perm = (r->perms[0] == 'r') << 3 | (r->perms[1] == 'w') << 2 |
		  (r->perms[2] == 'x') << 1 | (r->perms[3] == 's');
	g->name = strdup(r->name);
	if (!g->name)
		return -ENOMEM;
	m->n++;
	return collect(r, &m->l);
}

static int mdiff_pages(uint64_t addr, uint64_t n, enum d_class k, void *arg)
{
	struct mdiff *m = arg;

	if (m->nruns == m->runs_cap) {
		size_t cap = m->runs_cap ? m->runs_cap * 2 : 1024;
		void *nr = realloc(m->runs, cap * sizeof(*m->runs));

		if (!nr)
			return -ENOMEM;
		m->runs = nr;
		m->runs_cap = cap;
	}
	m->runs[m->nruns].at = addr;
	m->runs[m->nruns].pages = n;
	m->runs[m->nruns].k = k;
	m->nruns++;
	return 0;
}

static int by_start(const void *x, const void *y)
{
	const struct mreg *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

static void mdiff_json(struct mdiff *m, const struct snap_info *ia, const struct snap_info *ib)
{
	static const char *const cols[] = { "pages", "size" };
	uint64_t prev = 0, at;
	size_t i, j, keep = 0;
	int c;

	qsort(m->r, m->n, sizeof(*m->r), by_start);
	/* Overlapping regions (one removed where another was added): clip. */
	for (i = 0; i < m->n; i++) {
		if (keep && m->r[i].start < m->r[keep - 1].end)
			m->r[i].start = m->r[keep - 1].end;
		if (m->r[i].start >= m->r[i].end) {
			free(m->r[i].name);
			continue;
		}
		m->r[keep++] = m->r[i];
	}
	m->n = keep;
	jw_start_obj();
	jw_str("format", "vmscope-map");
	jw_u64("format_version", SNAPSHOT_FORMAT_VERSION);
	jw_str("mode", "diff");
	jw_str("kernel", ib->kernel);
	jw_str("vmscope", VMSCOPE_VERSION);
	jw_u64("pid", ib->pid);
	jw_str("source", "snapshots");
	json_info("a", ia);
	json_info("b", ib);
	map_json_classes("states", dk_classes, DK_N);
	map_json_classes("kinds", ch_classes, D_NCHANGES);
	jw_key("flags");
	jw_start_arr();
	jw_end_arr();
	map_json_perms();
	jw_key("vmas");
	jw_start_obj();
	jw_key("gap");
	jw_start_arr();
	for (i = 0; i < m->n; prev = m->r[i].end, i++)
		jw_u64(NULL, (m->r[i].start - prev) >> 12);
	jw_end_arr();
	jw_key("pages");
	jw_start_arr();
	for (i = 0; i < m->n; i++)
		jw_u64(NULL, (m->r[i].end - m->r[i].start) >> 12);
	jw_end_arr();
	jw_key("perms");
	jw_start_arr();
	for (i = 0; i < m->n; i++)
		jw_u64(NULL, m->r[i].perm);
	jw_end_arr();
	jw_key("kind");
	jw_start_arr();
	for (i = 0; i < m->n; i++)
		jw_u64(NULL, m->r[i].change);
	jw_end_arr();
	jw_key("name");
	jw_start_arr();
	for (i = 0; i < m->n; i++)
		jw_u64(NULL, i);
	jw_end_arr();
	jw_key("runs_n");
	jw_start_arr();
	for (i = 0; i < m->n; i++) {
		/* runs clipped to the (possibly clipped) region, holes as empty */
		size_t k = 0;

		for (at = m->r[i].start, j = m->r[i].run0; j < m->r[i].run0 + m->r[i].nruns; j++) {
			uint64_t s = m->runs[j].at, e = s + m->runs[j].pages * 4096;

			if (e <= at || s >= m->r[i].end)
				continue;
			k += (s > at) + 1;
			at = e;
		}
		k += at < m->r[i].end;
		jw_u64(NULL, k);
	}
	jw_end_arr();
	jw_end_obj();
	jw_key("names");
	jw_start_arr();
	for (i = 0; i < m->n; i++)
		jw_str(NULL, m->r[i].name);
	jw_end_arr();
	jw_key("runs");
	jw_start_arr();
	for (i = 0; i < m->n; i++) {
		for (at = m->r[i].start, j = m->r[i].run0; j < m->r[i].run0 + m->r[i].nruns; j++) {
			uint64_t s = m->runs[j].at, e = s + m->runs[j].pages * 4096;

			if (e <= at || s >= m->r[i].end)
				continue;
			if (s > at) {
				jw_u64(NULL, (s - at) >> 12);
				jw_u64(NULL, DK_EMPTY);
			}
			s = s > at ? s : at;
			e = e < m->r[i].end ? e : m->r[i].end;
			jw_u64(NULL, (e - s) >> 12);
			jw_u64(NULL, m->runs[j].k);
			at = e;
		}
		if (at < m->r[i].end) {
			jw_u64(NULL, (m->r[i].end - at) >> 12);
			jw_u64(NULL, DK_EMPTY);
		}
	}
	jw_end_arr();
	/* The summary panel: the totals of the diff. */
	jw_key("summary");
	jw_start_obj();
	jw_str("title", "What changed");
	jw_bool("kb", false);
	jw_key("columns");
	jw_start_arr();
	for (i = 0; i < ARRAY_SIZE(cols); i++)
		jw_str(NULL, cols[i]);
	jw_end_arr();
	jw_key("tables");
	jw_start_arr();
	jw_start_obj();
	jw_str("first", "pages that became");
	jw_key("rows");
	jw_start_arr();
	for (c = 0; c < DC_N; c++) {
		bool known = (c != DC_DIRTIED || (ia->dirty_known && ib->dirty_known)) &&
			     (c != DC_UNSHARED || (ia->shared_known && ib->shared_known));
		char b[24];

		jw_start_arr();
		jw_str(NULL, d_count_names[c]);
		if (known) {
			jw_u64(NULL, m->l.tot.pages[c]);
			jw_str(NULL, fmt_size(m->l.tot.pages[c] * 4096, b, sizeof(b)));
		} else {
			jw_str(NULL, "?");
			jw_str(NULL, "?");
		}
		jw_end_arr();
	}
	jw_end_arr();
	jw_end_obj();
	jw_start_obj();
	jw_str("first", "regions");
	jw_key("rows");
	jw_start_arr();
	for (c = 0; c < D_NCHANGES; c++) {
		jw_start_arr();
		jw_str(NULL, d_change_names[c]);
		jw_u64(NULL, m->l.nchange[c]);
		jw_str(NULL, "");
		jw_end_arr();
	}
	jw_end_arr();
	jw_end_obj();
	jw_end_arr();
	jw_str("note", (ia->dirty_known && ib->dirty_known) ? "" :
	       "dirtied: not known (pages from pagemap have no PTE dirty bit)");
	jw_end_obj();
	jw_end_obj();
	jw_done();
}

int map_diff(const char *cmd, const char *a, const char *b, const char *out)
{
	struct mdiff m = {};
	struct d_sink sink = { mdiff_region, mdiff_pages, &m };
	struct snap_info ia, ib;
	struct map_out mo;
	char msg[512] = "";
	int err, rc = EXIT_RUNTIME;
	size_t i;

	err = diff_files(a, b, &ia, &ib, &sink, msg, sizeof(msg));
	if (err) {
		p_error(err, "%s: %s", cmd, msg);
		goto out;
	}
	err = map_begin(&mo, out);
	if (err) {
		p_error(err, "%s: %s: %s", cmd, out, strerror(-err));
		goto out;
	}
	mdiff_json(&m, &ia, &ib);
	err = map_end(&mo, true);
	if (err) {
		p_error(err, "%s: %s: %s", cmd, out, strerror(-err));
		goto out;
	}
	if (mo.f != stdout) {
		if (json_output) {
			jw_start_obj();
			jw_str("file", mo.path);
			jw_u64("bytes", mo.size);
			jw_str("source", "snapshots");
			jw_u64("regions", m.n);
			jw_u64("changed", m.l.n);
			jw_end_obj();
			jw_done();
		} else {
			printf("%s: the change from %s to %s: %zu regions, %zu changed; %llu bytes\n",
			       mo.path, a, b, m.n, m.l.n, (unsigned long long)mo.size);
		}
	}
	rc = 0;
out:
	for (i = 0; i < m.n; i++)
		free(m.r[i].name);
	for (i = 0; i < m.l.n; i++) {
		free((char *)m.l.r[i].name);
		free((char *)m.l.r[i].kind);
	}
	free(m.l.r);
	free(m.r);
	free(m.runs);
	return rc;
}

const struct cmd cmd_diff = {
	.name = "diff",
	.fn = do_diff,
	.usage = "diff [OPTIONS] A B",
	.summary = "what changed between two snapshots: regions and pages, biggest first",
	.help = "  Regions added, removed, grown, shrunk; per region the pages that became\n"
	        "  resident, were released, became dirty, swapped, huge, or un-shared\n"
	        "  (copy-on-write broken); sorted by bytes, with totals.\n"
	        "examples:\n"
	        "  vmscope diff before.json after.json\n",
};
