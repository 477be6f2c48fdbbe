// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope maps: VMA listings from the task_vma iterators, as a table, as
 * /proc/PID/maps text, or with memory use per VMA (-x, like pmap -x).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmds.h"
#include "common.h"
#include "memcmd.h"
#include "memuse.h"
#include "vmalist.h"

struct maps_opts {
	bool all, text, extended;
	bool range;		/* -A LOW,HIGH: only VMAs that overlap [lo, hi] */
	uint64_t lo, hi;
	unsigned int src_flags;	/* --source: VMALIST_ONLY_BPF or _PROC */
	pid_t *pids;		/* positional PIDs, or --pid filters with --all */
	size_t npids;
	const char **comms;	/* --comm filters */
	size_t ncomms;
};

/* One process's VMAs: [first, first + n) of the listing. */
struct proc {
	pid_t pid;
	size_t first, n;
	int err;		/* it could not be listed: the errno */
	char msg[256];		/* and why */
	struct memuse *use;	/* -x: per VMA */
	struct memuse total;
	const char *use_source;	/* -x: "module" or "smaps" */
};

/*
 * The answer of a run: the listing l, cut into processes ps (each failed
 * one with its error); err and msg when nothing could be listed at all.
 */
struct maps_res {
	struct vma_bpf *obj;	/* the listing, and its source */
	struct vmalist l;
	struct proc *ps;
	size_t np, nfailed;
	int err;
	char msg[1024];
};

/* ---- memory use (-x) ----------------------------------------------------------- */

/*
 * Memory use of each VMA of p: from the module's walk when it can show
 * page state, else from smaps (and the total from smaps_rollup).
 */
static int proc_memuse(struct vmem *v, const struct vmalist *l, struct proc *p, bool part)
{
	struct memuse_vma *sm = NULL;
	size_t i, j = 0;
	int n, err;

	p->use = calloc(p->n ? p->n : 1, sizeof(*p->use));
	if (!p->use)
		return -ENOMEM;
	memset(&p->total, 0, sizeof(p->total));
	if (v) {
		/* Not the gate VMA: no page tables of the process. */
		for (i = 0; i < p->n && l->v[p->first + i].start < VMS_VSYSCALL_START; i++)
			;
		err = memuse_walk(v, p->pid, &l->v[p->first], i, p->use);
		for (i = 0; !err && i < p->n; i++)
			memuse_add(&p->total, &p->use[i]);
		if (!err) {
			p->use_source = "module";
			return 0;
		}
		memset(p->use, 0, p->n * sizeof(*p->use));
		memset(&p->total, 0, sizeof(p->total));
	}
	n = smaps_read(p->pid, &sm);
	if (n < 0)
		return n;
	/* Both lists are sorted by address: match them up. */
	for (i = 0; i < p->n; i++) {
		const struct vms_vma *r = &l->v[p->first + i];

		while (j < (size_t)n && sm[j].start < r->start)
			j++;
		if (j < (size_t)n && sm[j].start == r->start)
			p->use[i] = sm[j].use;
	}
	free(sm);
	/* smaps_rollup covers every VMA: not with -A */
	err = part ? -EINVAL : smaps_rollup(p->pid, &p->total);
	if (err)
		for (i = 0; i < p->n; i++)
			memuse_add(&p->total, &p->use[i]);
	p->use_source = "smaps";
	return 0;
}

/* ---- output -------------------------------------------------------------------- */

static void json_use(const struct memuse *m)
{
	jw_u64("rss_kb", m->rss >> 10);
	jw_u64("pss_kb", memuse_pss_kb(m));
	jw_u64("dirty_kb", m->dirty >> 10);
	jw_u64("swap_kb", m->swap >> 10);
	jw_u64("anon_kb", m->anon >> 10);
}

