/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshots (snapshot.c writes them, snapin.c reads them back) and the
 * pieces of their format that map's data shares.
 */
#ifndef VMSCOPE_SNAPSHOT_H
#define VMSCOPE_SNAPSHOT_H

#include "view.h"

/* Bumped on any change a reader of format_version 1 would misread. */
#define SNAPSHOT_FORMAT_VERSION	1

/* --source module|pagemap into VV_SRC_*; prints the usage error. */
int parse_pages_source(const char *cmd, const char *arg, int *source);
/* The members "format" .. "page_state_hidden" of a snapshot or map. */
void snap_json_header(const struct vv_proc *p, const char *format);
/* "runs": [[pages, "state", ["flag", ...]], ...] */
void snap_json_runs(const struct vv_run *r, size_t n);

#endif
