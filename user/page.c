// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope page PID ADDR...: every page-table level of an address, in the
 * spirit of crash's vtop; --range LEN|NAME: a compact per-page table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"
#include "common.h"
#include "memcli.h"
#include "vmalist.h"

static const char *const lvl_names[VMS_NR_LEVELS] = { "PGD", "P4D", "PUD", "PMD", "PTE" };

static const struct { __u32 bit; const char *name; } ebits[] = {
	{ VMS_E_PRESENT, "present" }, { VMS_E_PROTNONE, "protnone" }, { VMS_E_WRITE, "write" },
	{ VMS_E_USER, "user" }, { VMS_E_ACCESSED, "accessed" }, { VMS_E_DIRTY, "dirty" },
	{ VMS_E_LEAF, "leaf" }, { VMS_E_NX, "nx" }, { VMS_E_GLOBAL, "global" },
	{ VMS_E_PWT, "pwt" }, { VMS_E_PCD, "pcd" }, { VMS_E_PAT, "pat" },
	{ VMS_E_SOFT_DIRTY, "soft-dirty" }, { VMS_E_UFFD_WP, "uffd-wp" },
	{ VMS_E_SPECIAL, "special" }, { VMS_E_DEVMAP, "devmap" },
};

static const struct { __u32 bit; const char *name; } pgbits[] = {
	{ VMS_PG_ANON, "anon" }, { VMS_PG_FILE, "file" }, { VMS_PG_KSM, "ksm" },
	{ VMS_PG_ZERO, "zero" }, { VMS_PG_THP, "thp" }, { VMS_PG_HUGETLB, "hugetlb" },
	{ VMS_PG_COMPOUND, "compound" }, { VMS_PG_LRU, "lru" }, { VMS_PG_ACTIVE, "active" },
	{ VMS_PG_REFERENCED, "referenced" }, { VMS_PG_DIRTY, "dirty" },
	{ VMS_PG_LOCKED, "locked" }, { VMS_PG_SWAPCACHE, "swapcache" },
	{ VMS_PG_WRITEBACK, "writeback" }, { VMS_PG_UPTODATE, "uptodate" },
	{ VMS_PG_UNEVICTABLE, "unevictable" }, { VMS_PG_MLOCKED, "mlocked" },
	{ VMS_PG_RESERVED, "reserved" }, { VMS_PG_NOPAGE, "nopage" },
};

static const char *const stop_names[] = {
	"no VMA", "none (nothing mapped yet)", "not present", "present leaf", "bad entry",
};

static const char *const swp_names[] = {
	"", "swap", "migration (read)", "migration (write)", "hwpoison", "device",
	"marker", "other",
};

static const char *stop_str(__u32 s)
{
	return s < ARRAY_SIZE(stop_names) ? stop_names[s] : "?";
}

static const char *swp_str(__u32 k)
{
	return k < ARRAY_SIZE(swp_names) ? swp_names[k] : "?";
}

static char *join_bits(__u32 v, bool page, char *buf, size_t sz)
{
	size_t i, o = 0, n = page ? ARRAY_SIZE(pgbits) : ARRAY_SIZE(ebits);

	buf[0] = 0;
	for (i = 0; i < n; i++) {
		__u32 bit = page ? pgbits[i].bit : ebits[i].bit;
		const char *name = page ? pgbits[i].name : ebits[i].name;

		if (v & bit)
			o += snprintf(buf + o, o < sz ? sz - o : 0, "%s%s", o ? "," : "", name);
	}
	if (!o)
		snprintf(buf, sz, "-");
	return buf;
}

static const char *leaf_str(__u32 shift)
{
	return shift == 30 ? "1G" : shift == 21 ? "2M" : shift == 12 ? "4K" : "-";
}

/* Physical address an entry points to (table or leaf), from its raw bits. */
static uint64_t entry_target(const struct vms_walk *w, int l)
{
	uint64_t mask = 0x000ffffffffff000ull;

	if (l == VMS_LVL_PUD && (w->bits[l] & VMS_E_LEAF))
		mask &= ~((1ull << 30) - 1);
	else if (l == VMS_LVL_PMD && (w->bits[l] & VMS_E_LEAF))
		mask &= ~((1ull << 21) - 1);
	return w->entry[l] & mask;
}

