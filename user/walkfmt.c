// SPDX-License-Identifier: GPL-2.0
/* How one address's walk is shown (walkfmt.h): page and explain. */
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "pagemap.h"
#include "walkfmt.h"

const char *const walk_level_names[VMS_NR_LEVELS] = { "PGD", "P4D", "PUD", "PMD", "PTE" };

const uint64_t walk_ebits[] = {
	VMS_E_PRESENT, VMS_E_PROTNONE, VMS_E_WRITE, VMS_E_USER, VMS_E_ACCESSED, VMS_E_DIRTY,
	VMS_E_LEAF, VMS_E_NX, VMS_E_GLOBAL, VMS_E_PWT, VMS_E_PCD, VMS_E_PAT, VMS_E_SOFT_DIRTY,
	VMS_E_UFFD_WP, VMS_E_SPECIAL, VMS_E_DEVMAP,
};
const char *const walk_enames[] = {
	"present", "protnone", "write", "user", "accessed", "dirty", "leaf", "nx", "global",
	"pwt", "pcd", "pat", "soft-dirty", "uffd-wp", "special", "devmap",
};
const size_t walk_nebits = ARRAY_SIZE(walk_ebits);

/* arm64's names (vms_walk.arch == VMS_ARCH_ARM64): the kernel's bit names. */
static const uint64_t a64_ebits[] = {
	VMS_E_VALID, VMS_E_PROTNONE, VMS_E_WRITE, VMS_E_RDONLY, VMS_E_USER, VMS_E_AF,
	VMS_E_DIRTY, VMS_E_LEAF, VMS_E_CONT, VMS_E_NG, VMS_E_UXN, VMS_E_PXN, VMS_E_SOFT_DIRTY,
	VMS_E_UFFD_WP, VMS_E_SPECIAL, VMS_E_DEVMAP,
};
static const char *const a64_enames[] = {
	"valid", "protnone", "write", "rdonly", "user", "af", "dirty", "leaf", "cont", "ng",
	"uxn", "pxn", "soft-dirty", "uffd-wp", "special", "devmap",
};

void walk_etable(uint32_t arch, const uint64_t **bits, const char *const **names, size_t *n)
{
	if (arch == VMS_ARCH_ARM64) {
		*bits = a64_ebits;
		*names = a64_enames;
		*n = ARRAY_SIZE(a64_ebits);
	} else {
		*bits = walk_ebits;
		*names = walk_enames;
		*n = walk_nebits;
	}
}

const uint64_t walk_pgbits[] = {
	VMS_PG_ANON, VMS_PG_FILE, VMS_PG_KSM, VMS_PG_ZERO, VMS_PG_THP, VMS_PG_HUGETLB,
	VMS_PG_COMPOUND, VMS_PG_LRU, VMS_PG_ACTIVE, VMS_PG_REFERENCED, VMS_PG_DIRTY,
	VMS_PG_LOCKED, VMS_PG_SWAPCACHE, VMS_PG_WRITEBACK, VMS_PG_UPTODATE, VMS_PG_UNEVICTABLE,
	VMS_PG_MLOCKED, VMS_PG_RESERVED, VMS_PG_NOPAGE,
};
const char *const walk_pgnames[] = {
	"anon", "file", "ksm", "zero", "thp", "hugetlb", "compound", "lru", "active",
	"referenced", "dirty", "locked", "swapcache", "writeback", "uptodate", "unevictable",
	"mlocked", "reserved", "nopage",
};
const size_t walk_npgbits = ARRAY_SIZE(walk_pgbits);

/* The bits of a pagemap entry, as pagemap.rst names them. */
const uint64_t walk_pmbits[] = {
	PM_PRESENT, PM_SWAP, PM_FILE, PM_EXCLUSIVE, PM_SOFT_DIRTY, PM_UFFD_WP, PM_GUARD,
};
const char *const walk_pmnames[] = {
	"present", "swapped", "file", "exclusive", "soft-dirty", "uffd-wp", "guard",
};
const size_t walk_npmbits = ARRAY_SIZE(walk_pmbits);