static void print_json(const struct vmalist *l, const struct proc *ps, size_t np,
		       const struct maps_opts *o, const struct vma_bpf *obj)
{
	char cmd[4096];
	size_t i, k;

	jw_start_arr();
	for (k = 0; k < np; k++) {
		const struct proc *p = &ps[k];

		jw_start_obj();
		jw_u64("pid", p->pid);
		if (p->err) {
			jw_str("error", p->msg);
			jw_i64("errno", p->err);
			jw_end_obj();
			continue;
		}
		jw_str("comm", p->n ? vma_comm_of(l, &l->v[p->first]) : "");
		jw_str("command", pid_cmdline(p->pid, cmd, sizeof(cmd)));
		jw_listing_source(obj);
		if (o->extended)
			jw_str("use_source", p->use_source);
		jw_key("vmas");
		jw_start_arr();
		for (i = 0; i < p->n; i++) {
			jw_start_obj();
			jw_vma(&l->v[p->first + i], vma_name_of(l, &l->v[p->first + i]));
			if (o->extended)
				json_use(&p->use[i]);
			jw_end_obj();
		}
		jw_end_arr();
		{
			uint64_t size = 0;

			for (i = 0; i < p->n; i++)
				size += l->v[p->first + i].end - l->v[p->first + i].start;
			/* Without -x, the size only (as the table's total line). */
			jw_key("total");
			jw_start_obj();
			jw_u64("size_kb", size >> 10);
			if (o->extended)
				json_use(&p->total);
			jw_end_obj();
		}
		jw_end_obj();
	}
	jw_end_arr();
	jw_done();
}

/* Column widths, sized from the rows first. */
struct widths {
	int pid, comm, addr, off, dev, ino, size;
};

static int imax(int a, int b)
{
	return a > b ? a : b;
}

static void measure(const struct vmalist *l, size_t first, size_t n, struct widths *w)
{
	char buf[64];
	size_t i;

	for (i = first; i < first + n; i++) {
		const struct vms_vma *r = &l->v[i];
		int x;

		/* The widths of table_row()'s cells, without formatting them. */
		x = dec_digits(r->pid);
		w->pid = x > w->pid ? x : w->pid;
		x = strlen(vma_comm_of(l, r));
		w->comm = x > w->comm ? x : w->comm;
		x = imax(hex_digits(r->start), 8) + 1 + imax(hex_digits(r->end), 8);
		w->addr = x > w->addr ? x : w->addr;
		x = imax(hex_digits(r->pgoff), 8);
		w->off = x > w->off ? x : w->off;
		x = imax(hex_digits(r->dev >> 20), 2) + 1 + imax(hex_digits(r->dev & 0xfffff), 2);
		w->dev = x > w->dev ? x : w->dev;
		x = dec_digits(r->ino);
		w->ino = x > w->ino ? x : w->ino;
		x = strlen(fmt_size(r->end - r->start, buf, sizeof(buf)));
		w->size = x > w->size ? x : w->size;
	}
}

static void table_row(const struct vmalist *l, const struct vms_vma *r, const struct widths *w,
		       bool all)
{
	char buf[64], dev[24], perms[5], line[256], *q = line, *d;

	vm_flags_perms(r->vm_flags, perms);
	/* By hand, not printf: a process can have 10,000s of rows.  Each cell
	 * is at most 20 characters beyond its width (widths() sized them), a
	 * pid at most 10 and a comm at most 63 (vmalist.c). */
	if (all) {
		q = cell_udec(q, (unsigned int)r->pid, w->pid);
		*q++ = ' ';
		q = cell_str(q, vma_comm_of(l, r), w->comm, true);
		*q++ = ' ';
	}
	d = cell_hex(q, r->start, 8);
	*d++ = '-';
	d = cell_hex(d, r->end, 8);
	while (d - q < w->addr)
		*d++ = ' ';
	q = d;
	*q++ = ' ';
	q = cell_str(q, perms, 5, true);
	*q++ = ' ';
	q = cell_hex(q, r->pgoff, w->off);
	*q++ = ' ';
	d = cell_hex(dev, r->dev >> 20, 2);
	*d++ = ':';
	*cell_hex(d, r->dev & 0xfffff, 2) = 0;
	q = cell_str(q, dev, w->dev, true);
	*q++ = ' ';
	q = cell_udec(q, r->ino, w->ino);
	*q++ = ' ';
	q = cell_str(q, fmt_size(r->end - r->start, buf, sizeof(buf)), w->size, false);
	*q++ = ' ';
	fwrite(line, 1, q - line, stdout);
	fput_name(stdout, vma_name_of(l, r));
	if (r->rflags & VMS_R_NAME_TRUNC)
		fputs(" (name longer than PATH_MAX)", stdout);
	putchar('\n');
}