static void walk_json(pid_t pid, const struct vms_walk *w)
{
	char buf[256];
	int l;

	jw_start_obj();
	jw_u64("pid", pid);
	jw_hex("addr", w->addr);
	if (w->err) {
		jw_i64("error", w->err);
		jw_str("error_str", strerror(-w->err));
		jw_end_obj();
		return;
	}
	jw_hex("vma_start", w->vm_start);
	jw_hex("vma_end", w->vm_end);
	jw_hex("vm_flags", w->vm_flags);
	jw_u64("levels", w->levels);
	jw_key("entries");
	jw_start_arr();
	for (l = 0; l <= (int)w->stop_level && l < VMS_NR_LEVELS; l++) {
		if (l == VMS_LVL_P4D && w->levels == 4)
			continue;
		jw_start_obj();
		jw_str("level", lvl_names[l]);
		jw_hex("entry", w->entry[l]);
		jw_str("flags", join_bits(w->bits[l], false, buf, sizeof(buf)));
		if (w->wflags & VMS_W_PFN_HIDDEN)
			jw_null("points_to");
		else
			jw_hex("points_to", entry_target(w, l));
		jw_end_obj();
	}
	jw_end_arr();
	jw_str("stop_level", lvl_names[w->stop_level < VMS_NR_LEVELS ? w->stop_level : 0]);
	jw_str("stop_reason", stop_str(w->stop_reason));
	jw_str("leaf_size", leaf_str(w->leaf_shift));
	jw_bool("pfn_hidden", w->wflags & VMS_W_PFN_HIDDEN);
	if (w->wflags & VMS_W_PFN_VALID) {
		jw_hex("pfn", w->pfn);
		jw_hex("phys", w->phys);
	}
	if (w->stop_reason == VMS_STOP_NOT_PRESENT) {
		jw_str("swap_kind", swp_str(w->swp_kind));
		jw_u64("swap_type", w->swp_type);
		jw_hex("swap_offset", w->swp_offset);
	}
	jw_bool("page_hidden", w->wflags & VMS_W_PAGE_HIDDEN);
	if (w->stop_reason == VMS_STOP_LEAF && !(w->wflags & VMS_W_PAGE_HIDDEN)) {
		jw_str("page_flags", join_bits(w->page_flags, true, buf, sizeof(buf)));
		if (w->wflags & VMS_W_HAVE_PAGE) {
			jw_i64("refcount", w->refcount);
			jw_i64("mapcount", w->mapcount);
			jw_u64("order", w->order);
		}
	}
	jw_end_obj();
}