static const char *const stop_names[] = {
	"no VMA", "none", "not present", "present leaf", "bad entry",
};

static const char *const swp_names[] = {
	"", "swap", "migration-read", "migration-write", "hwpoison", "device", "marker", "other",
};

const char *walk_stop_str(uint32_t s)
{
	return s < ARRAY_SIZE(stop_names) ? stop_names[s] : "?";
}

const char *walk_swp_str(uint32_t k)
{
	return k < ARRAY_SIZE(swp_names) ? swp_names[k] : "?";
}

const char *walk_leaf_str(uint32_t shift)
{
	return shift == 30 ? "1G" : shift == 21 ? "2M" : shift == 12 ? "4K" : "?";
}

char *walk_join_bits(uint64_t v, const uint64_t *bits, const char *const *names, size_t n,
		     char *buf, size_t sz)
{
	size_t i, o = 0;

	buf[0] = 0;
	for (i = 0; i < n; i++)
		if (v & bits[i])
			o += snprintf(buf + o, o < sz ? sz - o : 0, "%s%s", o ? "," : "", names[i]);
	if (!o)
		snprintf(buf, sz, "-");
	return buf;
}

uint64_t walk_entry_target(const struct vms_walk *w, int l)
{
	/* x86-64: bits 51:12; arm64: 49:12 (50 is GP, 51 DBM). */
	uint64_t mask = w->arch == VMS_ARCH_ARM64 ? 0x0003fffffffff000ull : 0x000ffffffffff000ull;

	if (l == VMS_LVL_PUD && (w->bits[l] & VMS_E_LEAF))
		mask &= ~((1ull << 30) - 1);
	else if (l == VMS_LVL_PMD && (w->bits[l] & VMS_E_LEAF))
		mask &= ~((1ull << 21) - 1);
	return w->entry[l] & mask;
}

int walk_exclusive(const struct vms_walk *w, uint64_t pme, bool pagemap)
{
	if (w->stop_reason != VMS_STOP_LEAF)
		return -1;
	if (pagemap)
		return !!(pme & PM_EXCLUSIVE);
	return w->wflags & VMS_W_HAVE_PAGE ? w->mapcount == 1 : -1;
}

void jw_tristate(const char *k, int v)
{
	if (v < 0)
		jw_null(k);
	else
		jw_bool(k, v);
}

/* ---- plain text ------------------------------------------------------------------ */

static void levels_plain(const struct vms_walk *w)
{
	const char *const *names;
	const uint64_t *bits;
	char buf[256];
	size_t nb;
	int l;

	walk_etable(w->arch, &bits, &names, &nb);
	printf("  %-5s %-18s %-18s %s\n", "LEVEL", "ENTRY", "POINTS TO", "FLAGS");
	for (l = 0; l <= (int)w->stop_level && l < VMS_NR_LEVELS; l++) {
		char to[32];

		if (l == VMS_LVL_P4D && w->levels == 4)
			continue;
		if (w->wflags & VMS_W_PFN_HIDDEN)
			snprintf(to, sizeof(to), "(hidden)");
		else if (!w->entry[l] || !(w->bits[l] & (VMS_E_PRESENT | VMS_E_PROTNONE)))
			snprintf(to, sizeof(to), "-");
		else
			snprintf(to, sizeof(to), "0x%llx",
				 (unsigned long long)walk_entry_target(w, l));
		printf("  %-5s %016llx   %-18s %s\n", walk_level_names[l],
		       (unsigned long long)w->entry[l], to,
		       walk_join_bits(w->bits[l], bits, names, nb, buf, sizeof(buf)));
	}
	printf("  stopped at %s: %s",
	       walk_level_names[w->stop_level < VMS_NR_LEVELS ? w->stop_level : 0],
	       w->stop_reason == VMS_STOP_NONE_ENTRY ? "none (nothing mapped yet)" :
	       walk_stop_str(w->stop_reason));
	if (w->stop_reason == VMS_STOP_LEAF)
		printf(", %s page", walk_leaf_str(w->leaf_shift));
	printf("\n");
}