/* The sum of the sizes of n VMAs from first, in kB, as "2924K". */
static const char *total_kb(const struct vmalist *l, size_t first, size_t n, char *buf,
			    size_t sz)
{
	uint64_t size = 0;
	size_t i;

	for (i = first; i < first + n; i++)
		size += l->v[i].end - l->v[i].start;
	snprintf(buf, sz, "%lluK", (unsigned long long)(size >> 10));
	return buf;
}

/* pmap's last line: "total", the sum of the SIZE column in kB. */
static void total_row(const struct widths *w, bool all, const char *kb)
{
	int lead = w->addr + 1 + 5 + 1 + w->off + 1 + w->dev + 1 + w->ino;

	if (all)
		lead += w->pid + 1 + w->comm + 1;
	printf("%-*s %*s\n", lead, "total", w->size, kb);
}

static void print_table(const struct vmalist *l, const struct proc *ps, size_t np, bool all)
{
	struct widths w = { 3, 4, 7, 6, 3, 5, 4 };
	char cmd[4096], kb[32];
	size_t i, k, nall = 0;
	int x;

	for (k = 0; k < np; k++) {
		measure(l, ps[k].first, ps[k].n, &w);
		x = strlen(total_kb(l, ps[k].first, ps[k].n, kb, sizeof(kb)));
		w.size = x > w.size ? x : w.size;
		nall += ps[k].n;
	}
	if (all) {
		/* --all: one table, one total (the processes are in one run of l) */
		x = strlen(total_kb(l, np ? ps[0].first : 0, nall, kb, sizeof(kb)));
		w.size = x > w.size ? x : w.size;
		printf("%*s %-*s %-*s %-5s %-*s %-*s %*s %*s %s\n", w.pid, "PID", w.comm, "COMM",
		       w.addr, "ADDRESS", "PERMS", w.off, "OFFSET", w.dev, "DEV", w.ino, "INODE",
		       w.size, "SIZE", "NAME");
		for (k = 0; k < np; k++)
			for (i = 0; i < ps[k].n; i++)
				table_row(l, &l->v[ps[k].first + i], &w, true);
		total_row(&w, true, total_kb(l, np ? ps[0].first : 0, nall, kb, sizeof(kb)));
		return;
	}
	for (k = 0; k < np; k++) {
		if (ps[k].err)
			continue;
		printf("%s%d:   %s\n", k ? "\n" : "", ps[k].pid,
		       pid_cmdline(ps[k].pid, cmd, sizeof(cmd)));
		printf("%-*s %-5s %-*s %-*s %*s %*s %s\n", w.addr, "ADDRESS", "PERMS", w.off,
		       "OFFSET", w.dev, "DEV", w.ino, "INODE", w.size, "SIZE", "NAME");
		for (i = 0; i < ps[k].n; i++)
			table_row(l, &l->v[ps[k].first + i], &w, false);
		total_row(&w, false, total_kb(l, ps[k].first, ps[k].n, kb, sizeof(kb)));
	}
}