static void walk_text(pid_t pid, const struct vms_walk *w)
{
	char buf[256], perms[5];
	int l;

	printf("PID %d  VIRTUAL 0x%llx", pid, (unsigned long long)w->addr);
	if (w->err) {
		printf("  %s\n", w->err == -ENOENT ? "(in no VMA)" : strerror(-w->err));
		return;
	}
	vm_flags_perms(w->vm_flags, perms);
	printf("  VMA %llx-%llx %s  %d-level paging%s\n", (unsigned long long)w->vm_start,
	       (unsigned long long)w->vm_end, perms, w->levels,
	       w->wflags & VMS_W_PFNMAP ? "  PFNMAP/IO" : "");
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
			snprintf(to, sizeof(to), "0x%llx", (unsigned long long)entry_target(w, l));
		printf("  %-5s %016llx   %-18s %s\n", lvl_names[l], (unsigned long long)w->entry[l],
		       to, join_bits(w->bits[l], false, buf, sizeof(buf)));
	}
	printf("  stopped at %s: %s", lvl_names[w->stop_level < VMS_NR_LEVELS ? w->stop_level : 0],
	       stop_str(w->stop_reason));
	if (w->stop_reason == VMS_STOP_LEAF)
		printf(", %s page", leaf_str(w->leaf_shift));
	printf("\n");
	if (w->stop_reason == VMS_STOP_NOT_PRESENT) {
		if (w->wflags & VMS_W_PFN_HIDDEN)
			printf("  %s entry (type and offset need CAP_SYS_ADMIN)\n", swp_str(w->swp_kind));
		else
			printf("  %s entry: type %u offset 0x%llx\n", swp_str(w->swp_kind), w->swp_type,
			       (unsigned long long)w->swp_offset);
	}
	if (w->stop_reason != VMS_STOP_LEAF)
		return;
	if (w->wflags & VMS_W_PFN_VALID)
		printf("  PHYSICAL 0x%llx  PFN 0x%llx\n", (unsigned long long)w->phys,
		       (unsigned long long)w->pfn);
	else
		printf("  PHYSICAL (hidden: needs CAP_SYS_ADMIN)\n");
	if (w->wflags & VMS_W_HAVE_PAGE)
		printf("  PAGE refcount %d  mapcount %d  order %u  %s\n", w->refcount, w->mapcount,
		       w->order, join_bits(w->page_flags, true, buf, sizeof(buf)));
	else if (w->wflags & VMS_W_PAGE_HIDDEN)
		printf("  PAGE (state hidden: needs CAP_SYS_ADMIN, like /proc/kpageflags)\n");
	else
		printf("  PAGE none: a PFN with no struct page (%s)\n",
		       join_bits(w->page_flags, true, buf, sizeof(buf)));
}

/* ---- --range -------------------------------------------------------------- */

struct rsum {
	uint64_t pages, present, swapped, zero, thp, hugetlb, dirty, none, novma;
};

static void rec_state(const struct vms_prec *r, char *buf, size_t sz)
{
	char f[160];

	if (!r->stop)
		snprintf(buf, sz, "no VMA");
	else if (r->stop == VMS_STOP_NONE_ENTRY)
		snprintf(buf, sz, "none@%s", lvl_names[r->level % VMS_NR_LEVELS]);
	else if (r->stop == VMS_STOP_NOT_PRESENT)
		snprintf(buf, sz, "%s", swp_str(r->swp_kind));
	else if (r->stop == VMS_STOP_LEAF)
		snprintf(buf, sz, "%s %s", leaf_str(r->leaf_shift),
			 join_bits(r->page_flags & ~(VMS_PG_LRU | VMS_PG_ACTIVE | VMS_PG_REFERENCED |
						     VMS_PG_UPTODATE),
				   true, f, sizeof(f)));
	else
		snprintf(buf, sz, "bad@%s", lvl_names[r->level % VMS_NR_LEVELS]);
}

static void sum_add(struct rsum *s, const struct vms_prec *r)
{
	s->pages++;
	if (!r->stop)
		s->novma++;
	else if (r->stop == VMS_STOP_NONE_ENTRY)
		s->none++;
	else if (r->stop == VMS_STOP_NOT_PRESENT && r->swp_kind == VMS_SWP_SWAP)
		s->swapped++;
	if (r->stop != VMS_STOP_LEAF)
		return;
	s->present++;
	if (r->page_flags & VMS_PG_ZERO)
		s->zero++;
	if (r->page_flags & VMS_PG_THP)
		s->thp++;
	if (r->page_flags & VMS_PG_HUGETLB)
		s->hugetlb++;
	if ((r->page_flags & VMS_PG_DIRTY) || (r->bits & VMS_E_DIRTY))
		s->dirty++;
}

/* Same group: same state, and PFNs continuing one another (or both hidden). */
static bool same_run(const struct vms_prec *a, const struct vms_prec *b)
{
	char sa[200], sb[200];

	if (a->stop != b->stop || a->level != b->level || a->leaf_shift != b->leaf_shift)
		return false;
	if (a->stop == VMS_STOP_LEAF && a->pfn && b->pfn != a->pfn + 1)
		return false;
	rec_state(a, sa, sizeof(sa));
	rec_state(b, sb, sizeof(sb));
	return !strcmp(sa, sb);
}