/* What pagemap says in place of the levels: its entry, and what it means. */
static void pagemap_plain(const struct vms_walk *w, uint64_t pme)
{
	char buf[256];

	printf("  page tables: not shown: /proc/PID/pagemap has no per-level entries\n");
	printf("  PAGEMAP %016llx  %s\n", (unsigned long long)pme,
	       walk_join_bits(pme, walk_pmbits, walk_pmnames, walk_npmbits, buf, sizeof(buf)));
	if (w->stop_reason == VMS_STOP_LEAF && w->leaf_shift)
		printf("  present, %s page\n", walk_leaf_str(w->leaf_shift));
	else if (w->stop_reason == VMS_STOP_LEAF)
		printf("  present, page size not known (it takes /proc/kpageflags, which needs "
		       "CAP_SYS_ADMIN, or smaps)\n");
	else if (w->stop_reason == VMS_STOP_NONE_ENTRY)
		printf("  none (nothing mapped yet)\n");
	else if (w->stop_reason == VMS_STOP_NOT_PRESENT)
		printf("  not present\n");
	else
		printf("  not known: pagemap skips PFN mappings (VM_PFNMAP)\n");
}

void walk_print_plain(const struct vms_walk *w, uint64_t pme, bool pagemap, bool page)
{
	char buf[256], order[16];

	if (pagemap)
		pagemap_plain(w, pme);
	else
		levels_plain(w);
	if (w->stop_reason == VMS_STOP_NOT_PRESENT) {
		if (w->wflags & VMS_W_PFN_HIDDEN)
			printf("  %s entry (type and offset need CAP_SYS_ADMIN)\n",
			       walk_swp_str(w->swp_kind));
		else
			printf("  %s entry: type %u offset 0x%llx\n", walk_swp_str(w->swp_kind),
			       w->swp_type, (unsigned long long)w->swp_offset);
	}
	if (w->stop_reason != VMS_STOP_LEAF)
		return;
	if (w->wflags & VMS_W_PFN_VALID)
		printf("  PHYSICAL 0x%llx  PFN 0x%llx\n", (unsigned long long)w->phys,
		       (unsigned long long)w->pfn);
	else
		printf("  PHYSICAL (hidden: needs CAP_SYS_ADMIN)\n");
	if (!page)
		return;
	walk_join_bits(w->page_flags, walk_pgbits, walk_pgnames, walk_npgbits, buf, sizeof(buf));
	snprintf(order, sizeof(order), w->order == PAGEMAP_ORDER_UNKNOWN ? "?" : "%u", w->order);
	if ((w->wflags & VMS_W_HAVE_PAGE) && pagemap)
		printf("  PAGE mapcount %d  order %s  %s  (refcount: not in /proc/kpagecount)\n",
		       w->mapcount, order, buf);
	else if (w->wflags & VMS_W_HAVE_PAGE)
		printf("  PAGE refcount %d  mapcount %d  order %s  %s\n", w->refcount, w->mapcount,
		       order, buf);
	else if (w->wflags & VMS_W_PAGE_HIDDEN)
		printf("  PAGE (state hidden: needs CAP_SYS_ADMIN, like /proc/kpageflags)\n");
	else
		printf("  PAGE none: a PFN with no struct page (%s)\n", buf);
}

/* ---- JSON ------------------------------------------------------------------------- */