/* pmap -x's layout, with PSS, swap and anonymous columns. */
static void print_extended(const struct vmalist *l, const struct proc *ps, size_t np)
{
	char cmd[4096], perms[5];
	size_t i, k;

	for (k = 0; k < np; k++) {
		const struct proc *p = &ps[k];
		uint64_t size = 0;

		if (p->err)
			continue;
		printf("%s%d:   %s\n", k ? "\n" : "", p->pid, pid_cmdline(p->pid, cmd, sizeof(cmd)));
		printf("%-16s %8s %8s %8s %8s %8s %8s %-5s %s\n", "Address", "Kbytes", "RSS", "PSS",
		       "Dirty", "Swap", "Anon", "Mode", "Mapping");
		for (i = 0; i < p->n; i++) {
			const struct vms_vma *r = &l->v[p->first + i];
			const struct memuse *m = &p->use[i];

			const uint64_t kb[] = { (r->end - r->start) >> 10, m->rss >> 10,
						memuse_pss_kb(m), m->dirty >> 10, m->swap >> 10,
						m->anon >> 10 };
			char line[192], *q;
			size_t c;

			vm_flags_perms(r->vm_flags, perms);
			size += r->end - r->start;
			/* "%016llx %8llu ... %-5s ", by hand (10,000s of rows) */
			q = cell_hex(line, r->start, 16);
			for (c = 0; c < sizeof(kb) / sizeof(kb[0]); c++) {
				*q++ = ' ';
				q = cell_udec(q, kb[c], 8);
			}
			*q++ = ' ';
			q = cell_str(q, perms, 5, true);
			*q++ = ' ';
			fwrite(line, 1, q - line, stdout);
			fput_name(stdout, *vma_name_of(l, r) ? vma_name_of(l, r) : "[ anon ]");
			putchar('\n');
		}
		printf("---------------- -------- -------- -------- -------- -------- --------\n");
		printf("%-16s %8llu %8llu %8llu %8llu %8llu %8llu\n", "total kB",
		       (unsigned long long)(size >> 10), (unsigned long long)(p->total.rss >> 10),
		       (unsigned long long)memuse_pss_kb(&p->total),
		       (unsigned long long)(p->total.dirty >> 10),
		       (unsigned long long)(p->total.swap >> 10),
		       (unsigned long long)(p->total.anon >> 10));
	}
}

static void print_maps(const struct vmalist *l, const struct proc *ps, size_t np, bool all)
{
	char line[4 * VMS_NAME_MAX + 128];
	bool many = np > 1 || all;
	size_t i, k;

	for (k = 0; k < np; k++) {
		if (ps[k].err)
			continue;
		/* Several processes: head(1)'s separators, so each block is exact. */
		if (many)
			printf("%s==> /proc/%d/maps <==\n", k ? "\n" : "", ps[k].pid);
		for (i = 0; i < ps[k].n; i++)
			if (vma_format_maps(l, &l->v[ps[k].first + i], line, sizeof(line)) >= 0)
				puts(line);
	}
}

/* ---- the command ----------------------------------------------------------------- */

/* -A LOW,HIGH as pmap: the VMAs with an address in [lo, hi], ends included. */
static bool in_range(const struct vms_vma *r, const struct maps_opts *o)
{
	return !o->range || (r->end > o->lo && r->start <= o->hi);
}

/* Keep the VMAs in range of [first, l->n), the tail of the listing. */
static size_t keep_in_range(struct vmalist *l, size_t first, const struct maps_opts *o)
{
	size_t i, keep = first;

	for (i = first; i < l->n; i++)
		if (in_range(&l->v[i], o))
			l->v[keep++] = l->v[i];
	l->n = keep;
	return keep - first;
}

static bool wanted(const struct vmalist *l, const struct vms_vma *r, const struct maps_opts *o)
{
	size_t i;

	if (!in_range(r, o))
		return false;
	if (!o->npids && !o->ncomms)
		return true;
	for (i = 0; i < o->npids; i++)
		if ((pid_t)r->pid == o->pids[i])
			return true;
	for (i = 0; i < o->ncomms; i++)
		if (!strcmp(vma_comm_of(l, r), o->comms[i]))
			return true;
	return false;
}

