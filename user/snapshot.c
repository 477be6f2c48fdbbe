// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope snapshot PID [-o FILE]: the VMA listing plus every VMA's page
 * runs, as one JSON document ("format": "vmscope-snapshot", docs/json.md),
 * for vmscope diff and map --diff.  Written VMA by VMA as the walk goes,
 * so memory stays bounded by the largest VMA's runs; to a file through a
 * temporary name, renamed only when complete.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmds.h"
#include "common.h"
#include "snapshot.h"
#include "view.h"

struct snapshot_opts {
	pid_t pid;
	const char *out;	/* -o FILE, or NULL: stdout */
	int source;		/* --source: VV_SRC_MODULE, _PAGEMAP, or -1 */
};

int parse_pages_source(const char *cmd, const char *arg, int *source)
{
	if (!strcmp(arg, "module"))
		*source = VV_SRC_MODULE;
	else if (!strcmp(arg, "pagemap"))
		*source = VV_SRC_PAGEMAP;
	else {
		p_usage(cmd, "unknown source '%s': expected module or pagemap", arg);
		return -EINVAL;
	}
	return 0;
}

void snap_json_runs(const struct vv_run *r, size_t n)
{
	size_t i;
	int b;

	jw_key("runs");
	jw_start_arr();
	for (i = 0; i < n; i++) {
		jw_start_arr();
		jw_u64(NULL, r[i].pages);
		jw_str(NULL, vv_state_names[r[i].state]);
		jw_start_arr();
		for (b = 0; b < VV_NFLAGS; b++)
			if (r[i].flags & (1u << b))
				jw_str(NULL, vv_flag_names[b]);
		jw_end_arr();
		jw_end_arr();
	}
	jw_end_arr();
}

void snap_json_header(const struct vv_proc *p, const char *format)
{
	char now[32];

	jw_str("format", format);
	jw_u64("format_version", SNAPSHOT_FORMAT_VERSION);
	jw_u64("pid", p->pid);
	jw_str("command", p->command);
	jw_str("time", vv_now(now, sizeof(now)));
	jw_str("kernel", vv_kernel());
	jw_str("vmscope", VMSCOPE_VERSION);
	vv_json_sources(p);
	jw_u64("page_size", 4096);
	jw_bool("dirty_known", p->dirty_known);
	jw_bool("shared_known", p->shared_known);
	jw_bool("page_state_hidden", p->state_hidden);
}

struct snap_ctx {
	FILE *f;		/* where the document goes */
	bool open;		/* it has been started */
};

/* After each VMA's walk: the header before the first, then the VMA. */
static int write_vma(struct vv_proc *p, size_t i, void *arg)
{
	struct snap_ctx *c = arg;
	const struct vms_vma *r = &p->l->v[i];

	if (!c->open) {
		c->open = true;
		jw_start_obj();
		snap_json_header(p, "vmscope-snapshot");
		jw_key("vmas");
		jw_start_arr();
	}
	jw_start_obj();
	jw_vma(r, vma_name_of(p->l, r));
	jw_str("summary_kind", vv_kind_names[p->v[i].kind]);
	vv_json_use(&p->v[i].use, ~0ull);
	snap_json_runs(p->runs + p->v[i].run0, p->v[i].nruns);
	jw_end_obj();
	return ferror(c->f) ? -EIO : 0;
}

static int snapshot_opts(int argc, char **argv, struct snapshot_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "source", required_argument, NULL, 'S' },
		COMMON_LONG,
		{}
	};
	const char *cmd = argv[0];
	int c, rc;

	o->source = -1;
	while ((c = cmd_getopt_long(argc, argv, COMMON_SHORT "o:", longopts, NULL)) != -1) {
		if (c == 'o') {
			o->out = strcmp(optarg, "-") ? optarg : NULL;
			continue;
		}
		if (c == 'S') {
			if (parse_pages_source(cmd, optarg, &o->source))
				return EXIT_USAGE;
			continue;
		}
		rc = cmd_common(cmd, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (optind != argc - 1) {
		p_usage(cmd, optind >= argc ? "expected a PID" : "expected one PID");
		return EXIT_USAGE;
	}
	if (parse_pid(argv[optind], &o->pid))
		return EXIT_USAGE;
	return -1;
}

static int do_snapshot(int argc, char **argv)
{
	struct snapshot_opts o = {};
	struct snap_ctx ctx = { .f = stdout };
	struct vv_opts vo = { .cmd = argv[0], .each = write_vma, .arg = &ctx };
	struct vv_proc p = {};
	char msg[512], tmp[4096] = "";
	bool pretty = json_pretty;
	FILE *f = NULL;
	int rc, err;

	rc = snapshot_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = EXIT_RUNTIME;
	vo.pages = o.source;
	if (o.out) {
		snprintf(tmp, sizeof(tmp), "%s.tmp.%d", o.out, getpid());
		f = fopen(tmp, "we");
		if (!f) {
			p_error(errno, "%s: %s: %s", argv[0], tmp, strerror(errno));
			return rc;
		}
		jw_stream(f);
		ctx.f = f;
		json_pretty = false;
	} else {
		jw_reserve(true);
	}
	err = vv_collect(&p, o.pid, &vo, msg, sizeof(msg));
	if (ctx.open) {
		/* A walk cut short still ends its document, saying why. */
		jw_end_arr();
		jw_key("total");
		jw_start_obj();
		jw_u64("vmas", p.l ? p.l->n : 0);
		vv_json_use(&p.total, p.size);
		jw_u64("pages", p.pages);
		jw_end_obj();
		if (err) {
			jw_str("error", msg);
			jw_i64("errno", -err);
		}
		jw_end_obj();
		jw_done();
	}
	if (f) {
		json_pretty = pretty;
		jw_stream(stdout);
		if (fclose(f) && !err)
			err = -errno;
		if (!err && rename(tmp, o.out))
			err = -errno;
		if (err)
			unlink(tmp);
	}
	jw_reserve(false);
	if (err) {
		p_error(err, "%s: %s", argv[0], err == -EIO || err == -ENOSPC ? strerror(-err) : msg);
		goto out;
	}
	note_listing_source(argv[0], p.listing);
	rc = 0;
	if (!o.out)
		goto out;
	if (json_output) {
		jw_start_obj();
		jw_str("file", o.out);
		jw_u64("pid", p.pid);
		vv_json_sources(&p);
		jw_u64("vmas", p.l->n);
		jw_u64("pages", p.pages);
		jw_end_obj();
		jw_done();
	} else {
		printf("%s: process %d, %zu VMAs, %llu pages, pages from %s\n", o.out, p.pid, p.l->n,
		       (unsigned long long)p.pages, vv_src_names[p.pages_src]);
	}
out:
	vv_free(&p);
	return rc;
}

const struct cmd cmd_snapshot = {
	.name = "snapshot",
	.fn = do_snapshot,
	.usage = "snapshot [OPTIONS] PID [-o FILE]",
	.summary = "the VMAs and every page run of a process, as a versioned JSON file",
	.help = "  -o, --output FILE  write it there (default: standard output)\n"
	        "      --source S     pages from S: module or pagemap\n"
	        "examples:\n"
	        "  vmscope snapshot 1234 -o before.json\n",
};
