// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope watch PID [-n SECONDS]: a live, top-like view of a process's
 * regions: RSS, dirty, swap and huge per region and how each changed since
 * the last refresh, biggest change first.  On a terminal the screen is
 * cleared and redrawn with plain ANSI (no curses); otherwise each refresh
 * is a plain block (no escape codes), or with -j one JSON line.  It ends on
 * SIGINT or SIGTERM, after N refreshes (-c), or when the process exits
 * (then with a last line that says so); the exit status is 0 for all.
 *
 * The listing object and the module's programs stay loaded between
 * refreshes (vv_refresh); regions are matched by their start address.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "cmds.h"
#include "common.h"
#include "view.h"

struct watch_opts {
	pid_t pid;
	double interval;
	uint64_t count;		/* 0: until stopped */
	bool use_smaps;
};

/* One region as last seen. */
struct wreg {
	uint64_t start, end;
	uint64_t rss, dirty, swap, huge;	/* bytes */
};

/* One region this time, with its change. */
struct wrow {
	struct wreg now;
	int64_t d_rss, d_dirty, d_swap, d_huge;
	const char *name;
	char perms[5];
	bool added, removed;
	uint64_t key;		/* how much changed, to sort by */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t delta(uint64_t a, uint64_t b)
{
	return (int64_t)a - (int64_t)b;
}

static uint64_t mag(int64_t v)
{
	return v < 0 ? -(uint64_t)v : (uint64_t)v;
}

static int by_change(const void *x, const void *y)
{
	const struct wrow *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? 1 : -1;
	if (a->now.rss != b->now.rss)
		return a->now.rss < b->now.rss ? 1 : -1;
	return a->now.start < b->now.start ? -1 : a->now.start > b->now.start;
}

static const struct wreg *find_prev(const struct wreg *prev, size_t n, uint64_t start)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (prev[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && prev[lo].start == start ? &prev[lo] : NULL;
}

/*
 * This refresh's rows against the previous one (prev, sorted by start;
 * none on the first refresh), sorted by change; *now gets this refresh's
 * regions for the next.  Returns the rows, or -ENOMEM.
 */
static long build_rows(const struct vv_proc *p, const struct wreg *prev, size_t nprev,
		       bool first, struct wrow **rows, struct wreg **now)
{
	size_t n = p->l->n, i, k = 0, j;
	struct wrow *r = calloc(n + nprev + 1, sizeof(*r));
	struct wreg *w = calloc(n + 1, sizeof(*w));
	bool *seen = calloc(nprev + 1, sizeof(*seen));

	if (!r || !w || !seen) {
		free(r);
		free(w);
		free(seen);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct vms_vma *v = &p->l->v[i];
		const struct memuse *m = &p->v[i].use;
		const struct wreg *o;
		struct wrow *x = &r[k++];

		w[i] = (struct wreg){ v->start, v->end, m->rss, m->dirty, m->swap, m->huge };
		x->now = w[i];
		x->name = vma_name_of(p->l, v);
		vm_flags_perms(v->vm_flags, x->perms);
		o = find_prev(prev, nprev, v->start);
		if (o) {
			seen[o - prev] = true;
			x->d_rss = delta(m->rss, o->rss);
			x->d_dirty = delta(m->dirty, o->dirty);
			x->d_swap = delta(m->swap, o->swap);
			x->d_huge = delta(m->huge, o->huge);
		} else if (!first) {
			x->added = true;
			x->d_rss = m->rss;
			x->d_dirty = m->dirty;
			x->d_swap = m->swap;
			x->d_huge = m->huge;
		}
	}
	for (j = 0; j < nprev; j++) {
		struct wrow *x;

		if (seen[j])
			continue;
		x = &r[k++];
		x->now = (struct wreg){ prev[j].start, prev[j].end, 0, 0, 0, 0 };
		x->removed = true;
		x->name = "";
		strcpy(x->perms, "----");
		x->d_rss = -(int64_t)prev[j].rss;
		x->d_dirty = -(int64_t)prev[j].dirty;
		x->d_swap = -(int64_t)prev[j].swap;
		x->d_huge = -(int64_t)prev[j].huge;
	}
	for (i = 0; i < k; i++)
		r[i].key = mag(r[i].d_rss) + mag(r[i].d_dirty) + mag(r[i].d_swap) + mag(r[i].d_huge) +
			   ((r[i].added || r[i].removed) ? r[i].now.end - r[i].now.start : 0);
	qsort(r, k, sizeof(*r), by_change);
	free(seen);
	*rows = r;
	*now = w;
	return k;
}

/* ---- output -------------------------------------------------------------------------- */

static const char *sz(uint64_t b, char *buf, size_t n)
{
	return b ? fmt_size(b, buf, n) : "0";
}

static const char *dsz(int64_t d, char *buf, size_t n)
{
	char t[24];

	if (!d)
		return "";
	snprintf(buf, n, "%c%s", d < 0 ? '-' : '+', fmt_size(mag(d), t, sizeof(t)));
	return buf;
}

static void json_refresh(const struct vv_proc *p, const struct wrow *r, size_t n, uint64_t seq,
			 const struct memuse *dt, const char *now, double interval)
{
	size_t i;

	jw_start_obj();
	jw_u64("pid", p->pid);
	jw_str("time", now);
	jw_u64("refresh", seq);
	jw_u64("interval_ms", (uint64_t)(interval * 1000 + 0.5));
	vv_json_sources(p);
	jw_key("total");
	jw_start_obj();
	jw_u64("vmas", p->l->n);
	jw_u64("rss_kb", p->total.rss >> 10);
	jw_u64("dirty_kb", p->total.dirty >> 10);
	jw_u64("swap_kb", p->total.swap >> 10);
	jw_u64("huge_kb", p->total.huge >> 10);
	jw_i64("d_rss_kb", (int64_t)dt->rss / 1024);
	jw_i64("d_dirty_kb", (int64_t)dt->dirty / 1024);
	jw_i64("d_swap_kb", (int64_t)dt->swap / 1024);
	jw_i64("d_huge_kb", (int64_t)dt->huge / 1024);
	jw_end_obj();
	jw_key("regions");
	jw_start_arr();
	for (i = 0; i < n; i++) {
		const struct wrow *x = &r[i];

		if (!x->key && !x->now.rss && !x->now.swap && !x->now.huge)
			continue;	/* nothing in it, nothing changed */
		jw_start_obj();
		jw_hex("start", x->now.start);
		jw_hex("end", x->now.end);
		jw_str("perms", x->perms);
		jw_str("name", x->name);
		jw_str("change", x->added ? "added" : x->removed ? "removed" : "");
		jw_u64("rss_kb", x->now.rss >> 10);
		jw_u64("dirty_kb", x->now.dirty >> 10);
		jw_u64("swap_kb", x->now.swap >> 10);
		jw_u64("huge_kb", x->now.huge >> 10);
		jw_i64("d_rss_kb", x->d_rss / 1024);
		jw_i64("d_dirty_kb", x->d_dirty / 1024);
		jw_i64("d_swap_kb", x->d_swap / 1024);
		jw_i64("d_huge_kb", x->d_huge / 1024);
		jw_end_obj();
	}
	jw_end_arr();
	jw_bool("exited", false);
	jw_end_obj();
	jw_done();
}

static void plain_refresh(const struct vv_proc *p, const struct wrow *r, size_t n, uint64_t seq,
			  const struct memuse *dt, const char *now, double interval, bool tty)
{
	char a[24], b[24], c[24], d[24], e[24], f[24], g[24], h[24];
	struct winsize ws = {};
	int rows = 25, cols = 200, used = 4;
	size_t i;

	if (tty) {
		if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row) {
			rows = ws.ws_row;
			cols = ws.ws_col;
		}
		fputs("\033[H\033[2J", stdout);
	} else if (seq > 1) {
		putchar('\n');
	}
	printf("vmscope watch  %d  %.*s\n", p->pid, cols > 40 ? cols - 24 : 16, p->command);
	printf("%s  refresh %llu every %gs  memory use from %s  VMAs %zu\n", now,
	       (unsigned long long)seq, interval, vv_src_names[p->use_src], p->l->n);
	printf("total  RSS %s %s  dirty %s %s  swap %s %s  huge %s %s\n",
	       sz(p->total.rss, a, sizeof(a)), dsz(dt->rss, b, sizeof(b)),
	       sz(p->total.dirty, c, sizeof(c)), dsz(dt->dirty, d, sizeof(d)),
	       sz(p->total.swap, e, sizeof(e)), dsz(dt->swap, f, sizeof(f)),
	       sz(p->total.huge, g, sizeof(g)), dsz(dt->huge, h, sizeof(h)));
	printf("%-29s %-4s %7s %7s %7s %7s %7s %7s %7s %7s  %s\n", "REGION", "PERM", "RSS", "+/-",
	       "DIRTY", "+/-", "SWAP", "+/-", "HUGE", "+/-", "NAME");
	for (i = 0; i < n && (tty ? used < rows - 1 : used < 29); i++) {
		const struct wrow *x = &r[i];
		char range[40], line[512];
		int len;

		if (!x->key && !x->now.rss && !x->now.swap && !x->now.huge)
			continue;
		snprintf(range, sizeof(range), "%llx-%llx", (unsigned long long)x->now.start,
			 (unsigned long long)x->now.end);
		len = snprintf(line, sizeof(line), "%-29s %-4s %7s %7s %7s %7s %7s %7s %7s %7s  %s%s",
			       range, x->perms, sz(x->now.rss, a, sizeof(a)), dsz(x->d_rss, b, sizeof(b)),
			       sz(x->now.dirty, c, sizeof(c)), dsz(x->d_dirty, d, sizeof(d)),
			       sz(x->now.swap, e, sizeof(e)), dsz(x->d_swap, f, sizeof(f)),
			       sz(x->now.huge, g, sizeof(g)), dsz(x->d_huge, h, sizeof(h)),
			       x->added ? "(new) " : x->removed ? "(gone) " : "",
			       *x->name ? x->name : x->removed ? "" : "[ anon ]");
		if (len > cols && tty)
			line[cols] = 0;	/* one line per region on a terminal */
		for (char *q = line; *q; q++)
			if (*q == '\n')
				*q = '?';
		puts(line);
		used++;
	}
	fflush(stdout);
}

static void print_exit(const struct vv_proc *p, const char *now, const char *why)
{
	if (json_output) {
		jw_start_obj();
		jw_u64("pid", p->pid);
		jw_str("time", now);
		jw_str("source", vv_src_names[p->use_src]);
		jw_bool("exited", true);
		jw_str("message", why);
		jw_end_obj();
		jw_done();
	} else {
		printf("%s%s: process %d exited (%s)\n", isatty(STDOUT_FILENO) ? "\n" : "", now,
		       p->pid, why);
		fflush(stdout);
	}
}

/* Sleep s seconds, or until a signal stops the watch. */
static void nap(double s)
{
	struct timespec t = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (!stop && nanosleep(&t, &t) && errno == EINTR)
		;
}

/* ---- the command ------------------------------------------------------------------------ */

static int watch_opts(int argc, char **argv, struct watch_opts *o)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "source", required_argument, NULL, 'S' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0];
	char *end;
	int c, rc;

	o->interval = 2;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT "n:c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			o->interval = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->interval >= 0.05) ||
			    o->interval > 86400) {
				p_usage(cmd, "invalid interval '%s': seconds, 0.05 to 86400", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (parse_uint(optarg, "count", &o->count))
				return EXIT_USAGE;
			if (!o->count) {
				p_usage(cmd, "invalid count '%s': at least 1", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'S':
			if (!strcmp(optarg, "smaps")) {
				o->use_smaps = true;
			} else if (strcmp(optarg, "module")) {
				p_usage(cmd, "unknown source '%s': expected module or smaps", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			rc = cmd_common(cmd, c, argv);
			if (rc >= 0)
				return rc;
		}
	}
	if (argc - optind != 1) {
		p_usage(cmd, optind >= argc ? "expected a PID" : "expected one PID");
		return EXIT_USAGE;
	}
	return parse_pid(argv[optind], &o->pid) ? EXIT_USAGE : -1;
}

static int do_watch(int argc, char **argv)
{
	struct watch_opts o = {};
	struct vv_opts vo = { .cmd = argv[0], .pages = VV_SRC_NONE };
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct vv_proc p = {};
	struct wreg *prev = NULL, *now_regs = NULL;
	struct wrow *rows = NULL;
	struct memuse last = {};
	bool tty = isatty(STDOUT_FILENO) && !json_output;
	size_t nprev = 0;
	uint64_t seq;
	char msg[512], now[40];
	int rc, err;
	long n;

	rc = watch_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	vo.use_smaps = o.use_smaps;
	err = vv_collect(&p, o.pid, &vo, msg, sizeof(msg));
	if (err) {
		p_error(err, "%s: %s", argv[0], msg);
		vv_free(&p);
		return EXIT_RUNTIME;
	}
	note_listing_source(argv[0], p.listing);
	json_pretty = false;	/* one line per refresh */
	stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = 0;
	for (seq = 1; !stop; seq++) {
		struct memuse dt = {};

		if (seq > 1) {
			err = vv_refresh(&p, &vo, msg, sizeof(msg));
			if (err) {
				if (!pid_exists(o.pid) || pid_is_zombie(o.pid) || err == -ESRCH) {
					print_exit(&p, vv_now(now, sizeof(now)), msg);
				} else {
					p_error(err, "%s: %s", argv[0], msg);
					rc = EXIT_RUNTIME;
				}
				break;
			}
			dt.rss = p.total.rss - last.rss;
			dt.dirty = p.total.dirty - last.dirty;
			dt.swap = p.total.swap - last.swap;
			dt.huge = p.total.huge - last.huge;
		}
		n = build_rows(&p, prev, nprev, seq == 1, &rows, &now_regs);
		if (n < 0) {
			p_error(ENOMEM, "%s: out of memory", argv[0]);
			rc = EXIT_RUNTIME;
			break;
		}
		vv_now(now, sizeof(now));
		if (json_output)
			json_refresh(&p, rows, n, seq, &dt, now, o.interval);
		else
			plain_refresh(&p, rows, n, seq, &dt, now, o.interval, tty);
		free(rows);
		free(prev);
		prev = now_regs;
		nprev = p.l->n;
		last = p.total;
		if (o.count && seq >= o.count)
			break;
		nap(o.interval);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	free(prev);
	vv_free(&p);
	return rc;
}

const struct cmd cmd_watch = {
	.name = "watch",
	.fn = do_watch,
	.usage = "watch [OPTIONS] PID [-n SECONDS]",
	.summary = "a live view of a process's regions and how they change, like top",
	.help = "  -n, --interval S   seconds between refreshes (default 2; decimals allowed)\n"
	        "  -c, --count N      stop after N refreshes\n"
	        "      --source S     memory use from S: module or smaps\n"
	        "  Regions sorted by change since the last refresh.  On a terminal the\n"
	        "  screen is redrawn; otherwise plain text blocks, and with -j one JSON\n"
	        "  line per refresh.  Ends on Ctrl-C, or when the process exits.\n"
	        "examples:\n"
	        "  vmscope watch 1234\n"
	        "  vmscope -j watch 1234 -n 0.5 | jq .total\n",
};