/* Group the listing of every process into procs, keeping only the wanted ones. */
static int group_all(struct vmalist *l, const struct maps_opts *o, struct proc **out,
		     size_t *np)
{
	struct proc *ps = NULL;
	size_t i, n = 0, cap = 0, keep = 0;

	for (i = 0; i < l->n; i++) {
		if (!wanted(l, &l->v[i], o))
			continue;
		l->v[keep++] = l->v[i];
	}
	l->n = keep;
	for (i = 0; i < l->n; i++) {
		if (n && ps[n - 1].pid == (pid_t)l->v[i].pid) {
			ps[n - 1].n++;
			continue;
		}
		if (n == cap) {
			struct proc *p;

			cap = cap ? cap * 2 : 64;
			p = realloc(ps, cap * sizeof(*p));
			if (!p) {
				free(ps);
				return -ENOMEM;
			}
			ps = p;
		}
		memset(&ps[n], 0, sizeof(ps[n]));
		ps[n].pid = l->v[i].pid;
		ps[n].first = i;
		ps[n].n = 1;
		n++;
	}
	*out = ps;
	*np = n;
	return 0;
}

/* One end of -A: hex, with or without 0x, any 64-bit value; "" is dflt. */
static int range_end(const char *cmd, const char *arg, const char *s, size_t len, uint64_t dflt,
		     uint64_t *v)
{
	char buf[24], *end;
	const char *p;

	if (!len) {
		*v = dflt;
		return 0;
	}
	if (len >= sizeof(buf))
		goto bad;
	memcpy(buf, s, len);
	buf[len] = 0;
	p = buf + (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X') ? 2 : 0);
	if (!*p || strspn(p, "0123456789abcdefABCDEF") != strlen(p) || strlen(p) > 16)
		goto bad;
	*v = strtoull(p, &end, 16);
	return 0;
bad:
	p_usage(cmd, "invalid range '%s': expected LOW,HIGH in hex (either may be left out)",
		arg);
	return -EINVAL;
}

/*
 * -A LOW,HIGH as pmap -A: LOW alone is LOW,LOW (the VMA holding LOW);
 * ",HIGH" starts at 0, "LOW," ends at the top.
 */
static int parse_range(const char *cmd, const char *s, struct maps_opts *o)
{
	const char *comma = strchr(s, ',');
	size_t n1 = comma ? (size_t)(comma - s) : strlen(s);

	if (!*s) {
		p_usage(cmd, "invalid range '': expected LOW,HIGH in hex (either may be left out)");
		return -EINVAL;
	}
	if (range_end(cmd, s, s, n1, 0, &o->lo) ||
	    range_end(cmd, s, comma ? comma + 1 : s, comma ? strlen(comma + 1) : n1,
		      comma ? UINT64_MAX : 0, &o->hi))
		return -EINVAL;
	if (o->lo > o->hi) {
		p_usage(cmd, "invalid range '%s': LOW is above HIGH", s);
		return -EINVAL;
	}
	o->range = true;
	return 0;
}

static int maps_opts(int argc, char **argv, struct maps_opts *o)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "maps", no_argument, NULL, 'm' },
		{ "extended", no_argument, NULL, 'x' },
		{ "pid", required_argument, NULL, 'P' },
		{ "comm", required_argument, NULL, 'C' },
		{ "source", required_argument, NULL, 'S' },
		{ "range", required_argument, NULL, 'A' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0];
	int c, rc, i;

	o->pids = calloc(argc + 1, sizeof(*o->pids));
	o->comms = calloc(argc + 1, sizeof(*o->comms));
	if (!o->pids || !o->comms) {
		p_error(ENOMEM, "%s: out of memory", cmd);
		return EXIT_RUNTIME;
	}
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT "amxA:", longopts, NULL)) != -1) {
		switch (c) {
		case 'A':
			if (parse_range(cmd, optarg, o))
				return EXIT_USAGE;
			break;
		case 'a':
			o->all = true;
			break;
		case 'm':
			o->text = true;
			break;
		case 'x':
			o->extended = true;
			break;
		case 'P':
			if (parse_pid(optarg, &o->pids[o->npids]))
				return EXIT_USAGE;
			o->npids++;
			break;
		case 'C':
			o->comms[o->ncomms++] = optarg;
			break;
		case 'S':
			if (parse_listing_source(cmd, optarg, &o->src_flags))
				return EXIT_USAGE;
			break;
		default:
			rc = cmd_common(cmd, c, argv);
			if (rc >= 0)
				return rc;
		}
	}
	if (o->text && o->extended) {
		p_usage(cmd, "--maps and -x are two different outputs: give one");
		return EXIT_USAGE;
	}
	if ((o->npids || o->ncomms) && !o->all) {
		p_usage(cmd, "--pid and --comm filter --all; to list given processes, name them "
			"as arguments");
		return EXIT_USAGE;
	}
	if (o->all && optind < argc) {
		p_usage(cmd, "give PIDs or --all, not both ('%s')", argv[optind]);
		return EXIT_USAGE;
	}
	if (!o->all && optind >= argc) {
		p_usage(cmd, "expected a PID or --all");
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		if (parse_pid(argv[i], &o->pids[o->npids]))
			return EXIT_USAGE;
		o->npids++;
	}
	return -1;
}