static int do_range(struct vmem *v, pid_t pid, uint64_t start, uint64_t end)
{
	struct rsum s = {};
	uint64_t addr = start;
	bool first = true;

	if (json_output) {
		jw_start_obj();
		jw_u64("pid", pid);
		jw_hex("start", start);
		jw_hex("end", end);
		jw_key("pages");
		jw_start_arr();
	} else {
		printf("%-16s %-16s %7s %-14s %-8s %s\n", "START", "END", "PAGES", "PFN", "LEVEL",
		       "STATE");
	}
	while (addr < end) {
		const struct vms_range *h;
		const struct vms_prec *r;
		const struct vms_pdir *d;
		uint32_t i, j;
		int n = vmem_walk_range(v, pid, addr, end, &h, &r, &d);

		if (n < 0) {
			if (json_output) {
				jw_end_arr();
				jw_end_obj();
				jw_done();
			}
			memcli_err("page", pid, n, addr, 1);
			return 1;
		}
		/* Holes are skipped by the kernel: count them, never walk them. */
		if (h->first > addr)
			s.novma += (h->first - addr) / 4096;
		if (n == 0) {
			if (h->next > addr && h->next >= end)
				s.novma += (end - (h->first > addr ? h->first : addr)) / 4096;
			break;
		}
		for (i = 0; i < (uint32_t)n; i = j) {
			uint64_t a = h->first + (uint64_t)i * 4096;
			char st[200], pfn[24];

			for (j = i + 1; j < (uint32_t)n && same_run(&r[j - 1], &r[j]); j++)
				;
			for (uint32_t k = i; k < j; k++)
				sum_add(&s, &r[k]);
			rec_state(&r[i], st, sizeof(st));
			if (r[i].stop == VMS_STOP_LEAF && !(h->wflags & VMS_W_PFN_HIDDEN))
				snprintf(pfn, sizeof(pfn), "0x%llx", (unsigned long long)r[i].pfn);
			else
				snprintf(pfn, sizeof(pfn), "-");
			if (json_output) {
				jw_start_obj();
				jw_hex("start", a);
				jw_hex("end", a + (uint64_t)(j - i) * 4096);
				jw_u64("pages", j - i);
				if (r[i].stop == VMS_STOP_LEAF && !(h->wflags & VMS_W_PFN_HIDDEN))
					jw_hex("pfn", r[i].pfn);
				jw_str("level", lvl_names[r[i].level % VMS_NR_LEVELS]);
				jw_str("state", st);
				jw_hex("entry", r[i].entry);
				jw_end_obj();
			} else {
				printf("%016llx %016llx %7u %-14s %-8s %s\n", (unsigned long long)a,
				       (unsigned long long)(a + (uint64_t)(j - i) * 4096), j - i, pfn,
				       r[i].stop ? lvl_names[r[i].level % VMS_NR_LEVELS] : "-", st);
			}
		}
		(void)first;
		if (h->next > h->first + (uint64_t)n * 4096)
			s.novma += (h->next - (h->first + (uint64_t)n * 4096)) / 4096;
		addr = h->next;
	}
	s.pages += s.novma;
	if (json_output) {
		jw_end_arr();
		jw_key("summary");
		jw_start_obj();
	} else {
		printf("summary: %llu pages: %llu present, %llu swapped, %llu zero, %llu THP, "
		       "%llu hugetlb, %llu dirty, %llu not faulted, %llu outside any VMA\n",
		       (unsigned long long)s.pages, (unsigned long long)s.present,
		       (unsigned long long)s.swapped, (unsigned long long)s.zero,
		       (unsigned long long)s.thp, (unsigned long long)s.hugetlb,
		       (unsigned long long)s.dirty, (unsigned long long)s.none,
		       (unsigned long long)s.novma);
		return 0;
	}
	jw_u64("pages", s.pages);
	jw_u64("present", s.present);
	jw_u64("swapped", s.swapped);
	jw_u64("zero", s.zero);
	jw_u64("thp", s.thp);
	jw_u64("hugetlb", s.hugetlb);
	jw_u64("dirty", s.dirty);
	jw_u64("not_faulted", s.none);
	jw_u64("no_vma", s.novma);
	jw_end_obj();
	jw_end_obj();
	jw_done();
	return 0;
}

