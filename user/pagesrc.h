/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the pages of a process come from, for every command that walks
 * them (page, explain, thp): the module's page walk, or /proc/PID/pagemap
 * with /proc/kpageflags where the module cannot serve (not loaded, another
 * ABI, or refusing another user's process).  The source is chosen once per
 * run, a fallback is said on stderr, and --source forces one.
 */
#ifndef VMSCOPE_PAGESRC_H
#define VMSCOPE_PAGESRC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "memcmd.h"
#include "pagemap.h"

enum page_source { SRC_MODULE, SRC_PAGEMAP, SRC_NR };
extern const char *const page_src_names[SRC_NR];

/* The source of a run, open. */
struct page_src {
	enum page_source source;
	bool forced;
	char why[256];		/* why the module did not serve, when it was tried */
	struct vmem *v;
	struct pagemap *pm;
};

/* --source S into *source; prints the usage error and returns -1 if unknown. */
int page_src_parse(const char *cmd, const char *arg, int *source);
/*
 * The module when it is loaded and serves pid (probed with a walk of
 * probe_addr), else pagemap; source (-1: either) forces one.  The module's
 * programs progs (VMEM_P_*) are loaded, with walk, which the probe and
 * page_src_walk() use; page_src_range() needs VMEM_P_RANGE in progs
 * (without it the module's range walk returns -ENOSYS).  Prints why
 * nothing could be opened and returns -1.
 */
int page_src_open(struct page_src *s, const char *cmd, pid_t pid, uint64_t probe_addr,
		  int source, unsigned int progs);
void page_src_close(struct page_src *s);
/* Where the pages come from, on stderr: always when pagemap stands in. */
void page_src_note(const struct page_src *s, const char *cmd, pid_t pid);

/* Walk n addresses (w[i].addr set); pme[i]: pagemap's entry (0: the module). */
int page_src_walk(struct page_src *s, pid_t pid, struct vms_walk *w, uint64_t *pme, size_t n);
/* One range run from addr, as vmem_walk_range(); *pme is NULL for the module. */
int page_src_range(struct page_src *s, pid_t pid, uint64_t addr, uint64_t end,
		   const struct vms_range **h, const struct vms_prec **r, const uint64_t **pme);

#endif /* VMSCOPE_PAGESRC_H */