/*
 * Load the listing and, with --all, list and group every process; else
 * make room for the given ones.  Returns -1 with r->err and r->msg when
 * nothing can be listed (said by the caller: as the JSON document too).
 */
static int maps_list(const struct maps_opts *o, const char *cmd, struct maps_res *r)
{
	int err;

	r->obj = vmalist_open(VMALIST_RECORDS | (o->all ? VMALIST_ALL : 0) | o->src_flags, &err);
	if (!r->obj) {
		r->err = err;
		snprintf(r->msg, sizeof(r->msg), "%s: cannot load the VMA iterator: %s", cmd,
			 bpf_err_hint(err));
		return -1;
	}
	note_listing_source(cmd, r->obj);
	if (!o->all) {
		r->ps = calloc(o->npids, sizeof(*r->ps));
		if (!r->ps) {
			r->err = ENOMEM;
			snprintf(r->msg, sizeof(r->msg), "%s: out of memory", cmd);
			return -1;
		}
		r->np = o->npids;
		return 0;
	}
	err = vmalist_collect(r->obj, 0, &r->l);
	if (!err)
		err = group_all(&r->l, o, &r->ps, &r->np);
	if (err) {
		r->err = err;
		snprintf(r->msg, sizeof(r->msg), "%s: listing every process: %s", cmd,
			 strerror(-err));
		return -1;
	}
	if (vmalist_source(r->obj) == VMALIST_SRC_PROC && vmalist_proc_skipped())
		p_info("vmscope: %s: %zu processes' maps could not be read by this user "
		       "(not listed)\n", cmd, vmalist_proc_skipped());
	if (!r->np && (o->npids || o->ncomms) && !o->range) {
		r->err = ESRCH;
		snprintf(r->msg, sizeof(r->msg), "%s: no process matches --pid/--comm", cmd);
		return -1;
	}
	return 0;
}

/*
 * The VMAs of each given process and, with -x, the memory use of each
 * process; a process that fails keeps its error (said on stderr) and the
 * others go on.
 */
static void maps_run(const struct maps_opts *o, const char *cmd, struct maps_res *r)
{
	struct vmem *v = NULL;
	struct proc *ps = r->ps;
	size_t k;
	int err;

	for (k = 0; k < r->np && !o->all; k++) {
		ps[k].pid = o->pids[k];
		ps[k].first = r->l.n;
		err = vmalist_collect(r->obj, o->pids[k], &r->l);
		ps[k].n = r->l.n - ps[k].first;
		if (!err && ps[k].n)
			ps[k].n = keep_in_range(&r->l, ps[k].first, o);	/* none is an answer */
		else if (err) {
			ps[k].err = -err;
			snprintf(ps[k].msg, sizeof(ps[k].msg), "process %d: %s", o->pids[k],
				 strerror(-err));
		} else if (!ps[k].n) {
			/* No VMA at all is never an empty answer: say why. */
			ps[k].err = pid_no_vmas(o->pids[k], ps[k].msg, sizeof(ps[k].msg));
		}
		if (ps[k].err)
			p_error(ps[k].err, "%s", ps[k].msg);
	}
	if (o->extended) {
		v = memcmd_try_open(VMEM_P_RANGE);	/* proc_memuse() */
		for (k = 0; k < r->np; k++) {
			if (ps[k].err)
				continue;
			err = proc_memuse(v, &r->l, &ps[k], o->range);
			if (err) {
				ps[k].err = -err;
				snprintf(ps[k].msg, sizeof(ps[k].msg), "memory use of process %d: %s "
					 "(smaps needs the same user or root, the module CAP_SYS_ADMIN)",
					 ps[k].pid, strerror(-err));
				p_error(err, "%s: %s", cmd, ps[k].msg);
			}
		}
	}
	vmem_close(v);
	for (k = 0; k < r->np; k++)
		if (ps[k].err)
			r->nfailed++;
}