/* --range NAME: the first VMA whose name is NAME (or ends in /NAME). */
static int range_by_name(pid_t pid, const char *name, uint64_t *start, uint64_t *end)
{
	struct vmalist l = {};
	struct vma_bpf *obj;
	size_t i, nl = strlen(name);
	int err;

	obj = vmalist_open(VMALIST_RECORDS, &err);
	if (!obj) {
		p_err("page: cannot load the VMA iterator: %s", bpf_err_hint(err));
		return -1;
	}
	err = vmalist_collect(obj, pid, &l);
	vmalist_close(obj);
	if (err) {
		p_err("page: listing the VMAs of %d: %s", pid, strerror(-err));
		return -1;
	}
	for (i = 0; i < l.n; i++) {
		const char *n = vma_name_of(&l, &l.v[i]);
		size_t len = strlen(n);

		if (!strcmp(n, name) || (len > nl && n[len - nl - 1] == '/' && !strcmp(n + len - nl, name))) {
			*start = l.v[i].start;
			*end = l.v[i].end;
			vmalist_free(&l);
			return 0;
		}
	}
	vmalist_free(&l);
	p_err("page: process %d has no VMA named '%s'", pid, name);
	return -1;
}

int do_page(int argc, char **argv)
{
	const char *range = NULL;
	struct vms_walk *w = NULL;
	struct vmem *v = NULL;
	uint64_t *addrs = NULL, rlen = 0, start = 0, end = 0;
	int i, n = 0, rc = 1, ret;
	pid_t pid = 0;
	bool have_pid = false;

	argc = common_opts(argc, argv, "page");
	if (argc < 0)
		return 0;
	addrs = calloc(argc, sizeof(*addrs));
	if (!addrs)
		return 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--range") || !strcmp(argv[i], "-r")) {
			if (++i >= argc) {
				p_err("page: --range needs a length or a VMA name");
				goto usage;
			}
			range = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			p_err("page: unknown option '%s'", argv[i]);
			goto usage;
		} else if (!have_pid) {
			if (parse_pid(argv[i], &pid))
				goto usage;
			have_pid = true;
		} else if (parse_addr(argv[i], &addrs[n++])) {
			goto usage;
		}
	}
	if (!have_pid || (!n && !range) || (range && n > 1)) {
		p_err("page: expected PID ADDR..., or PID ADDR --range LEN, or PID --range NAME");
		cmd_usage("page");
		goto usage;
	}
	if (range && n == 1) {
		if (parse_u64(range, "length", &rlen))
			goto usage;
		if (!rlen || rlen > (1ull << 56) || addrs[0] + rlen < addrs[0]) {
			p_err("page: invalid range length '%s'", range);
			goto usage;
		}
		start = addrs[0] & ~4095ull;
		end = addrs[0] + rlen;
	}
	v = memcli_open("page");
	if (!v)
		goto out;
	if (range) {
		if (!n && range_by_name(pid, range, &start, &end))
			goto out;
		rc = do_range(v, pid, start, end);
		goto out;
	}
	w = calloc(n, sizeof(*w));
	if (!w)
		goto out;
	for (i = 0; i < n; i++)
		w[i].addr = addrs[i];
	ret = vmem_walk(v, pid, w, n);
	if (ret < 0) {
		memcli_err("page", pid, ret, 0, 0);
		goto out;
	}
	rc = 0;
	if (json_output)
		jw_start_arr();
	for (i = 0; i < n; i++) {
		if (json_output)
			walk_json(pid, &w[i]);
		else
			walk_text(pid, &w[i]);
		if (w[i].err)
			rc = 1;
	}
	if (json_output) {
		jw_end_arr();
		jw_done();
	}
	goto out;
usage:
	rc = 2;
out:
	vmem_close(v);
	free(w);
	free(addrs);
	return rc;
}
