/* SPDX-License-Identifier: GPL-2.0 */
/* Two snapshots compared (diff.c): for diff and map --diff. */
#ifndef VMSCOPE_DIFF_H
#define VMSCOPE_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include "view.h"

/* What happened to a region. */
enum d_change { D_SAME, D_GROWN, D_SHRUNK, D_ADDED, D_REMOVED, D_NCHANGES };
extern const char *const d_change_names[D_NCHANGES];

/* Pages that became ... between A and B. */
enum d_count { DC_RESIDENT, DC_RELEASED, DC_DIRTIED, DC_SWAPPED, DC_HUGE, DC_UNSHARED, DC_N };
extern const char *const d_count_names[DC_N];

/* One page class of map --diff: the change that matters most for a page. */
enum d_class {
	DK_EMPTY, DK_SAME, DK_RESIDENT, DK_RELEASED, DK_DIRTIED, DK_SWAPPED, DK_HUGE,
	DK_UNSHARED, DK_GONE, DK_N,
};

/* A snapshot's header. */
struct snap_info {
	const char *path;
	long format_version;
	uint64_t pid;
	char time[40], kernel[80], source[16], use_source[16], listing[16];
	bool dirty_known, shared_known;
};

struct d_region {
	enum d_change change;
	uint64_t start, end;		/* B's range (A's when removed) */
	uint64_t a_start, a_end;	/* A's range (0, 0 when added) */
	const char *name;
	char perms[5];
	const char *kind;		/* summary kind */
	uint64_t rss_a_kb, rss_b_kb;
	uint64_t pages[DC_N];
	uint64_t bytes;			/* how much changed, to sort by */
};

/* Called per region; runs of page classes over [lo, hi) when asked. */
struct d_sink {
	int (*region)(const struct d_region *r, void *arg);
	/* per stretch of pages of one class, in address order (may be NULL) */
	int (*pages)(uint64_t addr, uint64_t n, enum d_class k, void *arg);
	void *arg;
};

/*
 * Compare snapshot files a and b, streaming both; 0 or -errno with msg.
 * ia and ib get their headers.
 */
int diff_files(const char *a, const char *b, struct snap_info *ia, struct snap_info *ib,
	       const struct d_sink *sink, char *msg, size_t msz);

/* map --diff A B -o OUT (mapview.c's page, diff.c's data). */
int map_diff(const char *cmd, const char *a, const char *b, const char *out);

#endif
