/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How one address's walk (struct vms_walk) is shown, by every command that
 * shows one (page, explain): the names of entry bits, page state, stop
 * reasons and swap kinds, and the walk's report in plain text and JSON.
 * The walk comes from the module or from pagemap (pagemap.h); what pagemap
 * cannot tell is shown as unknown, never as zero.
 */
#ifndef VMSCOPE_WALKFMT_H
#define VMSCOPE_WALKFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmscope_uapi.h"

extern const char *const walk_level_names[VMS_NR_LEVELS];	/* "PGD" .. "PTE" */

/* Entry bits (VMS_E_*), page state (VMS_PG_*), pagemap bits (PM_*). */
extern const uint64_t walk_ebits[], walk_pgbits[], walk_pmbits[];
extern const char *const walk_enames[], *const walk_pgnames[], *const walk_pmnames[];
extern const size_t walk_nebits, walk_npgbits, walk_npmbits;
/* The entry bits and names of an architecture (vms_walk.arch); walk_ebits: x86-64. */
void walk_etable(uint32_t arch, const uint64_t **bits, const char *const **names, size_t *n);

const char *walk_stop_str(uint32_t stop);	/* enum vms_stop */
const char *walk_swp_str(uint32_t kind);	/* enum vms_swp_kind */
/* 12, 21, 30: "4K", "2M", "1G"; anything else (0: not known): "?" */
const char *walk_leaf_str(uint32_t shift);
/* "a,b,c" for the bits of v set (names[i] is bits[i]), "-" for none. */
char *walk_join_bits(uint64_t v, const uint64_t *bits, const char *const *names, size_t n,
		     char *buf, size_t sz);
/* Physical address entry l of w points to (table or leaf). */
uint64_t walk_entry_target(const struct vms_walk *w, int l);
/* Mapped by this process alone: 1, 0, or -1 when the source cannot tell. */
int walk_exclusive(const struct vms_walk *w, uint64_t pme, bool pagemap);

/* JSON true, false or null (v < 0). */
void jw_tristate(const char *k, int v);

/*
 * The report of one walk below its header line: the levels (module) or
 * the pagemap word, where the walk stopped, a swap entry, the physical
 * address and (page) the page's state.  pme is the pagemap entry (pagemap
 * only).
 */
void walk_print_plain(const struct vms_walk *w, uint64_t pme, bool pagemap, bool page);
/*
 * The members of a walk's JSON object after "addr" (docs/json.md, page):
 * vma, levels, entries, stop_level, stop_reason, leaf_size, pfn_hidden,
 * page_hidden, pfn, phys, exclusive, swap, page, and pagemap's.
 */
void walk_print_json(const struct vms_walk *w, uint64_t pme, bool pagemap);

#endif /* VMSCOPE_WALKFMT_H */