static void levels_json(const struct vms_walk *w)
{
	const char *const *names;
	const uint64_t *bits;
	size_t nb;
	int l;

	walk_etable(w->arch, &bits, &names, &nb);
	jw_u64("levels", w->levels);
	jw_key("entries");
	jw_start_arr();
	for (l = 0; l <= (int)w->stop_level && l < VMS_NR_LEVELS; l++) {
		if (l == VMS_LVL_P4D && w->levels == 4)
			continue;
		jw_start_obj();
		jw_str("level", walk_level_names[l]);
		jw_hex("entry", w->entry[l]);
		jw_flags("flags", w->bits[l], bits, names, nb);
		if ((w->wflags & VMS_W_PFN_HIDDEN) ||
		    !(w->bits[l] & (VMS_E_PRESENT | VMS_E_PROTNONE)))
			jw_null("points_to");
		else
			jw_hex("points_to", walk_entry_target(w, l));
		jw_end_obj();
	}
	jw_end_arr();
	jw_str("stop_level", walk_level_names[w->stop_level < VMS_NR_LEVELS ? w->stop_level : 0]);
}

void walk_print_json(const struct vms_walk *w, uint64_t pme, bool pagemap)
{
	char perms[5];

	vm_flags_perms(w->vm_flags, perms);
	jw_key("vma");
	jw_start_obj();
	jw_hex("start", w->vm_start);
	jw_hex("end", w->vm_end);
	jw_str("perms", perms);
	jw_hex("vm_flags", w->vm_flags);
	jw_bool("pfnmap", w->wflags & VMS_W_PFNMAP);
	jw_bool("hugetlb", w->wflags & VMS_W_HUGETLB_VMA);
	jw_end_obj();
	if (pagemap) {
		/* pagemap has no page-table entries: none are made up */
		jw_null("levels");
		jw_null("entries");
		jw_null("stop_level");
	} else {
		levels_json(w);
	}
	if (w->stop_reason)
		jw_str("stop_reason", walk_stop_str(w->stop_reason));
	else
		jw_null("stop_reason");
	if (w->stop_reason == VMS_STOP_LEAF && w->leaf_shift)
		jw_str("leaf_size", walk_leaf_str(w->leaf_shift));
	else
		jw_null("leaf_size");
	jw_bool("pfn_hidden", w->wflags & VMS_W_PFN_HIDDEN);
	jw_bool("page_hidden", w->wflags & VMS_W_PAGE_HIDDEN);
	if (w->wflags & VMS_W_PFN_VALID) {
		jw_hex("pfn", w->pfn);
		jw_hex("phys", w->phys);
	} else {
		jw_null("pfn");
		jw_null("phys");
	}
	jw_tristate("exclusive", walk_exclusive(w, pme, pagemap));
	if (w->stop_reason == VMS_STOP_NOT_PRESENT) {
		jw_key("swap");
		jw_start_obj();
		jw_str("kind", walk_swp_str(w->swp_kind));
		if (w->wflags & VMS_W_PFN_HIDDEN) {
			jw_null("type");
			jw_null("offset");
		} else {
			jw_u64("type", w->swp_type);
			jw_hex("offset", w->swp_offset);
		}
		jw_end_obj();
	}
	if (w->stop_reason == VMS_STOP_LEAF && !(w->wflags & VMS_W_PAGE_HIDDEN)) {
		jw_key("page");
		jw_start_obj();
		jw_flags("flags", w->page_flags, walk_pgbits, walk_pgnames, walk_npgbits);
		if (w->wflags & VMS_W_HAVE_PAGE) {
			if (pagemap)
				jw_null("refcount");
			else
				jw_i64("refcount", w->refcount);
			jw_i64("mapcount", w->mapcount);
			if (w->order == PAGEMAP_ORDER_UNKNOWN)
				jw_null("order");
			else
				jw_u64("order", w->order);
		}
		jw_end_obj();
	}
	if (pagemap) {
		jw_key("pagemap");
		jw_start_obj();
		jw_hex("entry", pme);
		jw_flags("flags", pme, walk_pmbits, walk_pmnames, walk_npmbits);
		jw_end_obj();
	}
}