static void maps_print(const struct maps_opts *o, const struct maps_res *r)
{
	if (json_output)
		print_json(&r->l, r->ps, r->np, o, r->obj);
	else if (o->text)
		print_maps(&r->l, r->ps, r->np, o->all);
	else if (o->extended)
		print_extended(&r->l, r->ps, r->np);
	else
		print_table(&r->l, r->ps, r->np, o->all);
}

static void maps_res_free(struct maps_res *r)
{
	size_t k;

	for (k = 0; k < r->np && r->ps; k++)
		free(r->ps[k].use);
	free(r->ps);
	vmalist_free(&r->l);
	vmalist_close(r->obj);
}

static int do_maps(int argc, char **argv)
{
	struct maps_opts o = {};
	struct maps_res r = {};
	int rc;

	rc = maps_opts(argc, argv, &o);
	if (rc >= 0)
		goto out;
	rc = EXIT_RUNTIME;
	if (maps_list(&o, argv[0], &r)) {
		p_error(r.err, "%s", r.msg);
		goto out;
	}
	/* From here on, failures of single processes go into the one document. */
	jw_reserve(true);
	maps_run(&o, argv[0], &r);
	if (r.np && r.nfailed == r.np) {
		/* Nothing to show: the error is the document. */
		if (json_output)
			jw_error(r.ps[0].msg, r.ps[0].err);
		goto out;
	}
	maps_print(&o, &r);
	rc = r.nfailed ? EXIT_RUNTIME : 0;
out:
	jw_reserve(false);
	maps_res_free(&r);
	free(o.pids);
	free(o.comms);
	return rc;
}

const struct cmd cmd_maps = {
	.name = "maps",
	.fn = do_maps,
	.usage = "maps [OPTIONS] PID...\n"
	         "maps --all [--pid PID]... [--comm NAME]... [OPTIONS]",
	.summary = "the VMAs of processes: a table with sizes, /proc/PID/maps text, or memory use",
	.help = "  -a, --all          every process, in one iterator pass\n"
	        "      --pid PID      with --all: only this process (repeatable)\n"
	        "      --comm NAME    with --all: only processes named NAME (repeatable)\n"
	        "  -m, --maps         exactly /proc/PID/maps; with several processes or --all,\n"
	        "                     a line \"==> /proc/PID/maps <==\" before each\n"
	        "  -x, --extended     memory use per VMA, like pmap -x: RSS, PSS, dirty, swap\n"
	        "                     and anonymous kB, and a total; from the module's page\n"
	        "                     walk when it is loaded, else from /proc/PID/smaps\n"
	        "  -A, --range LOW,HIGH  only the VMAs that overlap LOW..HIGH (hex), as\n"
	        "                     pmap -A: LOW, to the top, ,HIGH from 0, LOW alone\n"
	        "                     the VMA holding LOW\n"
	        "      --source S     the list from S only: bpf (the iterators) or proc\n"
	        "                     (/proc/PID/maps text); by default BPF, and the text\n"
	        "                     when no BPF listing loads (said on stderr)\n"
	        "examples:\n"
	        "  vmscope maps 1234\n"
	        "  vmscope maps -x 1234\n"
	        "  vmscope maps -A 7f0000000000, 1234\n"
	        "  vmscope maps --maps 1234 | diff - /proc/1234/maps\n"
	        "  vmscope maps --all --comm sshd\n",
};

const struct cmd cmd_listvma = {
	.name = "listvma",
	.fn = do_maps,
	.usage = "listvma [OPTIONS] PID...",
	.summary = "lab alias of maps",
	.alias_of = "maps",
};
