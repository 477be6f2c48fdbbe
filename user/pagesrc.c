// SPDX-License-Identifier: GPL-2.0
/* The module or pagemap as the source of a process's pages (pagesrc.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "pagesrc.h"
#include "vmalist.h"

const char *const page_src_names[SRC_NR] = { "module", "pagemap" };

int page_src_parse(const char *cmd, const char *arg, int *source)
{
	for (*source = 0; *source < SRC_NR; (*source)++)
		if (!strcmp(arg, page_src_names[*source]))
			return 0;
	p_usage(cmd, "unknown source '%s': expected module or pagemap", arg);
	return -1;
}

/*
 * Whether the module refuses this process (another user's, and no
 * CAP_SYS_PTRACE): pagemap, which follows the ptrace rules, may not.
 */
static bool module_refuses(struct vmem *v, pid_t pid, uint64_t addr)
{
	struct vms_walk w = { .addr = addr };

	return vmem_walk(v, pid, &w, 1) == -EPERM;
}

static void pagemap_open_err(const struct page_src *s, const char *cmd, pid_t pid, int err)
{
	char also[300] = "";

	if (s->why[0])
		snprintf(also, sizeof(also), " (the module could not serve: %s)", s->why);
	if (err == -EACCES || err == -EPERM)
		p_error(err, "%s: permission denied: /proc/%d/pagemap is readable only by the "
			"process's owner while it is dumpable, or with CAP_SYS_PTRACE%s", cmd,
			pid, also);
	else if (err == -ESRCH || err == -EINVAL)
		memcmd_err(cmd, pid, err, 0, false);
	else
		p_error(err, "%s: /proc/%d/pagemap: %s%s", cmd, pid, strerror(-err), also);
}

int page_src_open(struct page_src *s, const char *cmd, pid_t pid, uint64_t probe_addr,
		  int source, unsigned int progs)
{
	int err = 0;

	progs |= VMEM_P_WALK;

	s->forced = source >= 0;
	if (source != SRC_PAGEMAP) {
		s->v = source == SRC_MODULE ? memcmd_open(cmd, progs) :
					       memcmd_try_open_err(progs, &err);
		if (!s->v && source == SRC_MODULE)
			return -1;
		if (s->v && source < 0 && module_refuses(s->v, pid, probe_addr)) {
			vmem_close(s->v);
			s->v = NULL;
			snprintf(s->why, sizeof(s->why), "the module refused (%s)",
				 memcmd_eperm_why(pid));
		} else if (s->v) {
			s->source = SRC_MODULE;
			return 0;
		} else {
			memcmd_why(err, s->why, sizeof(s->why));
		}
	}
	s->source = SRC_PAGEMAP;
	s->pm = pagemap_open(pid, &err);
	if (!s->pm) {
		pagemap_open_err(s, cmd, pid, err);
		return -1;
	}
	return 0;
}

void page_src_close(struct page_src *s)
{
	vmem_close(s->v);
	pagemap_close(s->pm);
	s->v = NULL;
	s->pm = NULL;
}

void page_src_note(const struct page_src *s, const char *cmd, pid_t pid)
{
	if (s->source == SRC_PAGEMAP && !s->forced)
		p_info("vmscope: %s: pages from /proc/%d/pagemap, without page-table levels: %s\n",
		       cmd, pid, s->why);
	else if (verbose)
		p_info("vmscope: %s: pages from %s\n", cmd, s->source == SRC_MODULE ?
		       "the module's page walk" : "/proc/PID/pagemap (--source pagemap)");
	if (s->source == SRC_PAGEMAP)
		note_listing_source(cmd, pagemap_listing(s->pm));
}

int page_src_walk(struct page_src *s, pid_t pid, struct vms_walk *w, uint64_t *pme, size_t n)
{
	if (s->source == SRC_MODULE) {
		memset(pme, 0, n * sizeof(*pme));
		return vmem_walk(s->v, pid, w, n);
	}
	return pagemap_walk(s->pm, w, pme, n);
}

int page_src_range(struct page_src *s, pid_t pid, uint64_t addr, uint64_t end,
		   const struct vms_range **h, const struct vms_prec **r, const uint64_t **pme)
{
	const struct vms_pdir *d;

	if (s->source == SRC_PAGEMAP)
		return pagemap_walk_range(s->pm, addr, end, h, r, pme);
	*pme = NULL;
	return vmem_walk_range(s->v, pid, addr, end, h, r, &d);
}
