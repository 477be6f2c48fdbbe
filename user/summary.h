/* SPDX-License-Identifier: GPL-2.0 */
/* The summary by kind and by file (summary.c), also shown by map. */
#ifndef VMSCOPE_SUMMARY_H
#define VMSCOPE_SUMMARY_H

#include "view.h"

struct sum_row {
	uint64_t vmas, size;
	struct memuse use;
};

/*
 * The rows by kind of p, and the order of its files (biggest resident
 * first; *order malloc'd, NULL when out of memory).
 */
void sum_build(const struct vv_proc *p, struct sum_row kinds[VV_NKINDS], size_t **order);
void sum_print_plain(const struct vv_proc *p);

#endif
