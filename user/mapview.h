/* SPDX-License-Identifier: GPL-2.0 */
/* Writing map pages (mapview.c): for map and map --diff (diff.c). */
#ifndef VMSCOPE_MAPVIEW_H
#define VMSCOPE_MAPVIEW_H

#include <stdbool.h>
#include <stdio.h>
#include "view.h"

/* One class of a lane: its name in the data, its legend, its colour. */
struct map_class {
	const char *name, *label, *color;
};
extern const struct map_class map_states[VV_NSTATES];
extern const struct map_class map_kinds[VV_NKINDS];
extern const struct map_class map_flags[2];

/* An HTML file being written: the template up to the data, then the rest. */
struct map_out {
	const char *path;
	char tmp[4200];
	FILE *f;
	const char *mark;
	bool pretty;
	uint64_t size;		/* bytes written, once ended */
};
/* Start path ("-": stdout); the JSON writer then writes into the page. */
int map_begin(struct map_out *m, const char *path);
/* Finish it; a file is renamed into place only when ok. */
int map_end(struct map_out *m, bool ok);
void map_json_classes(const char *key, const struct map_class *c, size_t n);
/* "perms": the 16 strings "---p".."rwxs" that a VMA's perms index. */
void map_json_perms(void);

#endif
